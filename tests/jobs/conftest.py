"""Fixtures for notice tests: the example organisation in a Slack stand-in, and a job runner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.orm import Session, sessionmaker

from jobs.attachments import Attachments
from jobs.outbox import Dispatcher
from jobs.runner import JobResult, run_job
from models.brag import BragRules
from models.clock import FixedClock
from models.schema import Committee, OrgSetting, Person
from sandbox.slack import SlackStandIn

BOARD = "lscb-board"


@pytest.fixture
def slack(org: dict[str, Person], session_factory: sessionmaker[Session]) -> Iterator[SlackStandIn]:
    standin = SlackStandIn(strict=True, known_channels_only=True)
    with session_factory() as s:
        for p in s.query(Person).all():
            if p.slack_id:
                standin.add_user(p.slack_id, p.name.lower().replace(" ", "."), real_name=p.name)
        for i, c in enumerate(s.query(Committee).order_by(Committee.code).all()):
            assert c.channel
            standin.add_channel(f"C0{c.code}{i}", c.channel.lstrip("#"))
        board = s.get(OrgSetting, "board_channel")
        assert board is not None
        standin.add_channel("C0BOARD", board.value.lstrip("#"))
    with standin:
        yield standin


def make_client(slack: SlackStandIn, timeout: int = 5) -> WebClient:
    return WebClient(
        token="xoxb-test",
        base_url=slack.base_url,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


class Runner:
    """Runs jobs as of a moment, against the stand-in, with no pacing sleeps."""

    def __init__(self, sf: sessionmaker[Session], slack: SlackStandIn) -> None:
        self.sf = sf
        self.slack = slack
        self.client = make_client(slack)
        self.lease_clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
        self.rules = BragRules()

    def dispatcher(self) -> Dispatcher:
        return Dispatcher(
            self.sf,
            self.client,
            lease_clock=self.lease_clock,
            min_interval=0,
            make_file=Attachments(self.sf, self.rules),
        )

    def run(self, job: str, now: datetime) -> JobResult:
        return run_job(
            job, self.sf, self.client, FixedClock(now), self.rules, dispatcher=self.dispatcher()
        )


@pytest.fixture
def runner(session_factory: sessionmaker[Session], slack: SlackStandIn) -> Runner:
    return Runner(session_factory, slack)


def posts(slack: SlackStandIn, channel: str | None = None) -> list[Any]:
    """Messages the app posted (not thread continuations), oldest first."""
    return [m for m in slack.messages(channel) if not m.thread_ts and not m.ephemeral]


def channel_id(slack: SlackStandIn, name: str) -> str:
    for cid in [f"C0{code}{i}" for i, code in enumerate(["CSE", "LIG", "PDC", "PMSG", "QAEC"])]:
        ch = slack.channel(cid)
        if ch is not None and ch.name == name.lstrip("#"):
            return cid
    if name.lstrip("#") == BOARD:
        return "C0BOARD"
    raise KeyError(name)
