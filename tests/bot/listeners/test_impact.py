"""Evidence of impact, end to end against the stand-in: the measure planned, sign-off with a
date to review the impact, the chair's message on that day with Record impact / Set a new
review date, the digest's "Impact reviews due", and the board paper from Slack."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import docx
from slack_sdk import WebClient

from bot import ids
from jobs.runner import run_job
from models import actions as ops
from models.brag import BragRules
from models.clock import FixedClock
from models.schema import Status
from tests.bot.slackapp import QAEC_CHANNEL, TOKEN, SlackDriver
from tests.factories import make_action

OWNER, CHAIR, ADMIN, STRANGER = "U0DESNURS", "U0QAECCH1", "U0BUSMGR1", "U0STRANGR"
REVIEW_DAY = datetime(2026, 12, 16, 9, 0, tzinfo=UTC)  # three weeks after 25/11/2026


def action(sf, ref):
    with sf() as s:
        a = ops.get_action(s, ref)
        s.expunge(a)
        return a


def jobs(driver: SlackDriver, sf, name: str, when: datetime):
    client = WebClient(token=TOKEN, base_url=driver.slack.base_url)
    return run_job(name, sf, client, FixedClock(when), BragRules())


def chair_messages(slack) -> list:
    return [m for m in slack.messages(user=CHAIR) if not m.thread_ts and not m.ephemeral]


def buttons(message) -> list[tuple[str, str, str]]:
    return [
        (e["action_id"], e["text"]["text"], e["value"])
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_measure_is_planned_by_command_and_shown_on_the_card(driver, session_factory, now):
    ref = make_action(session_factory, now)
    out = driver.command(OWNER, f"measure {ref} Re-audit 20 bruising referrals in six months")
    assert "how we will know it worked is recorded" in out.text
    assert "Re-audit 20 bruising referrals" in driver.command(OWNER, f"show {ref}").text
    refused = driver.command(STRANGER, f"measure {ref} <!channel> nothing")
    assert "only its owner, the chair of QAEC or an admin" in refused.text
    assert action(session_factory, ref).measure == "Re-audit 20 bruising referrals in six months"
    assert "needed" in driver.command(OWNER, f"measure {ref}").text


def test_the_add_form_asks_how_we_will_know_it_worked(driver, session_factory, now):
    driver.command(ADMIN, "add")
    form = driver.open_form(ADMIN)
    assert "measure" in [b.get("block_id") for b in form["blocks"]]
    out = driver.submit(ADMIN, {"text": "Train GPs", "measure": "Audit 30 GP referrals"})
    assert out.status == 200
    assert action(session_factory, "A-1").measure == "Audit 30 GP referrals"


def test_sign_off_asks_for_evidence_of_impact_or_a_review_date(driver, session_factory, now):
    ref = make_action(session_factory, now, status=Status.COMPLETE)
    driver.press(CHAIR, ids.BUTTON_SIGNOFF, ref)
    out = driver.submit(CHAIR, {})
    assert "evidence of impact, or a date to review it" in out.ack["errors"]["impact"]
    out = driver.submit(CHAIR, {"review_on": "last Tuesday"})
    assert "couldn't read" in out.ack["errors"]["review_on"]
    out = driver.submit(CHAIR, {"review_on": "in 3 weeks"})
    assert out.ack == {}
    signed = action(session_factory, ref)
    assert signed.status == Status.SIGNED_OFF and signed.impact_review_on == date(2026, 12, 16)


def test_signoff_command_takes_a_review_date_or_evidence(driver, session_factory, now):
    a = make_action(session_factory, now, status=Status.COMPLETE)
    b = make_action(session_factory, now, status=Status.COMPLETE)
    out = driver.command(CHAIR, f"signoff {a} review in 6 months")
    assert "to be reviewed on 25/05/2027" in out.text
    assert action(session_factory, a).impact_review_on == date(2027, 5, 25)
    driver.command(CHAIR, f"signoff {b} review of 20 cases shows the guidance in use")
    signed = action(session_factory, b)
    assert signed.evidence_of_impact == "review of 20 cases shows the guidance in use"
    assert signed.impact_review_on is None


def test_on_the_review_day_the_chair_gets_the_action_with_its_two_buttons(
    driver, session_factory, now
):
    ref = make_action(session_factory, now, status=Status.COMPLETE)
    driver.command(OWNER, f"measure {ref} Re-audit 20 bruising referrals")
    driver.command(CHAIR, f"signoff {ref} review in 3 weeks")
    assert (
        jobs(driver, session_factory, "reminders", datetime(2026, 12, 15, 9, 0, tzinfo=UTC)).owed
        == 0
    )

    result = jobs(driver, session_factory, "reminders", REVIEW_DAY)
    assert result.ok and result.owed_by_kind == {"impact_review": 1}
    [message] = chair_messages(driver.slack)
    assert buttons(message) == [
        (ids.BUTTON_IMPACT, "Record impact", ref),
        (ids.BUTTON_IMPACT_REVIEW, "Set a new review date", ref),
    ]
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "Re-audit 20 bruising referrals" in shown and "review due 16/12/2026" in shown
    assert jobs(driver, session_factory, "reminders", REVIEW_DAY.replace(hour=10)).owed == 0  # once

    # Set a new review date, from the direct message.
    driver.press(CHAIR, ids.BUTTON_IMPACT_REVIEW, ref, channel=message.channel)
    driver.clock.set(REVIEW_DAY)
    out = driver.submit(CHAIR, {"when": "in 4 weeks", "reason": "audit delayed"})
    assert out.ack == {}
    assert action(session_factory, ref).impact_review_on == date(2027, 1, 13)

    # The digest lists it once its day has come, until the impact is recorded.
    monday = datetime(2027, 1, 18, 9, 0, tzinfo=UTC)
    jobs(driver, session_factory, "digests", monday)
    [digest] = [m for m in driver.slack.messages(channel=QAEC_CHANNEL) if not m.ephemeral]
    assert "Impact reviews due" in json.dumps(digest.blocks, ensure_ascii=False)
    assert "review was due 13/01/2027" in json.dumps(digest.blocks, ensure_ascii=False)

    driver.press(CHAIR, ids.BUTTON_IMPACT, ref, channel=message.channel)
    driver.clock.set(monday)
    out = driver.submit(CHAIR, {"impact": "Bruising referrals up by a fifth"})
    assert out.ack == {}
    done = action(session_factory, ref)
    assert done.evidence_of_impact == "Bruising referrals up by a fifth"
    assert done.impact_review_on is None
    with session_factory() as s:
        kinds = [e.kind for e in ops.get_action(s, ref).events]
    assert kinds[-3:] == ["impact_review", "impact_review", "impact"]


def test_only_the_chair_or_an_admin_records_impact(driver, session_factory, now):
    ref = make_action(session_factory, now, status=Status.SIGNED_OFF)
    out = driver.press(OWNER, ids.BUTTON_IMPACT, ref)
    assert driver.slack.open_modal(OWNER) is None
    assert out.status == 200
    refused = driver.command(OWNER, f"impact {ref} it worked")
    assert "Only the chair of QAEC or an admin can record the impact" in refused.text
    assert action(session_factory, ref).evidence_of_impact is None


def test_a_confidential_action_is_named_by_reference_only_in_the_digest(
    driver, session_factory, now
):
    ref = make_action(session_factory, now, status=Status.COMPLETE, confidential=True)
    driver.command(CHAIR, f"signoff {ref} review in 3 weeks")
    jobs(driver, session_factory, "digests", datetime(2026, 12, 21, 9, 0, tzinfo=UTC))
    [digest] = [m for m in driver.slack.messages(channel=QAEC_CHANNEL) if not m.ephemeral]
    shown = json.dumps(digest.blocks, ensure_ascii=False)
    assert f"*{ref}* (confidential review) — review was due 16/12/2026" in shown
    assert "Issue bruising guidance" not in shown


def test_report_paper_arrives_as_a_word_document(driver, session_factory, now):
    make_action(session_factory, now)
    make_action(session_factory, now, confidential=True)
    out = driver.command(CHAIR, "report paper")
    assert "direct messages" in out.text
    [upload] = [u for u in driver.slack.uploads.values() if u.completed]
    assert upload.filename == "lscb-board-paper-2026-27-q3.docx"
    paper = docx.Document(io.BytesIO(upload.content))
    text = "\n".join(p.text for p in paper.paragraphs) + "\n".join(
        c.text for t in paper.tables for r in t.rows for c in r.cells
    )
    assert "Quarterly report to the board: Q3 2026/27" in text
    # Tabled in public: confidential reviews by reference only, even when their chair asks.
    assert "1 action of confidential reviews are shown by reference only" in text
