"""BRAG: a pure function of the action, the clock and the settings. Never stored."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from models.calendar import (
    LONDON,
    add_working_days,
    local_date,
    next_working_day,
    working_days_between,
)
from models.schema import Rating, Status


class Brag(enum.StrEnum):
    BLUE = "blue"
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    UNASSIGNED = "unassigned"  # no owner or no due date: listed for triage, not rated
    CANCELLED = "cancelled"

    @property
    def emoji(self) -> str:
        return {
            "blue": ":large_blue_circle:",
            "red": ":red_circle:",
            "amber": ":large_orange_circle:",
            "green": ":large_green_circle:",
            "unassigned": ":white_circle:",
            "cancelled": ":heavy_minus_sign:",
        }[self.value]

    @property
    def label(self) -> str:
        """The rating as people write it: Red, Amber, Green, Blue, Unassigned, Cancelled."""
        return self.value.capitalize()


# The ratings in the order boards read them, worst first (cancelled actions are not rated).
BRAG_ORDER: tuple[Brag, ...] = (Brag.RED, Brag.AMBER, Brag.GREEN, Brag.BLUE, Brag.UNASSIGNED)


# What Blue means, as an organisation file's `[brag] blue` says it.
BLUE_SIGNED_OFF = "signed-off"
BLUE_IMPACT_EVIDENCED = "impact-evidenced"  # signed off with evidence of impact
BLUE_MEANINGS = (BLUE_SIGNED_OFF, BLUE_IMPACT_EVIDENCED)
IMPACT_PENDING = "signed off; impact not yet evidenced"


@dataclass(frozen=True)
class BragRules:
    """The rating rules: the environment's windows, and the board's own choices from its
    organisation file (what Blue means, what each rating is called)."""

    amber_days: int = 14
    drift_days: int = 30
    tz: ZoneInfo = LONDON
    blue: str = BLUE_SIGNED_OFF
    labels: tuple[tuple[str, str], ...] = ()  # (rating value, the board's name for it)

    @property
    def blue_needs_impact(self) -> bool:
        return self.blue == BLUE_IMPACT_EVIDENCED

    def label(self, brag: Brag) -> str:
        """The rating as this board names it (its key), else Red, Amber, Green, Blue, ..."""
        for value, name in self.labels:
            if value == brag.value:
                return name
        return brag.label

    def blue_meaning(self) -> str:
        return "signed off with evidence of impact" if self.blue_needs_impact else "signed off"


DEFAULT_RULES = BragRules()


def _due_reason(days_left: int, deadline: date, today: date) -> str:
    if days_left == 0:
        return "due today"
    if days_left > 0:
        return "due in 1 day" if days_left == 1 else f"due in {days_left} days"
    # Due on a weekend or bank holiday that has passed; it is met by the next working day.
    return "due today" if deadline == today else f"due by {deadline:%d/%m/%Y} (next working day)"


class Ratable(Protocol):
    status: Status
    owner_rating: Rating | None
    due_date: date | None
    owner_id: int | None
    last_update_at: datetime


@dataclass(frozen=True)
class BragResult:
    brag: Brag
    reasons: tuple[str, ...] = ()
    overdue: bool = False
    working_days_overdue: int = 0
    due_soon: bool = False
    drifting: bool = False
    awaiting_signoff: bool = False


@lru_cache(maxsize=4096)
def effective_deadline(due: date) -> date:
    """A due date on a weekend or bank holiday is met by the end of the next working day.

    A pure function of the date, memoised: a list rates thousands of actions sharing a few
    hundred due dates, and the bank-holiday lookup is the costly part.
    """
    return next_working_day(due)


@lru_cache(maxsize=512)
def last_overdue_due_date(today: date) -> date:
    """The latest due date that is already overdue on `today` under `effective_deadline`.

    `effective_deadline` never decreases as the due date grows, so the due dates overdue today
    are exactly those on or before this one: the last working day before today.
    """
    return add_working_days(today, -1)


@dataclass(frozen=True)
class BragWindow:
    """`rate`'s date and time thresholds for one moment, for filtering in the database.

    For an open action with an owner and a due date, `rate` says:
    overdue   ⇔ due_date <= overdue_on_or_before
    due_soon  ⇔ overdue_on_or_before < due_date <= due_soon_until
    drifting  ⇔ last_update_at <= drifting_since
    Tests hold these to `rate` over weekends, bank holidays and clock changes.
    """

    today: date
    overdue_on_or_before: date
    due_soon_until: date
    drifting_since: datetime
    blue_needs_impact: bool = False  # signed off without evidence of impact is Green


def brag_window(now: datetime, rules: BragRules = DEFAULT_RULES) -> BragWindow:
    today = local_date(now, rules.tz)
    return BragWindow(
        today=today,
        overdue_on_or_before=last_overdue_due_date(today),
        due_soon_until=today + timedelta(days=rules.amber_days),
        drifting_since=now - timedelta(days=rules.drift_days),
        blue_needs_impact=rules.blue_needs_impact,
    )


def rate(action: Ratable, now: datetime, rules: BragRules = DEFAULT_RULES) -> BragResult:
    if action.status == Status.SIGNED_OFF:
        # The evidence as stored (an Action), or whether there is any (the notices' snapshot,
        # `jobs.snapshot.ActionRow`): both say it; a row without it reads as not evidenced.
        if rules.blue_needs_impact and not getattr(action, "evidence_of_impact", None):
            return BragResult(Brag.GREEN, (IMPACT_PENDING,))
        return BragResult(Brag.BLUE, ("signed off",))
    if action.status == Status.CANCELLED:
        return BragResult(Brag.CANCELLED, ("cancelled",))
    if action.status == Status.COMPLETE:
        return BragResult(Brag.GREEN, ("complete, awaiting sign-off",), awaiting_signoff=True)
    if action.owner_id is None or action.due_date is None:
        missing = [
            w
            for w, gone in (
                ("owner", action.owner_id is None),
                ("due date", action.due_date is None),
            )
            if gone
        ]
        return BragResult(Brag.UNASSIGNED, tuple(f"no {m}" for m in missing))

    today = local_date(now, rules.tz)
    deadline = effective_deadline(action.due_date)
    overdue = today > deadline
    days_left = (action.due_date - today).days
    due_soon = not overdue and days_left <= rules.amber_days
    drifting = now - action.last_update_at >= timedelta(days=rules.drift_days)
    wd_overdue = working_days_between(deadline, today) if overdue else 0

    reasons: list[str] = []
    if overdue:
        if deadline != action.due_date:
            # Counted from the next working day, as everywhere: say so, with the date as set.
            reasons.append(
                f"overdue since {deadline:%d/%m/%Y} (due {action.due_date:%d/%m/%Y}, "
                "not a working day)"
            )
        else:
            reasons.append(f"overdue since {action.due_date:%d/%m/%Y}")
    if action.owner_rating == Rating.OFF_TRACK:
        reasons.append("owner says off track")
    if reasons:
        return BragResult(Brag.RED, tuple(reasons), overdue, wd_overdue, due_soon, drifting, False)
    if due_soon:
        reasons.append(_due_reason(days_left, deadline, today))
    if action.owner_rating == Rating.AT_RISK:
        reasons.append("owner says at risk")
    if drifting:
        reasons.append(f"no update for {rules.drift_days}+ days")
    if reasons:
        return BragResult(Brag.AMBER, tuple(reasons), False, 0, due_soon, drifting, False)
    return BragResult(Brag.GREEN, ("on course",))
