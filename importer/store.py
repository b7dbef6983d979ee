"""Storing a parsed index: one transaction per file, and a re-import is a merge.

Actions are created and changed through the domain operations, so every change has its event.
For each field an import sets (`importer.fields.FIELDS`) the document's value is remembered
(`ImportedValue`); on the next import a field changes only where the document's value changed
since, and a field a person changed in the app since is kept and reported as a conflict. An
unchanged document writes nothing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, lazyload, selectinload

from importer.fields import FIELDS, SIGN_OFF_REFUSED, Field, Merge
from importer.model import ParsedActivity, ParsedIndex, ParsedReview
from importer.parse_sheet import TRACKER_REVIEW_TYPE
from models import actions as ops
from models.actions import (
    ActionDraft,
    draft_action,
    insert_actions,
    next_review_number,
    owner_label,
)
from models.bulk import batched_inserts, insert_plain
from models.calendar import local_date
from models.errors import InvalidInput, NotFound, Refused
from models.permissions import Actor
from models.schema import (
    Action,
    ActionEvent,
    Committee,
    Finding,
    ImportedValue,
    Person,
    Rating,
    Review,
    Status,
    action_ref,
)
from models.themes import LearningSummary, suggest_after_import

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FieldChange:
    ref: str
    field: str
    before: str
    after: str

    @property
    def line(self) -> str:
        return f"{self.field} {self.before} → {self.after}"


@dataclass(frozen=True)
class Conflict:
    """A field the document changed that a person had changed in the app: the person's value
    was kept."""

    ref: str
    field: str
    document: str  # what the document now says
    kept: str  # what the app keeps
    by: str  # who set it, by name
    on: str  # when, day first

    @property
    def line(self) -> str:
        return (
            f"{self.ref} {self.field}: the document now says {self.document}; "
            f"kept {self.kept}, set by {self.by} on {self.on}"
        )


@dataclass(frozen=True)
class NewAction:
    ref: str
    review: str
    text: str


@dataclass(frozen=True)
class Gone:
    """An action imported from a review the document still has, that the document no longer
    lists: left as it is, for the business unit to cancel or keep."""

    ref: str
    text: str
    status: str


@dataclass
class ImportSummary:
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    findings_created: int = 0
    findings_updated: int = 0
    findings_removed: int = 0
    actions_created: int = 0
    actions_updated: int = 0
    actions_unchanged: int = 0
    actions_not_in_document: int = 0
    delivered: int = 0
    committees_matched: int = 0
    committees_unmatched: int = 0
    unassigned: int = 0
    actions_matched_by_ref: int = 0  # tracker rows matched to an existing action by its Ref
    changes: list[str] = field(default_factory=list)  # "A-2 updated: due date", by reference
    # What the document asked for that the import may not do, by reference and field only.
    not_applied: list[str] = field(default_factory=list)
    field_changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    new_actions: list[NewAction] = field(default_factory=list)
    not_in_document: list[Gone] = field(default_factory=list)
    # Themes suggested for new or changed findings and actions, and the earlier ones alike.
    learning: LearningSummary | None = None
    # What was read and kept with a caveat (an owner not in the organisation, kept by name).
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.reviews_created
            or self.reviews_updated
            or self.actions_created
            or self.actions_updated
            or self.findings_created
            or self.findings_updated
            or self.findings_removed
        )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(replace(self, learning=None))
        del out["learning"]
        if self.learning is not None:
            out["learning"] = self.learning.as_dict()
        return out | {"changed": self.changed}

    def digest(self) -> str:
        """A fingerprint of everything the import would do: equal digests, equal imports."""
        data = self.as_dict()
        data.pop("learning", None)  # what it suggests, not what it does
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def preview_lines(self) -> list[str]:
        """Per action, what would change (from → to), each conflict, each new action, and the
        actions no longer in the document; then what may not be done."""
        lines: list[str] = []
        by_ref: dict[str, list[str]] = {}
        for c in self.field_changes:
            by_ref.setdefault(c.ref, []).append(c.line)
        for ref, changes in by_ref.items():
            lines.append(f"{ref}: {'; '.join(changes)}")
        lines.extend(c.line for c in self.conflicts)
        lines.extend(f"new {n.ref} ({n.review}): {n.text}" for n in self.new_actions)
        lines.extend(
            f"{g.ref} ({g.status}) is no longer in the document: left as it is; cancel it "
            f"with /lscb cancel {g.ref} <reason>, or keep it"
            for g in self.not_in_document
        )
        lines.extend(f"not applied: {n}" for n in self.not_applied)
        return lines


# ---------------------------------------------------------------- matching

_PREFIXES = re.compile(r"^(?:the\s+)?(?:lscb|lscp|lsb|scb|lsab|lcsb|board|partnership)\s+")
_STOP = {"and", "of", "the", "for"}


def _norm_committee(text: str) -> str:
    t = text.lower().replace("&", " and ")
    t = re.sub(r"\([^)]*\)", " ", t)
    t = re.sub(r"sub[\s\-]*group", "subgroup", t)
    t = " ".join(re.sub(r"[^a-z0-9]+", " ", t).split())
    return _PREFIXES.sub("", t)


def _initials(norm: str) -> str:
    return "".join(w[0] for w in norm.split() if w not in _STOP)


class CommitteeMatcher:
    """Finds the organisation's committee a document names, forgiving of prefixes and spelling."""

    def __init__(self, committees: Sequence[Committee]) -> None:
        self.by_key: dict[str, Committee] = {}
        self.by_initials: dict[str, Committee] = {}
        for c in committees:
            names = [c.name, *c.alias_list]
            self.by_key.setdefault(c.code.lower(), c)
            for n in names:
                self.by_key.setdefault(_norm_committee(n), c)
                self.by_initials.setdefault(_initials(_norm_committee(n)), c)
            self.by_initials.setdefault(c.code.lower(), c)
        self.codes = frozenset(c.code for c in committees)
        self._seen: dict[str, Committee | None] = {}  # a tracker names a few committees often

    def match(self, text: str | None) -> Committee | None:
        if not text:
            return None
        if text not in self._seen:
            self._seen[text] = self._match(text)
        return self._seen[text]

    def _match(self, text: str) -> Committee | None:
        for code in re.findall(r"\(([A-Za-z&]{2,10})\)", text):
            found = self.by_key.get(code.lower())
            if found is not None:
                return found
        norm = _norm_committee(text)
        if norm in self.by_key:
            return self.by_key[norm]
        if text.strip().lower() in self.by_key:
            return self.by_key[text.strip().lower()]
        words = norm.split()
        if len(words) > 1 and all(
            len(w) <= 2 or w in _STOP or w in ("group", "subgroup", "committee") for w in words
        ):
            return self.by_initials.get(_initials(norm))  # "L & I Group"
        return None


