"""Re-importing an unchanged 20,000-row tracker: how long it takes and what it writes.

A tracker (CSV) of 20,000 actions over 50 reviews (owner, committee, target date, status, progress) is
imported once into a board of 1,000 people and 30 committees; then the same file is imported
again and timed against, in the same run, the csv module merely reading the file and the importer
parsing it. The second import must change nothing and send no INSERT, UPDATE or DELETE.

Run: .venv/bin/python benchmarks/bench_reimport.py  (target: under 10 seconds, no writes)
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workload import load_board  # noqa: E402

import models.all  # noqa: E402,F401
from importer.parse import parse_file  # noqa: E402
from importer.store import store_index  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.schema import Base  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
REVIEWS = 50
TARGET_S = 10.0
HEAD = ["Review", "Action", "Lead officer", "Committee", "Target date", "Status", "Progress"]
STATUSES = ["Not started", "In progress", "Complete"]


def write_tracker(path: Path) -> None:
    start = date(2027, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEAD)
        for n in range(1, ROWS + 1):
            out.writerow(
                [
                    f"Review {n % REVIEWS + 1}",
                    f"Activity {n}: audit a sample of cases and report to the board",
                    f"Person {n % 1000 + 1}",
                    f"C{n % 30 + 1:02d}",
                    f"{start + timedelta(days=n % 300):%d/%m/%Y}",
                    STATUSES[n % 3],
                    f"Progress reported in month {n % 12 + 1}",
                ]
            )


class Writes:
    """Counts the statements that would change the database."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.count += 1


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tracker.csv"
        write_tracker(path)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        Base.metadata.create_all(engine)
        load_board(engine, 0, now=now, seed=12)
        factory = make_session_factory(engine)

        def read_only() -> int:
            with path.open(newline="", encoding="utf-8") as fh:
                return sum(1 for _ in csv.reader(fh))

        def run_import(at: datetime) -> Any:
            index = parse_file(path)
            with factory.begin() as s:
                return store_index(s, index, now=at, source_name=path.name)

        first_s, first = timed(lambda: run_import(now))
        assert first.actions_created == ROWS, first.actions_created
        read_s, _ = timed(read_only)
        parse_s, _ = timed(lambda: parse_file(path))
        writes = Writes(engine)
        again_s, again = timed(lambda: run_import(now + timedelta(days=1)))
        engine.dispose()

    unchanged = not again.changed and not again.field_changes and again.actions_unchanged == ROWS
    met = again_s < TARGET_S and writes.count == 0 and unchanged
    print(f"csv module reading the {ROWS:,}-row tracker: {read_s:6.2f} s")
    print(f"parsing it (importer):                     {parse_s:6.2f} s  ({parse_s / read_s:.1f}x)")
    print(
        f"first import (creates {ROWS:,} actions):     {first_s:6.2f} s  ({first_s / read_s:.1f}x)"
    )
    print(
        f"re-import, unchanged:                      {again_s:6.2f} s  ({again_s / read_s:.0f}x "
        f"reading; {again_s / first_s:.2f}x the first import)"
    )
    print(
        f"re-import wrote {writes.count} statements, changed {len(again.field_changes)} fields, "
        f"left {again.actions_unchanged:,} actions unchanged; "
        f"target < {TARGET_S:.0f} s and no writes: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
