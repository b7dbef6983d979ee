"""Themes: the recurring lessons a board's reviews raise, from the organisation file's taxonomy.

- The taxonomy: `[[theme]] code, name, words` in the organisation file; a file with none gets
  the default (models/data/themes.toml, the national Panel's recurring themes).
- Suggestions: on import, each new or changed finding and action is suggested the themes whose
  words or phrases its text holds, compared stem by stem (Snowball), and the suggestion keeps the
  words that made it. A person confirms or removes a theme; an import never undoes that.
- Alike: each new finding (and action) names the earlier ones most like it (models.similarity).
- Recurring learning: per theme, the reviews and findings raising it over time, the BRAG of the
  actions on it, and a flag where it was raised again after its actions were signed off.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from models import similarity
from models.brag import BragRules, rate
from models.bulk import insert_plain
from models.errors import InvalidInput, NotFound, Refused
from models.permissions import Actor, can_see, can_see_review
from models.schema import (
    Action,
    ActionEvent,
    ActionTheme,
    Finding,
    FindingTheme,
    Review,
    Status,
    Theme,
    ThemeScan,
    ThemeState,
)
from models.text import words as text_words

DEFAULT_FILE = Path(__file__).with_name("data") / "themes.toml"
THEME_KEYS = frozenset({"code", "name", "words"})
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,63}$")
FINDING_REF_RE = re.compile(r"^\s*r\s*-?\s*(\d{1,9})\s*[.\s/]\s*f?\s*(\d{1,5})\s*$", re.IGNORECASE)
ACTION_REF_RE = re.compile(r"^\s*a\s*-?\s*(\d{1,9})\s*$", re.IGNORECASE)
MAX_WORDS_SHOWN = 5
_BATCH = 500


def finding_ref(review_number: int, position: int) -> str:
    """A finding's reference: its review's and its place in the review, `R-3.2`."""
    return f"R-{review_number}.{position}"


# ------------------------------------------------------------------ the taxonomy


@dataclass(frozen=True)
class ThemeSpec:
    code: str
    name: str
    words: tuple[str, ...]


def default_tables() -> list[dict[str, Any]]:
    tables = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))["theme"]
    assert isinstance(tables, list)
    return tables


def read_theme_tables(
    tables: Any,
    line_of: Callable[[int, str | None], int],
    fail: Callable[[int, str], Exception],
) -> list[ThemeSpec]:
    """Check the organisation file's `[[theme]]` tables. `line_of(i, key)` finds the line of
    table i (or of its key); `fail(line, message)` makes the error to raise."""
    if tables is None:
        tables = default_tables()
    if not isinstance(tables, list):
        raise fail(line_of(0, None), "use [[theme]] tables for themes")
    specs: list[ThemeSpec] = []
    seen: dict[str, int] = {}
    for i, t in enumerate(tables):
        for key in t:
            if key not in THEME_KEYS:
                raise fail(
                    line_of(i, key),
                    f"unknown theme key “{key}” (expected: {', '.join(sorted(THEME_KEYS))})",
                )
        code = t.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code.strip().lower()):
            raise fail(
                line_of(i, "code"),
                f"theme {i + 1} needs a code of lower-case letters, digits and hyphens, "
                "like domestic-abuse",
            )
        code = code.strip().lower()
        if code in seen:
            raise fail(line_of(i, "code"), f"theme code {code} appears twice")
        seen[code] = i
        name = t.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(line_of(i, None), f"theme {code} has no name")
        wl = t.get("words")
        if (
            not isinstance(wl, list)
            or not wl
            or not all(isinstance(w, str) and w.strip() for w in wl)
        ):
            raise fail(
                line_of(i, "words"),
                f'theme {code} needs words = ["word", "a phrase", …] that suggest it',
            )
        for w in wl:
            if not any(True for _ in text_words(w)):
                raise fail(line_of(i, "words"), f"theme {code}: “{w}” holds no word")
        specs.append(ThemeSpec(code, name.strip(), tuple(w.strip() for w in wl)))
    return specs


def apply_themes(s: Session, specs: Sequence[ThemeSpec], changes: list[str]) -> None:
    """Make the theme table match the file. A theme no longer in the file is kept inactive
    (with the findings and actions that carry it), so history stays readable."""
    existing = {t.code: t for t in s.scalars(select(Theme))}
    wanted = set()
    for position, spec in enumerate(specs, start=1):
        wanted.add(spec.code)
        words = "\n".join(spec.words)
        row = existing.get(spec.code)
        if row is None:
            s.add(Theme(code=spec.code, name=spec.name, words=words, position=position))
            changes.append(f"theme {spec.code} added")
            continue
        if (row.name, row.words, row.position, row.active) != (spec.name, words, position, True):
            if row.words != words:
                changes.append(f"theme {spec.code}: words changed")
            elif row.name != spec.name:
                changes.append(f"theme {spec.code}: name changed")
            elif not row.active:
                changes.append(f"theme {spec.code} back in use")
            row.name, row.words, row.position, row.active = spec.name, words, position, True
    for code, row in existing.items():
        if code not in wanted and row.active:
            row.active = False
            changes.append(f"theme {code} no longer in the file: kept for history, not suggested")
    s.flush()


def active_themes(s: Session) -> list[Theme]:
    return list(s.scalars(select(Theme).where(Theme.active).order_by(Theme.position, Theme.code)))


class Taxonomy:
    """The themes' words as stems, to find them in a text in any form of each word."""

    def __init__(self, themes: Sequence[Theme]) -> None:
        self.themes = {t.id: t for t in themes}
        # First stem of a phrase → the phrases starting with it (longest first) and their theme.
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for t in themes:
            for w in t.word_list:
                stems = tuple(x.stem for x in text_words(w))
                if stems:
                    self._phrases.setdefault(stems[0], []).append((stems, t.id))
        for found in self._phrases.values():
            found.sort(key=lambda p: -len(p[0]))

    def suggest(self, text: str) -> dict[int, list[str]]:
        """Theme id → the words of `text` that suggest it, as they are written there."""
        ws = list(text_words(text))
        stems = [w.stem for w in ws]
        found: dict[int, list[str]] = {}
        for i, st in enumerate(stems):
            for phrase, theme_id in self._phrases.get(st, ()):
                n = len(phrase)
                if tuple(stems[i : i + n]) != phrase:
                    continue
                shown = " ".join(text[ws[i].start : ws[i + n - 1].end].split())
                said = found.setdefault(theme_id, [])
                if shown.lower() not in (x.lower() for x in said):
                    said.append(shown)
        return {k: v[:MAX_WORDS_SHOWN] for k, v in found.items()}


