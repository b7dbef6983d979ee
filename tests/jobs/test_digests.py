"""Committee digests: weekly, per committee day and time, once, moved off bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.factories import make_action
from tests.jobs.conftest import channel_id, posts

MONDAY_0900 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 09:00 GMT = 09:00 London


def test_digest_run_twice_posts_each_committee_digest_once(runner, slack, session_factory):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 11, 20))
    first = runner.run("digests", MONDAY_0900)
    second = runner.run("digests", MONDAY_0900)
    assert first.ok and second.ok
    monday_committees = ["#lscb-qaec", "#lscb-pdc", "#lscb-lig", "#lscb-pmsg"]
    for name in monday_committees:
        assert len(posts(slack, channel_id(slack, name))) == 1, name
    assert posts(slack, channel_id(slack, "#lscb-cse")) == []  # Tuesdays at 10:00
    assert first.delivery.sent == 4 and second.delivery.sent == 0
    [qaec] = posts(slack, channel_id(slack, "#lscb-qaec"))
    text = str(qaec.blocks)
    assert "QAEC weekly digest" in text and "A-1" in text and "Overdue (1)" in text


def test_admins_digest_lists_actions_to_triage_with_their_text(runner, slack, session_factory):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), owner=None)
    runner.run("digests", MONDAY_0900)
    admin_dm = slack.dm_channel_for("U0BUSMGR1")
    [digest] = posts(slack, admin_dm)
    text = str(digest.blocks)
    assert "Actions to triage" in text and "A-1" in text
    assert "Issue bruising guidance" in text and "no owner" in text