def _norm_name(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


class PersonMatcher:
    def __init__(self, people: Sequence[Person]) -> None:
        self.by_name = {_norm_name(p.name): p for p in people if p.name}
        # Names of two words or more, padded with a space each side: a name found in a text as
        # whole words. Both are normalised to words of [a-z0-9] joined by one space, so a padded
        # substring test is the same as a search for the name between word boundaries.
        self._padded = [(f" {n} ", p) for n, p in self.by_name.items() if len(n.split()) >= 2]
        self._seen: dict[str, Person] = {}

    def match(self, text: str | None) -> Person | None:
        if not text:
            return None
        found = self._seen.get(text)
        if found is None:
            found = self._match(text)
            if found is not None:  # only hits: a caller may add the person a name was missing
                self._seen[text] = found
        return found

    def _match(self, text: str) -> Person | None:
        norm = _norm_name(text)
        if norm in self.by_name:
            return self.by_name[norm]
        padded = f" {norm} "
        for name, person in self._padded:
            if name in padded:
                return person
        return None


# ---------------------------------------------------------------- keys


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(_norm_name(p) for p in parts).encode()).hexdigest()


def review_key(r: ParsedReview) -> str:
    return "rv:" + _digest(TRACKER_REVIEW_TYPE if r.from_tracker else r.type, r.name)[:40]


def action_key(rkey: str, text: str) -> str:
    return f"{rkey}:{_digest(text)[:24]}"


# ---------------------------------------------------------------- what the document said


