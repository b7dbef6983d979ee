"""Driving the real app as Slack does: signed requests in, the stand-in records what came out.

`SlackDriver.command(user, text)` sends a signed slash command through `app.dispatch`, and
`press` / `submit` do the same for buttons and forms. Listeners run to completion before the
request returns (a same-thread executor), so tests never wait on timing.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.inbound import bolt_request, parse_body
from bot.settings import Settings
from models.clock import FixedClock
from sandbox.slack import (
    RecordedResponse,
    SlackStandIn,
    SlackUser,
    render_blocks,
    render_view,
    signed_headers,
    view_state,
)
from tests import slack_example

SECRET = slack_example.SECRET  # Slack's published example signs, so the app can check it
TOKEN = "xoxb-1-lscb-test"
QAEC_CHANNEL = "C0QAEC"

T = TypeVar("T")

ORG_USERS = [
    SlackUser("U0BUSMGR1", "sam", "Sam Patel"),
    SlackUser("U0BUSOFF2", "jo", "Jo Evans"),
    SlackUser("U0QAECCH1", "helen", "Dr Helen Carter"),
    SlackUser("U0PDCCHR1", "mark", "Mark Oduya"),
    SlackUser("U0CSECHR1", "ruth", "DCI Ruth Baines"),
    SlackUser("U0LIGCHR1", "angela", "Angela Moss"),
    SlackUser("U0PMSGCH1", "tom", "Tom Reilly"),
    SlackUser("U0DESNURS", "priya", "Priya Shah"),
    SlackUser("U0POLICE1", "kevin", "DS Kevin Doyle"),
    SlackUser("U0SCHOOLS", "claire", "Claire Hughes"),
    SlackUser("U0PROBATN", "gary", "Gary Lloyd"),
    SlackUser("U0STRANGR", "stranger", "Sally Stranger"),
    SlackUser("U0NEWBIE1", "newbie", "Nia Newcomer", tz="Europe/Dublin"),
]


class SameThreadExecutor(Executor):
    """Runs a listener to the end before Bolt answers, so tests see everything it did."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # pragma: no cover - Bolt catches listener errors itself
            future.set_exception(e)
        return future