# ------------------------------------------------------------------ on import


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    words: tuple[str, ...]


@dataclass
class ItemLearning:
    """A new or changed finding or action: the themes suggested for it, the earlier ones like it."""

    kind: str  # "finding" or "action"
    ref: str
    review: str | None
    confidential: bool
    themes: list[Suggestion] = field(default_factory=list)
    alike: list[tuple[str, float]] = field(default_factory=list)  # (ref, score)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "review": self.review,
            "themes": [
                {"code": t.code, "name": t.name, "words": list(t.words)} for t in self.themes
            ],
            "alike": [{"ref": r, "score": sc} for r, sc in self.alike],
        }


@dataclass
class LearningSummary:
    items: list[ItemLearning] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"items": [i.as_dict() for i in self.items if i.themes or i.alike]}

    def lines(self) -> list[str]:
        """What the business unit reads after an import: references and theme words only."""
        out = []
        for item in self.items:
            if item.themes:
                said = "; ".join(f"{t.code} ({', '.join(t.words)})" for t in item.themes)
                out.append(f"  {item.ref}: themes suggested: {said}")
            if item.alike:
                like = ", ".join(f"{r} ({sc:.2f})" for r, sc in item.alike)
                out.append(f"  {item.ref}: like earlier {like}")
        return out


