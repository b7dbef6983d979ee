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
        # Quarters of the financial year, as public bodies write targets: their last day.
        ("Jun-27", date(2027, 6, 30)),
        ("Sep/27", date(2027, 9, 30)),
        ("March '27", date(2027, 3, 31)),
        ("Q3 2026/27", date(2026, 12, 31)),
        ("q4 2026-27", date(2027, 3, 31)),
        ("2027/28 Q1", date(2027, 6, 30)),
        ("Quarter 2 2027/28", date(2027, 9, 30)),
        ("end of Q4 26/27", date(2027, 3, 31)),
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


# ---------------------------------------------------------------- the first date, then stop

from models.dates import ImpossibleDate, latest_due_date, split_leading_date  # noqa: E402

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "when", "rest"),
    [
        # A number after the date that cannot be its year (it would be past) starts the reason.
        ("1 March 12 schools still to reply", date(2027, 3, 1), "12 schools still to reply"),
        ("1 March 2027 12 schools still to reply", date(2027, 3, 1), "12 schools still to reply"),
        ("31/03/2027 panel moved", date(2027, 3, 31), "panel moved"),
        ("next week chair away", date(2026, 12, 7), "chair away"),
        ("in a fortnight staff away", date(2026, 12, 15), "staff away"),
        ("in 2 fortnights staff away", date(2026, 12, 29), "staff away"),
        ("next Friday 3 schools late", date(2026, 12, 4), "3 schools late"),
        ("end of March 2027", date(2027, 3, 31), ""),
    ],
)
def test_the_first_date_is_read_and_reading_stops_there(text, when, rest) -> None:
    assert split_leading_date(text, TUESDAY) == (when, rest)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next week", date(2026, 12, 7)),  # the Monday of next week
        ("in a fortnight", date(2026, 12, 15)),
        ("in one fortnight", date(2026, 12, 15)),
        ("next fortnight", date(2026, 12, 15)),
    ],
)
def test_weeks_and_fortnights(text, expected) -> None:
    assert read_due_date(text, TUESDAY) == expected


def test_next_week_from_a_sunday_is_the_next_day() -> None:
    assert read_due_date("next week", date(2026, 12, 6)) == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "explained"),
    [
        ("31 Sept 2027", "30 September is the last day of September"),
        ("31/09/2027", "30 September is the last day of September"),
        ("31 April", "30 April is the last day of April"),
        ("30/02/2027", "28 February is the last day of February"),
        ("29/02/2027", "2027 is not a leap year"),
        ("12/31/2027", "there is no month 31"),
        ("0/3/2027", "days start at 1"),
    ],
)
def test_a_day_that_does_not_exist_is_explained(text, explained) -> None:
    with pytest.raises(ImpossibleDate) as e:
        read_due_date(text, TUESDAY)
    assert explained in str(e.value) and ACCEPTED_FORMS in str(e.value)


def test_an_impossible_date_before_a_reason_is_blamed_on_the_date_not_its_first_word() -> None:
    with pytest.raises(ImpossibleDate) as e:
        split_leading_date("31 Sept 2027 survey late", TUESDAY)
    assert "“31 Sept 2027”" in str(e.value)
    assert "30 September is the last day of September" in str(e.value)


@pytest.mark.parametrize("text", ["31/12/2200", "1/1/2032", "in 6 years"])
def test_a_due_date_more_than_five_years_ahead_is_refused_with_the_reason(text) -> None:
    with pytest.raises(DateError) as e:
        read_due_date(text, TUESDAY)
    assert "more than 5 years ahead" in str(e.value)
    assert f"{latest_due_date(TUESDAY):%d/%m/%Y}" in str(e.value)


def test_five_years_ahead_exactly_is_allowed() -> None:
    assert read_due_date("01/12/2031", TUESDAY) == date(2031, 12, 1)


@settings(max_examples=800, deadline=None)
@given(
    st.sampled_from(
        ["1 March", "31/03/2027", "next week", "in a fortnight", "next Friday", "end of March"]
    ),
    st.text(alphabet="abcdefghij 0123456789/-", max_size=30),
)
def test_a_leading_date_is_never_stretched_into_the_past_by_what_follows(date_text, tail) -> None:
    """Whatever reason follows a future date, the date read is not in the past, and the reason
    is what came after the words of the date."""
    try:
        when, rest = split_leading_date(f"{date_text} {tail}", TUESDAY)
    except DateError as e:
        assert "Try" in str(e)
        return
    assert when >= TUESDAY
    assert f"{date_text} {tail}".split()[-len(rest.split()) :] == rest.split() or not rest


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=80))
def test_splitting_any_text_gives_a_date_or_a_helpful_refusal(text: str) -> None:
    try:
        when, rest = split_leading_date(text, TUESDAY)
    except DateError as e:
        assert str(e) and "Try" in str(e)
    else:
        assert isinstance(when, date) and isinstance(rest, str)


@settings(max_examples=500, deadline=None)
@given(st.dates(min_value=date(2026, 12, 1), max_value=date(2040, 12, 31)))
def test_every_due_date_within_five_years_is_accepted_and_none_beyond(d: date) -> None:
    text = f"{d:%d/%m/%Y}"
    if d <= latest_due_date(TUESDAY):
        assert read_due_date(text, TUESDAY) == d
    else:
        with pytest.raises(DateError, match="more than 5 years ahead"):
            read_due_date(text, TUESDAY)
