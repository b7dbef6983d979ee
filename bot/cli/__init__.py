"""`lscb`: the command line. With --json, standard output holds that JSON alone."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.base import CliContext, CliError, parse_now, unreachable_slack
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
    "bot.cli.themes",
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
    # Its connection failures and retries: the command says in one line what could not be
    # reached, and the outbox logs what it does about it.
    "slack_sdk.web.base_client": logging.CRITICAL,
    "slack_bolt": logging.INFO,
    "bot.bolt": logging.INFO,
    "urllib3": logging.INFO,
    "sqlalchemy": logging.WARNING,
    # Libraries that narrate their own work at INFO ("Serving on…", font cache, "Using
    # categorical units…"): the command says what matters itself.
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
    "waitress": logging.WARNING,
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
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
    except DBAPIError as e:
        if not e.connection_invalidated and not _is_connection_error(e):
            raise
        print(f"lscb: {database_unreachable(ctx, e)}", file=sys.stderr)
        return 2
    except (OSError, SlackApiError) as e:
        why = unreachable_slack(e)
        if why is None:
            raise
        print(f"lscb: {why}: {_slack_url(ctx)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


def _is_connection_error(e: DBAPIError) -> bool:
    # OperationalError on both drivers: the server refused, timed out, or the file is unreadable.
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(e, OperationalError | InterfaceError)


def database_unreachable(ctx: CliContext, e: DBAPIError) -> str:
    """One line saying which database could not be reached and why (never its password)."""
    try:
        where = make_url(ctx.settings.database_url).render_as_string(hide_password=True)
    except Exception:  # the settings themselves are fine, or we would not be here
        where = "the database"
    reason = str(e.orig).strip().splitlines()[0] if e.orig is not None else type(e).__name__
    if len(reason) > 160:
        reason = reason[:159] + "…"
    return (
        f"cannot reach the database {where} ({reason}): check DATABASE_URL and that it is running"
    )


def _slack_url(ctx: CliContext) -> str:
    try:
        base = ctx.settings.slack_api_base_url
    except Exception:
        base = None
    return f"check the network and SLACK_API_BASE_URL ({base or 'https://slack.com/api/'})"
