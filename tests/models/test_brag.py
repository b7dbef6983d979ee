"""BRAG rules of PRODUCT.md, table-driven, with weekends, bank holidays and clock changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from models.brag import Brag, BragRules, rate
from models.schema import Rating, Status


@dataclass
class A:
    status: Status = Status.IN_PROGRESS
    owner_rating: Rating | None = None
    due_date: date | None = date(2027, 3, 31)
    owner_id: int | None = 1
    last_update_at: datetime = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday


CASES = [
    # (description, action, now, expected)
    (
        "signed off is blue even if overdue",
        A(status=Status.SIGNED_OFF, due_date=date(2020, 1, 1)),
        NOW,
        Brag.BLUE,
    ),
    (
        "complete awaiting sign-off is green",
        A(status=Status.COMPLETE, due_date=date(2020, 1, 1)),
        NOW,
        Brag.GREEN,
    ),
    ("cancelled is not rated", A(status=Status.CANCELLED), NOW, Brag.CANCELLED),
    ("no owner is unassigned", A(owner_id=None), NOW, Brag.UNASSIGNED),
    ("no due date is unassigned", A(due_date=None), NOW, Brag.UNASSIGNED),
    ("far off and fresh is green", A(), NOW, Brag.GREEN),
    ("not started and far off is green", A(status=Status.NOT_STARTED), NOW, Brag.GREEN),
    ("past due is red", A(due_date=date(2026, 11, 24)), NOW, Brag.RED),
    ("due today is amber, not red", A(due_date=date(2026, 11, 25)), NOW, Brag.AMBER),
    ("due in 14 days is amber", A(due_date=date(2026, 12, 9)), NOW, Brag.AMBER),
    ("due in 15 days is green", A(due_date=date(2026, 12, 10)), NOW, Brag.GREEN),
    ("owner says off track is red", A(owner_rating=Rating.OFF_TRACK), NOW, Brag.RED),
    ("owner says at risk is amber", A(owner_rating=Rating.AT_RISK), NOW, Brag.AMBER),
    (
        "owner says on track but overdue is red",
        A(owner_rating=Rating.ON_TRACK, due_date=date(2026, 11, 1)),
        NOW,
        Brag.RED,
    ),
    (
        "no update for 30 days is amber (drift)",
        A(last_update_at=NOW - timedelta(days=30)),
        NOW,
        Brag.AMBER,
    ),
    (
        "no update for 29 days is green",
        A(last_update_at=NOW - timedelta(days=29, hours=23)),
        NOW,
        Brag.GREEN,
    ),
    # Due on Saturday 28/11/2026: met by the end of Monday 30/11.
    (
        "due Saturday, seen on Sunday: not yet overdue",
        A(due_date=date(2026, 11, 28)),
        datetime(2026, 11, 29, 12, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Saturday, seen on Monday: not yet overdue",
        A(due_date=date(2026, 11, 28)),
        datetime(2026, 11, 30, 12, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Saturday, seen on Tuesday: overdue",
        A(due_date=date(2026, 11, 28)),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        Brag.RED,
    ),
    # Christmas 2026: Fri 25 Christmas Day, Mon 28 Boxing Day (substitute). Due 25/12 is met by Tue 29/12.
    (
        "due Christmas Day, seen on the Boxing Day bank holiday: not overdue",
        A(due_date=date(2026, 12, 25)),
        datetime(2026, 12, 28, 12, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Christmas Day, seen on Tuesday 29th: not overdue",
        A(due_date=date(2026, 12, 25)),
        datetime(2026, 12, 29, 12, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Christmas Day, seen on Wednesday 30th: overdue",
        A(due_date=date(2026, 12, 25)),
        datetime(2026, 12, 30, 9, tzinfo=UTC),
        Brag.RED,
    ),
    # Early May bank holiday, Monday 4 May 2026.
    (
        "due on the May bank holiday, seen that Tuesday: not overdue",
        A(due_date=date(2026, 5, 4)),
        datetime(2026, 5, 5, 12, tzinfo=UTC),
        Brag.AMBER,
    ),
    # Clock change: BST ends 01:00 UTC on Sunday 25 October 2026. Friday 23rd is a working day.
    (
        "due Fri 23 Oct, at 23:30 UTC on the 23rd (00:30 BST on the 24th): overdue",
        A(due_date=date(2026, 10, 23)),
        datetime(2026, 10, 23, 23, 30, tzinfo=UTC),
        Brag.RED,
    ),
    (
        "due Fri 23 Oct, at 22:59 UTC on the 23rd (23:59 BST): still due today",
        A(due_date=date(2026, 10, 23)),
        datetime(2026, 10, 23, 22, 59, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Mon 26 Oct, at 23:30 UTC on the 26th (GMT, still the 26th): not overdue",
        A(due_date=date(2026, 10, 26)),
        datetime(2026, 10, 26, 23, 30, tzinfo=UTC),
        Brag.AMBER,
    ),
    (
        "due Mon 26 Oct, at 00:30 UTC on the 27th: overdue",
        A(due_date=date(2026, 10, 26)),
        datetime(2026, 10, 27, 0, 30, tzinfo=UTC),
        Brag.RED,
    ),
]


@pytest.mark.parametrize("desc,action,now,expected", CASES, ids=[c[0] for c in CASES])
def test_brag_rules(desc: str, action: A, now: datetime, expected: Brag) -> None:
    assert rate(action, now).brag == expected


def test_amber_window_is_configurable() -> None:
    action = A(due_date=date(2026, 12, 20))  # 25 days away
    assert rate(action, NOW).brag == Brag.GREEN
    assert rate(action, NOW, BragRules(amber_days=30)).brag == Brag.AMBER


def test_drift_window_is_configurable() -> None:
    action = A(last_update_at=NOW - timedelta(days=10))
    assert rate(action, NOW, BragRules(drift_days=7)).brag == Brag.AMBER


def test_complete_is_flagged_awaiting_signoff() -> None:
    r = rate(A(status=Status.COMPLETE), NOW)
    assert r.awaiting_signoff and r.brag == Brag.GREEN


def test_working_days_overdue_skip_weekend_and_bank_holidays() -> None:
    # Due Wed 23/12/2026; deadline 23rd. By Wed 30/12: 24, 29, 30 are working days (25, 28 holidays).
    r = rate(A(due_date=date(2026, 12, 23)), datetime(2026, 12, 30, 12, tzinfo=UTC))
    assert r.overdue and r.working_days_overdue == 3


def test_red_reasons_name_both_causes() -> None:
    r = rate(A(due_date=date(2026, 11, 1), owner_rating=Rating.OFF_TRACK), NOW)
    assert r.brag == Brag.RED
    assert any("overdue" in x for x in r.reasons) and any("off track" in x for x in r.reasons)


def test_a_passed_weekend_due_date_says_when_it_is_really_due() -> None:
    # Due Saturday 28/11/2026; on Sunday it is met by the end of Monday 30/11.
    r = rate(A(due_date=date(2026, 11, 28)), datetime(2026, 11, 29, 12, tzinfo=UTC))
    assert r.reasons == ("due by 30/11/2026 (next working day)",)
    r = rate(A(due_date=date(2026, 11, 28)), datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert r.reasons == ("due today",)
    r = rate(A(due_date=date(2026, 11, 26)), NOW)
    assert r.reasons == ("due in 1 day",)


def test_a_due_date_on_a_bank_holiday_counts_from_the_next_working_day_everywhere() -> None:
    """Due Friday 25/12/2026 (Christmas; Monday 28/12 is the Boxing Day holiday): met by
    Tuesday 29/12, and overdue, reminded and escalated counting from there."""
    from datetime import UTC, date, datetime
    from types import SimpleNamespace

    from jobs.owed import as_of, reminder_reason
    from models.brag import rate
    from models.schema import Status

    due = date(2026, 12, 25)
    a = SimpleNamespace(
        status=Status.IN_PROGRESS,
        owner_rating=None,
        due_date=due,
        owner_id=1,
        last_update_at=datetime(2026, 12, 20, tzinfo=UTC),
    )
    on_29th = rate(a, datetime(2026, 12, 29, 10, tzinfo=UTC))  # type: ignore[arg-type]
    assert not on_29th.overdue and "due today" in on_29th.reasons
    on_4th = rate(a, datetime(2027, 1, 4, 10, tzinfo=UTC))  # type: ignore[arg-type]
    assert on_4th.overdue and on_4th.working_days_overdue == 3  # 30th, 31st, 4th (1st: holiday)
    assert on_4th.reasons[0] == "overdue since 29/12/2026 (due 25/12/2026, not a working day)"
    # The weekly reminder (Monday 4th) counts from the 29th; Tuesday 5th is no reminder day.
    assert reminder_reason(due, date(2026, 12, 29), weekly=False) == "due today"
    assert reminder_reason(due, date(2027, 1, 4)) == "overdue"
    assert as_of(due, date(2027, 1, 4)) == "overdue by 6 days"
    assert reminder_reason(due, date(2027, 1, 5), weekly=False) is None