_IN_BATCH = 500  # ids looked up in one query, well within any database's bound parameters


class Baselines:
    """What documents said at the last import, by action and field, and what this import will
    record: written once, at the end, in bulk. When each was said is read only for the few
    fields a re-import must check against people's changes."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.rows: dict[int, dict[str, str | None]] = {}
        self.pending: dict[tuple[int, str], str | None] = {}

    def _read(self, where: Any) -> None:
        stmt = select(ImportedValue.action_id, ImportedValue.field, ImportedValue.value)
        for action_id, name, value in self.s.execute(stmt.where(where)):
            self.rows.setdefault(action_id, {})[name] = value

    def load(self, action_ids: Iterable[int]) -> None:
        ids = sorted(set(action_ids) - set(self.rows))
        for i in range(0, len(ids), _IN_BATCH):
            self._read(ImportedValue.action_id.in_(ids[i : i + _IN_BATCH]))

    def load_review(self, review_id: int) -> None:
        of_review = select(Action.id).where(Action.review_id == review_id)
        self._read(ImportedValue.action_id.in_(of_review.scalar_subquery()))

    def of(self, action_id: int) -> dict[str, str | None]:
        return self.rows.get(action_id, {})

    def since(self, action_id: int, name: str) -> datetime | None:
        """Since when a person's change to the field is a change since the document said what
        it said: when it last said it, or (it said nothing) when the action was first imported;
        None when nothing was ever recorded."""
        stmt = select(ImportedValue.field, ImportedValue.imported_at).where(
            ImportedValue.action_id == action_id
        )
        when: dict[str, datetime] = {name: at for name, at in self.s.execute(stmt)}
        if name in when:
            return when[name]
        return min(when.values(), default=None)

    def record(self, action_id: int, name: str, value: str | None) -> None:
        rows = self.of(action_id)
        if (rows[name] == value) if name in rows else (value is None):
            return
        self.pending[(action_id, name)] = value

    def write(self, s: Session, now: datetime, source: str) -> None:
        source = source[:200]
        inserts = [
            {"action_id": a, "field": f, "value": v, "imported_at": now, "source": source}
            for (a, f), v in self.pending.items()
            if f not in self.of(a)
        ]
        updates = [
            {"a": a, "f": f, "v": v, "t": now, "src": source}
            for (a, f), v in self.pending.items()
            if f in self.of(a)
        ]
        insert_plain(s, ImportedValue, inserts)
        if updates:
            stmt = (
                update(ImportedValue)
                .where(
                    ImportedValue.action_id == bindparam("a"),
                    ImportedValue.field == bindparam("f"),
                )
                .values(value=bindparam("v"), imported_at=bindparam("t"), source=bindparam("src"))
            )
            s.connection().execute(stmt, updates)
        self.pending.clear()


def _person_change(
    action: Action, f: Field, since: datetime | None, m: Merge
) -> ActionEvent | None:
    """The latest event by a person (not an import or a job) that set `f`, since `since`."""
    for e in reversed(action.events):
        if e.actor_id is None or (since is not None and e.at < since):
            continue
        if f.touched(e, m):
            return e
    return None


def _merge(
    m: Merge,
    action: Action,
    activity: ParsedActivity,
    base: Baselines,
    summary: ImportSummary,
    *,
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """Bring `action` in line with what changed in its document; returns the fields changed.

    Per field: a document that says what it said at the last import changes nothing; one that
    says nothing (a blank cell) changes nothing; otherwise the document's value is set unless a
    person set the field in the app since, which is kept and reported as a conflict."""
    ref = action.ref
    m.refused = []
    changed: list[str] = []
    rows = base.of(action.id)
    for f in FIELDS:
        if f.name in skip:
            continue
        doc = f.document(activity, m)
        if (f.name in rows and rows[f.name] == doc) or (f.name not in rows and doc is None):
            continue
        base.record(action.id, f.name, doc)
        if doc is None:
            continue
        current = f.current(action)
        if f.same(doc, current) or f.already(action, doc):
            continue
        reason = f.refusal(action, doc)
        if reason is not None:
            m.refused.append(reason)
            continue
        if not f.additive:
            by = _person_change(action, f, base.since(action.id, f.name), m)
            if by is not None:
                who = by.actor.name if by.actor is not None else by.actor_label
                summary.conflicts.append(
                    Conflict(
                        ref,
                        f.label,
                        f.show(doc),
                        f.show(current),
                        who,
                        f"{local_date(by.at):%d/%m/%Y}",
                    )
                )
                continue
        try:
            f.apply(m, action, activity, doc)
        except (InvalidInput, Refused) as exc:
            m.refused.append(f"{f.label} ({exc})")
            continue
        changed.append(f.label)
        summary.field_changes.append(FieldChange(ref, f.label, f.show(current), f.show(doc)))
    summary.not_applied.extend(f"{ref}: {r}" for r in m.refused)
    if changed:
        s = m.s
        s.flush()
        summary.actions_updated += 1
        summary.changes.append(f"{ref} updated: {', '.join(changed)}")
    else:
        summary.actions_unchanged += 1
    return changed


def _record_all(m: Merge, action_id: int, activity: ParsedActivity, base: Baselines) -> None:
    """A new action: what its document says of every field is what it said at this import."""
    for f in FIELDS:
        base.record(action_id, f.name, f.document(activity, m))


# ---------------------------------------------------------------- storing


def _set(obj: Any, attr: str, value: Any) -> bool:
    if getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


Matchers = tuple[CommitteeMatcher, PersonMatcher]


def resolve(s: Session) -> Matchers:
    """Matchers for the organisation's committees and people, as they are in the database."""
    return (
        CommitteeMatcher(s.scalars(select(Committee)).all()),
        PersonMatcher(s.scalars(select(Person)).all()),
    )


