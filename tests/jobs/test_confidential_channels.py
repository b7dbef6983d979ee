"""Channel posts of every kind carry a confidential action by reference only: no text and no
owner's name (the digest, the board's escalation, the channel reminder for owners not in Slack),
while the same posts still name the owners of other actions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from tests.factories import make_action
from tests.jobs.conftest import channel_id, posts

MONDAY_0900 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _shown(slack, channel: str) -> str:
    return json.dumps([m.blocks for m in slack.messages(channel_id(slack, channel))])


def test_the_committee_digest_names_no_owner_of_a_confidential_action(
    runner, slack, session_factory
):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    secret = make_action(
        session_factory, created, due=date(2026, 11, 16), confidential=True, owner="U0POLICE1"
    )
    public = make_action(session_factory, created, due=date(2026, 11, 16), owner="U0SCHOOLS")
    runner.run("digests", MONDAY_0900)
    shown = _shown(slack, "#lscb-qaec")
    assert secret in shown and public in shown
    assert "DS Kevin Doyle" not in shown and "owner on file with the business unit" in shown
    assert "Claire Hughes" in shown  # the owner of an action that is not confidential


def test_the_boards_escalation_names_no_owner_of_a_confidential_action(
    runner, slack, session_factory
):
    created = datetime(2026, 9, 1, 9, tzinfo=UTC)
    secret = make_action(
        session_factory, created, due=date(2026, 10, 1), confidential=True, owner="U0PROBATN"
    )
    public = make_action(session_factory, created, due=date(2026, 10, 1), owner="U0SCHOOLS")
    runner.run("escalations", MONDAY_0900)
    shown = _shown(slack, "#lscb-board")
    assert secret in shown and public in shown
    assert "Gary Lloyd" not in shown and "Issue bruising guidance" not in shown.split(public)[0]
    assert "Claire Hughes" in shown


def test_the_channel_reminder_heading_names_no_owner_of_a_confidential_action(
    runner, slack, session_factory
):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    secret = make_action(
        session_factory,
        created,
        due=date(2026, 12, 14),
        confidential=True,
        owner="Bernadette Quinn",
        committee="PDC",
    )
    runner.run("reminders", MONDAY_0900)
    [post] = posts(slack, channel_id(slack, "#lscb-pdc"))
    shown = json.dumps(post.blocks) + str(post.text)
    assert secret in shown
    assert "Bernadette Quinn" not in shown and "Issue bruising guidance" not in shown
    assert "Owner on file with the business unit" in shown
