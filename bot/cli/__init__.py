"""`lscb`: the command line. With --json, standard output holds that JSON alone."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.cli.base import CliContext, CliError, parse_now
from bot.settings import SettingsError
from models.clock import FixedClock
from models.errors import DomainError
from models.store import SchemaMissing

# Modules that add subcommands: each has `register(subparsers)` and sets `func(args, ctx) -> int`.
COMMAND_MODULES: list[str] = [
    "bot.cli.core",
    "bot.cli.imports",
    "bot.cli.export",
    "bot.cli.serve",
    "bot.cli.jobs",
]

log = logging.getLogger("lscb")


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
