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

The workspace it keeps is in ``workspace``, the methods it carries out in ``methods/`` (one
module a method family), its HTTP side in ``wire``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sandbox.slack import blockkit
from sandbox.slack.methods import METHODS
from sandbox.slack.records import (
    PostedMessage,
    RecordedCall,
    RecordedResponse,
    SlackChannel,
    SlackError,
    SlackUser,
    UploadedFile,
    as_list,
    truthy,
)
from sandbox.slack.spec import check_call, method_spec
from sandbox.slack.wire import DROPPED, Handler, Reply, Server
from sandbox.slack.workspace import Clock, Workspace

log = logging.getLogger(__name__)

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


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SlackStandIn(Workspace):
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
        # A SocketModeStandIn joined to this one answers apps.connections.open.
        self.socket_mode: Any = None
        self.clock = clock or _utc_now
        self.timeout_hold = timeout_hold
        self.team_id, self.team_name, self.team_domain = team_id, team_name, team_domain
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        super().__init__(users, channels)

        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._calls: list[RecordedCall] = []
        self._responses: list[RecordedResponse] = []
        self._response_urls: dict[str, _ResponseUrl] = {}

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = Server(("127.0.0.1", 0), Handler)
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
            return DROPPED, None, {}
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
        elif method == "apps.connections.open":
            # The app-level token, which only a Socket Mode stand-in knows.
            try:
                if self.socket_mode is None:
                    raise SlackError("invalid_auth")
                body = self.socket_mode.open_connection(token)
            except SlackError as e:
                error, body = e.error, _error_body(e.error)
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
        handler = METHODS.get(method)
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

    def _handle_download(self, file_id: str, token: str | None) -> Reply:
        """A file's url_private_download: only with the bot token, as Slack requires. Recorded as
        a call named "download" (the file's id only)."""
        with self._lock:
            upload = self._uploads.get(file_id)
            ok = self.token is None or token == self.token
            problems = [] if ok else ["download: no bot token (Authorization: Bearer xoxb-...)"]
            self._calls.append(
                RecordedCall(
                    "download",
                    {"file": file_id},
                    problems,
                    self.clock(),
                    status=200 if ok and upload is not None else 404,
                )
            )
        if not ok:
            # Slack answers a login page, not the file, to a request without the token.
            return 302, "", {"Location": f"https://{self.team_domain}.slack.com/"}
        if upload is None or upload.content is None:
            return 404, "file not found", {}
        return 200, upload.content, {}

    def share_file(self, user_id: str, filename: str, content: bytes) -> dict[str, Any]:
        """A person uploads a file to Slack (into a form's file field, or a message): the file
        object Slack would put in the payload."""
        from sandbox.slack.methods.files import file_json

        with self._lock:
            file_id = self._next_id("F")
            upload = UploadedFile(
                file_id, filename, len(content), content=content, completed=True, user=user_id
            )
            self._uploads[file_id] = upload
            return file_json(self, upload)

    def _handle_response_url(self, rid: str, payload: Any) -> Reply:
        url = f"{self.root_url}/response/{rid}"
        # Either timeout is held and dropped here, before anything is carried out or recorded.
        faulted = self._fault_reply(self._take_fault("response_url"))
        if faulted is not None and faulted[0] == DROPPED:
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
        blocks = as_list(payload.get("blocks"))
        original = (
            self._find_message(target.channel, target.message_ts)
            if target.channel and target.message_ts
            else None
        )
        if truthy(payload.get("delete_original")):
            if original is not None:
                original.deleted = True
            return
        if truthy(payload.get("replace_original")) and original is not None:
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
