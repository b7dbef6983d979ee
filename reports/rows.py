"""Plain rows the reports are built from: no session, no ORM objects, so they are cheap to make
by the tens of thousands and easy to replay as of an earlier date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.schema import Rating, Status, action_ref, review_ref


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: int
    name: str


@dataclass(slots=True)
class ActionRow:
    """One action as the reports see it. Satisfies `models.brag.Ratable` (hence not frozen;
    nothing changes one in place: the replay makes new ones)."""

    id: int
    number: int
    text: str
    review_id: int | None
    review_number: int | None
    review_name: str | None
    review_type: str | None
    confidential: bool
    findings: str | None
    owner_id: int | None
    owner_name: str | None
    lead_agency: str | None
    committee_id: int | None
    committee_code: str | None
    due_date: date | None
    original_due_date: date | None
    status: Status
    owner_rating: Rating | None
    latest_progress: str | None
    evidence_of_completion: str | None
    evidence_of_impact: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    created_at: datetime
    last_update_at: datetime
    measure: str | None = None
    impact_review_on: date | None = None

    @property
    def ref(self) -> str:
        return action_ref(self.number)

    @property
    def review_ref(self) -> str | None:
        return review_ref(self.review_number) if self.review_number is not None else None


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    action_id: int
    at: datetime
    actor: str  # the person's name where known, else the label recorded with the event
    kind: str
    before: str | None
    after: str | None
    note: str | None
