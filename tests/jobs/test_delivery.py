"""Exactly once: faults from Slack, a crash between sending and recording, concurrent senders."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from jobs import render
from jobs.outbox import Dispatcher
from jobs.runner import run_job
from models.clock import FixedClock
from models.outbox import Notice, NoticeState
from models.schema import Committee, Status
from tests.factories import make_action
from tests.jobs.conftest import channel_id, posts

MONDAY_0900 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MONDAY_COMMITTEES = ("#lscb-qaec", "#lscb-pdc", "#lscb-lig", "#lscb-pmsg")


def each_posted_once(slack) -> None:
    for name in MONDAY_COMMITTEES:
        assert len(posts(slack, channel_id(slack, name))) == 1, name


# conversations.history takes a channel ID, never a #name (Slack answers channel_not_found). A
# channel configured as #name is looked up (conversations.list) before the first post, so a notice
# whose first answer is lost can still be found in the history before it is posted again.
@pytest.fixture(params=["id", "name"])
def configured_by(request, slack, session_factory) -> str:
    """Committee channels configured by ID (C0...) or by #name, as the organisation file allows."""
    if request.param == "id":
        with session_factory.begin() as s:
            for c in s.scalars(select(Committee)):
                if c.channel:
                    c.channel = channel_id(slack, c.channel)
    return request.param


def notice_states(sf) -> dict[str, NoticeState]:
    with sf() as s:
        return {n.recipient: n.state for n in s.scalars(select(Notice))}


def test_429_then_500_on_the_first_two_posts_still_sends_each_notice_once(runner, slack):
    slack.fail_next("chat.postMessage", "rate_limited", retry_after=0)
    slack.fail_next("chat.postMessage", "server_error")
    result = runner.run("digests", MONDAY_0900)
    assert result.ok and result.delivery.sent == 4
    faults = [c.fault for c in slack.calls_to("chat.postMessage") if c.fault]
    assert faults == ["rate_limited", "server_error"]
    each_posted_once(slack)


def test_a_timeout_after_slack_posted_is_not_sent_again(runner, slack, configured_by):
    # Slack carries out the post but the answer never arrives: the retry must find it.
    slack.fail_next("chat.postMessage", "timeout_after_processing", hold=0)
    result = runner.run("digests", MONDAY_0900)
    assert result.ok and result.delivery.sent == 4
    assert len(slack.calls_to("conversations.history")) == 1
    each_posted_once(slack)


def test_a_crash_between_sending_and_recording_is_resolved_without_a_duplicate(
    runner, slack, session_factory, monkeypatch, configured_by
):
    real = Dispatcher._record_part
    crashed = []

    def crash_once(self, notice_id, *args, **kwargs):
        if not crashed:
            crashed.append(notice_id)
            raise SystemExit("killed after the send, before the record")
        return real(self, notice_id, *args, **kwargs)

    monkeypatch.setattr(Dispatcher, "_record_part", crash_once)
    with pytest.raises(SystemExit):
        runner.run("digests", MONDAY_0900)
    assert list(notice_states(session_factory).values()).count(NoticeState.SENDING) == 1

    # Restarted within the lease: the claimed notice is left alone (its sender may be alive).
    second = runner.run("digests", MONDAY_0900 + timedelta(minutes=1))
    assert second.delivery.left == 1
    assert list(notice_states(session_factory).values()).count(NoticeState.SENDING) == 1
    # After the lease lapses, the notice is found in the channel and recorded, not re-posted.
    runner.lease_clock.advance(timedelta(minutes=6))
    third = runner.run("digests", MONDAY_0900 + timedelta(minutes=7))
    assert third.ok and third.delivery.sent >= 1
    assert len(slack.calls_to("conversations.history")) == 1
    each_posted_once(slack)
    assert set(notice_states(session_factory).values()) == {NoticeState.SENT}


