"""The British date reader: the forms of PRODUCT.md, never month-first, and never a stack trace."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.dates import ACCEPTED_FORMS, DateError, parse_date, read_due_date

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    "text,expected",
    [
        ("31/03/2027", date(2027, 3, 31)),
        ("31-3-27", date(2027, 3, 31)),
        ("31.03.2027", date(2027, 3, 31)),
        ("31 March 2027", date(2027, 3, 31)),
        ("31st March 2027", date(2027, 3, 31)),
        ("31 mar 27", date(2027, 3, 31)),
        ("  31 MARCH   2027 ", date(2027, 3, 31)),
        ("end of March", date(2027, 3, 31)),
        ("end of March 2028", date(2028, 3, 31)),
        ("end of November", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("next Friday", date(2026, 11, 27)),
        ("next Wednesday", date(2026, 12, 2)),
        ("friday", date(2026, 11, 27)),
        ("in 2 weeks", date(2026, 12, 9)),
        ("in two weeks", date(2026, 12, 9)),
        ("in 3 days", date(2026, 11, 28)),
        ("in 1 month", date(2026, 12, 25)),
        ("in 5 working days", date(2026, 12, 2)),
        ("2 weeks from now", date(2026, 12, 9)),
        ("2027-03-31", date(2027, 3, 31)),
        ("1 Jan", date(2027, 1, 1)),
        ("02/03/2027", date(2027, 3, 2)),  # 2 March: day first, always
        ("tomorrow", date(2026, 11, 26)),
        ("today", TODAY),
        ("29 Feb", date(2028, 2, 29)),
    ],
)
def test_reads_british_forms(text: str, expected: date) -> None:
    assert read_due_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["03/31/2027", "12/25/2027", "29/02/2027", "31/04/2027", "00/01/2027"]
)
def test_refuses_month_first_and_impossible_dates(text: str) -> None:
    with pytest.raises(DateError) as e:
        read_due_date(text, TODAY)
    assert "31/03/2027" in str(e.value)


@pytest.mark.parametrize(
    "text", ["31/03/2020", "1 January 2026", "yesterday-ish", "", "banana", "next"]
)
def test_refusals_show_the_accepted_forms(text: str) -> None:
    with pytest.raises(DateError) as e:
        read_due_date(text, TODAY)
    assert ACCEPTED_FORMS in str(e.value)


def test_past_date_is_refused_with_reason() -> None:
    with pytest.raises(DateError, match="in the past"):
        read_due_date("31/03/2020", TODAY)


def test_parse_date_allows_past_dates_for_history() -> None:
    assert parse_date("31/12/2020", TODAY) == date(2020, 12, 31)


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_date_or_a_helpful_refusal(text: str) -> None:
    try:
        d = read_due_date(text, TODAY)
    except DateError as e:
        assert str(e) and "Try" in str(e)
    else:
        assert isinstance(d, date) and d >= TODAY


@settings(max_examples=2000, deadline=None)
@given(
    st.integers(1, 31),
    st.integers(1, 12),
    st.integers(2026, 2035),
    st.sampled_from(["/", "-", "."]),
)
def test_numeric_dates_are_always_day_first(day: int, month: int, year: int, sep: str) -> None:
    text = f"{day}{sep}{month}{sep}{year}"
    try:
        expected = date(year, month, day)
    except ValueError:
        with pytest.raises(DateError):
            parse_date(text, TODAY)
        return
    assert parse_date(text, TODAY) == expected


@settings(max_examples=1000, deadline=None)
@given(st.from_regex(r"(in |next |end of |)[0-9a-z /\-.]{0,20}", fullmatch=True))
def test_date_like_text_never_raises_anything_else(text: str) -> None:
    with contextlib.suppress(DateError):
        parse_date(text, TODAY)
