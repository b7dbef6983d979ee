"""What suggesting themes and naming alike findings adds to an import, in a 20,000-finding
database: an import of one review with 50 new findings (and 5 actions), timed with the step and,
side by side in the same run, without it.

Run: .venv/bin/python benchmarks/bench_themes.py  (target: the step adds under 2 s)
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workload import best_of  # noqa: E402

import importer.store as store  # noqa: E402
import models.all  # noqa: E402,F401
from importer.model import ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview  # noqa: E402
from importer.parse import parse_file  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.org import apply_org, read_org_file  # noqa: E402
from models.schema import Base, Finding, Review  # noqa: E402
from models.themes import LearningSummary, suggest_after_import  # noqa: E402

SEED = ROOT / "examples" / "learning-and-improvement-index.txt"
ORG = ROOT / "examples" / "org.toml"
FINDINGS = 20_000
PER_REVIEW = 50
NEW = 50
RUNS = 5
TARGET = 2.0


def sentences() -> list[str]:
    """The seed's findings cut into clauses: a board's own vocabulary to build texts from."""
    out = []
    for r in parse_file(SEED).reviews:
        for f in r.findings:
            out += [c.strip() for c in f.text.replace(";", ".").split(".") if len(c.strip()) > 20]
    return out


def text(rnd: random.Random, parts: list[str]) -> str:
    return ". ".join(rnd.sample(parts, rnd.randint(1, 3))) + "."


def main() -> int:
    rnd = random.Random(17)
    parts = sentences()
    path = Path("/tmp") / f"bench_themes_{time.time_ns()}.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with factory.begin() as s:
        apply_org(s, read_org_file(ORG))
    with engine.begin() as conn:
        reviews = FINDINGS // PER_REVIEW
        conn.execute(
            Review.__table__.insert(),
            [
                {
                    "id": i,
                    "number": i,
                    "type": "Rapid Review",
                    "name": f"Child {i}",
                    "confidential": i % 7 == 0,
                    "created_at": now,
                }
                for i in range(1, reviews + 1)
            ],
        )
        conn.execute(
            Finding.__table__.insert(),
            [
                {
                    "review_id": 1 + n // PER_REVIEW,
                    "position": 1 + n % PER_REVIEW,
                    "number": str(1 + n % PER_REVIEW),
                    "text": text(rnd, parts),
                }
                for n in range(FINDINGS)
            ],
        )
    started = time.perf_counter()
    with factory.begin() as s:
        suggest_after_import(s, now, alike=False)  # the database as it stands: already scanned
    print(
        f"first scan of {FINDINGS:,} findings (once, when themes arrive): "
        f"{time.perf_counter() - started:.2f} s"
    )

    index = ParsedIndex(
        reviews=[
            ParsedReview(
                section=None,
                type="Serious Case Review",
                name="Child Z",
                date_text="March 2027",
                month=None,
                overview="",
                confidential=False,
                findings=[ParsedFinding(str(i + 1), text(rnd, parts)) for i in range(NEW)],
                activities=[ParsedActivity(f"Activity {i}: {text(rnd, parts)}") for i in range(5)],
            )
        ]
    )

    def run_import() -> LearningSummary | None:
        with factory() as s:
            summary = store.store_index(s, index, now=now, source_name="bench")
            s.rollback()  # the same import each run
        return summary.learning

    real = store.suggest_after_import

    def without() -> LearningSummary | None:
        store.suggest_after_import = lambda s, now: LearningSummary()  # type: ignore[assignment]
        try:
            return run_import()
        finally:
            store.suggest_after_import = real

    if "--profile" in sys.argv:
        import cProfile

        run_import()
        cProfile.runctx("run_import()", globals(), locals(), sort="tottime")
        return 0
    first_started = time.perf_counter()
    run_import()
    first = time.perf_counter() - first_started
    plain, plain_median, _ = best_of(without, RUNS)
    full, full_median, learning = best_of(run_import, RUNS)
    added = full - plain
    assert learning is not None
    new_items = [i for i in learning.items if i.kind == "finding"]
    with_alike = sum(1 for i in new_items if i.alike)
    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); "
            "import scipy.sparse; print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"import of {NEW} findings, without themes: {plain * 1000:8.1f} ms (median {plain_median * 1000:.1f})"
    )
    print(
        f"import of {NEW} findings, with themes:    {full * 1000:8.1f} ms (median {full_median * 1000:.1f}; "
        f"{full / plain:.1f}x)"
    )
    print(
        f"added by themes and alike findings:       {added * 1000:8.1f} ms "
        f"(target < {TARGET * 1000:.0f} ms: {'met' if added < TARGET else 'MISSED'})"
    )
    print(
        f"  {len(new_items)} new findings, {with_alike} named earlier findings alike; "
        f"first run in this process {first:.2f} s, of which loading scipy.sparse about {float(cold):.2f} s "
        "(once per process)"
    )
    path.unlink(missing_ok=True)
    return 0 if added < TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
