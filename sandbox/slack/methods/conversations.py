"""conversations.*: reading a conversation's history and threads (paged by cursor), and
looking up, listing, joining and opening conversations."""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.slack.records import PostedMessage, SlackChannel, SlackError, truthy, ts_key
from sandbox.slack.workspace import Method, Workspace

HISTORY_LIMIT = (100, 999)  # conversations.history: default and most messages a page
REPLIES_LIMIT = (1000, 1000)  # conversations.replies
LIST_LIMIT = (100, 1000)  # conversations.list: default and most channels a page
_LIST_CURSOR = re.compile(r"offset:(\d+)", re.ASCII)


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
    at = ts_key(ts)
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


def _conversations_history(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A conversation's messages, newest first: top-level ones and thread parents (and replies
    also sent to the channel), never ephemerals or thread replies; deleted ones are gone, except
    a thread's parent whose replies remain, which shows as a tombstone."""
    channel = s._readable_channel(args.get("channel"))
    oldest, latest = _ts_arg(args, "oldest"), _ts_arg(args, "latest")
    inclusive = truthy(args.get("inclusive"))
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
        if start is not None and ts_key(m.ts) > start:
            continue
        found.append((m, replies))
    found.sort(key=lambda pair: ts_key(pair[0].ts), reverse=True)
    page, rest = found[:limit], found[limit] if len(found) > limit else None
    body: dict[str, Any] = {"ok": True}
    _page(body, [s._conversation_json(m, r) for m, r in page], rest[0] if rest else None)
    body.update(pin_count=0, channel_actions_ts=None, channel_actions_count=0)
    return body


def _conversations_replies(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A thread, oldest first: its parent, then the replies. ``ts`` may be the parent's or any
    reply's; a message with no replies is answered alone. Every page starts with the parent."""
    channel = s._readable_channel(args.get("channel"))
    ts = str(args.get("ts") or "").strip()
    oldest, latest = _ts_arg(args, "oldest"), _ts_arg(args, "latest")
    inclusive = truthy(args.get("inclusive"))
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
        if _in_range(m.ts, oldest, latest, inclusive) and (start is None or ts_key(m.ts) >= start)
    ]
    room = max(1, limit - 1)
    page, rest = wanted[:room], wanted[room] if len(wanted) > room else None
    shown = [s._conversation_json(parent, replies)] + [s._conversation_json(m, []) for m in page]
    return _page({"ok": True}, shown, rest)


def _conversations_info(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args.get("channel"))
    if channel.is_private and not channel.is_member:
        raise SlackError("channel_not_found")
    return {"ok": True, "channel": s._channel_json(channel)}


def _conversations_list(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """Channels of the given types, as Slack lists them: private ones only where the app is a
    member, direct messages only when asked for; paged by an opaque cursor."""
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
    exclude_archived = truthy(args.get("exclude_archived"))
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


def _conversations_join(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
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


def _conversations_open(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
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
        if truthy(args.get("return_im")):
            body["channel"] = s._channel_json(dm)
        return body
    key = "mpdm-" + "--".join(sorted(users))
    group = next((c for c in s._channels.values() if c.name == key), None)
    if group is None:
        group = SlackChannel(s._next_id("G"), key, is_private=True)
        s._channels[group.id] = group
    return {"ok": True, "channel": {"id": group.id}}


METHODS: dict[str, Method] = {
    "conversations.info": _conversations_info,
    "conversations.list": _conversations_list,
    "conversations.history": _conversations_history,
    "conversations.replies": _conversations_replies,
    "conversations.join": _conversations_join,
    "conversations.open": _conversations_open,
}
