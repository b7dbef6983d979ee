"""A send that outlives its lease: the sender renews the lease as each part goes, holds it through
long 429 waits, and one that has lost the claim stops, leaving the notice to the new holder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from jobs.outbox import LEASE, Dispatcher, enqueue
from jobs.snapshot import OwedNotice
from models.clock import FixedClock
from models.outbox import Notice, NoticeState
from tests.jobs.conftest import make_client

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
OWNER = "U0DESNURS"


def _two_part_reminder(sf) -> int:
    parts = [
        {
            "text": f"Reminder, part {i}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"part {i}"}}],
        }
        for i in (1, 2)
    ]
    notice = OwedNotice("reminder", OWNER, "2026-12-07", NOW, False, ["A-1@2026-12-07"], parts)
    with sf.begin() as s:
        enqueue(s, [notice], NOW)
        return s.scalars(select(Notice.id)).one()


def _posted(slack, text: str) -> int:
    return sum(1 for m in slack.messages() if text in str(m.text) or text in str(m.blocks))


class Clock(FixedClock):
    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))


def _sender(sf, slack, clock: Clock, sleep: Callable[[float], None] | None = None) -> Dispatcher:
    return Dispatcher(
        sf,
        make_client(slack),
        lease_clock=clock,
        min_interval=0,
        sleep=sleep or clock.advance,
    )


def _rate_limit_part_two(slack, sender: Dispatcher, times: int, retry_after: int) -> None:
    """Part 1 goes through; part 2 is answered 429 `times` times, each asking to wait."""
    post = sender.client.chat_postMessage
    calls = 0

    def posting(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            slack.fail_next(
                "chat.postMessage", "rate_limited", times=times, retry_after=retry_after
            )
        return post(**kwargs)

    sender.client.chat_postMessage = posting  # type: ignore[method-assign]


def test_a_long_429_wait_keeps_the_claim_so_a_second_sender_cannot_post_twice(
    session_factory, slack
) -> None:
    nid = _two_part_reminder(session_factory)
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    other = _sender(session_factory, slack, clock)
    second: list[Any] = []
    waits = 0

    def waiting(seconds: float) -> None:
        # Slack asks A to wait four minutes, twice: past its five-minute lease. B runs then.
        nonlocal waits
        clock.advance(seconds)
        waits += 1
        if waits == 2:
            second.append(other.deliver_due(NOW))

    a = _sender(session_factory, slack, clock, sleep=waiting)
    _rate_limit_part_two(slack, a, times=2, retry_after=240)
    result = a.deliver_due(NOW)
    assert second and second[0].sent == 0 and second[0].left == 1  # B found it held
    assert result.sent == 1
    assert _posted(slack, "part 1") == 1 and _posted(slack, "part 2") == 1
    with session_factory() as s:
        row = s.get(Notice, nid)
        assert row is not None and row.state == NoticeState.SENT and row.parts_sent == 2


def test_a_sender_that_lost_its_claim_stops_and_leaves_the_notice_to_the_holder(
    session_factory, slack
) -> None:
    nid = _two_part_reminder(session_factory)
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    other = _sender(session_factory, slack, clock)
    second: list[Any] = []

    def paused(seconds: float) -> None:
        # A is paused far longer than it asked to wait (a stopped VM, a long GC): its lease,
        # extended for the wait, runs out anyway, and B claims the notice and finishes it.
        clock.advance(seconds + LEASE.total_seconds() + 60)
        if not second:
            second.append(other.deliver_due(NOW))

    a = _sender(session_factory, slack, clock, sleep=paused)
    _rate_limit_part_two(slack, a, times=1, retry_after=30)
    result = a.deliver_due(NOW)
    assert second and second[0].sent == 1  # B read the thread, found part 1, posted part 2
    assert result.sent == 0 and result.left == 1  # A stopped instead of posting part 2 again
    assert _posted(slack, "part 1") == 1 and _posted(slack, "part 2") == 1
    with session_factory() as s:
        row = s.get(Notice, nid)
        assert row is not None and row.state == NoticeState.SENT and row.parts_sent == 2


def test_the_lease_is_renewed_as_each_part_is_sent(session_factory, slack) -> None:
    nid = _two_part_reminder(session_factory)
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    leases: list[datetime | None] = []
    a = _sender(session_factory, slack, clock)
    post = a.client.chat_postMessage

    def posting(**kwargs: Any) -> Any:
        with session_factory() as s:
            row = s.get(Notice, nid)
            assert row is not None
            leases.append(row.lease_until)
        clock.advance(4 * 60)  # each part takes four minutes to go
        return post(**kwargs)

    a.client.chat_postMessage = posting  # type: ignore[method-assign]
    assert a.deliver_due(NOW).sent == 1
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert leases == [start + LEASE, start + timedelta(minutes=4) + LEASE]
