"""`lscb`: the command line. With --json, standard output holds that JSON alone."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.settings import Settings, SettingsError, load_settings
from bot.store import SchemaMissing, Store
from models.clock import Clock, FixedClock, SystemClock
from models.errors import DomainError

# Modules that add subcommands: each has `register(subparsers)` and sets `func(args, ctx) -> int`.
COMMAND_MODULES: list[str] = [
    "bot.cli_core",
    "importer.cli",
    "reports.cli",
    "bot.cli_serve",
    "jobs.cli",
]

log = logging.getLogger("lscb")


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
            self._store = Store.open(self.settings)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lscb",
        description="LSCB Action Tracker: every improvement action in one place.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


# Libraries that log request and response bodies at DEBUG (message text, case details).
# The least level each may log at (SQLAlchemy logs every statement at INFO).
CHATTY_LOGGERS = {
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
    "bot.bolt": logging.INFO,
    "urllib3": logging.INFO,
    "sqlalchemy": logging.WARNING,
}


def configure_logging(level_name: str) -> None:
    level = getattr(logging, level_name, logging.INFO)
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Even at DEBUG, never let a library write a message body into the log.
    for name, least in CHATTY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, least))


def main(argv: Sequence[str] | None = None, *, env: dict[str, str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, CliContext], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    ctx = CliContext(env=env)
    try:
        if getattr(args, "now", None):
            ctx.clock = FixedClock(parse_now(args.now))
        configure_logging(ctx.settings.log_level)
        return func(args, ctx)
    except SettingsError as e:
        print(f"lscb: configuration: {e}", file=sys.stderr)
        return 2
    except (CliError, DomainError, SchemaMissing) as e:
        print(f"lscb: {e}", file=sys.stderr)
        return getattr(e, "code", 1)
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
