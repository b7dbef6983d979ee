"""The outbox: notices are written before they are sent, claimed with a lease, and recorded after.

Which side of the send is recorded
----------------------------------
1. *Enqueue*: the notice's row is inserted (unique on kind, recipient, period) in the same
   transaction that works out what is owed. Inserting twice does nothing.
2. *Claim*: one conditional UPDATE moves the row from ``pending`` (or ``sending`` whose lease has
   run out) to ``sending`` with a fresh lease and token, and counts the attempt. Two senders
   cannot both win it.
3. *Send*: before each part the sender renews its lease with a conditional UPDATE on its token;
   if the token is no longer its own (the lease ran out and another sender claimed the row) it
   stops and leaves the notice to the holder. Each part is posted with a marker in its first
   block's ``block_id`` (``lscb-<hash of the key>-<part>``).
4. *Record*: after each part, its ts is recorded (again only while the claim is its own); after
   the last, the row is ``sent``.

A sender that dies between 3 and 4 leaves the row ``sending``; when the lease runs out the next
claim sees that an attempt was made (``attempts > 0``) and, before posting anything, looks for the
marker in the conversation (``conversations.history``, and ``conversations.replies`` for thread
parts). A part found there is recorded, not posted again. The same check runs before re-sending
after a timeout or a 5xx, whose outcome is unknown. HTTP 429 is a refusal before anything happens,
so it is retried at once, honouring Retry-After, by slack_sdk's ``RateLimitErrorRetryHandler``
extended to hold the claim: the lease is stretched to cover the wait, and checked when the wait
is over, so a send that outlives its lease never posts a part a second sender has posted.

A notice is therefore posted once unless Slack cannot show the app the conversation's history
(then it is re-sent: at least once, logged as ``unverified``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import http.client
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from jobs.snapshot import OwedNotice
from models.clock import Clock, SystemClock
from models.outbox import Notice, NoticeState

log = logging.getLogger("lscb.jobs.outbox")

# Slack refuses these for good: the notice is undeliverable and not tried again.
PERMANENT_ERRORS = frozenset(
    {
        "is_archived",
        "channel_is_archived",
        "not_in_channel",
        "channel_not_found",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "users_not_found",
        "cannot_dm_bot",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "ekm_access_denied",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_arguments",
        "too_many_attachments",
        "duplicate_channel_not_found",
    }
)
# The whole run cannot work (token or scopes): stop, leave everything pending.
CONFIGURATION_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
    }
)
LEASE = timedelta(minutes=5)
ATTEMPTS_PER_RUN = 3


class ConfigurationProblem(RuntimeError):
    """Slack refused the app itself (token, scopes): no notice can go until it is fixed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class DispatchResult:
    sent: int = 0
    undeliverable: int = 0
    left: int = 0  # pending or held by another sender: safely left for the next run
    late: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    configuration_error: str | None = None

    def merge(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.undeliverable += other.undeliverable
        self.left += other.left
        self.late += other.late
        for k, v in other.errors.items():
            self.errors[k] += v
        self.configuration_error = self.configuration_error or other.configuration_error


def notice_marker(kind: str, recipient: str, period: str) -> str:
    digest = hashlib.sha256(f"{kind}\x1f{recipient}\x1f{period}".encode()).hexdigest()[:20]
    return f"lscb-{digest}"


def part_block_id(marker: str, index: int) -> str:
    return f"{marker}-{index}"


def enqueue(s: Session, owed: Iterable[OwedNotice], now: datetime) -> int:
    """Insert a row per notice; a key already present is left as it is. Returns rows added."""
    rows = [
        {
            "kind": n.kind,
            "recipient": n.recipient,
            "period": n.period,
            "subjects": json.dumps(n.subjects),
            "payload": json.dumps(n.parts, ensure_ascii=False),
            "state": NoticeState.PENDING.value,
            "attempts": 0,
            "due_at": n.due_at,
            "created_at": now,
            "late": n.late,
            "parts_sent": 0,
        }
        for n in owed
    ]
    if not rows:
        return 0
    dialect = s.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for chunk in range(0, len(rows), 500):
        stmt = (
            insert(Notice)
            .values(rows[chunk : chunk + 500])
            .on_conflict_do_nothing(index_elements=["kind", "recipient", "period"])
            .returning(Notice.id)
        )
        added += len(s.execute(stmt).all())
    return added


def _is_user_id(ref: str) -> bool:
    return ref[:1] in ("U", "W") and ref[1:].isalnum() and ref.upper() == ref


_AMBIGUOUS_EXCEPTIONS: tuple[type[BaseException], ...] = (
    TimeoutError,
    socket.timeout,
    ConnectionError,
    urllib.error.URLError,
    http.client.HTTPException,
)


_NAME_LOOKUP_FAILURES: tuple[type[BaseException], ...] = (*_AMBIGUOUS_EXCEPTIONS, ValueError)


class LostClaim(RuntimeError):
    """Another sender holds the notice now (this one's lease ran out): stop, leave it to them."""


@dataclass(frozen=True)
class _Claim:
    notice_id: int
    token: str


class _LeaseKeepingRateLimitHandler(RateLimitErrorRetryHandler):
    """HTTP 429 retried as slack_sdk's handler does (waiting Retry-After), holding the claim
    of the notice being sent: the lease is extended to cover the wait before it starts, and
    checked once the wait is over, so a send that outlives a lease stops instead of posting a
    part the new holder has posted meanwhile."""

    def __init__(self, dispatcher: Dispatcher, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.dispatcher = dispatcher

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:  # pragma: no cover - only ever asked about a 429 answer
            raise error or RuntimeError("no response")
        wait = _retry_after(response)
        claim = self.dispatcher._current_claim()
        if claim is not None and not self.dispatcher._hold(claim, extra=wait):
            raise LostClaim(claim.notice_id)
        state.next_attempt_requested = True
        self.dispatcher.sleep(wait)
        if claim is not None and not self.dispatcher._hold(claim):
            raise LostClaim(claim.notice_id)
        state.increment_current_attempt()


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


def _sending_client(client: WebClient, keeper: RetryHandler) -> WebClient:
    """`client` as the outbox sends with it: its retry handlers, 429 handled by `keeper`."""
    sending = copy.copy(client)
    handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    sending.retry_handlers = [keeper, *handlers]
    return sending


class Dispatcher:
    """Sends due outbox rows: claims, posts part by part, records; paced per channel."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client: WebClient,
        *,
        lease_clock: Clock | None = None,
        min_interval: float = 1.0,
        workers: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        make_file: Callable[[dict[str, Any]], tuple[str, bytes] | None] | None = None,
    ) -> None:
        self.sf = session_factory
        # Makes a part's file that is made when it is sent (a spec with "make", not its bytes).
        self.make_file = make_file
        self.lease_clock = lease_clock or SystemClock()
        self.min_interval = min_interval
        self.workers = workers
        self.sleep = sleep
        self._last_post: dict[str, float] = {}
        self._pace_lock = threading.Lock()
        self._names: dict[str, str] | None = None
        self._claims = threading.local()  # the claim each sending thread holds
        retries = max(
            (
                h.max_retry_count
                for h in client.retry_handlers
                if isinstance(h, RateLimitErrorRetryHandler)
            ),
            default=2,
        )
        self.client = _sending_client(client, _LeaseKeepingRateLimitHandler(self, retries))

    # ------------------------------------------------------------ public

    def deliver_due(self, now: datetime, kinds: Sequence[str] | None = None) -> DispatchResult:
        """Send every row that is due by `now` and not sent: pending, or with a lapsed lease."""
        wall = self.lease_clock.now()
        with self.sf() as s:
            stmt = select(Notice.id, Notice.recipient).where(
                Notice.due_at <= now,
                or_(
                    Notice.state == NoticeState.PENDING,
                    and_(Notice.state == NoticeState.SENDING, Notice.lease_until < wall),
                ),
            )
            if kinds is not None:
                stmt = stmt.where(Notice.kind.in_(list(kinds)))
            rows = s.execute(stmt.order_by(Notice.due_at, Notice.id)).all()
            held_stmt = select(Notice.id).where(
                Notice.state == NoticeState.SENDING, Notice.lease_until >= wall
            )
            if kinds is not None:
                held_stmt = held_stmt.where(Notice.kind.in_(list(kinds)))
            held = s.scalar(held_stmt.limit(1))
        groups: dict[str, list[int]] = defaultdict(list)
        for nid, recipient in rows:
            groups[recipient].append(nid)
        result = DispatchResult(left=1 if held is not None else 0)
        if not groups:
            return result
        stop = threading.Event()

        def run_group(ids: list[int]) -> DispatchResult:
            r = DispatchResult()
            for nid in ids:
                if stop.is_set():
                    r.left += 1
                    continue
                try:
                    self.deliver_one(nid, r)
                except ConfigurationProblem as e:
                    r.configuration_error = e.code
                    r.left += 1
                    stop.set()
            return r

        workers = max(1, min(self.workers, len(groups)))
        if workers == 1:
            for ids in groups.values():
                result.merge(run_group(ids))
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lscb-send") as pool:
                for r in pool.map(run_group, list(groups.values())):
                    result.merge(r)
        return result

    def deliver_one(self, notice_id: int, result: DispatchResult) -> None:
        for _ in range(ATTEMPTS_PER_RUN):
            outcome = self._attempt(notice_id, result)
            if outcome != "retry":
                return
        result.left += 1

    # ------------------------------------------------------------ one attempt

    def _claim(self, notice_id: int) -> tuple[str, Notice] | None:
        token = uuid.uuid4().hex
        wall = self.lease_clock.now()
        with self.sf.begin() as s:
            claimed = cast(
                CursorResult[Any],
                s.execute(
                    update(Notice)
                    .where(
                        Notice.id == notice_id,
                        or_(
                            Notice.state == NoticeState.PENDING,
                            and_(Notice.state == NoticeState.SENDING, Notice.lease_until < wall),
                        ),
                    )
                    .values(
                        state=NoticeState.SENDING,
                        lease_until=wall + LEASE,
                        claim_token=token,
                        attempts=Notice.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
            if claimed != 1:
                return None
            row = s.get(Notice, notice_id)
            assert row is not None
            if row.first_attempt_at is None:
                row.first_attempt_at = wall
            s.flush()
            s.expunge(row)
            return token, row

    def _save(self, notice_id: int, token: str, **values: Any) -> bool:
        """Write `values` if this sender still holds the claim; False if it lost it."""
        with self.sf.begin() as s:
            saved = cast(
                CursorResult[Any],
                s.execute(
                    update(Notice)
                    .where(Notice.id == notice_id, Notice.claim_token == token)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
        return saved == 1

    def _hold(self, claim: _Claim, extra: float = 0.0) -> bool:
        """Renew the lease (for `extra` seconds more than usual, to cover a wait), if the claim
        is still this sender's: a conditional UPDATE on the token, so it cannot take back a
        notice another sender has claimed meanwhile."""
        until = self.lease_clock.now() + LEASE + timedelta(seconds=extra)
        with self.sf.begin() as s:
            held = cast(
                CursorResult[Any],
                s.execute(
                    update(Notice)
                    .where(
                        Notice.id == claim.notice_id,
                        Notice.claim_token == claim.token,
                        Notice.state == NoticeState.SENDING,
                    )
                    .values(lease_until=until)
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
        return held == 1

    def _current_claim(self) -> _Claim | None:
        return getattr(self._claims, "claim", None)

    def _record_part(
        self, notice_id: int, token: str, index: int, ts: str, channel: str, last: bool
    ) -> None:
        values: dict[str, Any] = {"parts_sent": index + 1, "channel_id": channel}
        if index == 0:
            values["message_ts"] = ts
        if last:
            values.update(self._settled_as_sent())
        if not self._save(notice_id, token, **values):
            raise LostClaim(notice_id)

    def _settled_as_sent(self) -> dict[str, Any]:
        """The columns of a notice every part of which is in Slack."""
        return {
            "state": NoticeState.SENT,
            "sent_at": self.lease_clock.now(),
            "lease_until": None,
            "claim_token": None,
            "last_error": None,
        }

    def _attempt(self, notice_id: int, result: DispatchResult) -> str:
        """ "done", "retry" (outcome unknown: check then post again) or "left"."""
        claim = self._claim(notice_id)
        if claim is None:
            result.left += 1  # another sender holds it, or it is already settled
            return "done"
        token, row = claim
        self._claims.claim = _Claim(notice_id, token)
        try:
            return self._send_claimed(notice_id, token, row, result)
        except LostClaim:
            log.warning(
                "notice %s: its lease ran out mid-send and another sender holds it: left to it",
                notice_id,
            )
            result.left += 1
            return "done"
        finally:
            self._claims.claim = None

    def _send_claimed(self, notice_id: int, token: str, row: Notice, result: DispatchResult) -> str:
        parts: list[dict[str, Any]] = json.loads(row.payload)
        marker = notice_marker(row.kind, row.recipient, row.period)
        claim = _Claim(notice_id, token)
        try:
            channel = row.channel_id or self._conversation_for(row.recipient)
            if channel != row.channel_id:
                self._save(notice_id, token, channel_id=channel)
            parts_sent, thread_ts = row.parts_sent, row.message_ts
            if row.attempts > 1:  # an earlier attempt may have posted: look before posting
                parts_sent, thread_ts = self._reconcile(
                    row, channel, marker, len(parts), parts_sent, thread_ts
                )
                if parts_sent != row.parts_sent:
                    values: dict[str, Any] = {"parts_sent": parts_sent, "message_ts": thread_ts}
                    if parts_sent >= len(parts):
                        values.update(self._settled_as_sent())
                    self._save(notice_id, token, **values)
                    log.info("notice %s: found already posted (%d parts)", notice_id, parts_sent)
                    if parts_sent >= len(parts):
                        self._count_sent(row, result)
                        return "done"
            for index in range(parts_sent, len(parts)):
                part = parts[index]
                blocks = [dict(b) for b in part.get("blocks", [])]
                if blocks:
                    blocks[0]["block_id"] = part_block_id(marker, index)
                self._pace(channel)
                # Still ours? A sender whose lease ran out (a long wait, a paused process) must
                # not post a part the new holder may have posted; renewing covers this part.
                if not self._hold(claim):
                    raise LostClaim(notice_id)
                if part.get("file") and index > 0 and thread_ts:
                    made = self._file_content(part["file"])
                    if made is not None:
                        self._upload_file(channel, str(thread_ts), made, part["file"], blocks)
                    self._record_part(notice_id, token, index, "", channel, index == len(parts) - 1)
                    continue
                reply = self.client.chat_postMessage(
                    channel=channel,
                    text=part.get("text") or " ",
                    blocks=blocks,
                    thread_ts=thread_ts if index > 0 else None,
                    unfurl_links=False,
                    unfurl_media=False,
                )
                ts = str(reply["ts"])
                channel = str(reply.get("channel") or channel)
                if index == 0:
                    thread_ts = ts
                self._record_part(notice_id, token, index, ts, channel, index == len(parts) - 1)
            self._count_sent(row, result)
            log.info("notice %s sent: kind=%s parts=%d", notice_id, row.kind, len(parts))
            return "done"
        except SlackApiError as e:
            status = e.response.status_code
            code = str(e.response.get("error") or f"http_{status}")[:64]
            result.errors[code] += 1
            if code in CONFIGURATION_ERRORS:
                self._release(notice_id, token, code)
                raise ConfigurationProblem(code) from None
            if status == 429:
                self._release(notice_id, token, "ratelimited")
                log.warning("notice %s: still rate limited, left for the next run", notice_id)
                result.left += 1
                return "left"
            if status >= 500 or code in ("fatal_error", "internal_error", "service_unavailable"):
                self._release(notice_id, token, code)
                log.warning(
                    "notice %s: Slack answered %s, checking then retrying", notice_id, status
                )
                return "retry"
            if code in PERMANENT_ERRORS or status == 200:
                self._save(
                    notice_id,
                    token,
                    state=NoticeState.UNDELIVERABLE,
                    last_error=code,
                    lease_until=None,
                    claim_token=None,
                )
                log.warning("notice %s undeliverable: kind=%s error=%s", notice_id, row.kind, code)
                result.undeliverable += 1
                return "done"
            self._release(notice_id, token, code)
            return "retry"
        except _AMBIGUOUS_EXCEPTIONS as e:
            code = "timeout" if isinstance(e, TimeoutError | socket.timeout) else "connection"
            result.errors[code] += 1
            self._release(notice_id, token, code)
            log.warning(
                "notice %s: no answer from Slack (%s), checking then retrying", notice_id, code
            )
            return "retry"

    def _count_sent(self, row: Notice, result: DispatchResult) -> None:
        result.sent += 1
        if row.late:
            result.late += 1

    def _release(self, notice_id: int, token: str, code: str) -> None:
        """Back to pending (the attempt stays counted, so the next claim checks first)."""
        self._save(
            notice_id,
            token,
            state=NoticeState.PENDING,
            lease_until=None,
            claim_token=None,
            last_error=code,
        )

    # ------------------------------------------------------------ Slack helpers

    def _file_content(self, file: dict[str, Any]) -> tuple[str, bytes] | None:
        """A part's file as (name, bytes): carried in the notice, or made now from its spec;
        None when it cannot be made (the part is then left out, and the notice goes on)."""
        if "content_b64" in file:
            return str(file["filename"]), base64.b64decode(file["content_b64"])
        if self.make_file is None:
            log.warning("a notice's file is made when sent, and nothing here makes it: left out")
            return None
        return self.make_file(file)

    def _upload_file(
        self,
        channel: str,
        thread_ts: str,
        made: tuple[str, bytes],
        file: dict[str, Any],
        blocks: list[dict[str, Any]],
    ) -> None:
        """Upload a part's file into the thread (files.getUploadURLExternal, POST, complete)."""
        filename, content = made
        title = str(file.get("title") or filename)
        got = self.client.files_getUploadURLExternal(
            filename=filename, length=len(content), alt_txt=title[:1000]
        )
        request = urllib.request.Request(
            str(got["upload_url"]),
            data=content,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        with urllib.request.urlopen(request, timeout=self.client.timeout) as answer:
            if answer.status != 200:
                raise ConnectionError(f"upload answered {answer.status}")
        self.client.files_completeUploadExternal(
            files=[{"id": str(got["file_id"]), "title": title}],
            channel_id=channel,
            thread_ts=thread_ts,
            blocks=json.dumps(blocks),
        )

    def _conversation_for(self, recipient: str) -> str:
        """The conversation id to post in: a person's direct-message channel, or a channel
        configured as `#name` looked up by name. Ids are what history reads accept, so a notice
        whose first answer is lost can still be checked for before it is posted again."""
        if _is_user_id(recipient):
            reply = self.client.conversations_open(users=recipient)
            return str(reply["channel"]["id"])
        if recipient.startswith("#"):
            return self._channel_ids().get(recipient[1:].lower(), recipient)
        return recipient

    def _channel_ids(self) -> dict[str, str]:
        """Channel name → id, read once per dispatcher (`conversations.list`, paged). Without
        the scopes to list channels, names are posted to as given."""
        with self._pace_lock:
            if self._names is None:
                names: dict[str, str] = {}
                try:
                    for page in self.client.conversations_list(
                        types="public_channel,private_channel", exclude_archived=True, limit=1000
                    ):
                        for c in page.get("channels", []):
                            names[str(c["name"]).lower()] = str(c["id"])
                except SlackApiError as e:
                    log.warning("channel names unavailable (%s)", e.response.get("error"))
                except _NAME_LOOKUP_FAILURES as e:
                    # Looking names up is a safeguard; posting by name still works without it.
                    log.warning("channel names unavailable (%s)", type(e).__name__)
                self._names = names
            return self._names

    def _pace(self, channel: str) -> None:
        """About one message per second per channel (Slack's limit for chat.postMessage)."""
        if self.min_interval <= 0:
            return
        with self._pace_lock:
            last = self._last_post.get(channel)
            now = time.monotonic()
            wait = 0.0 if last is None else self.min_interval - (now - last)
            self._last_post[channel] = now + max(0.0, wait)
        if wait > 0:
            self.sleep(wait)

    def _reconcile(
        self,
        row: Notice,
        channel: str,
        marker: str,
        total: int,
        parts_sent: int,
        thread_ts: str | None,
    ) -> tuple[int, str | None]:
        """How many parts are already in the conversation, found by their block_id markers."""
        try:
            if parts_sent == 0:
                oldest = (row.first_attempt_at or self.lease_clock.now()) - timedelta(minutes=10)
                found = self._find_marker(
                    "conversations_history",
                    {"channel": channel, "oldest": f"{oldest.timestamp():.6f}", "limit": 200},
                    part_block_id(marker, 0),
                )
                if found is None:
                    return 0, None
                parts_sent, thread_ts = 1, found
            if total > 1 and thread_ts:
                reply_ids = {part_block_id(marker, i): i for i in range(1, total)}
                replies = {"channel": channel, "ts": thread_ts, "limit": 200}
                for m in self._messages("conversations_replies", replies):
                    for b in m.get("blocks") or []:
                        i = reply_ids.get(str(b.get("block_id")))
                        if i is not None:
                            parts_sent = max(parts_sent, i + 1)
            return parts_sent, thread_ts
        except SlackApiError as e:
            code = str(e.response.get("error") or "unknown")
            log.warning("notice %s: history unavailable (%s): unverified, sending", row.id, code)
            return parts_sent, thread_ts

    def _find_marker(self, method: str, args: dict[str, Any], block_id: str) -> str | None:
        for m in self._messages(method, args):
            if any(str(b.get("block_id")) == block_id for b in m.get("blocks") or []):
                return str(m["ts"])
        return None

    def _messages(self, method: str, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The messages of a conversation read (history or replies), page after page, at most
        20 pages."""
        cursor: str | None = None
        for _ in range(20):
            page = getattr(self.client, method)(**args, **({"cursor": cursor} if cursor else {}))
            yield from page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
