"""Every notice owed at one tick: reminders, digests, escalations and the board summary.

Builds a SQLite database (bulk inserts) of 20,000 actions, 1,000 owners and 30 committees, then
times working out everything owed at one tick (Monday 09:00: reminders, all 30 digests, the
admins' digest, escalations; and the board summary on the first working day of a quarter) —
reading, rating and rendering Block Kit, not sending. Baseline, measured in the same run: a plain
SELECT of every action row. Also printed: SQL statements per tick at two data sizes, which must
not grow with the number of actions.

Run: make bench   (or .venv/bin/python benchmarks/bench_notices.py [--actions N])
Target: under 1 second at 20,000 actions.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, insert, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

import models.all  # noqa: E402,F401
from jobs.owed import JOB_NAMES, owed_at_tick  # noqa: E402
from models.brag import BragRules  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.schema import (  # noqa: E402
    Action,
    Base,
    Committee,
    OrgSetting,
    Person,
    Review,
    RoleAssignment,
    RoleKind,
    Status,
)

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
QUARTER_DAY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # first working day of 2027 Q1
RULES = BragRules()


def load(engine: Engine, actions: int, people: int = 1000, committees: int = 30) -> None:
    rnd = random.Random(5)
    now = MONDAY
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "id": i,
                    # One owner in ten is not in Slack: named in the committee channel.
                    "slack_id": None if i % 10 == 0 else f"U{i:08d}",
                    "name": f"Person {i}",
                    "agency": f"Agency {i % 12}",
                    "active": True,
                }
                for i in range(1, people + 1)
            ],
        )
        conn.execute(
            insert(Committee),
            [
                {
                    "id": i,
                    "code": f"C{i:02d}",
                    "name": f"Committee {i}",
                    "channel": f"#committee-{i}",
                    "digest_day": "mon",
                    "digest_time": "09:00",
                }
                for i in range(1, committees + 1)
            ],
        )
        roles = [{"person_id": 1, "role": RoleKind.ADMIN, "committee_id": None}]
        roles += [
            {"person_id": 1 + i, "role": RoleKind.CHAIR, "committee_id": i}
            for i in range(1, committees + 1)
        ]
        conn.execute(insert(RoleAssignment), roles)
        conn.execute(insert(OrgSetting), [{"key": "board_channel", "value": "#lscb-board"}])
        conn.execute(
            insert(Review),
            [
                {
                    "id": i,
                    "number": i,
                    "type": "Serious Case Review",
                    "name": f"SCR {i}",
                    "confidential": i % 10 == 0,
                    "created_at": now - timedelta(days=400),
                }
                for i in range(1, 51)
            ],
        )
        statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF]
        rows: list[dict[str, Any]] = []
        for n in range(1, actions + 1):
            due = now.date() + timedelta(days=rnd.randint(-200, 200))
            status = rnd.choice(statuses)
            rows.append(
                {
                    "id": n,
                    "number": n,
                    "review_id": rnd.randint(1, 50),
                    "text": f"Improvement activity {n}: audit a sample of cases and report back",
                    "owner_id": rnd.randint(1, people) if n % 50 else None,
                    "committee_id": rnd.randint(1, committees),
                    "due_date": due,
                    "original_due_date": due,
                    "status": status,
                    "signed_off_at": (
                        now - timedelta(days=rnd.randint(0, 30))
                        if status == Status.SIGNED_OFF
                        else None
                    ),
                    "created_at": now - timedelta(days=300),
                    "last_update_at": now - timedelta(days=rnd.randint(0, 60)),
                    "version": 1,
                }
            )
            if len(rows) == 5000:
                conn.execute(insert(Action), rows)
                rows = []
        if rows:
            conn.execute(insert(Action), rows)


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args: Any) -> None:
        self.count += 1


def tick(sf: sessionmaker[Session], now: datetime) -> dict[str, int]:
    """Everything owed at `now` by every job (read-only: the notices are not enqueued)."""
    with sf() as s:
        return {job: len(owed) for job, owed in owed_at_tick(s, now, RULES, JOB_NAMES).items()}


def baseline(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return len(s.execute(select(Action.__table__)).all())


def best_of(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), result


def measure(actions: int, repeat: int, folder: Path) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{folder / f'bench_{actions}.sqlite3'}")
    Base.metadata.create_all(engine)
    load(engine, actions)
    sf = make_session_factory(engine)
    counter = StatementCounter(engine)
    tick(sf, MONDAY)  # warm caches (bank holidays, reminder reasons) as a running app has them
    counter.count = 0
    tick(sf, MONDAY)
    statements = counter.count
    base_best, base_med, rows = best_of(lambda: baseline(sf), repeat)
    best, med, owed = best_of(lambda: tick(sf, MONDAY), repeat)
    q_best, _, q_owed = best_of(lambda: tick(sf, QUARTER_DAY), repeat)
    engine.dispose()
    return {
        "actions": actions,
        "rows": rows,
        "statements": statements,
        "baseline_best": base_best,
        "baseline_median": base_med,
        "tick_best": best,
        "tick_median": med,
        "owed": owed,
        "quarter_best": q_best,
        "quarter_owed": q_owed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(max(1, args.actions // 10), args.repeat, Path(tmp))
        big = measure(args.actions, args.repeat, Path(tmp))
    for r in (small, big):
        print(
            f"{r['actions']:>6} actions: SQL statements per tick (all four jobs): {r['statements']}"
        )
    print(
        f"statements grow with actions: {'YES' if big['statements'] != small['statements'] else 'no'}"
    )
    print(f"notices owed at Monday 09:00 ({big['actions']} actions): {big['owed']}")
    print(f"notices owed on the quarter's first working day: {big['quarter_owed']}")
    print(
        f"baseline, plain SELECT of all {big['rows']} actions: best {big['baseline_best'] * 1000:.0f} ms"
        f", median {big['baseline_median'] * 1000:.0f} ms"
    )
    print(
        f"every notice owed at one tick: best {big['tick_best'] * 1000:.0f} ms, median "
        f"{big['tick_median'] * 1000:.0f} ms ({big['tick_median'] / big['baseline_median']:.1f}x "
        f"baseline); quarter day best {big['quarter_best'] * 1000:.0f} ms"
    )
    target = big["tick_median"] < 1.0
    print(f"target under 1 s: {'met' if target else 'MISSED'}")
    return 0 if target and big["statements"] == small["statements"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
