"""`lscb export --format xlsx|csv -o FILE [--committee CODE] [--review REF] [--as-of DATE]`, and
`lscb export --format docx -o FILE [--quarter "2026/27 Q3"]`: the board paper."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from bot.cli.base import CliContext, CliError, add_now_argument
from models.calendar import local_date
from models.dates import DateError, parse_date
from models.org import org_brag_rules
from models.permissions import Actor
from reports.export import FORMATS, export
from reports.paper import board_paper


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="write the board report: the tracker workbook (.xlsx) or its Actions sheet as CSV",
    )
    p.add_argument(
        "--format",
        "-f",
        choices=(*FORMATS, "docx"),
        help="xlsx, csv, or docx (the board paper); default: from the file name, else xlsx",
    )
    p.add_argument("-o", "--output", metavar="FILE", type=Path, required=True)
    p.add_argument("--committee", metavar="CODE", help="only this committee's actions")
    p.add_argument("--review", metavar="REF", help="only this review's actions (R-3)")
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="the BRAG picture as it stood at the end of this day, e.g. 2026-06-30 or 30/06/2026",
    )
    p.add_argument(
        "--quarter",
        metavar="QUARTER",
        help='the board paper\'s quarter, e.g. "2026/27 Q3" (Q1 is April to June); '
        "default: the quarter under way",
    )
    add_now_argument(p)
    p.set_defaults(func=cmd_export)


def parse_as_of(text: str, today: date) -> date:
    """ISO or British day-first dates; never month-first."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parse_date(text, today)
    except DateError:
        raise CliError(
            f"--as-of {text!r} is not a date: use 2026-06-30 or 30/06/2026 (day first)"
        ) from None


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    out: Path = args.output
    suffix = out.suffix.lower().lstrip(".")
    if args.format is None and suffix and suffix not in (*FORMATS, "docx"):
        raise CliError(
            f"{out.name}: the board report is written as {' or '.join(FORMATS)}, the board paper "
            f"as docx; name the file {out.stem}.xlsx, {out.stem}.csv or {out.stem}.docx, or give "
            "--format"
        )
    if args.format is not None and suffix and suffix != args.format:
        raise CliError(
            f"{out.name} does not end in .{args.format}, the --format asked for: name it "
            f"{out.stem}.{args.format}"
        )
    fmt = args.format or suffix or "xlsx"
    if fmt == "docx" and (args.committee or args.review or args.as_of):
        raise CliError(
            "the board paper covers every action: --committee, --review and --as-of "
            "are for xlsx and csv; give --quarter instead"
        )
    if fmt != "docx" and args.quarter:
        raise CliError("--quarter is for the board paper: add --format docx")
    if out.exists() and out.is_dir():
        raise CliError(f"{out} is a folder: give a file name, e.g. {out / ('report.' + fmt)}")
    if not out.parent.exists():
        raise CliError(f"the folder {out.parent} does not exist")
    now = ctx.clock.now()
    settings = ctx.settings
    as_of = parse_as_of(args.as_of, local_date(now, settings.tz)) if args.as_of else None
    store = ctx.store()
    started = time.perf_counter()
    with store.session_factory() as s:
        rules = org_brag_rules(s, settings.brag_rules)
        if fmt == "docx":
            # Confidential reviews by reference only, whoever runs it: the paper is tabled.
            _, data = board_paper(s, now, rules, quarter=args.quarter)
        else:
            # The command line is the business unit's tool: it sees every action.
            _, data = export(
                s,
                Actor.system("export"),
                fmt,
                now,
                rules,
                committee=args.committee,
                review=args.review,
                as_of=as_of,
            )
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)  # never leave a half-written report under the real name
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CliError(f"cannot write {out}: {e.strerror}") from None
    print(
        f"Wrote {out} ({fmt}, {len(data):,} bytes) in {time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )
    return 0
