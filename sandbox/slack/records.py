"""What the Slack stand-in keeps and answers with: people, channels, messages, files and the calls
made to it, and the Slack error a method raises. Also the small readers of argument values that
the server and the methods share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


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
    user: str | None = None  # who shared it (a person's file, not the app's upload)


class SlackError(Exception):
    """A Slack ``ok: false`` answer raised inside a method handler."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def ts_key(ts: str) -> Decimal:
    return Decimal(ts)
