"""An admin's and a chair's App Home tab over 20,000 actions.

Builds a SQLite database (bulk inserts) of 20,000 actions, 1,000 owners and 30 committees, then
times building the Home tab (the view's blocks, not publishing it) for the admin (every
committee) and for one committee's chair. Baseline, measured in the same run: reading every
current action with its BRAG, which is what an admin's Home did before its committees' digest
sections were counted in the database. Also printed: SQL statements per Home tab at 2,000 and
20,000 actions, which must be the same.

Run: make bench   (or .venv/bin/python benchmarks/bench_home.py [--actions N])
Target: under 150 ms at 20,000 actions, for the admin and the chair.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workload import StatementCounter, best_of, load_board  # noqa: E402

import models.all  # noqa: E402,F401
from bot.listeners.answers import home_view  # noqa: E402
from bot.listeners.deps import Deps  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.clock import FixedClock  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.queries import ActionFilter, list_actions  # noqa: E402
from models.schema import Base  # noqa: E402

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ADMIN, CHAIR = "U00000001", "U00000002"  # load_board: person 1 is an admin, person 2 chairs C01


def measure(actions: int, repeat: int, folder: Path) -> dict[str, Any]:
    url = f"sqlite:///{folder / f'home_{actions}.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    load_board(engine, actions, now=NOW, seed=13)
    sf = make_session_factory(engine)
    deps = Deps(Settings(database_url=url), sf, None, FixedClock(NOW))  # type: ignore[arg-type]
    counter = StatementCounter(engine)
    home_view(deps, ADMIN)  # warm caches, as a running app has them
    counter.count = 0
    view = home_view(deps, ADMIN)
    statements = counter.count

    def every_current_action() -> int:
        with sf() as s:
            return len(list_actions(s, ActionFilter(status="current"), NOW, deps.rules))

    base_best, base_med, rows = best_of(every_current_action, repeat)
    admin_best, admin_med, _ = best_of(lambda: home_view(deps, ADMIN), repeat)
    chair_best, chair_med, _ = best_of(lambda: home_view(deps, CHAIR), repeat)
    engine.dispose()
    return {
        "actions": actions,
        "statements": statements,
        "blocks": len(view["blocks"]),
        "rows": rows,
        "baseline_best": base_best,
        "baseline_median": base_med,
        "admin_best": admin_best,
        "admin_median": admin_med,
        "chair_best": chair_best,
        "chair_median": chair_med,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(max(1, args.actions // 10), 1, Path(tmp))
        big = measure(args.actions, args.repeat, Path(tmp))
    for r in (small, big):
        print(f"{r['actions']:>6} actions: SQL statements per admin Home tab: {r['statements']}")
    flat = big["statements"] == small["statements"]
    print(f"statements grow with actions: {'no' if flat else 'YES'}")
    print(
        f"baseline, every current action ({big['rows']}) with its BRAG: best "
        f"{big['baseline_best'] * 1000:.0f} ms, median {big['baseline_median'] * 1000:.0f} ms"
    )
    for who in ("admin", "chair"):
        print(
            f"{who}'s Home tab ({big['actions']} actions): best {big[f'{who}_best'] * 1000:.0f} ms"
            f", median {big[f'{who}_median'] * 1000:.0f} ms "
            f"({big['baseline_median'] / big[f'{who}_median']:.1f}x faster than the baseline)"
        )
    target = big["admin_median"] < 0.150 and big["chair_median"] < 0.150
    print(f"target under 150 ms: {'met' if target else 'MISSED'}")
    return 0 if target and flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