class _Item(NamedTuple):
    kind: str  # "f" or "a"
    id: int
    text: str
    review_id: int | None
    number: int  # the action's number, or the finding's review's
    position: int  # the finding's place in its review (0 for an action)
    review_number: int | None
    confidential: bool

    @property
    def ref(self) -> str:
        return finding_ref(self.number, self.position) if self.kind == "f" else f"A-{self.number}"

    @property
    def review_ref(self) -> str | None:
        return f"R-{self.review_number}" if self.review_number is not None else None


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _items(s: Session) -> list[_Item]:
    """Every finding and (not cancelled) action, read as plain rows: this runs over them all."""
    conn = s.connection()
    items = [
        _Item("f", fid, text, rid, number, position, number, bool(conf))
        for fid, text, rid, number, position, conf in conn.execute(
            select(
                Finding.id,
                Finding.text,
                Finding.review_id,
                Review.number,
                Finding.position,
                Review.confidential,
            )
            .join(Review, Review.id == Finding.review_id)
            .order_by(Finding.id)
        ).all()
    ]
    items += [
        _Item("a", aid, text, rid, number, 0, rnumber, bool(conf))
        for aid, text, rid, number, rnumber, conf in conn.execute(
            select(
                Action.id,
                Action.text,
                Action.review_id,
                Action.number,
                Review.number,
                Review.confidential,
            )
            .outerjoin(Review, Review.id == Action.review_id)
            .where(Action.status != Status.CANCELLED)
            .order_by(Action.id)
        ).all()
    ]
    return items


def _in_batches(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _BATCH):
        yield ids[i : i + _BATCH]


def _link_model(kind: str) -> Any:
    return FindingTheme if kind == "f" else ActionTheme


def _link_rows(s: Session, kind: str, ids: Sequence[int]) -> dict[int, list[Any]]:
    model = _link_model(kind)
    column = FindingTheme.finding_id if kind == "f" else ActionTheme.action_id
    rows: dict[int, list[Any]] = {}
    for batch in _in_batches(ids):
        row: Any
        for row in s.scalars(select(model).where(column.in_(batch))):
            rows.setdefault(row.finding_id if kind == "f" else row.action_id, []).append(row)
    return rows


def suggest_after_import(s: Session, now: datetime, *, alike: bool = True) -> LearningSummary:
    """Suggest themes for every finding and action that is new or whose text changed since
    themes were last suggested, and name the earlier items most like each new one. Runs in the
    caller's transaction (an import's, so a dry run shows it and keeps nothing)."""
    summary = LearningSummary()
    themes = active_themes(s)
    taxonomy = Taxonomy(themes)
    items = _items(s)
    scans = {
        (k, i): (d, t)
        for k, i, d, t in s.execute(
            select(ThemeScan.kind, ThemeScan.item_id, ThemeScan.digest, ThemeScan.terms)
        )
    }
    new: list[_Item] = []
    changed: list[_Item] = []
    for item in items:
        scan = scans.get((item.kind, item.id))
        if scan is None:
            new.append(item)
            changed.append(item)
        elif scan[0] != _digest(item.text):
            changed.append(item)
    if not changed:
        return summary
    learned = {
        (it.kind, it.id): ItemLearning(
            "finding" if it.kind == "f" else "action", it.ref, it.review_ref, it.confidential
        )
        for it in changed
    }
    for kind in ("f", "a"):
        mine = [it for it in changed if it.kind == kind]
        if not mine:
            continue
        existing = _link_rows(s, kind, [it.id for it in mine])
        model = _link_model(kind)
        column = "finding_id" if kind == "f" else "action_id"
        links: list[dict[str, Any]] = []
        for it in mine:
            kept: set[int] = set()
            for row in existing.get(it.id, []):
                if row.state == ThemeState.SUGGESTED:
                    s.delete(row)  # the app's own suggestion, made again for the new text
                else:
                    kept.add(row.theme_id)
            for theme_id, said in taxonomy.suggest(it.text).items():
                theme = taxonomy.themes[theme_id]
                learned[(kind, it.id)].themes.append(
                    Suggestion(theme.code, theme.name, tuple(said))
                )
                if theme_id in kept:
                    continue
                links.append(
                    {
                        column: it.id,
                        "theme_id": theme_id,
                        "state": ThemeState.SUGGESTED,
                        "words": "; ".join(said),
                        "at": now,
                    }
                )
        s.flush()  # the suggestions made again are deleted before they are written anew
        insert_plain(s, model, links)
    terms = {(k, i): t for (k, i), (_, t) in scans.items()}
    scanned: list[dict[str, Any]] = []
    for it in changed:
        key = (it.kind, it.id)
        terms[key] = similarity.analyse(it.text)
        if key in scans:
            s.execute(
                update(ThemeScan)
                .where(ThemeScan.kind == it.kind, ThemeScan.item_id == it.id)
                .values(digest=_digest(it.text), terms=terms[key])
            )
        else:
            scanned.append(
                {"kind": it.kind, "item_id": it.id, "digest": _digest(it.text), "terms": terms[key]}
            )
    insert_plain(s, ThemeScan, scanned)
    present = {(it.kind, it.id) for it in items}
    gone = [k for k in scans if k not in present]
    for kind in ("f", "a"):
        ids = [i for k, i in gone if k == kind]
        for batch in _in_batches(ids):
            s.execute(delete(ThemeScan).where(ThemeScan.kind == kind, ThemeScan.item_id.in_(batch)))
    if alike and new:
        _name_alike(items, new, learned, terms)
    summary.items = [learned[(it.kind, it.id)] for it in changed]
    s.flush()
    return summary