class _Steps:
    """Calls `progress(done, total)` about a hundred times over the activities, and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self.step = max(1, total // 100)

    def tick(self, n: int = 1) -> None:
        before, self.done = self.done, self.done + n
        if self.progress is not None and (self.done // self.step > before // self.step):
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def store_index(
    s: Session,
    index: ParsedIndex,
    *,
    now: datetime,
    source_name: str,
    progress: Progress | None = None,
    matchers: Matchers | None = None,
) -> ImportSummary:
    """Write `index` in the caller's transaction; returns what was created, updated or left.

    `matchers` are the caller's own `resolve(s)`, when it has them already. `progress` is told
    how many of the document's activities are done, now and then."""
    with batched_inserts(s):
        return _store_index(s, index, now, source_name, progress, matchers)


def _store_index(
    s: Session,
    index: ParsedIndex,
    now: datetime,
    source_name: str,
    progress: Progress | None,
    matchers: Matchers | None,
) -> ImportSummary:
    actor = Actor.system(f"import of {source_name}")
    committees, people = matchers if matchers is not None else resolve(s)
    m = Merge(
        s,
        actor,
        now,
        "changed in the imported document",
        committees,
        people,
        committees.codes,
        [],
    )
    base = Baselines(s)
    summary = ImportSummary()
    steps = _Steps(progress, index.activity_count)
    claimed: set[int] = set()
    known = _actions_named(s, index, base)
    for parsed in index.reviews:
        rest: list[ParsedActivity] = []
        for activity in parsed.activities:
            action, skip = _match_ref(s, activity, known, claimed, summary)
            if action is not None:
                base.load([action.id])
                _store_by_ref(m, action, activity, base, summary)
                steps.tick()
            elif not skip:
                rest.append(activity)
            else:
                steps.tick()
        # Rows matched by Ref belong to their action's own review: a review (and findings) is
        # only written for the rows left over (or when the review lists no activity at all:
        # those it had are no longer in the document).
        if rest or not parsed.activities:
            _store_review(m, _leftover(parsed, rest), base, summary, steps)
    base.write(s, now, source_name)
    s.flush()
    summary.learning = suggest_after_import(s, now)
    steps.finish()
    return summary


def _leftover(parsed: ParsedReview, rest: list[ParsedActivity]) -> ParsedReview:
    """`parsed` with only the rows `rest`, and only the findings those rows answer."""
    if len(rest) == len(parsed.activities):
        return parsed
    answered = {t for a in rest for t in a.findings}
    return replace(
        parsed, activities=rest, findings=[f for f in parsed.findings if f.text in answered]
    )


