"""`lscb import FILE [--dry-run] [--json]`: read an index or tracker and store it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.base import CliContext, CliError, emit_json
from importer.errors import ImportFileError
from importer.parse import parse_file
from importer.parse_sheet import parse_columns
from importer.store import ImportSummary, resolve, store_index
from importer.summary import describe, to_json
from models.calendar import local_date
from models.store import SchemaMissing


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import a Learning and Improvement Index (.txt, .pdf, .docx) or an action tracker (.xlsx, .csv)",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be imported; write nothing"
    )
    p.add_argument(
        "--json", action="store_true", help="print the reviews as JSON on standard output"
    )
    p.add_argument(
        "--columns",
        metavar="MAP",
        help='a tracker\'s columns by field, e.g. "action=What will be done,owner=Who,due=By when"',
    )
    p.set_defaults(func=cmd_import)


class _Bar:
    """A progress bar on standard error, shown only to a person at a terminal on long files."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < 10 or not sys.stderr.isatty():
            return
        filled = int(30 * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True
        if done == total:
            sys.stderr.write("\n")


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    now = ctx.clock.now()
    columns = None
    if args.columns:
        try:
            columns = parse_columns(args.columns)
        except ValueError as e:
            raise CliError(str(e)) from None
    try:
        index = parse_file(args.file, today=local_date(now), columns=columns)
    except ImportFileError as e:
        raise CliError(str(e)) from None

    name = Path(args.file).name
    summary: ImportSummary | None = None
    data: dict[str, Any] | None = None
    bar = _Bar(f"Importing {name}")
    if args.dry_run:
        try:
            store = ctx.store()
        except SchemaMissing:
            print("Dry run without a database: committees are not matched.", file=sys.stderr)
            data = to_json(index)
        else:
            with store.session_factory() as s:
                try:
                    matchers = resolve(s)
                    summary = store_index(
                        s, index, now=now, source_name=name, progress=bar, matchers=matchers
                    )
                    data = to_json(index, matchers[0])
                finally:
                    s.rollback()  # a dry run writes nothing
    else:
        store = ctx.store()
        with store.session_factory.begin() as s:
            matchers = resolve(s)
            summary = store_index(
                s, index, now=now, source_name=name, progress=bar, matchers=matchers
            )
            data = to_json(index, matchers[0])
    if args.json:
        assert data is not None
        if summary is not None:
            data["summary"] = summary.as_dict()
        emit_json(data)
    for line in describe(index, summary, args.dry_run):
        print(line, file=sys.stderr)
    return 0
