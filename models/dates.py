"""Reading due dates the British way: day before month, never month-first."""

from __future__ import annotations

import calendar as _cal
import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from models.errors import typed

ACCEPTED_FORMS = "31/03/2027, 31-3-27, 31 March 2027, end of March, next Friday or in 2 weeks"
# A due date further ahead than this is almost always a typing slip (31/12/2200).
MAX_YEARS_AHEAD = 5

MONTHS: dict[str, int] = {}
for _i, _name in enumerate(_cal.month_name):
    if _i:
        MONTHS[_name.lower()] = _i
        MONTHS[_name[:3].lower()] = _i
MONTHS["sept"] = 9

WEEKDAYS: dict[str, int] = {}
for _i, _name in enumerate(_cal.day_name):
    WEEKDAYS[_name.lower()] = _i
    WEEKDAYS[_name[:3].lower()] = _i
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NUM_RE = r"\d{1,3}|" + "|".join(NUMBER_WORDS)

NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})")
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
DAY_MONTH = re.compile(
    rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH_RE})\.?(?:,?\s+(\d{{4}}|\d{{2}}))?"
)
MONTH_DAY = re.compile(rf"({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?")
END_OF = re.compile(
    rf"(?:the\s+)?end\s+of\s+(?:(?:the\s+)?(next|this)\s+)?({_MONTH_RE}|month|year|quarter)\.?(?:\s+(\d{{4}}))?"
)
MONTH_YEAR = re.compile(rf"({_MONTH_RE})\.?\s+(\d{{4}})")
# As a spreadsheet shows a month: "Jun-27", "Sep/26", "March '27" (the month's last day).
MONTH_SHORT_YEAR = re.compile(rf"({_MONTH_RE})\.?\s*(?:[-/]|\s')\s*(\d{{2}})")
WEEKDAY = re.compile(rf"(?:(next|this|on)\s+)?({_DAY_RE})")
IN_N = re.compile(rf"in\s+({_NUM_RE})\s+(day|working day|week|fortnight|month|year)s?")
NEXT_UNIT = re.compile(r"(next|this) (week|fortnight)")
N_FROM_NOW = re.compile(rf"({_NUM_RE})\s+(day|week|month|year)s?\s+(?:from\s+(?:now|today)|time)")


# A quarter of the financial year, as public bodies write a target: "Q3 2026/27", "2026/27 Q3",
# "Quarter 3 2026-27", "end of Q4 26/27", or "Q2" alone (the next one to end). Its last day.
_FY = r"(\d{4}|\d{2})\s*[/-]\s*(\d{2}|\d{4})"
_Q = r"(?:q|quarter)\s*([1-4])"
_END = r"(?:(?:the\s+)?end\s+of\s+)?"
QUARTER_FIRST = re.compile(rf"{_END}{_Q}(?:\s*,?\s*(?:of\s+)?{_FY})?")
YEAR_FIRST = re.compile(rf"{_END}{_FY}\s*,?\s*{_Q}")


class DateError(ValueError):
    """A date that cannot be used; the message says why and shows the accepted forms."""


class ImpossibleDate(DateError):
    """Written as a date, but no such day exists (31 September, 29/02/2027)."""


def _year(text: str | None, default: int) -> int:
    if text is None:
        return default
    y = int(text)
    return 2000 + y if y < 100 else y


def _number(text: str) -> int:
    return NUMBER_WORDS[text] if text in NUMBER_WORDS else int(text)


