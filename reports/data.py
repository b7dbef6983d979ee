"""Reading what the reports need in a handful of column queries (no ORM objects: 20,000 actions
and their history load in well under a second)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session, aliased

from models.errors import NotFound
from models.queries import find_review, no_such_committee
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
        raise no_such_committee(s, code)
    return CommitteeInfo(row.id, row.code, row.name)


def resolve_review(s: Session, ref: str) -> tuple[int, str]:
    """(id, R-<n>) of the review named by `ref` (R-12, or a unique part of its name)."""
    review = find_review(s, ref)
    if review is None:
        raise NotFound(
            f"There is no single review {ref.strip()[:60]!r}: give its reference, e.g. R-3."
        )
    return review.id, review.ref


def _when(column: Any, raw: bool) -> Any:
    """A UTC date-time column; on SQLite read as its stored text and parsed by `_utc`, several
    times faster over 100,000 rows than the column type's own conversion."""
    return type_coerce(column, String).label(column.key) if raw else column


def _utc(value: Any) -> datetime | None:
    if type(value) is str:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return value  # None, or already converted by the column type (PostgreSQL)


def _utc_required(value: Any) -> datetime:
    parsed = _utc(value)
    assert parsed is not None, "a required date-time column was empty"
    return parsed


def _findings_text(rows: Sequence[tuple[str | None, str]]) -> str:
    return "\n".join(f"{n}. {t}" if n else t for n, t in rows)


def _action_query(review_id: int | None, raw: bool = False, committee_id: int | None = None) -> Any:
    # Returns a Select; its row type is spelled differently by SQLAlchemy 2.0 and 2.1.
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
            _when(Action.signed_off_at, raw),
            _when(Action.created_at, raw),
            _when(Action.last_update_at, raw),
            Action.measure,
            Action.impact_review_on,
        )
        .outerjoin(Review, Review.id == Action.review_id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(Committee, Committee.id == Action.committee_id)
        .outerjoin(signer, signer.id == Action.signed_off_by_id)
        .order_by(Action.number)
    )
    if review_id is not None:
        stmt = stmt.where(Action.review_id == review_id)
    if committee_id is not None:
        stmt = stmt.where(Action.committee_id == committee_id)
    return stmt


def load(s: Session, *, review_id: int | None = None, committee_id: int | None = None) -> Loaded:
    """All actions (of one review, and of one committee, if given) with their findings and
    events. Filter by committee only for the live picture: a replay needs every action, since
    actions change committee over time."""
    raw = s.get_bind().dialect.name == "sqlite"
    findings: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    fq = (
        select(action_findings.c.action_id, Finding.number, Finding.text)
        .join(Finding, Finding.id == action_findings.c.finding_id)
        .order_by(action_findings.c.action_id, Finding.position)
    )
    if review_id is not None:
        fq = fq.where(Finding.review_id == review_id)
    if committee_id is not None:
        fq = fq.join(Action, Action.id == action_findings.c.action_id).where(
            Action.committee_id == committee_id
        )
    finding_rows: Any = s.connection().execute(fq).all()  # typed rows differ by SQLAlchemy version
    for action_id, number, text in finding_rows:
        findings[action_id].append((number, text))

    # Core rows unpacked by position: over 100,000 rows the ORM's result layer and named
    # attribute access cost seconds.
    conn = s.connection()
    action_rows: Any = conn.execute(_action_query(review_id, raw, committee_id)).all()
    actions = []
    for (
        aid,
        number,
        text,
        rid,
        rnumber,
        rname,
        rtype,
        confidential,
        owner_id,
        owner_name,
        agency,
        cid,
        code,
        due,
        original_due,
        status,
        rating,
        progress,
        evidence,
        impact,
        signer,
        signed_at,
        created,
        updated,
        measure,
        review_on,
    ) in action_rows:
        found = findings.get(aid)
        actions.append(
            ActionRow(
                aid,
                number,
                text,
                rid,
                rnumber,
                rname,
                rtype,
                bool(confidential),
                _findings_text(found) if found else None,
                owner_id,
                owner_name,
                agency,
                cid,
                code,
                due,
                original_due,
                status,
                rating,
                progress,
                evidence,
                impact,
                signer,
                _utc(signed_at),
                _utc_required(created),
                _utc_required(updated),
                measure,
                review_on,
            )
        )

    eq = (
        select(
            ActionEvent.id,
            ActionEvent.action_id,
            _when(ActionEvent.at, raw),
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
    if review_id is not None or committee_id is not None:
        eq = eq.join(Action, Action.id == ActionEvent.action_id)
        if review_id is not None:
            eq = eq.where(Action.review_id == review_id)
        if committee_id is not None:
            eq = eq.where(Action.committee_id == committee_id)
    events: dict[int, list[EventRow]] = defaultdict(list)
    event_rows: Any = conn.execute(eq).all()
    for eid, action_id, when, label, name, kind, before, after, note in event_rows:
        events[action_id].append(
            EventRow(eid, action_id, _utc_required(when), name or label, kind, before, after, note)
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
