"""What a chair acts on: the sections of a committee's digest, and which one each action is in.

The weekly digest and the chair's App Home show the same sections, in this order (the most
urgent first). Each action appears once, in the first section it qualifies for; within a
section, soonest due first. `section_of` decides it in Python (the digest, over a snapshot);
`section_case` is the same rule as SQL (App Home, over the database); tests hold them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, or_, select

from models.brag import BragResult, BragWindow
from models.schema import OPEN_STATUSES, Action, ActionEvent, Rating, Status

SIGNOFF = "signoff"
CONCERN = "concern"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
MOVED = "moved"
STALE = "stale"
SIGNED = "signed"


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # {amber}, {drift} and {since} are filled in when shown
    empty_ok: bool = True


# The sections in the order of urgency. A new section (impact reviews due) goes in its place
# here, with its rule in `section_of` and `section_case`.
SECTIONS: tuple[Section, ...] = (
    Section(SIGNOFF, "Needs your sign-off"),
    Section(CONCERN, "Off track or at risk"),
    Section(OVERDUE, "Overdue"),
    Section(DUE_SOON, "Due in the next {amber} days"),
    Section(MOVED, "Dates moved since {since}"),
    Section(STALE, "No update for {drift} days"),
    Section(SIGNED, "Signed off since {since}"),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
CONCERNING = frozenset({Rating.AT_RISK, Rating.OFF_TRACK})


def section_of(
    status: Status,
    owner_rating: Rating | None,
    brag: BragResult,
    signed_off_at: datetime | None,
    moved: bool,
    since: datetime,
) -> str | None:
    """The one section an action belongs in, or None when there is nothing to report."""
    if status == Status.COMPLETE:
        return SIGNOFF
    if status == Status.SIGNED_OFF:
        return SIGNED if signed_off_at is not None and signed_off_at >= since else None
    if status not in OPEN_STATUSES:
        return None
    if owner_rating in CONCERNING:
        return CONCERN
    if brag.overdue:
        return OVERDUE
    if brag.due_soon:
        return DUE_SOON
    if moved:
        return MOVED
    if brag.drifting:
        return STALE
    return None


def moved_since(since: datetime) -> ColumnElement[bool]:
    """The action's due date was changed (not first set) since `since`."""
    return exists(
        select(ActionEvent.id).where(
            ActionEvent.action_id == Action.id,
            ActionEvent.kind == "due",
            ActionEvent.before.is_not(None),
            ActionEvent.at >= since,
        )
    )


def section_case(w: BragWindow, since: datetime) -> ColumnElement[str | None]:
    """`section_of` as one SQL expression (NULL: nothing to report)."""
    is_open = Action.status.in_(tuple(OPEN_STATUSES))
    dated = and_(is_open, Action.owner_id.is_not(None), Action.due_date.is_not(None))
    return case(
        (Action.status == Status.COMPLETE, SIGNOFF),
        (
            and_(Action.status == Status.SIGNED_OFF, Action.signed_off_at >= since),
            SIGNED,
        ),
        (
            and_(
                is_open,
                Action.owner_rating.is_not(None),
                Action.owner_rating.in_(tuple(CONCERNING)),
            ),
            CONCERN,
        ),
        (and_(dated, Action.due_date <= w.overdue_on_or_before), OVERDUE),
        (and_(dated, Action.due_date <= w.due_soon_until), DUE_SOON),
        (and_(is_open, moved_since(since)), MOVED),
        (and_(dated, Action.last_update_at <= w.drifting_since), STALE),
        else_=None,
    )


def reportable(w: BragWindow, since: datetime) -> ColumnElement[bool]:
    """A WHERE clause letting through only actions `section_case` puts in a section."""
    is_open = Action.status.in_(tuple(OPEN_STATUSES))
    dated = and_(is_open, Action.owner_id.is_not(None), Action.due_date.is_not(None))
    return or_(
        Action.status == Status.COMPLETE,
        and_(Action.status == Status.SIGNED_OFF, Action.signed_off_at >= since),
        and_(is_open, Action.owner_rating.is_not(None), Action.owner_rating.in_(tuple(CONCERNING))),
        and_(dated, Action.due_date <= w.due_soon_until),
        and_(dated, Action.last_update_at <= w.drifting_since),
        and_(is_open, moved_since(since)),
    )
