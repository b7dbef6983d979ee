"""Storing a parsed index: one transaction per file, idempotent, and a changed document updates
what changed. Actions are created through the domain operations so every change has an event."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importer.model import ParsedActivity, ParsedIndex, ParsedReview
from models import actions as ops
from models.actions import create_action, next_review_number, owner_label, record_event
from models.errors import InvalidInput, NotFound, Refused
from models.permissions import Actor
from models.schema import OPEN_STATUSES, Action, Committee, Finding, Person, Review, Status

Progress = Callable[[int, int], None]


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
    changes: list[str] = field(default_factory=list)  # what changed, by reference only
    # What a tracker row asked for that the import may not do, by reference and field only.
    not_applied: list[str] = field(default_factory=list)

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
        return {k: v for k, v in self.__dict__.items()} | {"changed": self.changed}


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

    def match(self, text: str | None) -> Committee | None:
        if not text:
            return None
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

    def match(self, text: str | None) -> Person | None:
        if not text:
            return None
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
    return "rv:" + _digest(r.type, r.name)[:40]


def action_key(rkey: str, text: str) -> str:
    return f"{rkey}:{_digest(text)[:24]}"


# ---------------------------------------------------------------- storing


def _set(obj: Any, attr: str, value: Any) -> bool:
    if getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


@dataclass
class Resolved:
    committee: Committee | None
    owner: Person | None


Matchers = tuple[CommitteeMatcher, PersonMatcher]


def resolve(s: Session) -> Matchers:
    """Matchers for the organisation's committees and people, as they are in the database."""
    return (
        CommitteeMatcher(s.scalars(select(Committee)).all()),
        PersonMatcher(s.scalars(select(Person)).all()),
    )


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

    `matchers` are the caller's own `resolve(s)`, when it has them already."""
    actor = Actor.system(f"import of {source_name}")
    committees, people = matchers if matchers is not None else resolve(s)
    summary = ImportSummary()
    claimed: set[int] = set()
    known = _actions_named(s, index)
    for n, parsed in enumerate(index.reviews, start=1):
        rest: list[ParsedActivity] = []
        for activity in parsed.activities:
            action, skip = _match_ref(s, activity, known, claimed, summary)
            if action is not None:
                _store_by_ref(s, actor, action, activity, now, committees, people, summary)
            elif not skip:
                rest.append(activity)
        # Rows matched by Ref belong to their action's own review: a review (and findings) is
        # only written for the rows left over.
        if rest:
            _store_review(s, actor, _leftover(parsed, rest), now, committees, people, summary)
        if progress is not None:
            progress(n, len(index.reviews))
    s.flush()
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

_IN_BATCH = 500  # numbers looked up in one query, well within any database's bound parameters


def _actions_named(s: Session, index: ParsedIndex) -> dict[int, Action]:
    """The existing actions the rows of `index` name by their Ref, by number, in a few queries."""
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
        stmt = select(Action).where(Action.number.in_(batch))
        found.update((a.number, a) for a in s.scalars(stmt).unique())
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
    owner: Person | None,
    committee: Committee | None,
    due: date | None,
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


_OPEN = OPEN_STATUSES