def _name_alike(
    items: Sequence[_Item],
    new: Sequence[_Item],
    learned: dict[tuple[str, int], ItemLearning],
    terms: dict[tuple[str, int], str],
) -> None:
    fresh = {(it.kind, it.id) for it in new}
    by_key: dict[Hashable, _Item] = {(it.kind, it.id): it for it in items}
    for kind in ("f", "a"):
        earlier = [
            similarity.Doc((it.kind, it.id), terms[(it.kind, it.id)], it.review_id)
            for it in items
            if it.kind == kind and (it.kind, it.id) not in fresh
        ]
        docs = [
            similarity.Doc((it.kind, it.id), terms[(it.kind, it.id)], it.review_id)
            for it in new
            if it.kind == kind
        ]
        for key, matches in similarity.most_alike(docs, earlier).items():
            assert isinstance(key, tuple)
            learned[key].alike = [(by_key[m.key].ref, m.score) for m in matches]


# ------------------------------------------------------------------ a person confirms or changes


@dataclass(frozen=True)
class ThemeMark:
    code: str
    name: str
    state: ThemeState
    words: str | None


@dataclass
class ThemedItem:
    """A finding or an action and its themes, as `/lscb theme REF` shows them."""

    kind: str  # "finding" or "action"
    ref: str
    text: str
    marks: list[ThemeMark]

    @property
    def current(self) -> list[ThemeMark]:
        return [m for m in self.marks if m.state != ThemeState.REMOVED]


def _links_of(s: Session, kind: str, item_id: int) -> list[Any]:
    if kind == "f":
        stmt: Any = select(FindingTheme).where(FindingTheme.finding_id == item_id)
    else:
        stmt = select(ActionTheme).where(ActionTheme.action_id == item_id)
    rows = list(s.scalars(stmt))
    rows.sort(key=lambda r: (r.theme.position, r.theme.code))
    return rows


def _themed(kind: str, ref: str, text: str, rows: Sequence[Any]) -> ThemedItem:
    return ThemedItem(
        "finding" if kind == "f" else "action",
        ref,
        text,
        [ThemeMark(r.theme.code, r.theme.name, r.state, r.words) for r in rows if r.theme.active],
    )


