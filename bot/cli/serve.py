"""`lscb serve`, `lscb sandbox` and `lscb org check`: running the app and checking it can reach people."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.app import make_client
from bot.cli.base import (
    CliContext,
    CliError,
    add_now_argument,
    emit_json,
    path_arg,
    subcommand_group,
)
from bot.settings import Settings, SettingsError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser(
        "serve",
        help="run the app: Socket Mode when SLACK_APP_TOKEN is set, else --http --port N",
    )
    serve.add_argument(
        "--http",
        action="store_true",
        help="receive Slack's requests over HTTP on POST /slack/events",
    )
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP address (default 0.0.0.0)")
    serve.add_argument("--threads", type=int, default=8, help="HTTP worker threads (default 8)")
    serve.add_argument(
        "--health-port",
        type=int,
        default=None,
        help="Socket Mode: answer GET /healthz on 127.0.0.1 at this port (socket and database)",
    )
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="do not send reminders, digests and escalations from this process",
    )
    serve.set_defaults(func=cmd_serve)

    sandbox = sub.add_parser(
        "sandbox",
        help="try the whole app without a Slack workspace: type /lscb as anyone, press buttons, move the clock",
    )
    sandbox.add_argument(
        "--db",
        type=path_arg,
        default=Path("sandbox.sqlite3"),
        help="SQLite file (default sandbox.sqlite3 in the working folder)",
    )
    sandbox.add_argument("--fresh", action="store_true", help="start from an empty database")
    sandbox.add_argument(
        "--org", type=path_arg, default=None, help="organisation file (default examples/org.toml)"
    )
    sandbox.add_argument(
        "--seed",
        type=path_arg,
        default=None,
        help="review document to import (default examples/learning-and-improvement-index.txt)",
    )
    add_now_argument(sandbox)
    sandbox.set_defaults(func=cmd_sandbox)

    org = subcommand_group(sub, "org", "the organisation: committees, people, roles")
    check = org.add_parser(
        "check",
        help="ask Slack whether the app can post in every channel and every Slack id is a live account",
    )
    check.add_argument(
        "--file",
        type=path_arg,
        default=None,
        help="check this organisation file instead of the loaded organisation",
    )
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_org_check)


# -------------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    from bot.server import StartupError, serve

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port} is not a port number (0 to 65535)", code=2)
    if args.health_port is not None and not 0 <= args.health_port <= 65535:
        raise CliError(f"--health-port {args.health_port} is not a port number", code=2)
    if not 1 <= args.threads <= 64:
        raise CliError(f"--threads {args.threads} should be between 1 and 64", code=2)
    try:
        return serve(
            ctx.settings,
            http=args.http,
            host=args.host,
            port=args.port,
            threads=args.threads,
            scheduler=not args.no_scheduler,
            health_port=args.health_port,
        )
    except StartupError as e:
        raise CliError(str(e), code=e.code) from None


# -------------------------------------------------------------------- sandbox


def cmd_sandbox(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.org import OrgFileError
    from sandbox.repl import Sandbox, SandboxError, SandboxOptions

    if ctx.settings.log_level != "DEBUG":
        # The prompt is the sandbox's output; the app's own log lines would bury it.
        logging.getLogger().setLevel(logging.WARNING)
    options = SandboxOptions(
        db=args.db,
        fresh=args.fresh,
        org=args.org,
        seed=args.seed,
        now=ctx.clock.now() if getattr(args, "now", None) else None,
    )
    try:
        with Sandbox(options) as sandbox:
            return sandbox.repl(sys.stdin, sys.stdout)
    except (SandboxError, OrgFileError) as e:
        raise CliError(str(e)) from None


# -------------------------------------------------------------------- org check


@dataclass(frozen=True)
class ChannelToCheck:
    label: str  # "committee QAEC", "the board"
    ref: str  # C0123ABC or #name


@dataclass(frozen=True)
class PersonToCheck:
    slack_id: str
    name: str


def web_client(settings: Settings) -> WebClient:
    if not settings.slack_bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set: copy .env.example to .env and fill in the Bot User "
            "OAuth Token from your Slack app's settings"
        )
    return make_client(settings)


def _error(e: SlackApiError) -> str:
    data: Any = e.response.data if e.response is not None else {}
    error = str(data.get("error", "error")) if isinstance(data, dict) else "error"
    if error == "missing_scope" and isinstance(data, dict) and data.get("needed"):
        return f"missing_scope {data['needed']}"
    return error


def _channel_names(client: WebClient) -> dict[str, str]:
    """Channel name → id for the channels the app can see (public, and private it is in)."""
    names: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = client.conversations_list(
            types="public_channel,private_channel",
            exclude_archived=False,
            limit=1000,
            cursor=cursor or None,
        )
        for c in page.get("channels") or []:
            if c.get("name") and c.get("id"):
                names[str(c["name"])] = str(c["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return names


def check_org(
    client: WebClient, channels: list[ChannelToCheck], people: list[PersonToCheck]
) -> list[str]:
    """Ask Slack about every channel and person; one line per problem found."""
    problems: list[str] = []
    names: dict[str, str] | None = None
    for ch in channels:
        ref = ch.ref.strip()
        shown = ref
        if ref.startswith("#"):
            if names is None:
                try:
                    names = _channel_names(client)
                except SlackApiError as e:
                    problems.append(f"channels: cannot list channels to find names ({_error(e)})")
                    names = {}
            found = names.get(ref[1:])
            if found is None:
                problems.append(
                    f"{ch.label}: channel {ref} not found (or it is private and the app is not "
                    "in it): create it, invite the app, or give its id (C…) in the organisation file"
                )
                continue
            ref = found
            shown = f"{ch.ref} ({found})"
        try:
            info = client.conversations_info(channel=ref)
        except SlackApiError as e:
            error = _error(e)
            if error == "channel_not_found":
                problems.append(
                    f"{ch.label}: channel {shown} not found (or it is private and the app is "
                    "not in it)"
                )
            else:
                problems.append(f"{ch.label}: cannot look up channel {shown} ({error})")
            continue
        channel = info.get("channel") or {}
        if channel.get("is_archived"):
            problems.append(f"{ch.label}: channel {shown} is archived: the app cannot post in it")
        elif not channel.get("is_member"):
            problems.append(
                f"{ch.label}: the app is not in channel {shown}: type `/invite @LSCB Actions` "
                "in that channel"
            )
    for p in people:
        try:
            user = client.users_info(user=p.slack_id).get("user") or {}
        except SlackApiError as e:
            error = _error(e)
            if error == "user_not_found":
                problems.append(f"person {p.name} ({p.slack_id}): no such Slack account")
            else:
                problems.append(f"person {p.name} ({p.slack_id}): cannot look up ({error})")
            continue
        if user.get("deleted"):
            problems.append(f"person {p.name} ({p.slack_id}): the Slack account is deactivated")
        elif user.get("is_bot") or user.get("is_app_user"):
            problems.append(f"person {p.name} ({p.slack_id}): is a bot, not a person")
    return problems


def _org_from_file(path: Path) -> tuple[list[ChannelToCheck], list[PersonToCheck]]:
    from models.org import OrgFileError, read_org_file

    try:
        org = read_org_file(path)
    except OrgFileError as e:
        raise CliError(str(e)) from None
    channels = [
        ChannelToCheck(f"committee {c['code']}", str(c["channel"]))
        for c in org.committees
        if c.get("channel")
    ]
    if org.board_channel:
        channels.append(ChannelToCheck("the board", org.board_channel))
    people = [
        PersonToCheck(str(p["slack_id"]), str(p.get("name") or p["slack_id"]))
        for p in org.people
        if p.get("slack_id")
    ]
    return channels, people


def _org_from_database(ctx: CliContext) -> tuple[list[ChannelToCheck], list[PersonToCheck]]:
    from models.org import board_channel
    from models.schema import Committee, Person

    store = ctx.store()
    with store.session_factory() as s:
        committees = s.scalars(select(Committee).order_by(Committee.code)).all()
        channels = [
            ChannelToCheck(f"committee {c.code}", c.channel) for c in committees if c.channel
        ]
        board = board_channel(s)
        if board:
            channels.append(ChannelToCheck("the board", board))
        rows = s.scalars(
            select(Person).where(Person.slack_id.is_not(None)).order_by(Person.name)
        ).all()
        people = [PersonToCheck(str(p.slack_id), p.name) for p in rows]
    return channels, people


def cmd_org_check(args: argparse.Namespace, ctx: CliContext) -> int:
    client = web_client(ctx.settings)
    if args.file is not None:
        channels, people = _org_from_file(args.file)
    else:
        channels, people = _org_from_database(ctx)
        if not channels and not people:
            raise CliError("no organisation loaded: run `lscb org load FILE` first")
    problems = check_org(client, channels, people)
    if args.json:
        emit_json(
            {
                "ok": not problems,
                "channels_checked": len(channels),
                "people_checked": len(people),
                "problems": problems,
            }
        )
    else:
        for line in problems:
            print(line)
        if problems:
            print(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                f"({len(channels)} channels, {len(people)} people checked).",
                file=sys.stderr,
            )
        else:
            print(
                f"All {len(channels)} channels and {len(people)} people check out.",
                file=sys.stderr,
            )
    return 1 if problems else 0
