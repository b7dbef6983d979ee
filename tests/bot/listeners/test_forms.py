"""Buttons open forms; a bad value is shown beside its field and nothing changes."""

from __future__ import annotations

import json

from bot import ids
from models import actions as ops
from models.schema import Status
from tests.bot.slackapp import SlackDriver
from tests.factories import make_action

OWNER, CHAIR, STRANGER = "U0DESNURS", "U0QAECCH1", "U0STRANGR"


def state(sf, ref):
    with sf() as s:
        a = ops.get_action(s, ref)
        return a.status, a.due_date, a.latest_progress, a.version


def test_update_button_opens_a_form_that_saves_and_confirms(
    driver: SlackDriver, session_factory, now
):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_UPDATE, ref)
    form = driver.open_form(OWNER)
    assert form["callback_id"] == ids.MODAL_UPDATE
    meta = json.loads(form["private_metadata"])
    assert meta["ref"] == ref and isinstance(meta["version"], int)
    out = driver.submit(OWNER, {"word": "off-track", "note": "lead left"})
    assert out.status == 200 and out.ack == {}
    assert "A-1 updated" in out.text
    assert state(session_factory, ref)[2] == "lead left"


def test_each_form_button_saves(driver: SlackDriver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_NOTE, ref)
    driver.submit(OWNER, {"text": "training booked"})
    driver.press(OWNER, ids.BUTTON_DUE, ref)
    driver.submit(OWNER, {"when": "30/04/2027", "reason": "trainer ill"})
    assert str(state(session_factory, ref)[1]) == "2027-03-31"  # asked for, not yet in force
    driver.press(CHAIR, ids.BUTTON_APPROVE_DUE, ref)
    driver.press(OWNER, ids.BUTTON_DONE, ref)
    driver.submit(OWNER, {"evidence": "all staff trained"})
    status, due, progress, _ = state(session_factory, ref)
    assert (status, str(due), progress) == (Status.COMPLETE, "2027-04-30", "training booked")
    driver.press(CHAIR, ids.BUTTON_SIGNOFF, ref)
    driver.submit(CHAIR, {"impact": "audit shows use"})
    assert state(session_factory, ref)[0] == Status.SIGNED_OFF


def test_a_bad_date_is_shown_beside_the_field_and_nothing_changes(driver, session_factory, now):
    ref = make_action(session_factory, now)
    before = state(session_factory, ref)
    driver.press(OWNER, ids.BUTTON_DUE, ref)
    out = driver.submit(OWNER, {"when": "someday", "reason": "why not"})
    assert out.ack["response_action"] == "errors"
    assert "couldn't read" in out.ack["errors"]["when"]
    out = driver.submit(OWNER, {"when": "1/1/2020", "reason": "why not"})
    assert "past" in out.ack["errors"]["when"]
    assert state(session_factory, ref) == before
    assert driver.slack.open_modal(OWNER) is not None  # still open for another try


def test_a_stale_form_is_refused_naming_who_changed_it(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_NOTE, ref)
    with session_factory.begin() as s:
        chair = ops.actor_for_slack_id(s, CHAIR)
        ops.add_note(s, chair, ref, text="chair chased", now=now)
    out = driver.submit(OWNER, {"text": "my note"})
    assert out.ack["response_action"] == "update"
    shown = json.dumps(out.ack["view"])
    assert "changed by Dr Helen Carter just now" in shown
    assert state(session_factory, ref)[2] == "chair chased"


def test_buttons_refuse_those_not_allowed_and_say_why(driver, session_factory, now):
    ref = make_action(session_factory, now, status=Status.COMPLETE)
    out = driver.press(OWNER, ids.BUTTON_SIGNOFF, ref)
    assert "Owners cannot sign off" in out.text
    assert driver.slack.open_modal(OWNER) is None
    assert "owned by Priya Shah" in driver.press(STRANGER, ids.BUTTON_NOTE, ref).text


def test_open_button_shows_the_card(driver, session_factory, now):
    ref = make_action(session_factory, now)
    out = driver.press(OWNER, ids.BUTTON_SHOW, ref)
    assert "Issue bruising guidance" in out.text


def test_add_form_checks_fields_then_adds(driver, session_factory, now):
    admin = "U0BUSMGR1"
    make_action(session_factory, now)  # R-1 exists
    driver.command(admin, "add")
    form = driver.open_form(admin)
    bad = driver.submit(admin, {"text": "Audit", "due_date": "31/02/2027"}, view=form)
    assert "due_date" in bad.ack["errors"]
    bad = driver.submit(admin, {"text": "Audit", "review": "R-99"}, view=form)
    assert "review" in bad.ack["errors"]
    out = driver.submit(
        admin,
        {
            "text": "Audit bruising",
            "review": "R-1",
            "owner": "U0NEWBIE1",
            "committee": "QAEC",
            "due_date": "end of March 2027",
        },
        view=form,
    )
    assert out.ack == {} and "Added A-2" in out.text
    with session_factory() as s:
        a = ops.get_action(s, "A-2")
        assert a.owner is not None and a.committee is not None
        assert (a.owner.name, a.committee.code, str(a.due_date)) == (
            "Nia Newcomer",
            "QAEC",
            "2027-03-31",
        )


def test_app_home_shows_my_actions_and_my_committees(driver, session_factory, now):
    ref = make_action(session_factory, now)
    done = make_action(session_factory, now, owner="U0POLICE1", status=Status.COMPLETE)
    home = driver.open_home(OWNER)
    text = json.dumps(home)
    assert home["type"] == "home" and ref in text and done not in text
    chair_home = json.dumps(driver.open_home(CHAIR))
    assert "QAEC" in chair_home and "Needs your sign-off" in chair_home and done in chair_home
    # A form opened from Home republishes it on save.
    driver.press(OWNER, ids.BUTTON_NOTE, ref, from_home=True)
    driver.submit(OWNER, {"text": "from home"})
    assert len(driver.slack.calls_to("views.publish")) == 3


def test_a_chairs_home_shows_the_digests_sections_each_action_once(driver, session_factory, now):
    from datetime import date, timedelta

    from models import actions as ops
    from tests.conftest import actor

    long_ago = now - timedelta(days=60)
    concern = make_action(session_factory, long_ago, due=date(2026, 11, 2))  # overdue too
    overdue = make_action(session_factory, long_ago, due=date(2026, 11, 9))
    soon = make_action(session_factory, now, due=date(2026, 12, 4))
    moved = make_action(session_factory, long_ago, due=date(2027, 3, 31))
    stale = make_action(session_factory, long_ago, due=date(2027, 6, 30))
    with session_factory.begin() as s:
        ops.update(s, actor(session_factory, OWNER), concern, word="at-risk", now=now)
        ops.change_due(
            s, actor(session_factory, CHAIR), moved, when="30/04/2027", reason="x", now=now
        )
    home = driver.open_home(CHAIR)
    texts = [b["text"]["text"] for b in home["blocks"] if b.get("type") == "section"]
    where = {}
    heading = None
    for x in texts:
        if x.startswith("*") and " (" in x and not x.startswith("*A-"):
            heading = x.strip("*").split("* (")[0]
        for ref in (concern, overdue, soon, moved, stale):
            if f"*{ref}*" in x:
                assert ref not in where
                where[ref] = heading
    assert where == {
        concern: "Off track or at risk",
        overdue: "Overdue",
        soon: "Due in the next 14 days",
        moved: "Dates moved since 18/11/2026",
        stale: "No update for 30 days",
    }