def _find_item(s: Session, actor: Actor, ref: str) -> tuple[str, Action | Finding, str]:
    """The action or finding `ref` names, if `actor` may see it; else NotFound saying why."""
    if m := ACTION_REF_RE.match(ref or ""):
        from models.actions import get_visible_action

        action = get_visible_action(s, actor, f"A-{int(m[1])}")
        return "a", action, action.ref
    if m := FINDING_REF_RE.match(ref or ""):
        number, position = int(m[1]), int(m[2])
        review = s.scalars(select(Review).where(Review.number == number)).one_or_none()
        # The same answer whether the review does not exist or is confidential.
        if review is None or not can_see_review(actor, review):
            raise NotFound(f"No review you can see is R-{number}. `/lscb reviews` lists them.")
        for f in review.findings:
            if f.position == position:
                return "f", f, finding_ref(number, position)
        raise NotFound(
            f"R-{number} has {len(review.findings)} findings; there is no finding {position}."
        )
    raise InvalidInput(
        f"“{(ref or '')[:40]}” is not an action or a finding: an action looks like A-12, "
        "a finding like R-3.2 (the second finding of review R-3)."
    )


def item_themes(s: Session, actor: Actor, ref: str) -> ThemedItem:
    kind, item, shown = _find_item(s, actor, ref)
    return _themed(kind, shown, item.text, _links_of(s, kind, item.id))


def may_change_action_themes(actor: Actor, action: Action) -> bool:
    """Admins, and the chair of the action's committee (a card offers its Themes form to them)."""
    if not can_see(actor, action):
        return False
    return actor.is_admin or (
        action.committee_id is not None and action.committee_id in actor.chairs
    )


def theme_form(s: Session, actor: Actor, ref: str) -> tuple[list[Theme], ThemedItem]:
    """What the card's Themes form shows: every theme to choose from, and the action's own."""
    kind, item, shown = _find_item(s, actor, ref)
    _may_change(actor, kind, item, shown)
    return active_themes(s), _themed(kind, shown, item.text, _links_of(s, kind, item.id))


def _may_change(actor: Actor, kind: str, item: Action | Finding, shown: str) -> None:
    if actor.is_admin:
        return
    if kind == "a":
        assert isinstance(item, Action)
        if item.committee_id is not None and item.committee_id in actor.chairs:
            return
        committee = item.committee.code if item.committee is not None else "its committee"
        raise Refused(
            f"Only the business unit (admins) or the chair of {committee} can change the themes "
            f"of {shown}."
        )
    raise Refused(f"Only the business unit (admins) can change the themes of a finding ({shown}).")


def theme_by_code(s: Session, code: str) -> Theme:
    themes = active_themes(s)
    wanted = code.strip().lower()
    for t in themes:
        if t.code == wanted:
            return t
    close = [t.code for t in themes if wanted and (wanted in t.code or t.code.startswith(wanted))]
    if len(close) == 1:
        return next(t for t in themes if t.code == close[0])
    codes = ", ".join(t.code for t in themes) or "none: load an organisation file"
    raise InvalidInput(f"There is no theme “{code[:40]}”. Themes: {codes}.")


def change_themes(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    confirm: bool = False,
    now: datetime,
) -> ThemedItem:
    """Add (confirm) and remove themes on a finding or action. `confirm` confirms every
    suggestion still standing. A person's choice is kept by every later import."""
    kind, item, shown = _find_item(s, actor, ref)
    _may_change(actor, kind, item, shown)
    adding = [theme_by_code(s, c) for c in add]
    removing = [theme_by_code(s, c) for c in remove]
    both = {t.code for t in adding} & {t.code for t in removing}
    if both:
        raise InvalidInput(f"Add or remove {', '.join(sorted(both))}, not both.")
    rows: dict[int, Any] = {r.theme_id: r for r in _links_of(s, kind, item.id)}
    before = _codes(rows.values())
    model = _link_model(kind)
    wanted = [(t, ThemeState.CONFIRMED) for t in adding] + [
        (t, ThemeState.REMOVED) for t in removing
    ]
    if confirm:
        wanted += [
            (r.theme, ThemeState.CONFIRMED)
            for r in rows.values()
            if r.state == ThemeState.SUGGESTED and r.theme_id not in {t.id for t, _ in wanted}
        ]
    for theme, state in wanted:
        row = rows.get(theme.id)
        if row is None:
            row = model(theme_id=theme.id, state=state, words=None, at=now, by_label=actor.label)
            assert row is not None
            if kind == "f":
                row.finding_id = item.id
            else:
                row.action_id = item.id
            s.add(row)
            row.theme = theme
            rows[theme.id] = row
        else:
            row.state, row.at, row.by_label = state, now, actor.label
    s.flush()
    after = _codes(rows.values())
    if kind == "a" and after != before:
        assert isinstance(item, Action)
        # Themes say what an action is about, not how it is going: the event is kept in its
        # history, but it is not an update (drift is still measured from the last real one).
        s.add(
            ActionEvent(
                action=item,
                at=now,
                actor_id=actor.person_id,
                actor_label=actor.slack_id or actor.label,
                kind="themes",
                before=before or None,
                after=after or None,
            )
        )
        s.flush()
    return _themed(kind, shown, item.text, sorted(rows.values(), key=lambda r: r.theme.position))


