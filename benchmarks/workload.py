"""The data the benchmarks share: a board of `people`, `committees` and 50 reviews, with
`actions` spread over them, written by bulk inserts; and a counter of SQL statements."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, insert

from models.schema import (
    Action,
    Committee,
    OrgSetting,
    Person,
    Review,
    RoleAssignment,
    RoleKind,
    Status,
)

REVIEWS = 50
STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF]


def load_board(
    engine: Engine,
    actions: int,
    *,
    now: datetime,
    seed: int,
    people: int = 1000,
    committees: int = 30,
    owner_of: Callable[[int, random.Random], int | None] | None = None,
    not_in_slack_every: int = 0,
) -> None:
    """Person 1 is an admin, person 1+i chairs committee i. `owner_of(n, rnd)` picks action n's
    owner (default: anyone); every `not_in_slack_every`-th person has no Slack id."""
    rnd = random.Random(seed)
    owner_of = owner_of or (lambda n, r: r.randint(1, people))
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "id": i,
                    "slack_id": None
                    if not_in_slack_every and i % not_in_slack_every == 0
                    else f"U{i:08d}",
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
                for i in range(1, REVIEWS + 1)
            ],
        )
        rows: list[dict[str, Any]] = []
        for n in range(1, actions + 1):
            due = now.date() + timedelta(days=rnd.randint(-200, 200))
            status = rnd.choice(STATUSES)
            rows.append(
                {
                    "id": n,
                    "number": n,
                    "review_id": rnd.randint(1, REVIEWS),
                    "text": f"Improvement activity {n}: audit a sample of cases and report back",
                    "owner_id": owner_of(n, rnd),
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
    """Counts the SQL statements an engine sends."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Fastest and median wall-clock seconds of `repeat` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result