def _store_by_ref(
    s: Session,
    actor: Actor,
    action: Action,
    activity: ParsedActivity,
    now: datetime,
    committees: CommitteeMatcher,
    people: PersonMatcher,
    summary: ImportSummary,
) -> None:
    """Bring `action` in line with its tracker row through the domain operations, each change
    with its event. Only what the row states is compared: a blank cell changes nothing, and
    BRAG, findings, review and sign-off columns are never read back."""
    ref = action.ref
    note = "changed in the imported tracker"
    changed: list[str] = []
    refused: list[str] = []
    summary.actions_matched_by_ref += 1

    def attempt(what: str, op: Callable[[], object]) -> None:
        try:
            op()
        except (InvalidInput, Refused) as exc:
            refused.append(f"{what} ({exc})")
        else:
            changed.append(what)

    if not _withheld(action, activity) and action.text != activity.text:

        def edit() -> None:
            record_event(s, action, actor, now, "edited", action.text, activity.text, note)
            action.text = activity.text

        attempt("action text", edit)

    committee = committees.match(activity.committee)
    if activity.committee and committee is None:
        refused.append("committee (no such committee)")
    owner: Person | None = None
    if activity.owner:
        same_owner = action.owner is not None and _norm_name(action.owner.name) == _norm_name(
            activity.owner
        )
        owner = action.owner if same_owner else people.match(activity.owner)
        if owner is None:
            refused.append("owner (no such person)")
    new_owner = owner if owner is not None and owner.id != action.owner_id else None
    new_committee = (
        committee if committee is not None and committee.id != action.committee_id else None
    )
    if new_owner is not None or new_committee is not None:
        attempt(
            "owner"
            if new_committee is None
            else "committee"
            if new_owner is None
            else "owner, committee",
            lambda: ops.assign(s, actor, ref, owner=new_owner, committee=new_committee, now=now),
        )

    if activity.lead_agency and action.lead_agency != activity.lead_agency:

        def agency() -> None:
            before = action.lead_agency
            action.lead_agency = activity.lead_agency
            record_event(s, action, actor, now, "agency", before, activity.lead_agency, note)

        attempt("lead agency", agency)

    if activity.due_date is not None and action.due_date != activity.due_date:
        due = activity.due_date
        attempt(
            "target date",
            lambda: ops.change_due(s, actor, ref, when=due, reason=note, now=now, allow_past=True),
        )

    was_complete = action.status in (Status.COMPLETE, Status.SIGNED_OFF)
    _apply_status(s, actor, action, activity, now, attempt, refused)

    if activity.progress and activity.progress != action.latest_progress:
        progress = activity.progress
        attempt("progress", lambda: ops.add_note(s, actor, ref, text=progress, now=now))

    if was_complete and activity.evidence and action.evidence_of_completion != activity.evidence:
        refused.append("evidence of completion (recorded when the action was marked done)")

    _count(activity, action.owner, committee, action.due_date, summary)
    if changed:
        s.flush()
        summary.actions_updated += 1
        summary.changes.append(f"{ref} updated: {', '.join(changed)}")
    else:
        summary.actions_unchanged += 1
    summary.not_applied.extend(f"{ref}: {r}" for r in refused)


def _set_due(s: Session, actor: Actor, action: Action, new: date, now: datetime, note: str) -> None:
    """Set the due date as a document states it, whether or not it is past, with its event."""
    before = action.due_date
    action.due_date = new
    if action.original_due_date is None:
        action.original_due_date = new
    record_event(
        s, action, actor, now, "due", before.isoformat() if before else None, new.isoformat(), note
    )


def _apply_status(
    s: Session,
    actor: Actor,
    action: Action,
    activity: ParsedActivity,
    now: datetime,
    attempt: Callable[[str, Callable[[], object]], None],
    refused: list[str],
) -> None:
    target = activity.status
    if target is None or target == action.status.value:
        return
    ref, current = action.ref, action.status
    if target in (Status.NOT_STARTED.value, Status.IN_PROGRESS.value) and current in _OPEN:
        word = target.replace("_", "-")
        attempt("status", lambda: ops.update(s, actor, ref, word=word, now=now))
        return
    if target in (Status.COMPLETE.value, Status.SIGNED_OFF.value) and current in _OPEN:
        evidence = activity.evidence or activity.text
        attempt("status", lambda: ops.mark_done(s, actor, ref, evidence=evidence, now=now))
        if target == Status.SIGNED_OFF.value:
            refused.append("sign-off (given by the committee's chair, not by an import)")
        return
    if target == Status.SIGNED_OFF.value and current == Status.COMPLETE:
        refused.append("sign-off (given by the committee's chair, not by an import)")
    elif target == Status.CANCELLED.value:
        refused.append("cancelling (an admin cancels an action with a reason)")
    else:
        refused.append(f"status {target.replace('_', ' ')} (an import does not reopen actions)")


