"""A local stand-in for Slack's side: the Web API, upload URLs and response_urls on 127.0.0.1.

Every Web API call is checked against Slack's OpenAPI description (``spec.check_call``) and
recorded. Behaviour follows Slack's documented answers for the methods the app uses; other methods
the description knows answer ``{"ok": true}``. Faults can be injected per method.

From a test::

    with SlackStandIn(users=[SlackUser("U1", "jane")], strict=True) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        slack.fail_next("chat.postMessage", "rate_limited", retry_after=0)
        ...
        assert [m.channel for m in slack.messages()] == [...]

On leaving the ``with`` block a strict stand-in raises if any call broke the spec.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.parser
import email.policy
import itertools
import json
import logging
import re
import threading
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.standin import blockkit
from bot.standin.spec import check_call, method_spec

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Reply = tuple[int, Any, dict[str, str]]  # status, JSON body (None: drop the connection), headers
_DROPPED = 0  # the status of a Reply that drops the connection without an answer

TRANSPORT_FAULTS = frozenset(
    {"rate_limited", "server_error", "unavailable", "timeout", "timeout_after_processing"}
)
_FAULT_STATUS = {"rate_limited": 429, "server_error": 500, "unavailable": 503}
_FAULT_ERROR = {
    "rate_limited": "ratelimited",
    "server_error": "fatal_error",
    "unavailable": "fatal_error",
}
_TIMEOUT_FAULTS = frozenset({"timeout", "timeout_after_processing"})
MAX_HOLD_SECONDS = 30.0
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
MAX_MODAL_STACK = 3
HISTORY_LIMIT = (100, 999)  # conversations.history: default and most messages a page
REPLIES_LIMIT = (1000, 1000)  # conversations.replies
LIST_LIMIT = (100, 1000)  # conversations.list: default and most channels a page
_LIST_CURSOR = re.compile(r"offset:(\d+)", re.ASCII)
_SLACK_ERROR = re.compile(r"^[a-z][a-z0-9_]*$")
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
_RESPONSE_KEYS = frozenset(
    {
        "text",
        "blocks",
        "attachments",
        "response_type",
        "replace_original",
        "delete_original",
        "thread_ts",
        "mrkdwn",
        "unfurl_links",
        "unfurl_media",
        "metadata",
    }
)


@dataclass
class SlackUser:
    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/London"
    email: str | None = None
    deleted: bool = False
    is_bot: bool = False


@dataclass
class SlackChannel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_member: bool = True  # is the app's bot user in it
    is_im: bool = False
    user: str | None = None  # the person at the other end of a direct message


@dataclass(frozen=True)
class RecordedCall:
    method: str
    args: dict[str, Any]  # blocks, view, attachments, files, metadata decoded from JSON text
    problems: list[str]
    at: datetime
    fault: str | None = None
    status: int = 200
    error: str | None = None  # the Slack error answered, if any

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class PostedMessage:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    ephemeral: bool = False
    user: str | None = None  # who sees an ephemeral message
    attachments: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    via: str = "api"  # "api" or "response_url"
    deleted: bool = False
    edits: int = 0
    edited_ts: str | None = None  # when it was last updated
    broadcast: bool = False  # a thread reply also sent to the channel (reply_broadcast)


@dataclass(frozen=True)
class RecordedResponse:
    url: str
    payload: dict[str, Any]
    problems: list[str]
    at: datetime
    status: int = 200
    error: str | None = None


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    title: str | None = None
    content: bytes | None = None
    channel_id: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    kind: str
    times: int
    retry_after: int
    hold: float | None


@dataclass
class _ResponseUrl:
    id: str
    channel: str | None
    user: str | None
    message_ts: str | None
    created: datetime
    uses: int = 0


class SlackError(Exception):
    """A Slack ``ok: false`` answer raised inside a method handler."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


