"""Reading actions: filters, listing and the JSON shape of the contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from models.brag import Brag, BragResult, BragRules, rate
from models.calendar import local_date
from models.errors import InvalidInput
from models.permissions import Actor, can_see, can_see_review
from models.schema import Action, ActionEvent, Committee, Person, Review, Status

# "current": not yet signed off or cancelled (open, or complete and awaiting sign-off).
STATUS_FILTERS = {s.value for s in Status} | {
    "unassigned",
    "open",
    "overdue",
    "drift",
    "due",
    "current",
}
BRAG_FILTERS = {b.value for b in Brag}


def normalise_filter(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class ActionFilter:
    status: str | None = None  # a Status value or unassigned/open/overdue/drift/due
    brag: str | None = None
    owner_slack_id: str | None = None
    owner_id: int | None = None
    committee_code: str | None = None
    review_id: int | None = None

    def __post_init__(self) -> None:
        if self.status is not None and normalise_filter(self.status) not in STATUS_FILTERS:
            raise InvalidInput(
                f"Unknown status “{self.status}”. Use one of: {', '.join(sorted(STATUS_FILTERS))}."
            )
        if self.brag is not None and normalise_filter(self.brag) not in BRAG_FILTERS:
            raise InvalidInput(
                f"Unknown BRAG “{self.brag}”. Use one of: {', '.join(sorted(BRAG_FILTERS))}."
            )


def _base_query(f: ActionFilter) -> Select[Action]:
    stmt = select(Action).order_by(Action.number)
    if f.owner_slack_id:
        stmt = stmt.join(Person, Action.owner_id == Person.id).where(
            Person.slack_id == f.owner_slack_id
        )
    if f.owner_id is not None:
        stmt = stmt.where(Action.owner_id == f.owner_id)
    if f.committee_code:
        stmt = stmt.join(Committee, Action.committee_id == Committee.id).where(
            Committee.code == f.committee_code.upper()
        )
    if f.review_id is not None:
        stmt = stmt.where(Action.review_id == f.review_id)
    status = normalise_filter(f.status) if f.status else None
    if status in {s.value for s in Status}:
        stmt = stmt.where(Action.status == Status(status))
    elif status == "current":
        stmt = stmt.where(
            Action.status.in_([Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE])
        )
    elif status in ("unassigned", "open", "overdue", "drift", "due"):
        stmt = stmt.where(Action.status.in_([Status.NOT_STARTED, Status.IN_PROGRESS]))
        if status == "unassigned":
            stmt = stmt.where(or_(Action.owner_id.is_(None), Action.due_date.is_(None)))
    return stmt


def list_actions(
    s: Session,
    f: ActionFilter,
    now: datetime,
    rules: BragRules | None = None,
    viewer: Actor | None = None,
) -> list[tuple[Action, BragResult]]:
    """Actions matching the filter, with their BRAG, in a fixed number of queries."""
    rules = rules or BragRules()
    rows = s.scalars(_base_query(f)).unique().all()
    status = normalise_filter(f.status) if f.status else None
    brag = normalise_filter(f.brag) if f.brag else None
    out: list[tuple[Action, BragResult]] = []
    for a in rows:
        if viewer is not None and not can_see(viewer, a):
            continue
        r = rate(a, now, rules)
        if status == "overdue" and not r.overdue:
            continue
        if status == "drift" and not r.drifting:
            continue
        if status == "due" and not r.due_soon:
            continue
        if brag and r.brag.value != brag:
            continue
        out.append((a, r))
    return out


def find_review(s: Session, ref: str) -> Review | None:
    ref = ref.strip()
    if ref.upper().startswith("R-") and ref[2:].isdigit():
        return s.scalars(select(Review).where(Review.number == int(ref[2:]))).one_or_none()
    matches = s.scalars(select(Review).where(Review.name.ilike(f"%{ref}%"))).all()
    return matches[0] if len(matches) == 1 else None


def action_to_dict(a: Action, r: BragResult) -> dict[str, Any]:
    return {
        "ref": a.ref,
        "text": a.text,
        "status": a.status.value,
        "owner_rating": a.owner_rating.value if a.owner_rating else None,
        "brag": r.brag.value,
        "brag_reasons": list(r.reasons),
        "awaiting_signoff": r.awaiting_signoff,
        "drifting": r.drifting,
        "owner_slack_id": a.owner.slack_id if a.owner else None,
        "owner": a.owner.name if a.owner else None,
        "lead_agency": a.lead_agency,
        "committee": a.committee.code if a.committee else None,
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "original_due_date": a.original_due_date.isoformat() if a.original_due_date else None,
        "review": a.review.name if a.review else None,
        "review_ref": a.review.ref if a.review else None,
        "confidential": a.confidential,
        "latest_progress": a.latest_progress,
        "evidence_of_completion": a.evidence_of_completion,
        "evidence_of_impact": a.evidence_of_impact,
        "version": a.version,
    }


def event_to_dict(e: ActionEvent) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "actor": e.actor_label,
        "actor_name": e.actor.name if e.actor else e.actor_label,
        "kind": e.kind,
        "before": e.before,
        "after": e.after,
        "note": e.note,
    }


def load_events(s: Session, action: Action) -> Sequence[ActionEvent]:
    return s.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id == action.id)
        .options(selectinload(ActionEvent.actor))
        .order_by(ActionEvent.id)
    ).all()


def days_since(now: datetime, then: datetime) -> int:
    return (local_date(now) - local_date(then)).days


def list_reviews(s: Session, viewer: Actor, type_text: str | None = None) -> list[Review]:
    """Reviews the viewer may see (a confidential one only by those it concerns), newest last."""
    stmt = select(Review).options(selectinload(Review.actions)).order_by(Review.number)
    if type_text:
        stmt = stmt.where(Review.type.ilike(f"%{type_text.strip()}%"))
    return [r for r in s.scalars(stmt).unique().all() if can_see_review(viewer, r)]


def committee_by_code(s: Session, code: str) -> Committee | None:
    return s.scalars(select(Committee).where(Committee.code == code.strip().upper())).one_or_none()


def committee_for_channel(
    s: Session, channel_id: str, channel_name: str | None
) -> Committee | None:
    """The committee whose channel this is (the organisation file names channels by id or #name)."""
    names = [channel_id]
    if channel_name:
        names += [channel_name, f"#{channel_name.lstrip('#')}"]
    return s.scalars(select(Committee).where(Committee.channel.in_(names))).first()


def all_committees(s: Session) -> list[Committee]:
    return list(s.scalars(select(Committee).order_by(Committee.code)).all())
