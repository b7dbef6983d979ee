"""Local dates and working days: England and Wales, weekends and bank holidays skipped."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # England and Wales share one list of bank holidays ("ENG" covers both here).
    return holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2061))


def local_date(now: datetime, tz: ZoneInfo = LONDON) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int) -> date:
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


@lru_cache(maxsize=1)
def _weekday_holidays() -> list[date]:
    return sorted(d for d in _bank_holidays() if d.weekday() < 5)


def _weekdays_upto(day: date) -> int:
    """Weekdays from a fixed Monday epoch up to and including `day`."""
    days = (day - date(2000, 1, 3)).days + 1
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    hols = _weekday_holidays()
    hol_count = bisect_right(hols, end) - bisect_right(hols, start)
    return _weekdays_upto(end) - _weekdays_upto(start) - hol_count


def first_working_day_of_quarter(day: date) -> date:
    q_month = 3 * ((day.month - 1) // 3) + 1
    return next_working_day(date(day.year, q_month, 1))
