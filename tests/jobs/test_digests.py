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


def _section_of_each(text: str, refs: list[str]) -> dict[str, str]:
    """Which section heading each reference appears under (and that it appears once)."""
    found: dict[str, str] = {}
    heading = ""
    for line in text.split("\n"):
        if line.startswith("*") and "(" in line and not line.startswith("*A-"):
            heading = line.strip("*").split(" (")[0]
        for ref in refs:
            if f"*{ref}*" in line:
                assert ref not in found, f"{ref} listed twice"
                found[ref] = heading
    return found


def test_the_digest_has_one_action_in_each_section_once_by_urgency(runner, slack, session_factory):
    from models import actions as ops
    from models.schema import Status
    from tests.conftest import actor

    long_ago = datetime(2026, 10, 20, 9, tzinfo=UTC)
    this_week = datetime(2026, 12, 2, 10, tzinfo=UTC)
    owner = actor(session_factory, "U0DESNURS")
    chair = actor(session_factory, "U0QAECCH1")
    signoff = make_action(session_factory, this_week, status=Status.COMPLETE)
    concern = make_action(session_factory, long_ago, due=date(2026, 11, 20))  # overdue too
    overdue = make_action(session_factory, long_ago, due=date(2026, 11, 23))
    due_soon = make_action(session_factory, this_week, due=date(2026, 12, 12))  # a Saturday
    moved = make_action(session_factory, long_ago, due=date(2027, 3, 31))
    stale = make_action(session_factory, long_ago, due=date(2027, 6, 30))
    signed = make_action(session_factory, this_week, status=Status.SIGNED_OFF)
    with session_factory.begin() as s:
        ops.update(s, owner, concern, word="off-track", note="lead left", now=this_week)
        ops.change_due(s, chair, moved, when="30/04/2027", reason="board in April", now=this_week)
    runner.run("digests", MONDAY_0900)
    [qaec] = posts(slack, channel_id(slack, "#lscb-qaec"))
    text = "\n".join(b["text"]["text"] for b in qaec.blocks if b.get("type") == "section")
    refs = [signoff, concern, overdue, due_soon, moved, stale, signed]
    assert _section_of_each(text, refs) == {
        signoff: "Needs your sign-off",
        concern: "Off track or at risk",
        overdue: "Overdue",
        due_soon: "Due in the next 14 days",
        moved: "Dates moved since 30/11/2026",
        stale: "No update for 30 days",
        signed: "Signed off since 30/11/2026",
    }
    assert "says off track" in text and "lead left" in text
    assert "14 days overdue" in text  # as of the day it is sent
    assert "31/03/2027 → 30/04/2027 by Dr Helen Carter: “board in April”" in text
    assert "counts from 14/12/2026" in text  # a Saturday due date counts from Monday
    assert text.index("Blue") < text.index("Needs your sign-off")  # counts first
    buttons = [
        e["text"]["text"] for b in qaec.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Sign off", "Reopen"]


def test_the_digest_lists_each_section_soonest_due_first(runner, slack, session_factory):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    late, early = (
        make_action(session_factory, created, due=date(2026, 11, 27)),
        make_action(session_factory, created, due=date(2026, 11, 16)),
    )
    runner.run("digests", MONDAY_0900)
    [qaec] = posts(slack, channel_id(slack, "#lscb-qaec"))
    text = str(qaec.blocks)
    assert text.index(f"*{early}*") < text.index(f"*{late}*")


def test_a_committee_with_nothing_to_report_gets_one_line(runner, slack, session_factory):
    runner.run("digests", MONDAY_0900)
    [pdc] = posts(slack, channel_id(slack, "#lscb-pdc"))
    assert len(pdc.blocks) == 1
    assert "nothing to report" in pdc.blocks[0]["text"]["text"]
