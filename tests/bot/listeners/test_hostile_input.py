"""Whatever arrives gets an answer: control characters read the same on SQLite and PostgreSQL,
and a forged Next-page value is told the list expired."""

from __future__ import annotations

import json

import pytest

from bot import ids
from models import actions as ops
from tests.bot.slackapp import SlackDriver
from tests.factories import make_action

OWNER, ADMIN = "U0DESNURS", "U0BUSMGR1"
SORRY = "something went wrong"


@pytest.mark.parametrize(
    "text",
    [
        "review a\x00b",
        "review R-1\x00",
        "actions review a\x00b",
        "show A-1\x00",
        "reviews \x00",
        "\x00",
        "update A-1 on-track a\x00b\x07c",
        "due A-1 31/03/2028 moved\x00",
    ],
)
def test_control_characters_get_an_answer(driver: SlackDriver, session_factory, now, text):
    make_action(session_factory, now)
    out = driver.command(OWNER, text)
    assert out.status == 200
    assert out.responses, "no answer"
    assert SORRY not in out.text


def test_a_note_with_a_nul_is_kept_without_it_on_either_database(
    driver: SlackDriver, session_factory, now
):
    ref = make_action(session_factory, now)
    out = driver.command(OWNER, f"note {ref} spoke to the\x00 school\x1b lead")
    assert "Note added" in out.text
    with session_factory() as s:
        assert ops.get_action(s, ref).latest_progress == "spoke to the school lead"


@pytest.mark.parametrize(
    "value",
    [
        '{"q": "actions all", "o": 1e400}',
        '{"q": "actions all", "o": 1e30}',
        '{"q": "actions all", "o": -5}',
        '{"q": "actions all", "o": "x"}',
        '{"q": "actions all", "o": NaN}',
        '{"q": 7, "o": [1]}',
        "[1, 2]",
        "not json",
    ],
)
def test_a_forged_next_page_value_gets_an_answer(driver: SlackDriver, session_factory, now, value):
    make_action(session_factory, now)
    out = driver.press(ADMIN, ids.BUTTON_NEXT_PAGE, value)
    assert out.status == 200
    assert "That list has expired" in out.text


def test_a_real_next_page_still_pages(driver: SlackDriver, session_factory, now):
    for _ in range(22):
        make_action(session_factory, now)
    out = driver.press(ADMIN, ids.BUTTON_NEXT_PAGE, json.dumps({"q": "actions all", "o": 20}))
    assert "A-21" in out.text and "A-1 " not in out.text
