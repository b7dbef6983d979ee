"""`lscb jobs run NAME`, `lscb scheduler`, `lscb notices failed`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from sqlalchemy import select

from bot.cli.base import CliContext, CliError, add_now_argument, emit_json
from jobs.owed import JOB_NAMES
from jobs.runner import run_job
from jobs.slack import SlackNotConfigured, make_client
from models.outbox import Notice, NoticeState


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jobs = sub.add_parser("jobs", help="scheduled notices: run one job once")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="SUBCOMMAND", required=True)
    run = jobs_sub.add_parser("run", help="run one job once, as of now or --now")
    run.add_argument("name", choices=JOB_NAMES)
    run.add_argument("--json", action="store_true", help="print a JSON summary")
    add_now_argument(run)
    run.set_defaults(func=cmd_jobs_run)

    sched = sub.add_parser("scheduler", help="run the scheduler alone (reminders, digests, ...)")
    sched.set_defaults(func=cmd_scheduler)

    notices = sub.add_parser("notices", help="the notice outbox")
    n_sub = notices.add_subparsers(dest="notices_command", metavar="SUBCOMMAND", required=True)
    failed = n_sub.add_parser("failed", help="notices Slack refused for good")
    failed.add_argument("--json", action="store_true")
    failed.set_defaults(func=cmd_notices_failed)


def _client(ctx: CliContext) -> Any:
    try:
        return make_client(ctx.settings)
    except SlackNotConfigured as e:
        raise CliError(str(e), code=2) from None


def cmd_jobs_run(args: argparse.Namespace, ctx: CliContext) -> int:
    client = _client(ctx)
    store = ctx.store()
    result = run_job(args.name, store.session_factory, client, ctx.clock, ctx.settings.brag_rules)
    data = result.to_dict()
    if args.json:
        emit_json(data)
    else:
        print(
            f"{args.name}: {data['owed']} owed, {data['sent']} sent ({data['late']} late), "
            f"{data['undeliverable']} undeliverable, {data['left_for_next_run']} left for the "
            "next run",
            file=sys.stderr,
        )
    if result.delivery.configuration_error:
        print(
            f"lscb: Slack refused the app ({result.delivery.configuration_error}): check "
            "SLACK_BOT_TOKEN and the app's scopes; notices are kept for the next run",
            file=sys.stderr,
        )
        return 1
    if result.delivery.undeliverable:
        print(
            f"lscb: {result.delivery.undeliverable} notice(s) refused by Slack for good: "
            "see `lscb notices failed`",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_scheduler(args: argparse.Namespace, ctx: CliContext) -> int:
    from jobs.scheduler import start_scheduler

    client = _client(ctx)
    store = ctx.store()
    handle = start_scheduler(ctx.settings, store.session_factory, client, ctx.clock)
    state = "active" if handle.active else "standing by (another scheduler holds the database)"
    print(f"Scheduler {state}. Ctrl-C stops it.", file=sys.stderr)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0


def cmd_notices_failed(args: argparse.Namespace, ctx: CliContext) -> int:
    store = ctx.store()
    with store.session_factory() as s:
        rows = s.execute(
            select(
                Notice.kind,
                Notice.recipient,
                Notice.period,
                Notice.last_error,
                Notice.attempts,
                Notice.due_at,
            )
            .where(Notice.state == NoticeState.UNDELIVERABLE)
            .order_by(Notice.due_at, Notice.id)
        ).all()
    data: list[dict[str, Any]] = [
        {
            "kind": k,
            "recipient": r,
            "period": p,
            "error": e,
            "attempts": a,
            "due_at": d.isoformat(),
        }
        for k, r, p, e, a, d in rows
    ]
    if args.json:
        emit_json(data)
        return 0
    if not data:
        print("No notices have been refused.", file=sys.stderr)
        return 0
    for d in data:
        print(
            f"{d['due_at'][:16]}  {d['kind']:<17} {d['recipient']:<14} {d['period']:<12} {d['error']}"
        )
    print(f"{len(data)} notice(s) refused for good.", file=sys.stderr)
    return 0
