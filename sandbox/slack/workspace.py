"""The workspace the Slack stand-in keeps (people, channels, messages, views, files) and the
helpers its Web API methods read and write it through: resolving a channel as Slack does, and
shaping messages, channels, people and views as Slack's answers show them.

``SlackStandIn`` (``server``) is a ``Workspace`` served over HTTP; the methods in ``methods/``
take the workspace and a call's decoded arguments.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.slack.records import (
    PostedMessage,
    SlackChannel,
    SlackError,
    SlackUser,
    UploadedFile,
    ts_key,
)

Clock = Callable[[], datetime]


class Workspace:
    """What Slack holds for one workspace, as the Web API methods see it.

    Who the workspace and its app are, its clock and whether only known channels resolve are set
    by ``SlackStandIn``, which is one served over HTTP.
    """

    known_channels_only: bool
    clock: Clock
    team_id: str
    team_name: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str

    def __init__(self, users: Iterable[SlackUser], channels: Iterable[SlackChannel]) -> None:
        self._lock = threading.RLock()
        self._seq = itertools.count(1)

        self._users: dict[str, SlackUser] = {}
        self._channels: dict[str, SlackChannel] = {}
        self._messages: list[PostedMessage] = []
        self._uploads: dict[str, UploadedFile] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._modal_stacks: dict[str, list[str]] = defaultdict(list)
        self._home: dict[str, str] = {}
        self._triggers: dict[str, str | None] = {}
        for user in users:
            self._users[user.id] = user
        for channel in channels:
            self._channels[channel.id] = channel

    @property
    def root_url(self) -> str:
        """Where the workspace is served (upload URLs and response_urls start with it)."""
        raise NotImplementedError

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
            key=lambda m: ts_key(m.ts),
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


Method = Callable[[Workspace, dict[str, Any]], dict[str, Any]]
"""A Web API method: the workspace and the call's decoded arguments to Slack's answer."""
