"""What a line of an index states: owner, due date, lead agency, committee, whether it is done."""

from __future__ import annotations

import re
from datetime import date

from models.dates import (
    _MONTH_RE,
    END_OF,
    MONTHS,
    QUARTER_FIRST,
    YEAR_FIRST,
    DateError,
    from_excel_serial,
    parse_date,
)

_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH_RE})\b\.?,?\s+(\d{{4}})\b", re.I
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\b\.?,?\s+(\d{{4}})\b", re.I)


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


_END_OF = re.compile(END_OF.pattern, re.I)
# A financial-year quarter within a cell ("by Q3 2026/27"): with its year only, so that a
# quarter named in passing ("Q3 report") is not taken for a date.
_QUARTERS = (
    re.compile(rf"\b{QUARTER_FIRST.pattern}", re.I),
    re.compile(rf"\b{YEAR_FIRST.pattern}", re.I),
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def read_date(text: str, today: date) -> tuple[date | None, str | None]:
    """A date a document states, read by the same reader as `/lscb due` (day first; "March
    2024" is its last day; "end of March"; an Excel date serial), with what was wrong if none.

    Returns (date, None), (None, "is not a real date") or (None, "could not be read as a date").
    """
    t = " ".join(text.split())
    if not t:
        return None, None
    if _SERIAL.fullmatch(t):
        found = from_excel_serial(float(t))
        return (found, None) if found else (None, "could not be read as a date")
    candidates = [t]
    for rx in (_ISO, _NUMERIC, _DAY_MONTH, _END_OF, _MONTH_YEAR):
        m = rx.search(t)
        if m:
            candidates.append(m.group(0))
    for rx in _QUARTERS:
        m = rx.search(t)
        if m and re.search(r"\d{2}\s*[/-]\s*\d{2}", m.group(0)):
            candidates.append(m.group(0).lower())
    for candidate in candidates:
        try:
            return parse_date(candidate, today), None
        except DateError:
            continue
    if len(candidates) > 1 and not _END_OF.search(t):
        return None, "is not a real date"
    return None, "could not be read as a date"


def parse_due(text: str, today: date | None = None) -> date | None:
    """An absolute date, read day first (31/12/2020, 31 Dec 2020); a bare month means its last day."""
    return read_date(text, today or date(2000, 1, 1))[0]


def parse_month(text: str) -> date | None:
    """The month a date line names ("Report to LSCB NOVEMBER 2016" -> 2016-11-01)."""
    m = _DAY_MONTH.search(text)
    if m:
        return date(int(m[3]), MONTHS[m[2].lower()], 1)
    m = _MONTH_YEAR.search(text)
    if m:
        return date(int(m[2]), MONTHS[m[1].lower()], 1)
    m = _NUMERIC.search(text)
    if m:
        try:
            return date(_year(m[3]), int(m[2]), 1)
        except ValueError:
            return None
    return None


# "(Owner: Designated Nurse; Due: 31/12/2020)": key/value statements inside or outside brackets.
_KEYS = {
    "owner": "owner",
    "lead officer": "owner",
    "responsible officer": "owner",
    "responsible": "owner",
    "due": "due",
    "due date": "due",
    "target date": "due",
    "target": "due",
    "deadline": "due",
    "by": "due",
    "timescale": "due",
    "lead agency": "lead_agency",
    "agency": "lead_agency",
    "lead": "lead_agency",
    "committee": "committee",
    "accountable committee": "committee",
}
_KEY_RE = "|".join(sorted((re.escape(k) for k in _KEYS), key=len, reverse=True))
_STATEMENT = re.compile(rf"\b({_KEY_RE})\s*:\s*([^;)\n]*[^;)\s])", re.I)
_BRACKETED = re.compile(rf"\s*\(\s*(?:(?:{_KEY_RE})\s*:[^;)]*;?\s*)+\)\s*$", re.I)

_COMMITTEE = re.compile(
    r"(?<![\w&])(?:(?:[A-Z][\w’'\-]*|&)\s+){0,8}"
    r"(?:Committee|Sub[- ]?[Gg]roup|Subgroup|Group|Panel|Partnership Board)\b"
    r"(?:\s*\([A-Z][A-Za-z&]{1,10}\))?"
)

# Wording that reports the activity as already done, and wording that says it is not.
_DONE = re.compile(
    r"\b(?:has|have)\s+been\s+\w+(?:ed|en|t)\b"
    r"|\b(?:has|have)\s+(?:given|developed|produced|published|delivered|completed|launched|"
    r"implemented|written|issued|updated|revised|agreed)\b"
    r"|\bdeveloped\s+and\s+delivered\b"
    r"|\bdelivered\b|\bdisseminated\b|\bcirculated\b"
    r"|\bpresented\s+to\b|\bpresentation\s+to\b|\buploaded\s+to\b"
    r"|\bincorporated\s+into\b|\bincluded\s+in\b|\bundertaken\b|\bcaptured\b"
    r"|\bpublished\b|\blaunched\b",
    re.I,
)
_NOT_DONE = re.compile(
    r"\b(?:will|to)\s+be\b|\bcurrently\s+being\b|\bis\s+being\b|\bare\s+being\b|\bongoing\b"
    r"|\bplanned\b|\btaking\s+place\b|\bnot\s+yet\s+(?:been|started|complete)|\bin\s+progress\b|\bto\s+(?:develop|deliver|"
    r"review|produce|agree|consider)\b",
    re.I,
)


# A target written at the end of an activity, with no "Due:" label: "… – by 31/03/2027",
# "… by end of June 2027", "… – Q4 2026/27", "… (by March 2027)".
_DATEISH = (
    r"(?:q[1-4]|quarter\s+[1-4])\s*,?\s*\d{2,4}\s*[/-]\s*\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}\.?,?\s+\d{2,4}"
    r"|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{4}}"
)
_TRAILING_DUE = re.compile(
    r"(?:(?:\b(?:by|before|no\s+later\s+than|due(?:\s+by)?|target(?:\s+date)?)\s*:?\s+|[–—-]\s*)"
    rf"(?P<a>(?:the\s+)?end\s+of\s+(?:{_MONTH_RE}|q[1-4])\.?(?:\s+\d{{2,4}}(?:\s*[/-]\s*\d{{2,4}})?)?|{_DATEISH})"
    rf"|\b(?P<b>(?:the\s+)?end\s+of\s+(?:{_MONTH_RE}|q[1-4])\.?(?:\s+\d{{2,4}}(?:\s*[/-]\s*\d{{2,4}})?)?))"
    r"\s*\)?\s*\.?\s*$",
    re.I,
)


def trailing_due(text: str) -> str | None:
    """The target an activity's wording ends with, as written, or None."""
    m = _TRAILING_DUE.search(" ".join(text.split()))
    if m is None:
        return None
    return m["a"] or m["b"]


def statements(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for m in _STATEMENT.finditer(text):
        key = _KEYS[m[1].lower()]
        found.setdefault(key, m[2].strip())
    return found


def strip_statements(text: str) -> str:
    """Drop a trailing "(Owner: …; Due: …)" once its contents have been read into fields."""
    return _BRACKETED.sub("", text).strip() or text


def committee_named(text: str) -> str | None:
    m = _COMMITTEE.search(text)
    return m.group(0).strip() if m else None


def is_delivered(text: str) -> bool:
    return bool(_DONE.search(text)) and not _NOT_DONE.search(text)


_CONFIDENTIAL = re.compile(
    r"(?:can\s*not|can't|cannot|could\s+not|unable\s+to)\s+be\s+(?:shared|published|disclosed|released)"
    r"|\bnot\s+(?:be\s+)?(?:shared|published|disclosed)\s+at\s+this\s+time\b"
    r"|\bconfidential\b|\bembargoed\b|\bredacted\b",
    re.I,
)


def is_confidential(overview: str) -> bool:
    return bool(_CONFIDENTIAL.search(overview))