def _codes(rows: Iterable[Any]) -> str:
    return ", ".join(
        sorted(r.theme.code for r in rows if r.state != ThemeState.REMOVED and r.theme.active)
    )


# ------------------------------------------------------------------ recurring learning


@dataclass
class FindingLine:
    ref: str
    text: str | None  # None: withheld (a confidential review this viewer may not see)
    state: str
    words: str | None


@dataclass
class ReviewLine:
    ref: str
    name: str | None  # None: withheld
    type: str | None
    when: date
    date_text: str | None
    confidential: bool
    findings: list[FindingLine] = field(default_factory=list)

    @property
    def withheld(self) -> bool:
        return self.name is None


@dataclass
class ActionLine:
    ref: str
    text: str | None
    status: str
    brag: str
    brag_label: str
    signed_off_on: date | None
    confidential: bool


@dataclass
class ThemeReport:
    code: str
    name: str
    reviews: list[ReviewLine]
    actions: list[ActionLine]
    raised_again: list[str]

    @property
    def finding_count(self) -> int:
        return sum(len(r.findings) for r in self.reviews)

    def brag_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.actions:
            counts[a.brag] = counts.get(a.brag, 0) + 1
        return dict(sorted(counts.items()))


def _months(start: date, end: date) -> int:
    """Calendar months from one to the other: a review is dated by its month."""
    return (end.year - start.year) * 12 + end.month - start.month


def _again(months: int, ref: str) -> str:
    if months < 1:
        return f"raised again within a month of {ref} being signed off"
    return f"raised again {months} month{'s' if months != 1 else ''} after {ref} was signed off"


