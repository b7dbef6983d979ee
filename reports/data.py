"""Reading what the reports need in a handful of column queries (no ORM objects: 20,000 actions
and their history load in well under a second)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models.errors import NotFound
from models.queries import find_review
from models.schema import (
    Action,
    ActionEvent,
    Committee,
    Finding,
    Person,
    Review,
    action_findings,
)
from reports.history import Directory
from reports.rows import ActionRow, EventRow, PersonRef


@dataclass(frozen=True)
class CommitteeInfo:
    id: int
    code: str
    name: str


@dataclass
class Loaded:
    actions: list[ActionRow]
    events: dict[int, list[EventRow]]  # by action id, oldest first
    committees: list[CommitteeInfo]
    directory: Directory


def resolve_committee(s: Session, code: str) -> CommitteeInfo:
    row = s.execute(
        select(Committee.id, Committee.code, Committee.name).where(
            Committee.code == code.strip().upper()
        )
    ).first()
    if row is None:
        codes = ", ".join(s.scalars(select(Committee.code).order_by(Committee.code)).all())
        raise NotFound(f"There is no committee {code.strip()!r}. Committees: {codes or 'none'}.")
    return CommitteeInfo(row.id, row.code, row.name)


def resolve_review(s: Session, ref: str) -> tuple[int, str]:
    """(id, R-<n>) of the review named by `ref` (R-12, or a unique part of its name)."""
    review = find_review(s, ref)
    if review is None:
        raise NotFound(
            f"There is no single review {ref.strip()[:60]!r}: give its reference, e.g. R-3."
        )
    return review.id, review.ref


def _findings_text(rows: Sequence[tuple[str | None, str]]) -> str:
    return "\n".join(f"{n}. {t}" if n else t for n, t in rows)


def _action_query(
    review_id: int | None,
) -> Any:  # a Select; its row type differs by SQLAlchemy version
    owner = aliased(Person)
    signer = aliased(Person)
    stmt = (
        select(
            Action.id,
            Action.number,
            Action.text,
            Action.review_id,
            Review.number.label("review_number"),
            Review.name.label("review_name"),
            Review.type.label("review_type"),
            Review.confidential,
            Action.owner_id,
            owner.name.label("owner_name"),
            Action.lead_agency,
            Action.committee_id,
            Committee.code.label("committee_code"),
            Action.due_date,
            Action.original_due_date,
            Action.status,
            Action.owner_rating,
            Action.latest_progress,
            Action.evidence_of_completion,
            Action.evidence_of_impact,
            signer.name.label("signed_off_by"),
            Action.signed_off_at,
            Action.created_at,
            Action.last_update_at,
        )
        .outerjoin(Review, Review.id == Action.review_id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(Committee, Committee.id == Action.committee_id)
        .outerjoin(signer, signer.id == Action.signed_off_by_id)
        .order_by(Action.number)
    )
    if review_id is not None:
        stmt = stmt.where(Action.review_id == review_id)
    return stmt


def load(s: Session, *, review_id: int | None = None) -> Loaded:
    """All actions (of one review, if given) with their findings and events."""
    findings: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    fq = (
        select(action_findings.c.action_id, Finding.number, Finding.text)
        .join(Finding, Finding.id == action_findings.c.finding_id)
        .order_by(action_findings.c.action_id, Finding.position)
    )
    if review_id is not None:
        fq = fq.where(Finding.review_id == review_id)
    for f in s.execute(fq):
        findings[int(f[0])].append((f[1], f[2]))

    actions = [
        ActionRow(
            id=r.id,
            number=r.number,
            text=r.text,
            review_id=r.review_id,
            review_number=r.review_number,
            review_name=r.review_name,
            review_type=r.review_type,
            confidential=bool(r.confidential),
            findings=_findings_text(findings[r.id]) if r.id in findings else None,
            owner_id=r.owner_id,
            owner_name=r.owner_name,
            lead_agency=r.lead_agency,
            committee_id=r.committee_id,
            committee_code=r.committee_code,
            due_date=r.due_date,
            original_due_date=r.original_due_date,
            status=r.status,
            owner_rating=r.owner_rating,
            latest_progress=r.latest_progress,
            evidence_of_completion=r.evidence_of_completion,
            evidence_of_impact=r.evidence_of_impact,
            signed_off_by=r.signed_off_by,
            signed_off_at=r.signed_off_at,
            created_at=r.created_at,
            last_update_at=r.last_update_at,
        )
        for r in s.execute(_action_query(review_id))
    ]

    eq = (
        select(
            ActionEvent.id,
            ActionEvent.action_id,
            ActionEvent.at,
            ActionEvent.actor_label,
            Person.name,
            ActionEvent.kind,
            ActionEvent.before,
            ActionEvent.after,
            ActionEvent.note,
        )
        .outerjoin(Person, Person.id == ActionEvent.actor_id)
        .order_by(ActionEvent.id)
    )
    if review_id is not None:
        eq = eq.join(Action, Action.id == ActionEvent.action_id).where(
            Action.review_id == review_id
        )
    events: dict[int, list[EventRow]] = defaultdict(list)
    for e in s.execute(eq):
        events[e.action_id].append(
            EventRow(
                e.id, e.action_id, e.at, e.name or e.actor_label, e.kind, e.before, e.after, e.note
            )
        )

    committees = [
        CommitteeInfo(c.id, c.code, c.name)
        for c in s.execute(
            select(Committee.id, Committee.code, Committee.name).order_by(Committee.code)
        )
    ]
    people: dict[str, PersonRef] = {}
    for p in s.execute(select(Person.id, Person.slack_id, Person.name)):
        ref = PersonRef(p.id, p.name)
        people.setdefault(p.name, ref)
        if p.slack_id:
            people[p.slack_id] = ref
    directory = Directory(people=people, committees={c.code: c.id for c in committees})
    return Loaded(actions, dict(events), committees, directory)
