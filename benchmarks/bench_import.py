"""Time parsing plus a dry-run import of the seed index, against reading and splitting the file.

Run: .venv/bin/python benchmarks/bench_import.py  (target: under one second)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workload import best_of  # noqa: E402

import models.all  # noqa: E402,F401
from importer.parse import parse_file  # noqa: E402
from importer.store import store_index  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.org import apply_org, read_org_file  # noqa: E402
from models.schema import Base  # noqa: E402

SEED = ROOT / "examples" / "learning-and-improvement-index.txt"
ORG = ROOT / "examples" / "org.toml"
RUNS = 7


def main() -> int:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory.begin() as s:
        apply_org(s, read_org_file(ORG))
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

    def baseline() -> None:
        SEED.read_text(encoding="utf-8").splitlines()

    def parse_only() -> None:
        parse_file(SEED)

    def parse_and_dry_run() -> None:
        index = parse_file(SEED)
        with factory() as s:
            store_index(s, index, now=now, source_name=SEED.name)
            s.rollback()  # a dry run writes nothing

    base, _, _ = best_of(baseline, RUNS)
    parse, _, _ = best_of(parse_only, RUNS)
    full, full_median, _ = best_of(parse_and_dry_run, RUNS)
    print(f"baseline (read + split lines): {base * 1000:8.2f} ms")
    print(f"parse seed:                    {parse * 1000:8.2f} ms  ({parse / base:,.0f}x baseline)")
    print(
        f"parse + dry-run import:        {full * 1000:8.2f} ms  ({full / base:,.0f}x baseline; "
        f"median {full_median * 1000:.2f} ms; target < 1000 ms: {'met' if full < 1 else 'MISSED'})"
    )
    return 0 if full < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