class SlackStandIn:
    """Slack's side of the Web API on an ephemeral port of 127.0.0.1; use as a context manager."""

    def __init__(
        self,
        *,
        users: Iterable[SlackUser] = (),
        channels: Iterable[SlackChannel] = (),
        strict: bool = False,
        known_channels_only: bool = False,
        token: str | None = None,
        clock: Clock | None = None,
        timeout_hold: float = 2.0,
        team_id: str = "T0LSCB",
        team_name: str = "LSCB Sandbox",
        team_domain: str = "lscb-sandbox",
        bot_user_id: str = "U0LSCBBOT",
        bot_id: str = "B0LSCBBOT",
        app_id: str = "A0LSCB",
    ) -> None:
        self.strict = strict
        self.known_channels_only = known_channels_only
        self.token = token
        self.clock: Clock = clock or _utc_now
        self.timeout_hold = timeout_hold
        self.team_id, self.team_name, self.team_domain = team_id, team_name, team_domain
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id

        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._seq = itertools.count(1)

        self._users: dict[str, SlackUser] = {}
        self._channels: dict[str, SlackChannel] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._calls: list[RecordedCall] = []
        self._messages: list[PostedMessage] = []
        self._responses: list[RecordedResponse] = []
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._uploads: dict[str, UploadedFile] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._modal_stacks: dict[str, list[str]] = defaultdict(list)
        self._home: dict[str, str] = {}
        self._triggers: dict[str, str | None] = {}
        for user in users:
            self._users[user.id] = user
        for channel in channels:
            self._channels[channel.id] = channel

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # releases connections held by "timeout" faults
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if self.strict and exc_type is None:
            self.assert_no_problems()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running; use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The Web API base, for ``WebClient(base_url=...)`` and ``SLACK_API_BASE_URL``."""
        return f"{self.root_url}/api/"

    # ---------------------------------------------------------------- workspace state

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str = "",
        tz: str = "Europe/London",
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> SlackUser:
        user = SlackUser(user_id, name, real_name or name, tz, email, deleted, is_bot)
        with self._lock:
            self._users[user_id] = user
        return user

    def deactivate_user(self, user_id: str) -> None:
        with self._lock:
            self._users[user_id].deleted = True

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_archived: bool = False,
        is_member: bool = True,
    ) -> SlackChannel:
        channel = SlackChannel(channel_id, name, is_private, is_archived, is_member)
        with self._lock:
            self._channels[channel_id] = channel
        return channel

    def archive_channel(self, channel_id: str) -> None:
        with self._lock:
            self._channel_for_state(channel_id).is_archived = True

    def remove_bot_from(self, channel_id: str) -> None:
        with self._lock:
            self._channel_for_state(channel_id).is_member = False

    def _channel_for_state(self, channel_id: str) -> SlackChannel:
        if channel_id not in self._channels:
            self._channels[channel_id] = SlackChannel(channel_id, channel_id.lower())
        return self._channels[channel_id]

    def user(self, user_id: str) -> SlackUser | None:
        return self._users.get(user_id)

    def channel(self, channel_id: str) -> SlackChannel | None:
        return self._channels.get(channel_id)

    def dm_channel_for(self, user_id: str) -> str:
        """The id of the direct-message channel between the app and a person."""
        with self._lock:
            return self._open_dm(user_id).id

    # ---------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
        hold: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``kind``: "rate_limited" (HTTP 429 with Retry-After), "server_error" (HTTP 500),
        "unavailable" (HTTP 503), "timeout" (the call is not carried out and the connection is
        held for ``hold`` seconds, default ``timeout_hold``, then dropped without an answer),
        "timeout_after_processing" (carried out, then held and dropped: the case where a retry
        would duplicate), or a Slack error code such as "channel_not_found" (HTTP 200, ok false).
        ``method`` may be "*" for any method, "response_url" or "upload".
        """
        if kind not in TRANSPORT_FAULTS and not _SLACK_ERROR.match(kind):
            raise ValueError(f"unknown fault kind {kind!r}")
        if times < 1:
            raise ValueError("times must be 1 or more")
        with self._lock:
            self._faults[method].append(_Fault(kind, times, retry_after, hold))

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            for key in (method, "*"):
                queue = self._faults.get(key)
                if queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.popleft()
                    return fault
        return None

    def _hold(self, fault: _Fault) -> None:
        seconds = self.timeout_hold if fault.hold is None else fault.hold
        self._stopping.wait(max(0.0, min(seconds, MAX_HOLD_SECONDS)))

    def _fault_reply(self, fault: _Fault | None) -> Reply | None:
        """What an injected fault answers, or None when there is no fault.

        An HTTP error status with its error body (and Retry-After when rate limited); a Slack
        error with HTTP 200; for either timeout, nothing: the connection is held, then dropped.
        Whether the call is carried out first is the caller's affair.
        """
        if fault is None:
            return None
        if fault.kind in _FAULT_STATUS:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.kind == "rate_limited" else {}
            )
            return _FAULT_STATUS[fault.kind], _error_body(_FAULT_ERROR[fault.kind]), headers
        if fault.kind in _TIMEOUT_FAULTS:
            self._hold(fault)
            return _DROPPED, None, {}
        return 200, _error_body(fault.kind), {}

    # ---------------------------------------------------------------- interaction helpers

    def new_response_url(
        self,
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A response_url for a command or action; what is POSTed to it lands in ``responses``.

        With ``channel`` (and ``user`` for ephemeral replies, ``message_ts`` for the message a
        button was on) replies also show in ``messages()`` the way Slack would show them.
        """
        with self._lock:
            rid = f"R{next(self._seq):08d}"
            self._response_urls[rid] = _ResponseUrl(rid, channel, user, message_ts, self.clock())
        return f"{self.root_url}/response/{rid}"

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """A trigger_id for a command or action, so views.open knows whose modal it opens."""
        with self._lock:
            trigger = f"{next(self._seq)}.{self.team_id}.standin"
            self._triggers[trigger] = user_id
        return trigger

    # ---------------------------------------------------------------- what happened

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def messages(
        self,
        channel: str | None = None,
        *,
        user: str | None = None,
        ephemeral: bool | None = None,
        include_deleted: bool = False,
    ) -> list[PostedMessage]:
        """Messages as they stand now, oldest first.

        ``user`` keeps those a person was sent: their direct messages and their ephemerals.
        """
        with self._lock:
            found = list(self._messages)
            dm = self._dm_ids_of(user) if user else set()
        return [
            m
            for m in found
            if (include_deleted or not m.deleted)
            and (channel is None or m.channel == channel)
            and (ephemeral is None or m.ephemeral == ephemeral)
            and (user is None or m.user == user or (not m.ephemeral and m.channel in dm))
        ]

    def _dm_ids_of(self, user_id: str) -> set[str]:
        return {c.id for c in self._channels.values() if c.is_im and c.user == user_id}

    @property
    def responses(self) -> list[RecordedResponse]:
        with self._lock:
            return list(self._responses)

    @property
    def uploads(self) -> dict[str, UploadedFile]:
        with self._lock:
            return dict(self._uploads)

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._views.get(view_id)

    def modal_stack(self, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self._views[v] for v in self._modal_stacks.get(user_id, [])]

    def open_modal(self, user_id: str) -> dict[str, Any] | None:
        stack = self.modal_stack(user_id)
        return stack[-1] if stack else None

    def close_modal(self, user_id: str, *, all_views: bool = True) -> None:
        """What Slack does when a person submits or closes a modal (one view, or the stack)."""
        with self._lock:
            stack = self._modal_stacks.get(user_id, [])
            if all_views:
                stack.clear()
            elif stack:
                stack.pop()

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            vid = self._home.get(user_id)
            return self._views.get(vid) if vid else None

    def problems(self) -> list[str]:
        with self._lock:
            found = [p for c in self._calls for p in c.problems]
            return found + [p for r in self._responses for p in r.problems]

    def assert_no_problems(self) -> None:
        """Raise AssertionError listing every call that Slack's published API would refuse."""
        found = self.problems()
        if found:
            raise AssertionError(
                f"{len(found)} problem(s) with calls to the Slack stand-in:\n  "
                + "\n  ".join(found)
            )

    # ---------------------------------------------------------------- request handling

    def _handle_api(self, method: str, raw_args: dict[str, Any], token: str | None) -> Reply:
        spec = method_spec(method)
        args = _decoded(raw_args)
        problems = check_call(method, _as_checked(args, raw_args))
        if spec is not None and spec.token_required and not token:
            problems.append(f"{method}: no token (send it as an Authorization: Bearer header)")
        fault = self._take_fault(method)
        kind = fault.kind if fault else None
        # HTTP errors and timeouts happen whatever was sent; a Slack error stands in for the
        # method's own answer only once the call has passed Slack's checks.
        faulted = kind in TRANSPORT_FAULTS
        error, body = None, None

        if kind in _FAULT_STATUS:
            error = _FAULT_ERROR[kind]
        elif kind == "timeout":
            error = "timeout"
        elif spec is None:
            error, body = "unknown_method", _problem_body("unknown_method", problems)
        elif problems and not token and spec.token_required:
            error, body = "not_authed", _problem_body("not_authed", problems)
        elif problems:
            error, body = "invalid_arguments", _problem_body("invalid_arguments", problems)
        elif self.token is not None and token != self.token:
            error, body = "invalid_auth", _error_body("invalid_auth")
        elif kind is not None and not faulted:
            error, faulted = kind, True
        else:
            try:
                with self._lock:
                    body = self._dispatch(method, args)
            except SlackError as e:
                error, body = e.error, {**_error_body(e.error), **e.extra}

        with self._lock:
            self._calls.append(
                RecordedCall(
                    method=method,
                    args=args,
                    problems=problems,
                    at=self.clock(),
                    fault=kind,
                    status=_FAULT_STATUS.get(kind or "", 200),
                    error=error,
                )
            )
        log.debug("stand-in %s: %s", method, error or "ok")
        reply = self._fault_reply(fault) if faulted else None  # a timeout is held here
        return reply or (200, body, {})

    def _dispatch(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = _METHODS.get(method)
        if handler is None:
            return {"ok": True}
        return handler(self, args)

    def _handle_upload(self, file_id: str, data: bytes) -> Reply:
        # Any fault, "timeout_after_processing" too, stops the file being kept.
        faulted = self._fault_reply(self._take_fault("upload"))
        if faulted is not None:
            return faulted
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, _error_body("file_not_found"), {}
            upload.content = data
        return 200, f"OK - {len(data)}", {}

    def _handle_response_url(self, rid: str, payload: Any) -> Reply:
        url = f"{self.root_url}/response/{rid}"
        # Either timeout is held and dropped here, before anything is carried out or recorded.
        faulted = self._fault_reply(self._take_fault("response_url"))
        if faulted is not None and faulted[0] == _DROPPED:
            return faulted
        problems: list[str] = []
        if not isinstance(payload, dict):
            payload, problems = {}, ["response_url: body must be a JSON object"]
        for key in payload:
            if key not in _RESPONSE_KEYS:
                problems.append(f"response_url: unknown field {key!r}")
        if payload.get("blocks") is not None:
            problems += [
                f"response_url: {p}"
                for p in blockkit.check_blocks_arg(payload["blocks"], "message")
            ]
        problems += [f"response_url: {p}" for p in blockkit.check_message_text(payload.get("text"))]
        reply: Reply = (200, {"ok": True}, {})
        with self._lock:
            target = self._response_urls.get(rid)
            if target is None:
                reply = 404, _error_body("invalid_url"), {}
            elif self.clock() - target.created > RESPONSE_URL_LIFETIME:
                reply = 404, _error_body("expired_url"), {}
            elif target.uses >= RESPONSE_URL_USES:
                reply = 404, _error_body("used_url"), {}
                problems.append(f"response_url: used more than {RESPONSE_URL_USES} times")
            elif faulted is not None:
                reply = faulted
            elif problems:
                reply = 400, _error_body("invalid_blocks"), {}
            else:
                target.uses += 1
                self._apply_response(target, payload)
            status, error = reply[0], reply[1].get("error")
            self._responses.append(
                RecordedResponse(url, _decoded(payload), problems, self.clock(), status, error)
            )
        log.debug("stand-in response_url: %s", error or "ok")
        return reply

    def _apply_response(self, target: _ResponseUrl, payload: dict[str, Any]) -> None:
        blocks = _as_list(payload.get("blocks"))
        original = (
            self._find_message(target.channel, target.message_ts)
            if target.channel and target.message_ts
            else None
        )
        if _truthy(payload.get("delete_original")):
            if original is not None:
                original.deleted = True
            return
        if _truthy(payload.get("replace_original")) and original is not None:
            original.text = payload.get("text", original.text)
            original.blocks = blocks
            original.edits += 1
            original.edited_ts = self._new_ts()
            return
        if target.channel is None:
            return
        in_channel = payload.get("response_type") == "in_channel"
        if not in_channel and target.user is None:
            return
        self._messages.append(
            PostedMessage(
                channel=target.channel,
                ts=self._new_ts(),
                text=payload.get("text"),
                blocks=blocks,
                thread_ts=payload.get("thread_ts"),
                ephemeral=not in_channel,
                user=None if in_channel else target.user,
                via="response_url",
            )
        )

    # ---------------------------------------------------------------- helpers for methods

    def _new_ts(self) -> str:
        return f"{int(self.clock().timestamp())}.{next(self._seq) % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):08d}"

    def _open_dm(self, user_id: str) -> SlackChannel:
        for c in self._channels.values():
            if c.is_im and c.user == user_id:
                return c
        dm = SlackChannel(
            "D" + user_id[1:], user_id, is_private=True, is_member=True, is_im=True, user=user_id
        )
        self._channels[dm.id] = dm
        return dm

    def _resolve_channel(self, ref: Any) -> SlackChannel:
        ref = str(ref or "")
        if ref[:1] in ("U", "W"):
            if ref not in self._users:
                raise SlackError("channel_not_found")
            # Slack still delivers to a deactivated person's DM; only conversations.open refuses.
            return self._open_dm(ref)
        if ref in self._channels:
            return self._channels[ref]
        name = ref.lstrip("#")
        for c in self._channels.values():
            if c.name == name and not c.is_im:
                return c
        if self.known_channels_only or ref[:1] not in ("C", "G") or not ref[1:].isalnum():
            raise SlackError("channel_not_found")
        channel = SlackChannel(ref, ref.lower(), is_private=ref.startswith("G"))
        self._channels[ref] = channel
        return channel

    def _postable_channel(self, ref: Any) -> SlackChannel:
        channel = self._resolve_channel(ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        if not channel.is_member:
            if channel.is_private:
                raise SlackError("channel_not_found")
            raise SlackError("not_in_channel")
        return channel

    def _find_message(self, channel: str | None, ts: str | None) -> PostedMessage | None:
        for m in self._messages:
            if m.channel == channel and m.ts == ts and not m.deleted and not m.ephemeral:
                return m
        return None

    def _message_json(self, m: PostedMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "text": m.text or "",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": m.ts,
        }
        if m.blocks:
            body["blocks"] = m.blocks
        if m.attachments:
            body["attachments"] = m.attachments
        if m.files:
            body["files"] = [self._file_json(f) for f in m.files]
        if m.thread_ts:
            body["thread_ts"] = m.thread_ts
            body["parent_user_id"] = self.bot_user_id
            if m.broadcast:
                body["subtype"] = "thread_broadcast"
        if m.edited_ts:
            body["edited"] = {"user": self.bot_user_id, "ts": m.edited_ts}
        return body

    def _file_json(self, file_id: str) -> dict[str, Any]:
        upload = self._uploads.get(file_id)
        body: dict[str, Any] = {"id": file_id}
        if upload is not None:
            body.update(name=upload.filename, title=upload.title or upload.filename)
            body["size"] = len(upload.content or b"")
        return body

    # ------------------------------------------------------------ reading conversations

    def _readable_channel(self, ref: Any) -> SlackChannel:
        """The conversation for conversations.history and .replies: an ID the bot is in.

        Unlike chat.postMessage these take neither a channel name nor a person's user ID.
        """
        ref = str(ref or "")
        channel = self._channels.get(ref)
        if channel is None:
            if ref[:1] not in ("C", "G") or not ref[1:].isalnum():
                raise SlackError("channel_not_found")
            channel = self._resolve_channel(ref)
        if not channel.is_member:
            if channel.is_private and not channel.is_im:
                raise SlackError("channel_not_found")
            raise SlackError("not_in_channel")
        return channel

    def _thread_of(self, channel: str, ts: str) -> list[PostedMessage]:
        """The replies in a thread as they stand, oldest first."""
        return sorted(
            (
                m
                for m in self._messages
                if m.channel == channel
                and m.thread_ts == ts
                and m.ts != ts
                and not m.ephemeral
                and not m.deleted
            ),
            key=lambda m: _ts_key(m.ts),
        )

    def _conversation_json(self, m: PostedMessage, replies: list[PostedMessage]) -> dict[str, Any]:
        """A message as conversations.history and .replies show it: a thread's parent carries
        its reply count; a deleted parent whose replies remain is a tombstone."""
        if m.deleted:
            body: dict[str, Any] = {
                "type": "message",
                "subtype": "tombstone",
                "text": "This message was deleted.",
                "user": "USLACKBOT",
                "hidden": True,
                "ts": m.ts,
            }
        else:
            body = self._message_json(m)
        if replies and not m.thread_ts:
            body.update(
                thread_ts=m.ts,
                reply_count=len(replies),
                reply_users=[self.bot_user_id],
                reply_users_count=1,
                latest_reply=replies[-1].ts,
                is_locked=False,
                subscribed=False,
            )
        return body

    def _channel_json(self, c: SlackChannel) -> dict[str, Any]:
        if c.is_im:
            return {"id": c.id, "is_im": True, "user": c.user, "is_open": True, "created": 0}
        return {
            "id": c.id,
            "name": c.name,
            "name_normalized": c.name,
            "is_channel": not c.is_private,
            "is_group": c.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": c.is_private,
            "is_archived": c.is_archived,
            "is_general": False,
            "is_member": c.is_member,
            "created": 0,
            "creator": "",
        }

    def _user_json(self, u: SlackUser) -> dict[str, Any]:
        try:
            offset = self.clock().astimezone(ZoneInfo(u.tz)).utcoffset() or timedelta(0)
            tz_offset = int(offset.total_seconds())
        except (ZoneInfoNotFoundError, ValueError):
            tz_offset = 0
        profile: dict[str, Any] = {
            "real_name": u.real_name or u.name,
            "display_name": u.name,
            "real_name_normalized": u.real_name or u.name,
            "display_name_normalized": u.name,
        }
        if u.email:
            profile["email"] = u.email
        return {
            "id": u.id,
            "team_id": self.team_id,
            "name": u.name,
            "deleted": u.deleted,
            "real_name": u.real_name or u.name,
            "tz": u.tz,
            "tz_label": u.tz,
            "tz_offset": tz_offset,
            "is_bot": u.is_bot,
            "is_app_user": False,
            "profile": profile,
        }

    def _store_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        root: str | None = None,
        previous: str | None = None,
    ) -> dict[str, Any]:
        vid = view_id or self._next_id("V")
        stored = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **view,
            "id": vid,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "app_installed_team_id": self.team_id,
            "hash": f"{int(self.clock().timestamp())}.{next(self._seq):08d}",
            "state": {"values": {}},
            "root_view_id": root or vid,
            "previous_view_id": previous,
        }
        self._views[vid] = stored
        return stored


# -------------------------------------------------------------------- Web API methods


def _auth_test(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{s.team_domain}.slack.com/",
        "team": s.team_name,
        "user": "lscb",
        "team_id": s.team_id,
        "user_id": s.bot_user_id,
        "bot_id": s.bot_id,
        "is_enterprise_install": False,
    }


def _require_content(args: dict[str, Any]) -> None:
    if not any(args.get(k) for k in ("text", "blocks", "attachments")):
        raise SlackError("no_text")


def _post(
    s: SlackStandIn, channel: SlackChannel, args: dict[str, Any], *, text: Any, **fields: Any
) -> PostedMessage:
    """Keep a message posted by a Web API call: its blocks, attachments and thread from the
    call's arguments, its text and any other ``fields`` as given."""
    message = PostedMessage(
        channel=channel.id,
        ts=s._new_ts(),
        text=text,
        blocks=_as_list(args.get("blocks")),
        thread_ts=args.get("thread_ts") or None,
        attachments=_as_list(args.get("attachments")),
        **fields,
    )
    s._messages.append(message)
    return message


def _chat_post_message(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    _require_content(args)
    channel = s._postable_channel(args["channel"])
    message = _post(
        s,
        channel,
        args,
        text=args.get("text"),
        broadcast=bool(args.get("thread_ts")) and _truthy(args.get("reply_broadcast")),
    )
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": s._message_json(message),
    }


def _chat_post_ephemeral(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    _require_content(args)
    channel = s._postable_channel(args["channel"])
    user = s._users.get(str(args["user"]))
    if user is None:
        raise SlackError("user_not_found")
    message = _post(s, channel, args, text=args.get("text"), ephemeral=True, user=user.id)
    return {"ok": True, "message_ts": message.ts}


def _chat_update(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args["channel"])
    if channel.is_archived:
        raise SlackError("is_archived")
    message = s._find_message(channel.id, str(args["ts"]))
    if message is None:
        raise SlackError("message_not_found")
    # Fields left out keep their old value, as Slack does.
    if "text" in args:
        message.text = args["text"]
    if "blocks" in args:
        message.blocks = _as_list(args["blocks"])
    if "attachments" in args:
        message.attachments = _as_list(args["attachments"])
    message.edits += 1
    message.edited_ts = s._new_ts()
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text or "",
        "message": s._message_json(message),
    }


def _chat_delete(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args.get("channel"))
    message = s._find_message(channel.id, str(args.get("ts")))
    if message is None:
        raise SlackError("message_not_found")
    message.deleted = True
    return {"ok": True, "channel": channel.id, "ts": message.ts}


def _chat_get_permalink(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args["channel"])
    message = s._find_message(channel.id, str(args["message_ts"]))
    if message is None:
        raise SlackError("message_not_found")
    return {
        "ok": True,
        "channel": channel.id,
        "permalink": (
            f"https://{s.team_domain}.slack.com/archives/{channel.id}/p"
            + message.ts.replace(".", "")
        ),
    }


def _ts_key(ts: str) -> Decimal:
    return Decimal(ts)


def _ts_arg(args: dict[str, Any], name: str) -> Decimal | None:
    value = args.get(name)
    if _blank_arg(value):
        return None
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        raise SlackError(f"invalid_ts_{name}") from None
    if not found.is_finite() or found < 0:
        raise SlackError(f"invalid_ts_{name}")
    return found


def _blank_arg(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _limit_arg(args: dict[str, Any], default: int, most: int) -> int:
    value = args.get("limit")
    if _blank_arg(value):
        return default
    try:
        limit = int(str(value).strip())
    except ValueError:
        raise SlackError("invalid_limit") from None
    return default if limit <= 0 else min(limit, most)


def _in_range(ts: str, oldest: Decimal | None, latest: Decimal | None, inclusive: bool) -> bool:
    at = _ts_key(ts)
    if oldest is not None and (at < oldest or (at == oldest and not inclusive)):
        return False
    return latest is None or at < latest or (at == latest and inclusive)


def _cursor_for(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode("ascii")


def _cursor_ts(args: dict[str, Any]) -> Decimal | None:
    """The ts a page starts at, from a cursor this stand-in handed out."""
    value = args.get("cursor")
    if _blank_arg(value):
        return None
    try:
        text = base64.b64decode(str(value).strip(), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
    digits = text.removeprefix("next_ts:")
    if digits == text or len(digits) < 7 or not digits.isdigit():
        raise SlackError("invalid_cursor")
    return Decimal(f"{digits[:-6]}.{digits[-6:]}")


def _page(
    body: dict[str, Any], shown: list[dict[str, Any]], rest: PostedMessage | None
) -> dict[str, Any]:
    body["messages"] = shown
    body["has_more"] = rest is not None
    if rest is not None:
        body["response_metadata"] = {"next_cursor": _cursor_for(rest.ts)}
    return body


def _conversations_history(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    """A conversation's messages, newest first: top-level ones and thread parents (and replies
    also sent to the channel), never ephemerals or thread replies; deleted ones are gone, except
    a thread's parent whose replies remain, which shows as a tombstone."""
    channel = s._readable_channel(args.get("channel"))
    oldest, latest = _ts_arg(args, "oldest"), _ts_arg(args, "latest")
    inclusive = _truthy(args.get("inclusive"))
    limit = _limit_arg(args, *HISTORY_LIMIT)
    start = _cursor_ts(args)
    found: list[tuple[PostedMessage, list[PostedMessage]]] = []
    for m in s._messages:
        if m.channel != channel.id or m.ephemeral:
            continue
        if m.thread_ts and m.thread_ts != m.ts and not m.broadcast:
            continue
        replies = [] if m.thread_ts else s._thread_of(channel.id, m.ts)
        if m.deleted and not replies:
            continue
        if not _in_range(m.ts, oldest, latest, inclusive):
            continue
        if start is not None and _ts_key(m.ts) > start:
            continue
        found.append((m, replies))
    found.sort(key=lambda pair: _ts_key(pair[0].ts), reverse=True)
    page, rest = found[:limit], found[limit] if len(found) > limit else None
    body: dict[str, Any] = {"ok": True}
    _page(body, [s._conversation_json(m, r) for m, r in page], rest[0] if rest else None)
    body.update(pin_count=0, channel_actions_ts=None, channel_actions_count=0)
    return body


def _conversations_replies(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    """A thread, oldest first: its parent, then the replies. ``ts`` may be the parent's or any
    reply's; a message with no replies is answered alone. Every page starts with the parent."""
    channel = s._readable_channel(args.get("channel"))
    ts = str(args.get("ts") or "").strip()
    oldest, latest = _ts_arg(args, "oldest"), _ts_arg(args, "latest")
    inclusive = _truthy(args.get("inclusive"))
    limit = _limit_arg(args, *REPLIES_LIMIT)
    start = _cursor_ts(args)
    target = next(
        (m for m in s._messages if m.channel == channel.id and m.ts == ts and not m.ephemeral),
        None,
    )
    if target is None:
        raise SlackError("thread_not_found")
    root_ts = target.thread_ts or target.ts
    parent = next(
        (m for m in s._messages if m.channel == channel.id and m.ts == root_ts and not m.ephemeral),
        None,
    )
    replies = s._thread_of(channel.id, root_ts)
    # A deleted message is gone, unless it is a parent whose replies remain (a tombstone).
    if (
        parent is None
        or (target.deleted and target is not parent)
        or (parent.deleted and not replies)
    ):
        raise SlackError("thread_not_found")
    wanted = [
        m
        for m in replies
        if _in_range(m.ts, oldest, latest, inclusive) and (start is None or _ts_key(m.ts) >= start)
    ]
    room = max(1, limit - 1)
    page, rest = wanted[:room], wanted[room] if len(wanted) > room else None
    shown = [s._conversation_json(parent, replies)] + [s._conversation_json(m, []) for m in page]
    return _page({"ok": True}, shown, rest)


def _views_open(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    user = s._triggers.get(str(args["trigger_id"]))
    stored = s._store_view(_as_dict(args["view"]))
    if user:
        s._modal_stacks[user] = [stored["id"]]
    return {"ok": True, "view": stored}


def _views_push(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    user = s._triggers.get(str(args["trigger_id"]))
    stack = s._modal_stacks[user] if user else []
    if len(stack) >= MAX_MODAL_STACK:
        raise SlackError("push_limit_reached")
    root = stack[0] if stack else None
    stored = s._store_view(_as_dict(args["view"]), root=root, previous=stack[-1] if stack else None)
    if user:
        stack.append(stored["id"])
    return {"ok": True, "view": stored}


def _views_update(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next(
            (v["id"] for v in s._views.values() if v.get("external_id") == args["external_id"]),
            None,
        )
        if view_id is None:
            raise SlackError("not_found")
    if not view_id:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["views.update needs view_id or external_id"]},
        )
    if not args.get("view"):
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["views.update needs view"]}
        )
    old = s._views.get(str(view_id))
    if old is None:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    stored = s._store_view(
        _as_dict(args["view"]),
        view_id=old["id"],
        root=old["root_view_id"],
        previous=old["previous_view_id"],
    )
    return {"ok": True, "view": stored}


def _views_publish(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    user_id = str(args["user_id"])
    if user_id not in s._users:
        raise SlackError("user_not_found")
    old = s._home.get(user_id)
    if old and args.get("hash") and args["hash"] != s._views[old]["hash"]:
        raise SlackError("hash_conflict")
    stored = s._store_view(_as_dict(args["view"]), view_id=old)
    s._home[user_id] = stored["id"]
    return {"ok": True, "view": stored}


def _users_info(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    user = s._users.get(str(args.get("user", "")))
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": s._user_json(user)}


def _users_lookup_by_email(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    email = str(args["email"]).strip().lower()
    for user in s._users.values():
        if user.email and user.email.lower() == email:
            return {"ok": True, "user": s._user_json(user)}
    raise SlackError("users_not_found")


def _conversations_info(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args.get("channel"))
    if channel.is_private and not channel.is_member:
        raise SlackError("channel_not_found")
    return {"ok": True, "channel": s._channel_json(channel)}


def _conversations_list(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    """Channels of the given types, as Slack lists them: private ones only where the app is a
    member, direct messages only when asked for; paged by an opaque cursor."""
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
    exclude_archived = _truthy(args.get("exclude_archived"))
    limit = _limit_arg(args, *LIST_LIMIT)
    cursor = str(args.get("cursor") or "")
    offset = _LIST_CURSOR.fullmatch(cursor)
    if cursor and offset is None:
        raise SlackError("invalid_cursor")
    start = int(offset.group(1)) if offset else 0

    def listed(c: SlackChannel) -> bool:
        if c.is_im:
            return "im" in types
        if exclude_archived and c.is_archived:
            return False
        if c.is_private:
            return "private_channel" in types and c.is_member
        return "public_channel" in types

    with s._lock:
        channels = sorted((c for c in s._channels.values() if listed(c)), key=lambda c: c.id)
        page = [s._channel_json(c) for c in channels[start : start + limit]]
    more = start + limit < len(channels)
    return {
        "ok": True,
        "channels": page,
        "response_metadata": {"next_cursor": f"offset:{start + limit}" if more else ""},
    }


def _conversations_join(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args.get("channel"))
    if channel.is_im or channel.is_private:
        if channel.is_private and not channel.is_member and not channel.is_im:
            raise SlackError("channel_not_found")
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    already = channel.is_member
    channel.is_member = True
    body: dict[str, Any] = {"ok": True, "channel": s._channel_json(channel)}
    if already:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    return body


def _conversations_open(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        channel = s._resolve_channel(args["channel"])
        return {"ok": True, "channel": {"id": channel.id}, "no_op": True, "already_open": True}
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 8:
        raise SlackError("too_many_users")
    for uid in users:
        person = s._users.get(uid)
        if person is None:
            raise SlackError("user_not_found")
        if person.deleted:
            raise SlackError("user_disabled")
    if len(users) == 1:
        existed = any(c.is_im and c.user == users[0] for c in s._channels.values())
        dm = s._open_dm(users[0])
        body: dict[str, Any] = {"ok": True, "channel": {"id": dm.id}}
        if existed:
            body.update(no_op=True, already_open=True)
        if _truthy(args.get("return_im")):
            body["channel"] = s._channel_json(dm)
        return body
    key = "mpdm-" + "--".join(sorted(users))
    group = next((c for c in s._channels.values() if c.name == key), None)
    if group is None:
        group = SlackChannel(s._next_id("G"), key, is_private=True)
        s._channels[group.id] = group
    return {"ok": True, "channel": {"id": group.id}}


def _files_get_upload_url(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(args["length"])
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    file_id = s._next_id("F")
    s._uploads[file_id] = UploadedFile(
        file_id, str(args["filename"]), length, alt_txt=args.get("alt_txt")
    )
    return {"ok": True, "upload_url": f"{s.root_url}/upload/v1/{file_id}", "file_id": file_id}


def _files_complete_upload(s: SlackStandIn, args: dict[str, Any]) -> dict[str, Any]:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    uploads: list[tuple[UploadedFile, str | None]] = []
    for entry in entries:
        upload = s._uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if upload is None or upload.content is None:
            raise SlackError("file_not_found")
        uploads.append((upload, entry.get("title")))
    channel_ref = args.get("channel_id") or (str(args.get("channels") or "").split(",")[0])
    channel = s._postable_channel(channel_ref) if channel_ref else None
    for upload, title in uploads:
        upload.title = title or upload.filename
        upload.completed = True
        upload.channel_id = channel.id if channel else None
    if channel is not None:
        # No attachments: the method takes none (check_call refuses the call before this).
        _post(s, channel, args, text=args.get("initial_comment"), files=[u.id for u, _ in uploads])
    return {
        "ok": True,
        "files": [
            {
                "id": u.id,
                "name": u.filename,
                "title": u.title,
                "size": len(u.content or b""),
                "permalink": f"https://{s.team_domain}.slack.com/files/{s.bot_user_id}/{u.id}",
            }
            for u, _ in uploads
        ],
    }


_METHODS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "chat.postMessage": _chat_post_message,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.update": _chat_update,
    "chat.delete": _chat_delete,
    "chat.getPermalink": _chat_get_permalink,
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
    "users.info": _users_info,
    "users.lookupByEmail": _users_lookup_by_email,
    "conversations.info": _conversations_info,
    "conversations.list": _conversations_list,
    "conversations.history": _conversations_history,
    "conversations.replies": _conversations_replies,
    "conversations.join": _conversations_join,
    "conversations.open": _conversations_open,
    "files.getUploadURLExternal": _files_get_upload_url,
    "files.completeUploadExternal": _files_complete_upload,
}


# -------------------------------------------------------------------- HTTP plumbing


def _error_body(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _problem_body(error: str, problems: list[str]) -> dict[str, Any]:
    return {**_error_body(error), "response_metadata": {"messages": problems}}


def _decoded(args: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(args)
    for key in _JSON_ARGS:
        if isinstance(out.get(key), str):
            # Invalid JSON is left as sent, for check_call to report.
            with contextlib.suppress(ValueError):
                out[key] = json.loads(out[key])
    return out


def _as_checked(args: dict[str, Any], raw_args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments for check_call: JSON text decoded to an array or object is passed decoded,
    so it is not decoded again; anything else goes as sent, so that check_call reports invalid
    JSON, and JSON that is not an array or object (``null``, say), just as it always has."""
    return {
        k: v if k in _JSON_ARGS and isinstance(v, list | dict) else raw_args[k]
        for k, v in args.items()
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        return parsed if isinstance(parsed, dict) else {}
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                out[name] = payload if part.get_filename() else payload.decode("utf-8")
        return out
    return dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: SlackStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SlackStandIn/1"

    def log_message(self, format: str, *args: Any) -> None:
        # The default logs request lines, whose query strings can hold personal data.
        pass

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        standin = self.server.standin
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = [p for p in url.path.split("/") if p]
        try:
            if len(parts) == 2 and parts[0] == "api":
                args: dict[str, Any] = dict(urllib.parse.parse_qsl(url.query))
                args.update(_parse_body(self.headers.get("Content-Type", ""), body))
                auth = self.headers.get("Authorization", "")
                token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
                token = token or (str(args["token"]) if args.get("token") else None)
                reply = standin._handle_api(parts[1], args, token)
            elif len(parts) == 3 and parts[:2] == ["upload", "v1"]:
                reply = standin._handle_upload(parts[2], body)
            elif len(parts) == 2 and parts[0] == "response":
                reply = standin._handle_response_url(parts[1], json.loads(body or b"null"))
            else:
                reply = (404, {"ok": False, "error": "not_found"}, {})
        except ValueError:
            reply = (400, {"ok": False, "error": "invalid_form_data"}, {})
        self._send(*reply)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if status == _DROPPED:  # a held "timeout": drop the connection without an answer
            self.close_connection = True
            return
        if isinstance(body, str):
            data, ctype = body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        # A client that gave up (timed out, say) has nothing more to be told.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)
