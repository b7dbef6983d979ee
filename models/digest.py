"""What a chair acts on: the sections of a committee's digest, and which one each action is in.

The weekly digest and the chair's App Home show the same sections, in this order (the most
urgent first). Each action appears once, in the first section it qualifies for; within a
section, soonest due first. `section_of` decides it in Python (the digest, over a snapshot);
`section_case` is the same rule as SQL (App Home, over the database); tests hold them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from models.brag import BragResult, BragRules, BragWindow, brag_window, rate
from models.permissions import Actor
from models.queries import visibility_condition
from models.schema import OPEN_STATUSES, Action, ActionEvent, Person, Rating, Status

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
    """The action's due date was changed (not first set) since `since`: the recent moves are
    read once, not per action."""
    return Action.id.in_(
        select(ActionEvent.action_id).where(
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


@dataclass(frozen=True)
class CommitteeSections:
    """One committee's digest sections for App Home: how many in each, and the first few."""

    counts: dict[str, int]
    rows: dict[str, list[tuple[Action, BragResult]]]


def committee_sections(
    s: Session,
    committee_ids: Sequence[int],
    now: datetime,
    rules: BragRules,
    viewer: Actor | None,
    per_section: int,
    since: datetime,
) -> dict[int, CommitteeSections]:
    """The digest's sections for these committees, as of `now`, in two statements whatever the
    number of actions: counts by committee and section with the soonest-due few of each, then
    those few actions."""
    if not committee_ids:
        return {}
    w = brag_window(now, rules)
    where: list[ColumnElement[bool]] = [
        Action.committee_id.in_(list(committee_ids)),
        reportable(w, since),
    ]
    visible = visibility_condition(viewer)
    if visible is not None:
        where.append(visible)
    # Sectioned, counted and ranked in the database, in one statement: each committee's count
    # per section and the soonest-due few of each, whatever the number of actions.
    section = section_case(w, since).label("section")
    ranked = (
        select(Action.id, Action.committee_id, Action.due_date, Action.number, section)
        .where(*where)
        .subquery()
    )
    part = (ranked.c.committee_id, ranked.c.section)
    top = select(
        ranked.c.id,
        ranked.c.committee_id,
        ranked.c.section,
        func.count().over(partition_by=part).label("n"),
        func.row_number()
        .over(
            partition_by=part,
            order_by=(ranked.c.due_date.is_(None), ranked.c.due_date, ranked.c.number),
        )
        .label("rank"),
    ).where(ranked.c.section.is_not(None))
    listed = top.subquery()
    placed: dict[int, str] = {}
    out: dict[int, CommitteeSections] = {cid: CommitteeSections({}, {}) for cid in committee_ids}
    shown = select(listed.c.id, listed.c.committee_id, listed.c.section, listed.c.n)
    found: Any = s.execute(shown.where(listed.c.rank <= per_section))
    for aid, cid, key, n in found:
        out[cid].counts[key] = n
        placed[aid] = key
    if not placed:
        return out
    rows = s.scalars(
        select(Action)
        .where(Action.id.in_(list(placed)))
        .options(
            joinedload(Action.review),
            joinedload(Action.owner).raiseload(Person.roles),
            joinedload(Action.committee),
        )
        .order_by(Action.due_date.is_(None), Action.due_date, Action.number)
    ).unique()
    for a in rows:
        if a.committee_id is not None and a.committee_id in out:
            out[a.committee_id].rows.setdefault(placed[a.id], []).append((a, rate(a, now, rules)))
    return out