# ---------------------------------------------------------------- tracker rows matched by Ref


def _actions_named(s: Session, index: ParsedIndex, base: Baselines) -> dict[int, Action]:
    """The existing actions the rows of `index` name by their Ref, by number, in a few queries,
    with what their documents said at the last import."""
    numbers: set[int] = set()
    for parsed in index.reviews:
        for activity in parsed.activities:
            if activity.ref is not None:
                with suppress(InvalidInput):  # reported when the row is matched
                    numbers.add(ops.parse_ref(activity.ref))
    ordered = sorted(numbers)
    found: dict[int, Action] = {}
    for i in range(0, len(ordered), _IN_BATCH):
        batch = ordered[i : i + _IN_BATCH]
        stmt = select(Action).where(Action.number.in_(batch)).options(selectinload(Action.findings))
        actions = list(s.scalars(stmt).unique())
        found.update((a.number, a) for a in actions)
        base.load([a.id for a in actions])
    return found


def _match_ref(
    s: Session,
    activity: ParsedActivity,
    known: dict[int, Action],
    claimed: set[int],
    summary: ImportSummary,
) -> tuple[Action | None, bool]:
    """The existing action a tracker row names by its Ref, and whether to skip the row.

    The Ref is only trusted when the row also names the action's review or its wording: another
    board's tracker may number its own actions "A1", "A2".

    `known` holds the actions the file names that existed when the import began; a Ref not among
    them is looked up again, as it may name an action this import has since created.
    """
    if activity.ref is None:
        return None, False
    try:
        action = known.get(ops.parse_ref(activity.ref))
        if action is None:
            action = ops.get_action(s, activity.ref)
    except (NotFound, InvalidInput):
        summary.not_applied.append(
            f"{activity.ref}: no such action; the row was imported as a new action"
        )
        return None, False
    if action.id in claimed:
        summary.not_applied.append(f"{action.ref}: a second row with this Ref was skipped")
        return None, True
    if not (_same_review(action, activity) or _norm_name(action.text) == _norm_name(activity.text)):
        summary.not_applied.append(
            f"{activity.ref}: the row names another review and other wording than {action.ref}; "
            "it was imported as a new action"
        )
        return None, False
    claimed.add(action.id)
    return action, False


def _same_review(action: Action, activity: ParsedActivity) -> bool:
    review = action.review
    if review is None or activity.review is None:
        return review is None and activity.review is None
    named = _norm_name(activity.review)
    return named in (_norm_name(review.name), _norm_name(review.ref))


def _withheld(action: Action, activity: ParsedActivity) -> bool:
    """A row exported without the details of a confidential review (it shows the review's R-ref
    in place of its name, and no wording): its Action cell is not the action's text."""
    review = action.review
    return bool(
        review is not None
        and review.confidential
        and activity.review is not None
        and _norm_name(activity.review) == _norm_name(review.ref)
        and _norm_name(review.name) != _norm_name(review.ref)
    )


def _count(
    activity: ParsedActivity,
    owner: object,
    committee: Committee | None,
    due: object,
    summary: ImportSummary,
) -> None:
    if activity.committee:
        if committee is not None:
            summary.committees_matched += 1
        else:
            summary.committees_unmatched += 1
    if (owner is None or due is None) and not activity.delivered:
        summary.unassigned += 1
    if activity.delivered:
        summary.delivered += 1


def _store_by_ref(
    m: Merge, action: Action, activity: ParsedActivity, base: Baselines, summary: ImportSummary
) -> None:
    """Merge a tracker row into the action its Ref names. BRAG, the review and sign-off columns
    are never read back; a withheld row's Action cell is not the action's text."""
    summary.actions_matched_by_ref += 1
    m.note = "changed in the imported tracker"
    skip = frozenset({"text"}) if _withheld(action, activity) else frozenset()
    _merge(m, action, activity, base, summary, skip=skip)
    _count(activity, action.owner, m.committees.match(activity.committee), action.due_date, summary)


# ---------------------------------------------------------------- reviews and their actions


