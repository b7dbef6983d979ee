"""What every `lscb` subcommand shares: its context, its one-line errors, JSON output, --now."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings
from models.clock import Clock, SystemClock
from models.store import Store


class CliError(Exception):
    """A problem to report in one line on standard error, with a non-zero exit."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class CliContext:
    """Lazily built settings, storage and clock for one invocation."""

    env: dict[str, str] | None = None
    clock: Clock = field(default_factory=SystemClock)
    _settings: Settings | None = None
    _store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.env)
        return self._settings

    def store(self, *, require_schema: bool = True) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.database_url)
        if require_schema:
            self._store.require_schema()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--now {text!r} is not an ISO date-time such as 2026-12-07T09:00:00+00:00"
        ) from None
    if value.tzinfo is None:
        raise CliError(f"--now {text!r} needs a UTC offset, e.g. 2026-12-07T09:00:00+00:00")
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")


def subcommand_group(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    help_text: str,
) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """The subcommands of `lscb NAME`, made by whichever module registers first, so several
    modules can add to one group (e.g. `org load` and `org check`)."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        return parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)


def add_now_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="act as if it were this date-time, e.g. 2026-12-07T09:00:00+00:00",
    )


def path_arg(value: str) -> Path:
    return Path(value)


def unreachable_slack(e: BaseException) -> str | None:
    """Why Slack could not be reached, when `e` says so (refused, timed out, name not found);
    None for any other error."""
    import socket
    import urllib.error

    from slack_sdk.errors import SlackApiError

    if isinstance(e, SlackApiError):
        return None
    if isinstance(e, urllib.error.URLError):
        reason = e.reason
        return f"cannot reach Slack ({reason.strerror if isinstance(reason, OSError) and reason.strerror else reason})"
    if isinstance(e, socket.timeout | TimeoutError):
        return "cannot reach Slack (timed out)"
    if isinstance(e, ConnectionError | socket.gaierror):
        return f"cannot reach Slack ({e.strerror or type(e).__name__})"
    return None
