"""Importing a 20,000-row Excel tracker (read, then stored in one transaction), against openpyxl
merely reading the same file, in the same run.

Run: .venv/bin/python benchmarks/bench_tracker.py  (target: the import under 10 seconds)
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import models.all  # noqa: E402,F401
from importer.parse import parse_file  # noqa: E402
from importer.store import store_index  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.org import apply_org, read_org_file  # noqa: E402
from models.schema import Base  # noqa: E402

ROWS = 20_000
TARGET = 10.0
ORG = ROOT / "examples" / "org.toml"
OWNERS = ["Jo Evans", "Priya Shah", "Tom Reilly", "Gary Lloyd", "Angela Moss"]
RAG = ["Red", "Amber", "Green", "Blue", ""]
SEED = ROOT.parent / "shared" / "reference" / "seed" / "learning-and-improvement-index.txt"


def wording() -> list[str]:
    """Words to write the actions with, as often as a board's own index uses them (the seed's,
    when it is at hand): the texts differ as real ones do, sharing common words and rare."""
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else ""
    words = [w for w in re.findall(r"[A-Za-z]{3,}", text)]
    return words or [f"word{n}" for n in range(2000) for _ in range(2000 // (n + 1))]


def build(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Action plan 2026")
    sheet.append(["Safeguarding Partnership action plan"])
    sheet.append(
        [
            "Ref",
            "Review",
            "Recommendation",
            "What will be done",
            "Who",
            "By when",
            "Progress",
            "RAG",
        ]
    )
    start = date(2027, 1, 4)
    rng = random.Random(11)
    words = wording()
    for n in range(ROWS):
        sheet.append(
            [
                n + 1,
                f"Review {n % 200}",
                f"Finding {n % 7} of review {n % 200}",
                f"Action {n}: " + " ".join(rng.choices(words, k=rng.randint(8, 15))),
                OWNERS[n % len(OWNERS)],
                start + timedelta(days=n % 400),
                "Started" if n % 3 else "",
                RAG[n % len(RAG)],
            ]
        )
    book.save(str(path))


def main() -> int:
    import openpyxl

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.xlsx"
        build(path)

        t = time.perf_counter()
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        book.close()
        read = time.perf_counter() - t

        engine = make_engine("sqlite://")
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine)
        with factory.begin() as s:
            apply_org(s, read_org_file(ORG))
        now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

        t = time.perf_counter()
        index = parse_file(path, today=now.date())
        parsed = time.perf_counter() - t
        with factory.begin() as s:
            summary = store_index(s, index, now=now, source_name=path.name)
        total = time.perf_counter() - t

    assert summary.actions_created == ROWS, summary.actions_created
    met = total < TARGET
    print(f"openpyxl reading the file:        {read:6.2f} s")
    print(f"lscb import, reading:             {parsed:6.2f} s  ({parsed / read:.1f}x openpyxl)")
    print(
        f"lscb import, read and stored:     {total:6.2f} s  ({total / read:.1f}x openpyxl; "
        f"{ROWS:,} rows; target < {TARGET:.0f} s: {'met' if met else 'MISSED'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