@dataclass
class Outcome:
    """What one request produced: Bolt's HTTP answer and what reached its response_url."""

    status: int
    body: str
    responses: list[RecordedResponse] = field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        assert self.responses, f"nothing reached the response_url (HTTP {self.status} {self.body})"
        return self.responses[-1].payload

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.payload.get("blocks") or [])

    @property
    def text(self) -> str:
        """What the person read, as the stand-in renders it."""
        if not self.responses:
            return self.body
        blocks = self.blocks
        if blocks:
            return render_blocks(blocks).text
        return str(self.payload.get("text") or "")

    @property
    def ack(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body.strip() else {}


class SlackDriver:
    def __init__(self, app: App, slack: SlackStandIn, clock: FixedClock) -> None:
        self.app = app
        self.slack = slack
        self.clock = clock

    def _dispatch(self, body: str, timestamp: int | None = None) -> tuple[int, str]:
        headers: dict[str, Any] = signed_headers(SECRET, body, timestamp)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        # As the served app reads it (bot.inbound), not with Bolt's own body parser.
        inbound = parse_body(body.encode("utf-8"), headers["Content-Type"])
        response = self.app.dispatch(bolt_request(inbound, headers))
        return response.status, response.body

    def _responses(self, url: str) -> list[RecordedResponse]:
        return [r for r in self.slack.responses if r.url == url]

    def command_body(
        self, user: str, text: str, channel: str = QAEC_CHANNEL, channel_name: str = "lscb-qaec"
    ) -> tuple[str, str]:
        url = self.slack.new_response_url(channel=channel, user=user)
        fields = {
            "token": "legacy",
            "team_id": self.slack.team_id,
            "team_domain": self.slack.team_domain,
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/lscb",
            "text": text,
            "api_app_id": self.slack.app_id,
            "response_url": url,
            "trigger_id": self.slack.new_trigger_id(user),
        }
        return urllib.parse.urlencode(fields), url

    def command(self, user: str, text: str, **where: str) -> Outcome:
        body, url = self.command_body(user, text, **where)
        status, answer = self._dispatch(body)
        return Outcome(status, answer, self._responses(url))

    def press(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = QAEC_CHANNEL,
        from_home: bool = False,
        message: Any = None,
    ) -> Outcome:
        """Press a button: on an ephemeral answer, in App Home, or on `message`, a message the
        app posted (a PostedMessage of the stand-in), as Slack sends it with the message."""
        if message is not None:
            channel = message.channel
        url = (
            None
            if from_home
            else self.slack.new_response_url(
                channel=channel, user=user, message_ts=message.ts if message else None
            )
        )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.slack.team_id, "domain": self.slack.team_domain},
            "user": {"id": user, "username": user.lower(), "team_id": self.slack.team_id},
            "api_app_id": self.slack.app_id,
            "token": "legacy",
            "trigger_id": self.slack.new_trigger_id(user),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": "1.0",
                }
            ],
        }
        if from_home:
            home = self.slack.home_view(user) or {"id": "V0HOME", "type": "home"}
            payload["container"] = {"type": "view", "view_id": home["id"]}
            payload["view"] = home
        elif message is not None:
            payload["container"] = {
                "type": "message",
                "channel_id": channel,
                "message_ts": message.ts,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = {"ts": message.ts, "text": message.text, "blocks": message.blocks}
            payload["response_url"] = url
        else:
            payload["container"] = {"type": "message", "channel_id": channel, "is_ephemeral": True}
            payload["channel"] = {"id": channel, "name": "lscb-qaec"}
            payload["response_url"] = url
        status, answer = self._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
        return Outcome(status, answer, self._responses(url) if url else [])

    def choose(
        self, user: str, action_id: str, value: str, *, channel: str = QAEC_CHANNEL
    ) -> Outcome:
        """Choose an option of an overflow menu (the card's Edit / Cancel) on an ephemeral message."""
        url = self.slack.new_response_url(channel=channel, user=user)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.slack.team_id, "domain": self.slack.team_domain},
            "user": {"id": user, "username": user.lower(), "team_id": self.slack.team_id},
            "api_app_id": self.slack.app_id,
            "token": "legacy",
            "trigger_id": self.slack.new_trigger_id(user),
            "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
            "channel": {"id": channel, "name": "lscb-qaec"},
            "response_url": url,
            "actions": [
                {
                    "type": "overflow",
                    "action_id": action_id,
                    "block_id": "b",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": value},
                        "value": value,
                    },
                    "action_ts": "1.0",
                }
            ],
        }
        status, answer = self._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
        return Outcome(status, answer, self._responses(url))

    def shortcut(
        self, user: str, callback_id: str, message: dict[str, Any], *, channel: str = QAEC_CHANNEL
    ) -> Outcome:
        """Use a message shortcut on `message` (as conversations.history gives it)."""
        url = self.slack.new_response_url(channel=channel, user=user)
        payload: dict[str, Any] = {
            "type": "message_action",
            "callback_id": callback_id,
            "team": {"id": self.slack.team_id, "domain": self.slack.team_domain},
            "user": {"id": user, "username": user.lower(), "team_id": self.slack.team_id},
            "channel": {"id": channel, "name": "lscb-qaec"},
            "api_app_id": self.slack.app_id,
            "token": "legacy",
            "trigger_id": self.slack.new_trigger_id(user),
            "message_ts": message["ts"],
            "message": message,
            "response_url": url,
            "action_ts": "1.0",
        }
        status, answer = self._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
        return Outcome(status, answer, self._responses(url))

    def open_form(self, user: str) -> dict[str, Any]:
        view = self.slack.open_modal(user)
        assert view is not None, "no form is open"
        return view

    def submit(
        self, user: str, answers: dict[str, str], view: dict[str, Any] | None = None
    ) -> Outcome:
        """Fill the open form (answers keyed by block id) and submit it."""
        view = dict(view or self.open_form(user))
        fields = render_view(view).inputs
        by_block = {f.block_id: f.letter for f in fields}
        unknown = set(answers) - set(by_block)
        assert not unknown, f"the form has no field {unknown}"
        view["state"] = view_state(fields, {by_block[k]: v for k, v in answers.items()})
        meta = json.loads(view.get("private_metadata") or "{}")
        url = meta.get("response_url")
        before = len(self._responses(url)) if url else 0
        payload = {
            "type": "view_submission",
            "team": {"id": self.slack.team_id, "domain": self.slack.team_domain},
            "user": {"id": user, "username": user.lower(), "team_id": self.slack.team_id},
            "api_app_id": self.slack.app_id,
            "token": "legacy",
            "trigger_id": self.slack.new_trigger_id(user),
            "view": view,
        }
        status, answer = self._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
        if status == 200 and not answer.strip():
            self.slack.close_modal(user)
        return Outcome(status, answer, self._responses(url)[before:] if url else [])

    def open_home(self, user: str) -> dict[str, Any]:
        body = {
            "token": "legacy",
            "team_id": self.slack.team_id,
            "api_app_id": self.slack.app_id,
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D" + user[1:],
                "tab": "home",
                "event_ts": "1.0",
            },
        }
        raw = json.dumps(body)
        headers: dict[str, Any] = signed_headers(SECRET, raw)
        headers["Content-Type"] = "application/json"
        response = self.app.dispatch(BoltRequest(body=raw, headers=headers))
        assert response.status == 200, response.body
        home = self.slack.home_view(user)
        assert home is not None, "no Home view was published"
        return home


def settings_for(slack: SlackStandIn, db_url: str = "sqlite://") -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_base_url=slack.base_url,
    )


def build(slack: SlackStandIn, session_factory: sessionmaker[Session], clock: FixedClock) -> App:
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    return create_app(
        settings_for(slack),
        session_factory=session_factory,
        client=client,
        clock=clock,
        listener_executor=SameThreadExecutor(),
    )


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=ORG_USERS, strict=True, token=TOKEN) as standin:
        standin.add_channel(QAEC_CHANNEL, "lscb-qaec")
        yield standin


@pytest.fixture
def clock(now: datetime) -> FixedClock:
    return FixedClock(now)


@pytest.fixture
def driver(
    slack: SlackStandIn,
    session_factory: sessionmaker[Session],
    org: dict[str, Any],
    clock: FixedClock,
) -> SlackDriver:
    return SlackDriver(build(slack, session_factory, clock), slack, clock)