def _store_review(
    m: Merge, parsed: ParsedReview, base: Baselines, summary: ImportSummary, steps: _Steps
) -> None:
    s = m.s
    key = review_key(parsed)
    review = s.scalars(select(Review).where(Review.source_key == key)).one_or_none()
    fields = {
        "section": parsed.section,
        "type": parsed.type,
        "name": parsed.name,
        "date_text": parsed.date_text or None,
        "month": parsed.month,
        "overview": parsed.overview or None,
        "confidential": parsed.confidential,
    }
    legacy: str | None = None
    for alias in parsed.aliases if review is None else ():
        legacy = review_key(replace(parsed, name=alias))
        review = s.scalars(select(Review).where(Review.source_key == legacy)).one_or_none()
        if review is not None:
            review.source_key = key  # known from now on by the name the document gives now
            break
        legacy = None
    created = review is None
    if review is None:
        review = Review(number=next_review_number(s), source_key=key, created_at=m.now, **fields)
        s.add(review)
        s.flush()
        review_changed = True
    else:
        review_changed = any([_set(review, k, v) for k, v in fields.items()])

    findings_changed = _store_findings(review, parsed, summary)
    actions_changed = _store_actions(m, review, key, parsed, base, summary, steps, legacy)
    if created:
        summary.reviews_created += 1
    elif review_changed or findings_changed or actions_changed:
        summary.reviews_updated += 1
        summary.changes.append(f"{review.ref} updated")
    else:
        summary.reviews_unchanged += 1


def _store_findings(review: Review, parsed: ParsedReview, summary: ImportSummary) -> bool:
    changed = False
    existing = list(review.findings)
    for i, f in enumerate(parsed.findings):
        if i < len(existing):
            row = existing[i]
            if row.number != f.number or row.text != f.text:
                row.number, row.text = f.number, f.text
                summary.findings_updated += 1
                changed = True
        else:
            review.findings.append(Finding(position=i + 1, number=f.number, text=f.text))
            summary.findings_created += 1
            changed = True
    for row in existing[len(parsed.findings) :]:
        review.findings.remove(row)
        summary.findings_removed += 1
        changed = True
    return changed


def _store_actions(
    m: Merge,
    review: Review,
    rkey: str,
    parsed: ParsedReview,
    base: Baselines,
    summary: ImportSummary,
    steps: _Steps,
    legacy: str | None = None,
) -> bool:
    """`legacy`: the review's key under the name it was read under before, if it was found so."""
    s = m.s
    m.note = "changed in the imported document"
    existing = list(
        s.scalars(
            select(Action)
            .where(Action.review_id == review.id, Action.source_key.is_not(None))
            # Read only where a field changed; owners and committees are mostly in the session
            # already (the matchers'), so reading one there costs no statement.
            .options(lazyload(Action.owner), lazyload(Action.committee), lazyload(Action.review))
            .order_by(Action.number)
        )
        .unique()
        .all()
    )
    if existing:
        base.load_review(review.id)
    by_key = {a.source_key: a for a in existing}
    pairs: list[tuple[ParsedActivity, Action | None, str]] = []
    matched: set[int] = set()
    for activity in parsed.activities:
        key = action_key(rkey, activity.text)
        found = by_key.get(key)
        if found is None and legacy is not None:
            found = by_key.get(action_key(legacy, activity.text))
        if found is not None and found.id not in matched:
            matched.add(found.id)
            pairs.append((activity, found, key))
        else:
            pairs.append((activity, None, key))
    # An activity whose wording changed takes the place of the unmatched one in the same position.
    spare = [a for a in existing if a.id not in matched]
    for i, (activity, found, key) in enumerate(pairs):
        if found is None and spare:
            pairs[i] = (activity, spare.pop(0), key)
    summary.actions_not_in_document += len(spare)
    summary.not_in_document.extend(
        Gone(a.ref, a.text, a.status.label) for a in spare if a.status != Status.CANCELLED
    )

    changed = False
    used = set(by_key)
    findings = {f.text: f for f in review.findings}
    new: list[_New] = []
    for activity, action, key in pairs:
        steps.tick()
        if action is None:
            if key in used:  # the same wording twice in one review
                key = action_key(rkey, f"{activity.text}\x1f{len(used)}")
            used.add(key)
            new.append(_create(m, review, activity, key, findings, summary))
            changed = True
            continue
        if action.source_key != key and key not in used:
            action.source_key = key  # matched by position: follow the document's new wording
            used.add(key)
        if _merge(m, action, activity, base, summary):
            changed = True
        _count(
            activity,
            action.owner_id,
            m.committees.match(activity.committee),
            action.due_date,
            summary,
        )
    _insert(m, new, base, summary)
    return changed


