"""Storing a parsed index: one transaction per file, idempotent, and a changed document updates
what changed. Actions are created through the domain operations so every change has an event."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importer.model import ParsedActivity, ParsedIndex, ParsedReview
from models.actions import create_action, next_review_number, record_event
from models.permissions import Actor
from models.schema import Action, Committee, Finding, Person, Review, Status

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
    changes: list[str] = field(default_factory=list)  # what changed, by reference only

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

    def match(self, text: str | None) -> Person | None:
        if not text:
            return None
        norm = _norm_name(text)
        if norm in self.by_name:
            return self.by_name[norm]
        for name, person in self.by_name.items():
            if len(name.split()) >= 2 and re.search(rf"\b{re.escape(name)}\b", norm):
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


def resolve(s: Session, index: ParsedIndex) -> tuple[CommitteeMatcher, PersonMatcher]:
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
) -> ImportSummary:
    """Write `index` in the caller's transaction; returns what was created, updated or left."""
    actor = Actor.system(f"import of {source_name}")
    committees, people = resolve(s, index)
    summary = ImportSummary()
    for n, parsed in enumerate(index.reviews, start=1):
        _store_review(s, actor, parsed, now, committees, people, summary)
        if progress is not None:
            progress(n, len(index.reviews))
    s.flush()
    return summary


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
        if activity.committee:
            if committee is not None:
                summary.committees_matched += 1
            else:
                summary.committees_unmatched += 1
        if (owner is None or activity.due_date is None) and not activity.delivered:
            summary.unassigned += 1
        if activity.delivered:
            summary.delivered += 1
        if action is None:
            create_action(
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
        before_due: date | None = action.due_date
        action.due_date = activity.due_date
        if action.original_due_date is None:
            action.original_due_date = activity.due_date
        record_event(
            s,
            action,
            actor,
            now,
            "due",
            before_due.isoformat() if before_due else None,
            activity.due_date.isoformat(),
            note,
        )
        changed = True
    if activity.delivered and action.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
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
    return " / ".join(
        p
        for p in (
            owner.slack_id or owner.name if owner else None,
            committee.code if committee else None,
        )
        if p
    )
