"""The board paper for 20,000 actions with 80,000 events: target under 5 seconds.

Builds the same database as bench_export.py (20,000 actions, four events each, by bulk insert;
a third of the signed-off actions with an impact review date, sign-offs spread over the last
four months), then times `reports.paper.board_paper` (the quarter under way and the previous
one replayed from the history, the chart, every section) and, as a baseline measured in the same
run, the CSV export of the same actions.

    .venv/bin/python benchmarks/bench_paper.py [--actions N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import CPU, NOW, build, timed  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from models.brag import BragRules  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.permissions import Actor  # noqa: E402
from models.schema import Action, Status  # noqa: E402
from reports import export  # noqa: E402
from reports.paper import board_paper  # noqa: E402

TARGET_SECONDS = 5.0


def add_sign_offs(url: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine).begin() as s:
        ids = s.scalars(select(Action.id).where(Action.status == Status.SIGNED_OFF)).all()
        for i, action_id in enumerate(ids):
            s.execute(
                update(Action)
                .where(Action.id == action_id)
                .values(
                    signed_off_at=NOW - timedelta(days=i % 120),
                    evidence_of_impact=None if i % 3 == 0 else "Audit shows the change in use",
                    impact_review_on=(NOW - timedelta(days=30 - i % 60)).date()
                    if i % 3 == 0
                    else None,
                    measure="Re-audit 20 cases in six months",
                )
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:  # noqa: SIM117
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        t_build, _ = timed(lambda: (build(url, args.actions), add_sign_offs(url)))
        print(f"built {args.actions:,} actions and {4 * args.actions:,} events in {t_build:.1f} s")
        engine = make_engine(url)
        sf = make_session_factory(engine)
        rules = BragRules()

        # Warm-up: imports (python-docx, matplotlib) and font caches are not what is measured.
        with sf() as s:
            export(s, Actor.system("bench"), "csv", NOW, rules, review="R-1")
            board_paper(s, NOW, rules)

        with sf() as s:
            t_paper, (_, paper) = timed(lambda: board_paper(s, NOW, rules), "paper")
        with sf() as s:
            t_csv, (_, csv_bytes) = timed(
                lambda: export(s, Actor.system("bench"), "csv", NOW, rules), "csv"
            )
        engine.dispose()

    verdict = "PASS" if t_paper < TARGET_SECONDS else "FAIL"
    print(
        f"board paper (docx: two quarters, chart, exceptions): {t_paper:6.2f} s"
        f"  (CPU {CPU['paper']:.2f} s)  {len(paper):,} bytes"
    )
    print(
        f"baseline: CSV export of the same actions:             {t_csv:6.2f} s"
        f"  (CPU {CPU['csv']:.2f} s)  ratio {t_paper / t_csv:.2f}x  ({len(csv_bytes):,} bytes)"
    )
    print(
        f"{verdict}: the paper for {args.actions:,} actions in {t_paper:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
