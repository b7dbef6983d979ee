"""Reading actions: filters, listing and the JSON shape of the contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models.brag import Brag, BragResult, BragRules, BragWindow, brag_window, rate
from models.errors import InvalidInput, NotFound, clean_text, typed
from models.permissions import Actor, can_see_review
from models.schema import (
    OPEN_STATUSES,
    Action,
    ActionEvent,
    Committee,
    Person,
    Rating,
    Review,
    Status,
)

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
                f"Unknown status “{typed(self.status)}”. Use one of: {', '.join(sorted(STATUS_FILTERS))}."
            )
        if self.brag is not None and normalise_filter(self.brag) not in BRAG_FILTERS:
            raise InvalidInput(
                f"Unknown BRAG “{typed(self.brag)}”. Use one of: {', '.join(sorted(BRAG_FILTERS))}."
            )


OPEN = tuple(OPEN_STATUSES)
CURRENT = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE)


def _is(column: Any, value: Any) -> ColumnElement[bool]:
    """`column = value`, false (never NULL) where the column is NULL, so it can be negated."""
    return and_(column.is_not(None), column == value)


def _assigned_open() -> ColumnElement[bool]:
    """Open with an owner and a due date: the actions `rate` rates by dates and drift."""
    return and_(Action.status.in_(OPEN), Action.owner_id.is_not(None), Action.due_date.is_not(None))


def _red_core(w: BragWindow) -> ColumnElement[bool]:
    return or_(
        Action.due_date <= w.overdue_on_or_before, _is(Action.owner_rating, Rating.OFF_TRACK)
    )


def _amber_core(w: BragWindow) -> ColumnElement[bool]:
    return or_(
        Action.due_date <= w.due_soon_until,
        _is(Action.owner_rating, Rating.AT_RISK),
        Action.last_update_at <= w.drifting_since,
    )


def brag_condition(brag: Brag, w: BragWindow) -> ColumnElement[bool]:
    """`rate(a).brag == brag` as a WHERE clause (tests hold it to `rate`)."""
    if brag == Brag.BLUE:
        if w.blue_needs_impact:
            return and_(Action.status == Status.SIGNED_OFF, Action.evidence_of_impact.is_not(None))
        return Action.status == Status.SIGNED_OFF
    if brag == Brag.CANCELLED:
        return Action.status == Status.CANCELLED
    if brag == Brag.UNASSIGNED:
        return and_(
            Action.status.in_(OPEN), or_(Action.owner_id.is_(None), Action.due_date.is_(None))
        )
    if brag == Brag.RED:
        return and_(_assigned_open(), _red_core(w))
    if brag == Brag.AMBER:
        return and_(_assigned_open(), not_(_red_core(w)), _amber_core(w))
    green = or_(
        Action.status == Status.COMPLETE,
        and_(_assigned_open(), not_(_red_core(w)), not_(_amber_core(w))),
    )
    if w.blue_needs_impact:
        return or_(
            green, and_(Action.status == Status.SIGNED_OFF, Action.evidence_of_impact.is_(None))
        )
    return green


def brag_case(w: BragWindow) -> ColumnElement[str]:
    """`rate(a).brag.value` as one SQL expression, for counting without loading rows."""
    blue: ColumnElement[bool] = Action.status == Status.SIGNED_OFF
    if w.blue_needs_impact:
        blue = and_(blue, Action.evidence_of_impact.is_not(None))
    return case(
        (blue, Brag.BLUE.value),
        (Action.status == Status.SIGNED_OFF, Brag.GREEN.value),
        (Action.status == Status.CANCELLED, Brag.CANCELLED.value),
        (Action.status == Status.COMPLETE, Brag.GREEN.value),
        (or_(Action.owner_id.is_(None), Action.due_date.is_(None)), Brag.UNASSIGNED.value),
        (_red_core(w), Brag.RED.value),
        (_amber_core(w), Brag.AMBER.value),
        else_=Brag.GREEN.value,
    )


def status_condition(status: str, w: BragWindow) -> ColumnElement[bool]:
    """A status filter of `ActionFilter` as a WHERE clause."""
    if status in {s.value for s in Status}:
        return Action.status == Status(status)
    if status == "current":
        return Action.status.in_(CURRENT)
    if status == "open":
        return Action.status.in_(OPEN)
    if status == "unassigned":
        return brag_condition(Brag.UNASSIGNED, w)
    if status == "overdue":
        return and_(_assigned_open(), Action.due_date <= w.overdue_on_or_before)
    if status == "due":
        return and_(
            _assigned_open(),
            Action.due_date > w.overdue_on_or_before,
            Action.due_date <= w.due_soon_until,
        )
    if status == "drift":
        return and_(_assigned_open(), Action.last_update_at <= w.drifting_since)
    raise InvalidInput(f"Unknown status “{status}”.")  # pragma: no cover - checked by ActionFilter


def visibility_condition(viewer: Actor | None) -> ColumnElement[bool] | None:
    """`can_see` as a WHERE clause (None: the viewer sees everything).

    Confidential reviews are few: their ids are read once by the database, so the action rows
    are filtered without joining each to its review.
    """
    if viewer is None or viewer.is_admin:
        return None
    confidential = select(Review.id).where(Review.confidential.is_(True))
    seen: list[ColumnElement[bool]] = [
        Action.review_id.is_(None),
        Action.review_id.not_in(confidential),
    ]
    if viewer.person_id is not None:
        seen.append(Action.owner_id == viewer.person_id)
    if viewer.chairs:
        seen.append(Action.committee_id.in_(sorted(viewer.chairs)))
    return or_(*seen)


def _conditions(f: ActionFilter, w: BragWindow, viewer: Actor | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.owner_slack_id:
        where.append(
            Action.owner_id
            == select(Person.id).where(Person.slack_id == f.owner_slack_id).scalar_subquery()
        )
    if f.owner_id is not None:
        where.append(Action.owner_id == f.owner_id)
    if f.committee_code:
        where.append(
            Action.committee_id
            == select(Committee.id)
            .where(Committee.code == f.committee_code.upper())
            .scalar_subquery()
        )
    if f.review_id is not None:
        where.append(Action.review_id == f.review_id)
    if f.status:
        where.append(status_condition(normalise_filter(f.status), w))
    if f.brag:
        where.append(brag_condition(Brag(normalise_filter(f.brag)), w))
    visible = visibility_condition(viewer)
    if visible is not None:
        where.append(visible)
    return where


def _with_list_options(stmt: Select[Action]) -> Select[Action]:
    """Review, owner and committee in the same statement; never the owners' roles."""
    return stmt.options(
        joinedload(Action.review),
        joinedload(Action.owner).raiseload(Person.roles),
        joinedload(Action.committee),
    ).order_by(Action.number)


