"""Notices on events, end to end: the real app changes actions, the events job tells whoever the
change concerns through the outbox, once, with that person's own buttons, and a button used on
such a message updates it in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot import ids
from jobs.outbox import Dispatcher
from jobs.runner import JobResult, run_job
from models.brag import BragRules
from models.clock import FixedClock
from sandbox.slack import SlackStandIn
from tests.bot.slackapp import TOKEN, SlackDriver
from tests.factories import make_action

OWNER, CHAIR, ADMIN, POLICE, PDC_CHAIR = (
    "U0DESNURS",
    "U0QAECCH1",
    "U0BUSMGR1",
    "U0POLICE1",
    "U0PDCCHR1",
)


class Events:
    def __init__(self, sf, slack: SlackStandIn) -> None:
        self.sf = sf
        self.slack = slack
        self.client = WebClient(token=TOKEN, base_url=slack.base_url)

    def run(self, at: datetime) -> JobResult:
        lease = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
        dispatcher = Dispatcher(self.sf, self.client, lease_clock=lease, min_interval=0)
        result = run_job(
            "events", self.sf, self.client, FixedClock(at), BragRules(), dispatcher=dispatcher
        )
        assert result.ok, result.to_dict()
        return result

    def dms(self, user: str) -> list:
        channel = self.slack.dm_channel_for(user)
        return [m for m in self.slack.messages(channel) if not m.ephemeral and not m.thread_ts]


@pytest.fixture
def events(session_factory, slack) -> Events:
    return Events(session_factory, slack)


def labels(message) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
    ]


def text_of(message) -> str:
    return str(message.blocks)


def test_marked_done_tells_the_chair_once_with_sign_off_and_reopen_that_work_from_the_dm(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3))
    events.run(now - timedelta(days=2))  # Monday 10:00: the owner's "assigned", at 09:00
    [assigned] = events.dms(OWNER)
    assert "Today's news" in text_of(assigned) and "Assigned to you by test" in text_of(assigned)
    driver.command(OWNER, f"done {ref} guidance on the website")
    assert events.run(now + timedelta(minutes=1)).queued == 0  # more may follow: it waits
    events.run(now + timedelta(minutes=3))
    events.run(now + timedelta(minutes=4))
    [dm] = events.dms(CHAIR)
    assert "Marked done by Priya Shah" in text_of(dm) and "guidance on the website" in text_of(dm)
    assert labels(dm) == ["Sign off", "Reopen"]
    assert events.dms(OWNER) == [assigned]  # nobody is told of their own change

    driver.press(CHAIR, ids.BUTTON_SIGNOFF, ref, message=dm)
    out = driver.submit(CHAIR, {"impact": "audit shows use"})
    assert out.ack == {}
    [dm] = events.dms(CHAIR)  # the same message, updated in place
    assert dm.edits == 1 and f"{ref} signed off." in text_of(dm)
    assert labels(dm) == ["Reopen"]  # Sign off no longer applies; a chair may still reopen
    later = now + timedelta(minutes=8)
    events.run(later)
    events.run(later + timedelta(days=1, hours=1))  # the owner's daily notices, next 09:00
    owner_dms = events.dms(OWNER)
    assert len(owner_dms) == 2
    said = text_of(owner_dms[1])
    assert "Assigned to you" not in said and "Signed off by Dr Helen Carter" in said
    events.slack.assert_no_problems()


def test_reopen_tells_the_owner_why_and_an_owner_notice_carries_the_owners_buttons(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3))
    with session_factory.begin() as s:
        from models.schema import Person

        owner = s.query(Person).filter_by(slack_id=OWNER).one()
        owner.notice_mode = "now"
    events.run(now - timedelta(days=2))
    [assigned] = events.dms(OWNER)
    assert "Assigned to you" in text_of(assigned)
    assert labels(assigned) == ["Update", "Done", "Change date"]
    driver.command(OWNER, f"done {ref} guidance issued")
    events.run(now + timedelta(minutes=5))
    [chair_dm] = events.dms(CHAIR)
    driver.press(CHAIR, ids.BUTTON_REOPEN, ref, message=chair_dm)
    driver.submit(CHAIR, {"reason": "The link is broken"})
    events.run(now + timedelta(minutes=10))
    reopened = events.dms(OWNER)[-1]
    assert "Reopened by Dr Helen Carter" in text_of(reopened)
    assert "The link is broken" in text_of(reopened)
    assert labels(reopened) == ["Update", "Done", "Change date"]
    assert labels(events.dms(CHAIR)[0]) == []  # reopened: Sign off no longer applies


def test_reassigning_tells_the_new_owner_with_the_card_buttons(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3))
    events.run(now - timedelta(days=2))
    driver.command(ADMIN, f"assign {ref} <@{POLICE}|kevin>")
    events.run(now + timedelta(minutes=3))
    events.run(now + timedelta(days=1))  # Thursday 10:00: the 09:00 notices are out
    [dm] = events.dms(POLICE)
    assert "Assigned to you by Sam Patel" in text_of(dm) and ref in text_of(dm)
    assert labels(dm) == ["Update", "Done", "Change date"]


def test_chairs_hear_at_risk_and_off_track_but_not_on_track(
    driver: SlackDriver, events: Events, session_factory, now
):
    on, risky = make_action(session_factory, now), make_action(session_factory, now)
    events.run(now)
    driver.command(OWNER, f"update {on} on-track all fine")
    driver.command(OWNER, f"update {risky} off-track lead officer left")
    events.run(now + timedelta(minutes=3))
    assert events.dms(CHAIR) == []  # not a request: once a day by default
    events.run(now + timedelta(days=1))
    [dm] = events.dms(CHAIR)
    assert f"*{risky}*" in text_of(dm) and "Rated *off track*" in text_of(dm)
    assert "lead officer left" in text_of(dm) and f"*{on}*" not in text_of(dm)
    assert events.dms(PDC_CHAIR) == []  # another committee's chair hears nothing


def test_a_date_request_reaches_the_chair_with_approve_and_decline_and_the_owner_hears(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3))
    events.run(now - timedelta(days=2))
    driver.command(OWNER, f"due {ref} 30/04/2027 trainer ill")
    events.run(now + timedelta(minutes=3))
    [ask] = events.dms(CHAIR)
    assert "asks to move the due date from 31/03/2027 to 30/04/2027" in text_of(ask)
    assert "trainer ill" in text_of(ask)
    assert labels(ask) == ["Approve", "Decline"]
    driver.press(CHAIR, ids.BUTTON_APPROVE_DUE, ref, message=ask)
    [ask] = events.dms(CHAIR)
    assert ask.edits == 1 and "New date approved" in text_of(ask) and labels(ask) == []
    # A second request, declined with a reason.
    driver.command(OWNER, f"due {ref} 31/05/2027 busy")
    events.run(now + timedelta(minutes=6))
    second = events.dms(CHAIR)[-1]
    driver.press(CHAIR, ids.BUTTON_DECLINE_DUE, ref, message=second)
    driver.submit(CHAIR, {"reason": "The board needs it by April"})
    events.run(now + timedelta(days=1))
    said = text_of(events.dms(OWNER)[-1])
    assert "Due date moved from 31/03/2027 to 30/04/2027 by Dr Helen Carter" in said
    assert "declined the new date 31/05/2027" in said and "The board needs it by April" in said


def test_events_for_one_person_within_minutes_go_in_one_message(
    driver: SlackDriver, events: Events, session_factory, now
):
    refs = [make_action(session_factory, now - timedelta(days=3)) for _ in range(3)]
    events.run(now - timedelta(days=2))
    for i, ref in enumerate(refs):
        driver.clock.set(now + timedelta(minutes=i))
        driver.command(OWNER, f"done {ref} evidence {i}")
    events.run(now + timedelta(minutes=1, seconds=30))  # still coming in: nothing yet
    assert events.dms(CHAIR) == []
    events.run(now + timedelta(minutes=5))
    [dm] = events.dms(CHAIR)
    assert all(f"*{ref}*" in text_of(dm) for ref in refs)
    assert labels(dm) == ["Sign off", "Reopen"] * 3


def test_a_chair_who_chose_once_a_day_hears_of_sign_off_requests_at_nine(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3))
    events.run(now - timedelta(days=2))
    home = driver.open_home(CHAIR)
    assert "Notices about your actions" in str(home["blocks"])
    payload_select = {"selected_option": {"value": "daily"}}
    _choose(driver, CHAIR, payload_select)
    driver.command(OWNER, f"done {ref} all done")
    events.run(now + timedelta(minutes=30))
    assert events.dms(CHAIR) == []
    events.run(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    [dm] = events.dms(CHAIR)
    assert "Today's news" in text_of(dm) and labels(dm) == ["Sign off", "Reopen"]


def _choose(driver: SlackDriver, user: str, selected: dict) -> None:
    import json
    import urllib.parse

    home = driver.slack.home_view(user)
    payload = {
        "type": "block_actions",
        "team": {"id": driver.slack.team_id, "domain": driver.slack.team_domain},
        "user": {"id": user, "username": user.lower(), "team_id": driver.slack.team_id},
        "api_app_id": driver.slack.app_id,
        "token": "legacy",
        "trigger_id": driver.slack.new_trigger_id(user),
        "container": {"type": "view", "view_id": home["id"]},
        "view": home,
        "actions": [
            {
                "type": "static_select",
                "action_id": ids.SELECT_NOTICE_MODE,
                "block_id": "b",
                "action_ts": "1.0",
                **selected,
            }
        ],
    }
    status, _ = driver._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
    assert status == 200
    home = driver.slack.home_view(user)
    assert "Everything once a day at 09:00" in str(home["blocks"])


def test_confidential_actions_are_told_only_to_those_who_may_see_them(
    driver: SlackDriver, events: Events, session_factory, now
):
    ref = make_action(session_factory, now - timedelta(days=3), confidential=True)
    events.run(now - timedelta(days=2))
    driver.command(OWNER, f"done {ref} evidence")
    events.run(now + timedelta(minutes=5))
    [dm] = events.dms(CHAIR)  # the accountable chair may see it
    assert "Issue bruising guidance" in text_of(dm)
    for other in (PDC_CHAIR, POLICE, "U0STRANGR"):
        assert events.dms(other) == []
    posted = [m for m in events.slack.messages() if not m.ephemeral]
    assert all(m.channel.startswith("D") for m in posted)  # never a channel


def test_done_from_a_reminder_updates_that_message_and_drops_only_its_buttons(
    driver: SlackDriver, events: Events, session_factory, now
):
    from datetime import date

    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    first = make_action(session_factory, created, due=date(2026, 12, 14))
    second = make_action(session_factory, created, due=date(2026, 12, 21))
    lease = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    dispatcher = Dispatcher(session_factory, events.client, lease_clock=lease, min_interval=0)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    run_job(
        "reminders",
        session_factory,
        events.client,
        FixedClock(monday),
        BragRules(),
        dispatcher=dispatcher,
    )
    [reminder] = events.dms(OWNER)
    assert labels(reminder) == ["Update", "Done", "Change date"] * 2
    driver.clock.set(monday + timedelta(hours=1))
    driver.press(OWNER, ids.BUTTON_DONE, first, message=reminder)
    out = driver.submit(OWNER, {"evidence": "guidance published"})
    assert out.ack == {}
    [reminder] = events.dms(OWNER)  # no new message: the reminder itself says what happened
    assert reminder.edits == 1
    assert f"{first} is complete and awaits sign-off." in text_of(reminder)
    buttons = [
        (e["text"]["text"], e["value"])
        for b in reminder.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
    ]
    assert buttons == [("Update", second), ("Done", second), ("Change date", second)]
    # The chair's copy is their own: Sign off / Reopen, not the owner's buttons.
    events.run(monday + timedelta(hours=1, minutes=5))
    [to_chair] = events.dms(CHAIR)
    assert labels(to_chair) == ["Sign off", "Reopen"]


def test_an_owner_not_in_slack_is_told_through_the_committees_channel_by_name(
    driver: SlackDriver, events: Events, session_factory, now
):
    from tests.bot.slackapp import QAEC_CHANNEL

    ref = make_action(session_factory, now - timedelta(days=3), owner="Bernadette Quinn")
    secret = make_action(
        session_factory, now - timedelta(days=3), owner="Bernadette Quinn", confidential=True
    )
    with session_factory.begin() as s:
        from models import actions as ops

        ops.get_action(s, secret).text = "Visit the family at the refuge"  # never in a channel
    events.run(now - timedelta(days=2))  # Monday 10:00: the day's news went at 09:00
    [news] = [m for m in events.slack.messages(QAEC_CHANNEL) if not m.ephemeral and not m.thread_ts]
    said = text_of(news)
    assert "For Bernadette Quinn (not in Slack)" in said and "Assigned to Bernadette Quinn" in said
    assert ref in said and "pass each on to the owner" in said
    # A confidential review's action, in a channel: by reference only.
    assert f"*{secret}* (a confidential review): news for its owner" in said
    assert said.count("Bernadette Quinn") == 2  # the one ordinary action's lines, not the other
    assert "refuge" not in said
    assert labels(news) == []  # the channel cannot act for the owner
    events.run(now - timedelta(days=2) + timedelta(hours=1))
    assert len([m for m in events.slack.messages(QAEC_CHANNEL) if not m.ephemeral]) == 1