@dataclass(frozen=True)
class _New:
    """A document's activity that becomes a new action, worked out and checked."""

    draft: ActionDraft
    activity: ParsedActivity
    review: Review


def _create(
    m: Merge,
    review: Review,
    activity: ParsedActivity,
    key: str,
    findings: dict[str, Finding],
    summary: ImportSummary,
) -> _New:
    committee = m.committees.match(activity.committee)
    owner = _owner(m, activity, review, summary)
    _count(activity, owner, committee, activity.due_date, summary)
    draft = draft_action(
        m.actor,
        text=activity.text,
        now=m.now,
        review=review,
        owner=owner,
        committee=committee,
        due_date=activity.due_date,
        lead_agency=activity.lead_agency,
        findings=[findings[t] for t in dict.fromkeys(activity.findings) if t in findings],
        evidence_of_completion=(activity.evidence or activity.text) if activity.delivered else None,
        source_key=key,
        note="imported" + (": reported as delivered" if activity.delivered else ""),
        allow_past=True,
        # What the row states beyond its text, on its first import: the owner's rating (a RAG
        # column, ticks), that it has started, and its progress as the first note.
        rating=Rating(activity.rating) if activity.rating and not activity.delivered else None,
        started=activity.status == Status.IN_PROGRESS.value and not activity.delivered,
        progress=activity.progress,
        measure=activity.measure,
    )
    return _New(draft, activity, review)


def _insert(m: Merge, new: list[_New], base: Baselines, summary: ImportSummary) -> None:
    """Store a review's new actions at once, in the document's order, then what each row
    states beyond them (cancelled in the tracker) and what the document said of each field."""
    s = m.s
    stored = insert_actions(s, m.actor, m.now, [n.draft for n in new])
    for (action_id, number), n in zip(stored, new, strict=True):
        ref, activity = action_ref(number), n.activity
        if activity.status == Status.CANCELLED.value and not activity.delivered:
            ops.cancel(s, m.actor, ref, reason="cancelled in the imported tracker", now=m.now)
        elif activity.delivered and activity.status == Status.SIGNED_OFF.value:
            summary.not_applied.append(
                f"{ref}: {SIGN_OFF_REFUSED}; imported as complete, awaiting sign-off"
            )
        _record_all(m, action_id, activity, base)
        summary.actions_created += 1
        summary.new_actions.append(NewAction(ref, n.review.name, n.draft.columns["text"]))


def _owner(
    m: Merge, activity: ParsedActivity, review: Review, summary: ImportSummary
) -> Person | None:
    """The organisation's person a row names; a name not in the organisation is kept as an
    owner not in Slack (by name, no Slack id), with a warning naming the row or line."""
    found = m.people.match(activity.owner)
    if found is not None or not activity.owner:
        return found
    name = " ".join(activity.owner.split())[:200]
    person = Person(name=name, slack_id=None, agency=activity.lead_agency, active=True)
    m.s.add(person)
    m.people.by_name[_norm_name(name)] = person
    where = activity.at or review.name or review.type
    if activity.line and not activity.at:
        where = f"{where}, line {activity.line}"
    summary.warnings.append(
        f"{where}: the owner “{name}” is not in the organisation; kept by name, as an owner "
        "not in Slack (check the name, or add them to the organisation file)"
    )
    return person


def _label(owner: Person | None, committee: Committee | None) -> str:
    """`owner_label`, leaving out a part with nothing to show (a person with neither a Slack id
    nor a name), as the import has always recorded it."""
    return owner_label(
        owner if owner is not None and (owner.slack_id or owner.name) else None,
        committee if committee is not None and committee.code else None,
    )