def list_actions(
    s: Session,
    f: ActionFilter,
    now: datetime,
    rules: BragRules | None = None,
    viewer: Actor | None = None,
) -> list[tuple[Action, BragResult]]:
    """Every action matching the filter, with its BRAG, in one statement.

    For lists shown a page at a time, `page_actions` reads only the page.
    """
    rules = rules or BragRules()
    w = brag_window(now, rules)
    stmt = _with_list_options(select(Action).where(*_conditions(f, w, viewer)))
    return [(a, rate(a, now, rules)) for a in s.scalars(stmt).unique().all()]


@dataclass(frozen=True)
class ActionPage:
    """One page of a list: its rows, where it starts, and the whole list's size and BRAG counts."""

    rows: list[tuple[Action, BragResult]]
    offset: int
    total: int
    counts_by_brag: dict[Brag, int]


# Filters that settle the BRAG of every action they let through (`rate` says so; tests check).
PINNED_BRAG = {
    Status.SIGNED_OFF.value: Brag.BLUE,
    Status.CANCELLED.value: Brag.CANCELLED,
    Status.COMPLETE.value: Brag.GREEN,
    "unassigned": Brag.UNASSIGNED,
    "overdue": Brag.RED,
}


def pinned_brag(f: ActionFilter, blue_needs_impact: bool = False) -> Brag | None:
    """The one BRAG every action through this filter has, when the filter settles it (signed
    off does not, when Blue needs evidence of impact)."""
    if f.brag:
        return Brag(normalise_filter(f.brag))
    pinned = PINNED_BRAG.get(normalise_filter(f.status)) if f.status else None
    return None if pinned is Brag.BLUE and blue_needs_impact else pinned


def _count_by_brag(
    s: Session, f: ActionFilter, w: BragWindow, where: list[ColumnElement[bool]]
) -> dict[Brag, int]:
    pinned = pinned_brag(f, w.blue_needs_impact)
    if pinned is not None:
        n = s.scalar(select(func.count()).select_from(Action).where(*where)) or 0
        return {pinned: n} if n else {}
    rated = select(brag_case(w).label("brag")).where(*where).subquery()
    brag: ColumnElement[str] = rated.c.brag
    return {Brag(b): n for b, n in s.execute(select(brag, func.count()).group_by(brag)).all()}


def brag_counts(
    s: Session,
    f: ActionFilter,
    now: datetime,
    rules: BragRules | None = None,
    viewer: Actor | None = None,
) -> dict[Brag, int]:
    """How many actions match the filter, by BRAG: one narrow aggregate statement."""
    w = brag_window(now, rules or BragRules())
    return _count_by_brag(s, f, w, _conditions(f, w, viewer))


