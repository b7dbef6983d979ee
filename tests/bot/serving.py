"""Helpers for tests that talk to the served app over real HTTP on loopback, as Slack does."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.server import HttpServer, database_health, make_wsgi_app
from bot.settings import Settings
from models.clock import Clock
from sandbox.slack import SlackStandIn, signed_headers

SECRET = "f3c1a9e2b7d54c8e9a0b1c2d3e4f5a6b"
BOT_TOKEN = "xoxb-1-lscb-test"


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def settings_for(db_url: str, slack: SlackStandIn) -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_base_url=slack.base_url,
    )


def build_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    clock: Clock | None = None,
) -> App:
    """The real app, as `lscb serve` builds it."""
    from bot.app import create_app

    return create_app(settings, session_factory=session_factory, clock=clock)


@contextmanager
def served(app: App, session_factory: sessionmaker[Session]) -> Iterator[HttpServer]:
    with HttpServer(make_wsgi_app(app, database_health(session_factory))) as server:
        yield server


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return Reply(r.status, r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode("utf-8"))


def command_body(
    slack: SlackStandIn, text: str, user_id: str = "U0BUSMGR1", channel_id: str = "C0SANDBOX"
) -> bytes:
    fields = {
        "token": "legacy-verification-token",
        "team_id": slack.team_id,
        "team_domain": slack.team_domain,
        "channel_id": channel_id,
        "channel_name": "sandbox",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": "/lscb",
        "text": text,
        "api_app_id": slack.app_id,
        "is_enterprise_install": "false",
        "response_url": slack.new_response_url(channel=channel_id, user=user_id),
        "trigger_id": slack.new_trigger_id(user_id),
    }
    return urllib.parse.urlencode(fields).encode("utf-8")


def post_signed(url: str, body: bytes, secret: str = SECRET, timestamp: int | None = None) -> Reply:
    headers = signed_headers(secret, body, timestamp)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return http("POST", url + "/slack/events", body, headers)


def reply_text(reply: Reply, slack: SlackStandIn, wait: float = 5.0) -> str:
    """What the person saw: the immediate answer, or what reached the response_url."""
    parts: list[str] = []
    if reply.body.strip():
        try:
            data = reply.json()
            parts.append(json.dumps(data))
        except ValueError:
            parts.append(reply.body)
    deadline = time.monotonic() + wait
    while not parts and time.monotonic() < deadline:
        parts = [json.dumps(r.payload) for r in slack.responses]
        if not parts:
            time.sleep(0.02)
    return "\n".join(parts)