def recurring(
    s: Session, viewer: Actor, now: datetime, rules: BragRules, *, code: str | None = None
) -> list[ThemeReport]:
    """Every theme (or the one `code` names) with the reviews, findings and actions carrying
    it. What `viewer` may not see of a confidential review is by reference only; it counts."""
    tz = rules.tz
    themes = active_themes(s) if code is None else [theme_by_code(s, code)]
    theme_ids = [t.id for t in themes]
    by_theme_findings: dict[int, list[tuple[FindingTheme, Finding]]] = {i: [] for i in theme_ids}
    for link, finding in s.execute(
        select(FindingTheme, Finding)
        .join(Finding, Finding.id == FindingTheme.finding_id)
        .where(FindingTheme.theme_id.in_(theme_ids), FindingTheme.state != ThemeState.REMOVED)
        .options(selectinload(Finding.review).selectinload(Review.actions))
    ):
        by_theme_findings[link.theme_id].append((link, finding))
    by_theme_actions: dict[int, list[Action]] = {i: [] for i in theme_ids}
    for alink, action in s.execute(
        select(ActionTheme, Action)
        .join(Action, Action.id == ActionTheme.action_id)
        .where(
            ActionTheme.theme_id.in_(theme_ids),
            ActionTheme.state != ThemeState.REMOVED,
            Action.status != Status.CANCELLED,
        )
    ).unique():
        by_theme_actions[alink.theme_id].append(action)

    out = []
    for theme in themes:
        reviews: dict[int, ReviewLine] = {}
        for link, finding in by_theme_findings[theme.id]:
            review = finding.review
            seen = bool(can_see_review(viewer, review))
            line = reviews.get(review.id)
            if line is None:
                when = review_when(review, tz)
                line = ReviewLine(
                    review.ref,
                    review.name if seen else None,
                    review.type if seen else None,
                    when,
                    review.date_text if seen else None,
                    review.confidential,
                )
                reviews[review.id] = line
            line.findings.append(
                FindingLine(
                    finding_ref(review.number, finding.position),
                    finding.text if seen else None,
                    link.state.value,
                    link.words if seen else None,
                )
            )
        ordered = sorted(reviews.values(), key=lambda r: (r.when, _ref_number(r.ref)))
        for r in ordered:
            r.findings.sort(key=lambda f: _ref_number(f.ref.split(".")[1]))
        actions = []
        for a in sorted(by_theme_actions[theme.id], key=lambda a: a.number):
            result = rate(a, now, rules)
            seen = bool(can_see(viewer, a))
            actions.append(
                ActionLine(
                    a.ref,
                    a.text if seen else None,
                    a.status.value,
                    result.brag.value,
                    rules.label(result.brag),
                    a.signed_off_at.astimezone(tz).date() if a.signed_off_at else None,
                    a.confidential,
                )
            )
        out.append(
            ThemeReport(theme.code, theme.name, ordered, actions, _raised_again(ordered, actions))
        )
    return out


_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s*/\s*\d\d\b)?")


def review_when(review: Review, tz: Any) -> date:
    """When a review raised what it raised: its month; else the year its date names ("2015/16"
    is the year from April 2015); else the day it was imported."""
    if review.month is not None:
        return review.month
    m = _YEAR.search(review.date_text or "")
    if m:
        return date(int(m[1]), 4 if "/" in m[0] else 1, 1)
    return review.created_at.astimezone(tz).date()


def _ref_number(ref: str) -> int:
    digits = re.sub(r"\D", "", ref)
    return int(digits) if digits else 0


def _raised_again(reviews: Sequence[ReviewLine], actions: Sequence[ActionLine]) -> list[str]:
    """For each review raising the theme after one of its actions was signed off: how long
    after the latest such sign-off."""
    signed = sorted(
        ((a.signed_off_on, a.ref) for a in actions if a.signed_off_on is not None),
        key=lambda x: (x[0], _ref_number(x[1])),
    )
    flags = []
    for r in reviews:
        before = [x for x in signed if x[0] < r.when]
        if before:
            when, ref = before[-1]
            flags.append(f"{_again(_months(when, r.when), ref)} ({r.ref})")
    return flags


def report_to_dict(rows: Sequence[ThemeReport]) -> dict[str, Any]:
    """`lscb themes --json`: stable run to run (sorted, no clock of its own)."""
    return {
        "themes": [
            {
                "code": t.code,
                "name": t.name,
                "review_count": len(t.reviews),
                "finding_count": t.finding_count,
                "action_count": len(t.actions),
                "brag": t.brag_counts(),
                "raised_again": t.raised_again,
                "reviews": [
                    {
                        "ref": r.ref,
                        "name": r.name,
                        "type": r.type,
                        "when": r.when.isoformat(),
                        "date": r.date_text,
                        "confidential": r.confidential,
                        "findings": [
                            {"ref": f.ref, "text": f.text, "state": f.state, "words": f.words}
                            for f in r.findings
                        ],
                    }
                    for r in t.reviews
                ],
                "actions": [
                    {
                        "ref": a.ref,
                        "text": a.text,
                        "status": a.status,
                        "brag": a.brag,
                        "signed_off_on": a.signed_off_on.isoformat() if a.signed_off_on else None,
                        "confidential": a.confidential,
                    }
                    for a in t.actions
                ],
            }
            for t in rows
        ]
    }