def page_actions(
    s: Session,
    f: ActionFilter,
    now: datetime,
    rules: BragRules | None = None,
    viewer: Actor | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ActionPage:
    """One page of the actions matching the filter and visible to `viewer`, in number order.

    Two statements whatever the number of actions: the counts by BRAG (no rows loaded), then
    the page's rows. An offset past the end shows the last page.
    """
    rules = rules or BragRules()
    w = brag_window(now, rules)
    where = _conditions(f, w, viewer)
    counts = _count_by_brag(s, f, w, where)
    total = sum(counts.values())
    if total == 0:
        return ActionPage([], 0, 0, counts)
    offset = max(0, offset)
    if offset >= total:
        offset = (total - 1) // limit * limit
    # The page's ids from the narrow rows (the index alone, where it covers them), then only
    # those rows in full.
    ids = select(Action.id).where(*where).order_by(Action.number).offset(offset).limit(limit)
    stmt = _with_list_options(select(Action).where(Action.id.in_(ids.scalar_subquery())))
    rows = s.scalars(stmt).unique().all()
    return ActionPage([(a, rate(a, now, rules)) for a in rows], offset, total, counts)


def find_reviews(s: Session, ref: str, *, limit: int = 20) -> list[Review]:
    """The reviews `ref` names: R-3 by reference, else every review whose name contains it."""
    ref = clean_text(ref).strip()
    if not ref:
        return []
    if ref.upper().startswith("R-") and ref[2:].isdigit() and len(ref) < 12:
        return list(s.scalars(select(Review).where(Review.number == int(ref[2:]))))
    return list(
        s.scalars(
            select(Review)
            .where(Review.name.ilike(_like(ref), escape="\\"))
            .order_by(Review.number)
            .limit(limit)
        )
    )


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it literally anywhere (a typed % or _ is itself)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_review(s: Session, ref: str, viewer: Actor | None = None) -> Review | None:
    """The review `ref` (R-3, or a name only one review fits). With `viewer`, only among the
    reviews they may see: a confidential review they may not see is as absent as a wrong guess,
    and a name it shares with a visible review does not spoil the match."""
    ref = clean_text(ref).strip()
    if not ref:
        return None
    if ref.upper().startswith("R-") and ref[2:].isdigit() and len(ref) < 12:
        found = s.scalars(select(Review).where(Review.number == int(ref[2:]))).one_or_none()
        if found is not None and viewer is not None and not can_see_review(viewer, found):
            return None
        return found
    # A name must fit one review: two matches are as good as none.
    stmt = select(Review).where(Review.name.ilike(_like(ref), escape="\\"))
    if viewer is None:
        matches = list(s.scalars(stmt.limit(2)).all())
    else:
        matches = [r for r in s.scalars(stmt.limit(50)).all() if can_see_review(viewer, r)]
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
        "measure": a.measure,
        "impact_review_on": a.impact_review_on.isoformat() if a.impact_review_on else None,
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


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    open_actions: int


def list_reviews(s: Session, viewer: Actor, type_text: str | None = None) -> list[ReviewRow]:
    """Reviews the viewer may see (a confidential one only by admins and the chairs and owners of
    its actions), oldest first, with their open actions counted: three statements whatever the
    number of actions."""
    stmt = select(Review).order_by(Review.number)
    if type_text:
        stmt = stmt.where(Review.type.ilike(f"%{type_text.strip()}%"))
    reviews = s.scalars(stmt).all()
    open_counts: dict[int | None, int] = {
        review_id: count
        for review_id, count in s.execute(
            select(Action.review_id, func.count())
            .where(Action.status.in_(OPEN), Action.review_id.is_not(None))
            .group_by(Action.review_id)
        )
    }
    concerned: set[int | None] = set()
    if not viewer.is_admin and any(r.confidential for r in reviews):
        mine: list[ColumnElement[bool]] = []
        if viewer.person_id is not None:
            mine.append(Action.owner_id == viewer.person_id)
        if viewer.chairs:
            mine.append(Action.committee_id.in_(viewer.chairs))
        if mine:
            concerned = set(s.scalars(select(Action.review_id).where(or_(*mine)).distinct()).all())
    return [
        ReviewRow(r, open_counts.get(r.id, 0))
        for r in reviews
        if not r.confidential or viewer.is_admin or r.id in concerned
    ]


def committee_by_code(s: Session, code: str) -> Committee | None:
    return s.scalars(select(Committee).where(Committee.code == code.strip().upper())).one_or_none()


def no_such_committee(s: Session, code: str) -> NotFound:
    """The one refusal for a committee code nobody uses, on every face."""
    codes = ", ".join(s.scalars(select(Committee.code).order_by(Committee.code)).all())
    shown = code.strip()[:32]
    return NotFound(f"There is no committee {shown}. Committees: {codes or 'none yet'}.")


def require_committee(s: Session, code: str) -> Committee:
    committee = committee_by_code(s, code)
    if committee is None:
        raise no_such_committee(s, code)
    return committee


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