def _store_review(
    s: Session,
    actor: Actor,
    parsed: ParsedReview,
    now: datetime,
    committees: CommitteeMatcher,
    people: PersonMatcher,
    summary: ImportSummary,
) -> None:
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
    created = review is None
    if review is None:
        review = Review(number=next_review_number(s), source_key=key, created_at=now, **fields)
        s.add(review)
        s.flush()
        review_changed = True
    else:
        review_changed = any([_set(review, k, v) for k, v in fields.items()])

    findings_changed = _store_findings(review, parsed, summary)
    actions_changed = _store_actions(
        s, actor, review, key, parsed, now, committees, people, summary
    )
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
    s: Session,
    actor: Actor,
    review: Review,
    rkey: str,
    parsed: ParsedReview,
    now: datetime,
    committees: CommitteeMatcher,
    people: PersonMatcher,
    summary: ImportSummary,
) -> bool:
    existing = list(
        s.scalars(
            select(Action)
            .where(Action.review_id == review.id, Action.source_key.is_not(None))
            .order_by(Action.number)
        ).all()
    )
    by_key = {a.source_key: a for a in existing}
    pairs: list[tuple[ParsedActivity, Action | None, str]] = []
    matched: set[int] = set()
    for activity in parsed.activities:
        key = action_key(rkey, activity.text)
        found = by_key.get(key)
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

    changed = False
    for activity, action, key in pairs:
        committee = committees.match(activity.committee)
        owner = people.match(activity.owner)
        _count(activity, owner, committee, activity.due_date, summary)
        if action is None:
            created = create_action(
                s,
                actor,
                text=activity.text,
                now=now,
                review=review,
                owner=owner,
                committee=committee,
                due_date=activity.due_date,
                lead_agency=activity.lead_agency,
                evidence_of_completion=(activity.evidence or activity.text)
                if activity.delivered
                else None,
                source_key=key,
                note="imported" + (": reported as delivered" if activity.delivered else ""),
                allow_past=True,
            )
            if activity.status == Status.CANCELLED.value and not activity.delivered:
                ops.cancel(
                    s, actor, created.ref, reason="cancelled in the imported tracker", now=now
                )
            summary.actions_created += 1
            changed = True
            continue
        if _update_action(s, actor, action, activity, owner, committee, now):
            summary.actions_updated += 1
            summary.changes.append(f"{action.ref} updated")
            changed = True
        else:
            summary.actions_unchanged += 1
    return changed


def _update_action(
    s: Session,
    actor: Actor,
    action: Action,
    activity: ParsedActivity,
    owner: Person | None,
    committee: Committee | None,
    now: datetime,
) -> bool:
    """Bring an imported action in line with the document, recording each change as an event.

    Only what the document states is compared: an owner or committee given in Slack later is
    kept when the document names none.
    """
    note = "changed in the imported document"
    changed = False
    if action.text != activity.text:
        record_event(s, action, actor, now, "edited", action.text, activity.text, note)
        action.text = activity.text
        changed = True
    if activity.lead_agency and action.lead_agency != activity.lead_agency:
        action.lead_agency = activity.lead_agency
        changed = True
    if (owner is not None and action.owner_id != owner.id) or (
        committee is not None and action.committee_id != committee.id
    ):
        before = _label(action.owner, action.committee)
        action.owner = owner or action.owner
        action.committee = committee or action.committee
        record_event(
            s,
            action,
            actor,
            now,
            "assigned",
            before or None,
            _label(action.owner, action.committee),
            note,
        )
        changed = True
    if activity.due_date is not None and action.due_date != activity.due_date:
        _set_due(s, actor, action, activity.due_date, now, note)
        changed = True
    if activity.delivered and action.status in OPEN_STATUSES:
        before_status = action.status.value
        action.status = Status.COMPLETE
        action.evidence_of_completion = activity.evidence or activity.text
        action.completed_at = now
        record_event(s, action, actor, now, "done", before_status, Status.COMPLETE.value, note)
        changed = True
    if changed:
        s.flush()
    return changed


def _label(owner: Person | None, committee: Committee | None) -> str:
    """`owner_label`, leaving out a part with nothing to show (a person with neither a Slack id
    nor a name), as the import has always recorded it."""
    return owner_label(
        owner if owner is not None and (owner.slack_id or owner.name) else None,
        committee if committee is not None and committee.code else None,
    )