def _safe_date(y: int, m: int, d: int, original: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ImpossibleDate(
            f"{_why_impossible(y, m, d, original)} Try {ACCEPTED_FORMS}."
        ) from None


def _why_impossible(y: int, m: int, d: int, original: str) -> str:
    """Say what is wrong with a day that does not exist, in the words a person would use."""
    quoted = f"“{typed(original)}”"
    if not 1 <= m <= 12:
        return (
            f"{quoted} is not a real date: there is no month {m} "
            "(dates are read day first: 31/03/2027)."
        )
    month = _cal.month_name[m]
    if d < 1:
        return f"{quoted} is not a real date: days start at 1."
    last = _cal.monthrange(y if 1 <= y <= 9999 else 2000, m)[1]
    if m == 2 and d == 29:
        return f"{quoted} is not a real date: {y} is not a leap year, so February ends on the 28th."
    if d > 31 or d > last:
        return f"{quoted} is not a real date: {last} {month} is the last day of {month}."
    return f"{quoted} is not a real date (dates are read day first: 31/03/2027)."


def _quarter_end(
    number: int, first: str | None, second: str | None, today: date, original: str
) -> date:
    """The last day of quarter `number` of the financial year `first`/`second` (2026/27), or
    of the next such quarter to end when no year is given."""
    from models.quarters import Quarter

    if first is None or second is None:
        q = Quarter.of(today)
        while q.number != number:
            q = q.next
        return q.end
    start = int(first) if len(first) == 4 else 2000 + int(first)
    if int(second[-2:]) != (start + 1) % 100:
        raise DateError(
            f"“{typed(original, 60)}”: a financial year runs from one year into the next "
            f"({start}/{(start + 1) % 100:02d}); give a quarter as Q3 2026/27."
        )
    return Quarter(start, number).end


def _end_of_month(y: int, m: int) -> date:
    return date(y, m, _cal.monthrange(y, m)[1])


def _upcoming(candidate_for_year, today: date) -> date:  # type: ignore[no-untyped-def]
    """With no year given, the next occurrence that is not in the past."""
    for year in range(today.year, today.year + 9):
        try:
            d: date = candidate_for_year(year)
        except DateError:
            continue  # 29 February outside a leap year
        if d >= today:
            return d
    raise DateError(f"No such date is coming up. Try {ACCEPTED_FORMS}.")


def parse_date(text: str, today: date) -> date:
    """Read a date written the British way; raise DateError with a helpful message."""
    original = (text or "").strip()
    s = re.sub(r"\s+", " ", original.lower()).strip().rstrip(".")
    if not s:
        raise DateError(f"A date is needed. Try {ACCEPTED_FORMS}.")
    if len(s) > 60:
        raise DateError(f"That is too long to be a date. Try {ACCEPTED_FORMS}.")

    if s == "today":
        return today
    if s == "tomorrow":
        return today + timedelta(days=1)

    if m := NEXT_UNIT.fullmatch(s):
        monday = today - timedelta(days=today.weekday())
        if m[2] == "fortnight":  # "next fortnight" / "this fortnight": two weeks on
            return today + timedelta(days=14)
        # "next week" is the Monday of next week; "this week", the Friday of this one.
        return monday + timedelta(days=7) if m[1] == "next" else monday + timedelta(days=4)

    if m := ISO.fullmatch(s):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]), original)

    if m := NUMERIC.fullmatch(s):
        day, month = int(m[1]), int(m[2])
        return _safe_date(_year(m[3], today.year), month, day, original)

    if m := DAY_MONTH.fullmatch(s):
        day, month = int(m[1]), MONTHS[m[2]]
        _safe_date(2000, month, day, original)  # validates day/month (2000 is a leap year)
        if m[3] is None:
            return _upcoming(lambda y: _safe_date(y, month, day, original), today)
        return _safe_date(_year(m[3], today.year), month, day, original)

    if m := MONTH_DAY.fullmatch(s):
        day, month = int(m[2]), MONTHS[m[1]]
        _safe_date(2000, month, day, original)
        if m[3] is None:
            return _upcoming(lambda y: _safe_date(y, month, day, original), today)
        return _safe_date(int(m[3]), month, day, original)

    if m := END_OF.fullmatch(s):
        which, unit, year_text = m[1], m[2], m[3]
        if unit == "month":
            base = today + relativedelta(months=1) if which == "next" else today
            return _end_of_month(base.year, base.month)
        if unit == "year":
            return date(today.year + (1 if which == "next" else 0), 12, 31)
        if unit == "quarter":
            q_end_month = 3 * ((today.month - 1) // 3) + 3
            d = _end_of_month(today.year, q_end_month)
            if which == "next":
                d = d + relativedelta(months=3)
                d = _end_of_month(d.year, d.month)
            return d
        month = MONTHS[unit]
        if year_text:
            return _end_of_month(int(year_text), month)
        return _upcoming(lambda y: _end_of_month(y, month), today)

    if m := MONTH_YEAR.fullmatch(s):
        return _end_of_month(int(m[2]), MONTHS[m[1]])
    if m := MONTH_SHORT_YEAR.fullmatch(s):
        return _end_of_month(2000 + int(m[2]), MONTHS[m[1]])

    if m := QUARTER_FIRST.fullmatch(s):
        return _quarter_end(int(m[1]), m[2], m[3], today, original)
    if m := YEAR_FIRST.fullmatch(s):
        return _quarter_end(int(m[3]), m[1], m[2], today, original)

    if m := WEEKDAY.fullmatch(s):
        target = WEEKDAYS[m[2]]
        ahead = (target - today.weekday()) % 7
        if m[1] == "next" and ahead == 0:
            ahead = 7
        if m[1] != "next" and ahead == 0:
            return today
        return today + timedelta(days=ahead)

    if (m := IN_N.fullmatch(s)) or (m := N_FROM_NOW.fullmatch(s)):
        n, unit = _number(m[1]), m[2]
        if n > 520:
            raise DateError(f"“{typed(original, 60)}” is too far ahead. Try {ACCEPTED_FORMS}.")
        if unit == "working day":
            from models.calendar import add_working_days

            return add_working_days(today, n)
        delta = {
            "day": relativedelta(days=n),
            "week": relativedelta(weeks=n),
            "fortnight": relativedelta(weeks=2 * n),
            "month": relativedelta(months=n),
            "year": relativedelta(years=n),
        }[unit]
        return today + delta

    raise DateError(f"I couldn't read “{typed(original, 60)}” as a date. Try {ACCEPTED_FORMS}.")


def read_due_date(text: str, today: date) -> date:
    """A new due date: readable, and today or later."""
    d = parse_date(text, today)
    if d < today:
        raise DateError(
            f"{d:%d/%m/%Y} is in the past; a due date must be today or later. Try {ACCEPTED_FORMS}."
        )
    limit = latest_due_date(today)
    if d > limit:
        raise DateError(
            f"{d:%d/%m/%Y} is more than {MAX_YEARS_AHEAD} years ahead: a due date must be on or "
            f"before {limit:%d/%m/%Y}, so that it can be tracked. Try {ACCEPTED_FORMS}."
        )
    return d


def latest_due_date(today: date) -> date:
    return today + relativedelta(years=MAX_YEARS_AHEAD)


def split_leading_date(text: str, today: date, max_words: int = 6) -> tuple[date, str]:
    """Read the date at the start of `text` and return it with the rest (a reason, say).

    The first date is taken and reading stops there. The longest leading run of words that
    reads as a date wins, so "next Friday" is not read as "Friday" followed by "next"; but a
    longer run that would be a past date gives way to a shorter one that is not ("1 March 12
    schools still to reply" is 1 March, then the reason, not 1 March 2012). A run written as a
    date that does not exist ("31 Sept 2027") is explained as such.
    """
    words = (text or "").split()
    if not words:
        raise DateError(f"A date is needed. Try {ACCEPTED_FORMS}.")
    found: list[tuple[date, int]] = []
    impossible: ImpossibleDate | None = None
    for n in range(min(max_words, len(words)), 0, -1):
        try:
            found.append((parse_date(" ".join(words[:n]), today), n))
        except ImpossibleDate as e:
            impossible = impossible or e
        except DateError:
            continue
    if found:
        not_past = [(d, n) for d, n in found if d >= today]
        d, n = (not_past or found)[0]
        if impossible is not None and not not_past:
            raise impossible
        return d, " ".join(words[n:])
    if impossible is not None:
        raise impossible
    return parse_date(words[0], today), " ".join(words[1:])  # raises the reader's own message


# Excel counts days from 30 December 1899 (its 1900 leap-year bug included): 45382 is 31/03/2024.
_EXCEL_EPOCH = date(1899, 12, 30)


def from_excel_serial(value: float) -> date | None:
    """A spreadsheet's date serial as a date; None for a number that cannot be one
    (before 1950 or after 2200: a count or a reference, not a date)."""
    if not 18264 <= value <= 109574:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(value))
