"""The board's own BRAG key in Slack, end to end against the stand-in: cards, `/lscb actions`
lists, App Home and the digest preview name the ratings as the organisation file does, and Blue
means what it says; typed sign-off asks for evidence of impact or a review date, as the form."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from models import actions as ops
from models.schema import Status
from tests.bot.slackapp import SlackDriver, build
from tests.factories import load_brag_key, make_action

OWNER, CHAIR = "U0DESNURS", "U0QAECCH1"
LATER = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # a Thursday: A-1 (due 01/12) is overdue
KEY = {"red": "Off course", "amber": "Watch", "green": "On course", "blue": "Embedded"}


@pytest.fixture
def keyed(slack, session_factory, org, clock, tmp_path) -> SlackDriver:
    """The app started on an organisation whose file renames the ratings and wants evidence of
    impact for Blue."""
    load_brag_key(session_factory, tmp_path, "impact-evidenced", KEY)
    return SlackDriver(build(slack, session_factory, clock), slack, clock)


def action(sf, ref):
    with sf() as s:
        a = ops.get_action(s, ref)
        s.expunge(a)
        return a


def test_cards_lists_and_home_use_the_boards_names(keyed, session_factory, now):
    late = make_action(session_factory, now, due=date(2026, 12, 1))
    keyed.clock.set(LATER)

    card = keyed.command(OWNER, f"show {late}").text
    assert "Off course" in card and "Red" not in card

    listed = keyed.command(OWNER, "actions overdue").text
    assert "1–1 of 1 · \U0001f534 Off course 1" in listed

    home = json.dumps(keyed.open_home(OWNER), ensure_ascii=False)
    assert ":red_circle: Off course" in home and "Red" not in home


def test_signed_off_without_impact_is_green_under_the_boards_names(keyed, session_factory, now):
    pending = make_action(session_factory, now, status=Status.COMPLETE)
    embedded = make_action(session_factory, now, status=Status.COMPLETE)
    card = keyed.command(CHAIR, f"signoff {pending} review in 6 months").text
    assert "to be reviewed on 25/05/2027" in card
    assert "On course" in card and "impact not yet evidenced" in card and "Embedded" not in card
    card = keyed.command(CHAIR, f"signoff {embedded} re-audit of 20 files: all right").text
    assert "Embedded" in card and "Blue" not in card
    assert action(session_factory, embedded).evidence_of_impact == "re-audit of 20 files: all right"

    preview = keyed.command(CHAIR, "digest committee QAEC").text
    assert "Embedded 1" in preview and "On course 1" in preview and "Blue" not in preview

    # A review's list of its actions (each action here has a review of its own).
    listed = keyed.command(CHAIR, "review R-1").text
    assert f"{pending} ·" in listed and "\U0001f7e2 On course 1" in listed
    listed = keyed.command(CHAIR, "review R-2").text
    assert f"{embedded} ·" in listed and "\U0001f535 Embedded 1" in listed


def test_without_a_key_the_card_says_red(driver, session_factory, now):
    late = make_action(session_factory, now, due=date(2026, 12, 1))
    driver.clock.set(LATER)
    assert ":red_circle: Red" in json.dumps(driver.command(OWNER, f"show {late}").blocks)


@pytest.mark.parametrize("typed", ["", "review", "check on"])
def test_a_typed_sign_off_with_neither_evidence_nor_a_date_changes_nothing(
    driver, session_factory, now, typed
):
    ref = make_action(session_factory, now, status=Status.COMPLETE)
    out = driver.command(CHAIR, f"signoff {ref} {typed}")
    said = " ".join(out.text.split())
    assert f"/lscb signoff {ref} <evidence of impact>" in said
    assert f"/lscb signoff {ref} review <date>" in said
    assert [r.payload.get("response_type", "ephemeral") for r in out.responses] == ["ephemeral"]
    assert action(session_factory, ref).status == Status.COMPLETE


def test_a_typed_review_date_is_read_as_due_dates_are(driver, session_factory, now):
    a = make_action(session_factory, now, status=Status.COMPLETE)
    b = make_action(session_factory, now, status=Status.COMPLETE)
    c = make_action(session_factory, now, status=Status.COMPLETE)
    out = driver.command(CHAIR, f"signoff {a} re-audit in 6 months")
    assert "to be reviewed on 25/05/2027" in out.text
    assert action(session_factory, a).impact_review_on == date(2027, 5, 25)
    driver.command(CHAIR, f"signoff {b} review end of March")
    assert action(session_factory, b).impact_review_on == date(2027, 3, 31)

    # A day that does not exist, or has passed, is refused: it was meant as a date.
    out = driver.command(CHAIR, f"signoff {c} review 31/02/2027")
    assert "not a real date" in out.text
    out = driver.command(CHAIR, f"signoff {c} review 01/11/2026")
    assert "not after today" in out.text
    assert action(session_factory, c).status == Status.COMPLETE


def test_help_shows_both_ways_to_sign_off(driver):
    text = " ".join(driver.command(CHAIR, "help").text.split())
    assert "/lscb signoff A-12 <evidence of impact>" in text
    assert "/lscb signoff A-12 review <date>" in text