def test_a_long_digest_continues_in_a_thread_once_even_if_killed_midway(
    runner, slack, session_factory, monkeypatch
):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for _ in range(3):  # awaiting sign-off: each with its own buttons
        make_action(session_factory, created, due=date(2026, 11, 20), status=Status.COMPLETE)
    # Parts of 3 blocks stand in for Slack's 50, so a short digest needs a thread.
    monkeypatch.setattr(render, "PART_BLOCKS", 3)
    real = Dispatcher._record_part
    calls = []

    def crash_on_second_part(self, notice_id, token, index, *args, **kwargs):
        calls.append(index)
        if index == 1 and calls.count(1) == 1:
            raise SystemExit("killed after part 2 was posted")
        return real(self, notice_id, token, index, *args, **kwargs)

    monkeypatch.setattr(Dispatcher, "_record_part", crash_on_second_part)
    with pytest.raises(SystemExit):
        runner.run("digests", MONDAY_0900)
    runner.lease_clock.advance(timedelta(minutes=6))
    assert runner.run("digests", MONDAY_0900 + timedelta(minutes=7)).ok
    qaec = channel_id(slack, "#lscb-qaec")
    [top] = posts(slack, qaec)
    thread = [m for m in slack.messages(qaec) if m.thread_ts == top.ts]
    ids = [m.blocks[0]["block_id"] for m in [top, *thread]]
    assert len(ids) == len(set(ids)) >= 3, "each part posted once, in order"
    assert all(len(m.blocks) <= 50 for m in [top, *thread])


def test_permanent_refusals_are_undeliverable_and_not_retried(runner, slack, session_factory):
    slack.remove_bot_from(channel_id(slack, "#lscb-pdc"))
    slack.archive_channel(channel_id(slack, "#lscb-lig"))
    result = runner.run("digests", MONDAY_0900)
    assert result.delivery.undeliverable == 2 and result.delivery.sent == 2
    states = notice_states(session_factory)
    assert states["#lscb-pdc"] == NoticeState.UNDELIVERABLE
    with session_factory() as s:
        errors = {n.last_error for n in s.scalars(select(Notice)) if n.last_error}
    assert errors == {"not_in_channel", "is_archived"}

    def channel_posts() -> int:
        # Committee channels, by #name or id; direct messages (D…) to admins are not counted.
        return sum(
            not str(c.args["channel"]).startswith("D") for c in slack.calls_to("chat.postMessage")
        )

    before = channel_posts()
    assert before >= 2  # the two digests that went, and the attempts Slack refused
    later = runner.run("digests", MONDAY_0900 + timedelta(minutes=15))
    assert channel_posts() == before
    assert later.owed_by_kind == {"admin_digest": 2}  # the admins hear of the refusals


def test_slack_down_for_the_whole_run_leaves_notices_for_the_next_run(runner, slack):
    slack.fail_next("chat.postMessage", "server_error", times=3 * 4)
    first = runner.run("digests", MONDAY_0900)
    assert first.ok and first.delivery.sent == 0 and first.delivery.left == 4
    second = runner.run("digests", MONDAY_0900 + timedelta(minutes=15))
    assert second.delivery.sent == 4
    each_posted_once(slack)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrent senders need PostgreSQL: SQLite runs one scheduler process per file",
)
def test_two_senders_on_one_postgresql_database_send_each_notice_once(runner, slack):
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(
            run_job(
                "digests",
                runner.sf,
                runner.client,
                FixedClock(MONDAY_0900),
                runner.rules,
                dispatcher=runner.dispatcher(),
            )
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.delivery.sent for r in results) == 4
    each_posted_once(slack)


def test_posts_to_one_channel_are_about_a_second_apart_and_channels_go_in_parallel(
    runner, slack, session_factory
):
    from jobs.outbox import enqueue
    from jobs.snapshot import OwedNotice

    def notice(recipient: str, period: str) -> OwedNotice:
        part = {
            "text": "t",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
        }
        return OwedNotice("digest", recipient, period, MONDAY_0900, False, [], [part])

    with session_factory.begin() as s:
        enqueue(
            s,
            [notice("#lscb-qaec", "a"), notice("#lscb-qaec", "b"), notice("#lscb-pdc", "a")],
            MONDAY_0900,
        )
    waits: list[float] = []
    dispatcher = Dispatcher(
        session_factory, runner.client, lease_clock=runner.lease_clock, sleep=waits.append
    )
    result = dispatcher.deliver_due(MONDAY_0900)
    assert result.sent == 3
    assert len(waits) == 1 and 0.5 < waits[0] <= 1.0  # only the second post to #lscb-qaec waits
