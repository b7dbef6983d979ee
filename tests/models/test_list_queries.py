"""Lists filtered, counted and paged in the database agree with `rate` and `can_see`.

`rate` is the one definition of BRAG; the SQL filters of `models.queries` are derived from it.
These tests hold the two together over weekends, bank holidays, the clock changes and drift
boundaries, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, event, insert, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, sessionmaker

from models.brag import (
    Brag,
    BragResult,
    BragRules,
    brag_window,
    effective_deadline,
    last_overdue_due_date,
    rate,
)
from models.calendar import local_date
from models.permissions import Actor, can_see
from models.queries import (
    STATUS_FILTERS,
    ActionFilter,
    brag_counts,
    list_actions,
    page_actions,
    pinned_brag,
)
from models.schema import Action, Committee, Person, Rating, Review, Status

OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)

# Moments that matter: weekends, bank holidays, both clock changes (Europe/London), midnights.
MOMENTS = [
    datetime(2026, 11, 25, 10, 0, tzinfo=UTC),  # a plain Wednesday
    datetime(2026, 11, 28, 12, 0, tzinfo=UTC),  # Saturday
    datetime(2026, 11, 29, 23, 59, tzinfo=UTC),  # Sunday, a minute before Monday
    datetime(2026, 11, 30, 0, 1, tzinfo=UTC),  # Monday, just after midnight
    datetime(2026, 12, 25, 9, 0, tzinfo=UTC),  # Christmas Day (Friday)
    datetime(2026, 12, 28, 9, 0, tzinfo=UTC),  # Boxing Day substitute (Monday)
    datetime(2026, 12, 29, 9, 0, tzinfo=UTC),  # first working day after Christmas
    datetime(2027, 3, 26, 9, 0, tzinfo=UTC),  # Good Friday
    datetime(2027, 3, 28, 23, 30, tzinfo=UTC),  # 00:30 BST on Easter Monday (clocks went forward)
    datetime(2027, 3, 30, 8, 0, tzinfo=UTC),  # Tuesday after Easter
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # 00:30 BST, Sunday of the October change
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, half an hour before clocks go back
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, after they went back
    datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # 23:30 GMT Sunday
    datetime(2026, 10, 26, 0, 30, tzinfo=UTC),  # 00:30 GMT Monday
    datetime(2026, 8, 31, 12, 0, tzinfo=UTC),  # summer bank holiday
    datetime(2026, 8, 30, 23, 30, tzinfo=UTC),  # 00:30 BST on that bank holiday
]
RULES = [BragRules(), BragRules(amber_days=7, drift_days=10)]

PEOPLE = (1, 2, 3)
COMMITTEES = (1, 2)
PUBLIC, SECRET = 1, 2  # review ids
VIEWERS = {
    "admin": Actor(person_id=3, label="admin", is_admin=True),
    "chair of 1": Actor(person_id=2, label="chair", chairs=frozenset({1})),
    "owner 1": Actor(person_id=1, label="owner"),
    "stranger": Actor.stranger("U0STRANGER"),
    "none": None,
}


# ------------------------------------------------------------------ pure date rules


def test_last_overdue_due_date_is_exactly_the_overdue_due_dates() -> None:
    """d <= last_overdue_due_date(today) ⇔ today > effective_deadline(d), every day of 3 years."""
    today = date(2026, 1, 1)
    while today < date(2029, 1, 1):
        cutoff = last_overdue_due_date(today)
        for back in range(-3, 12):
            d = today - timedelta(days=back)
            assert (d <= cutoff) == (today > effective_deadline(d)), (today, d)
        today += timedelta(days=1)


@dataclass
class A:
    status: Status
    owner_rating: Rating | None
    due_date: date | None
    owner_id: int | None
    last_update_at: datetime


@pytest.mark.parametrize("now", MOMENTS, ids=lambda m: m.isoformat())
@pytest.mark.parametrize("rules", RULES, ids=["default", "short"])
def test_brag_window_matches_rate_on_dates_and_drift(now: datetime, rules: BragRules) -> None:
    w = brag_window(now, rules)
    assert w.today == local_date(now, rules.tz)
    for days in range(-12, rules.amber_days + 4):
        due = w.today + timedelta(days=days)
        r = rate(A(Status.IN_PROGRESS, None, due, 1, now), now, rules)
        assert r.overdue == (due <= w.overdue_on_or_before), due
        assert r.due_soon == (w.overdue_on_or_before < due <= w.due_soon_until), due
    for minutes in (-1, 0, 1, 60, -60):
        last = now - timedelta(days=rules.drift_days) + timedelta(minutes=minutes)
        r = rate(A(Status.IN_PROGRESS, None, w.today + timedelta(days=60), 1, last), now, rules)
        assert r.drifting == (last <= w.drifting_since), minutes


# ------------------------------------------------------------------ the database


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """Three people, two committees, a public and a confidential review."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with session_factory.begin() as s:
        s.execute(
            insert(Person),
            [{"id": i, "slack_id": f"U{i:08d}", "name": f"Person {i}"} for i in PEOPLE],
        )
        s.execute(
            insert(Committee),
            [{"id": i, "code": f"C{i}", "name": f"Committee {i}"} for i in COMMITTEES],
        )
        s.execute(
            insert(Review),
            [
                {
                    "id": i,
                    "number": i,
                    "type": "Serious Case Review",
                    "name": f"Review {i}",
                    "confidential": i == SECRET,
                    "created_at": created,
                }
                for i in (PUBLIC, SECRET)
            ],
        )
    yield session_factory


@dataclass(frozen=True)
class Spec:
    status: Status
    owner_id: int | None
    due_in: int | None  # days from the local date of `now`
    rating: Rating | None
    quiet_minutes: int  # since the last update
    committee_id: int | None
    review_id: int | None


def store(sf: sessionmaker[Session], specs: list[Spec], now: datetime, rules: BragRules) -> None:
    today = local_date(now, rules.tz)
    with sf.begin() as s:
        s.execute(delete(Action))
        if not specs:
            return
        s.execute(
            insert(Action),
            [
                {
                    "id": n,
                    "number": n,
                    "review_id": sp.review_id,
                    "text": f"Activity {n}",
                    "owner_id": sp.owner_id,
                    "committee_id": sp.committee_id,
                    "due_date": None if sp.due_in is None else today + timedelta(days=sp.due_in),
                    "status": sp.status,
                    "owner_rating": sp.rating,
                    "created_at": now - timedelta(days=400),
                    "last_update_at": now - timedelta(minutes=sp.quiet_minutes),
                    "version": 1,
                }
                for n, sp in enumerate(specs, start=1)
            ],
        )


def rated_rows(s: Session, now: datetime, rules: BragRules) -> list[tuple[Action, BragResult]]:
    return [(a, rate(a, now, rules)) for a in s.scalars(select(Action).order_by(Action.number))]


def reference(
    rows: list[tuple[Action, BragResult]], f: ActionFilter, viewer: Actor | None
) -> list[tuple[Action, BragResult]]:
    """What a list should hold, by `rate` and `can_see` over every row (the old way)."""
    out = []
    for a, r in rows:
        if viewer is not None and not can_see(viewer, a):
            continue
        if f.owner_id is not None and a.owner_id != f.owner_id:
            continue
        if f.committee_code and (a.committee is None or a.committee.code != f.committee_code):
            continue
        if f.status and not status_matches(f.status, a, r):
            continue
        if f.brag and r.brag.value != f.brag:
            continue
        out.append((a, r))
    return out


def status_matches(status: str, a: Action, r: BragResult) -> bool:
    if status in {s.value for s in Status}:
        return a.status == Status(status)
    if status == "current":
        return a.status in (*OPEN, Status.COMPLETE)
    if a.status not in OPEN:
        return False
    return {
        "open": True,
        "unassigned": a.owner_id is None or a.due_date is None,
        "overdue": r.overdue,
        "drift": r.drifting,
        "due": r.due_soon,
    }[status]


def refs(rows: list[tuple[Action, BragResult]]) -> list[tuple[str, BragResult]]:
    return [(a.ref, r) for a, r in rows]


def check_all_filters(
    sf: sessionmaker[Session], now: datetime, rules: BragRules, viewers: list[Actor | None]
) -> None:
    filters = [ActionFilter()]
    filters += [ActionFilter(status=st) for st in sorted(STATUS_FILTERS)]
    filters += [ActionFilter(brag=b.value) for b in Brag]
    filters += [
        ActionFilter(status="open", brag="amber", committee_code="C1"),
        ActionFilter(status="current", owner_id=1),
    ]
    with sf() as s:
        every = rated_rows(s, now, rules)
        for viewer in viewers:
            for f in filters:
                check_one_filter(s, every, f, now, rules, viewer)


def check_one_filter(
    s: Session,
    every: list[tuple[Action, BragResult]],
    f: ActionFilter,
    now: datetime,
    rules: BragRules,
    viewer: Actor | None,
) -> None:
    want = reference(every, f, viewer)
    got = list_actions(s, f, now, rules, viewer=viewer)
    assert refs(got) == refs(want), f
    counts = Counter(r.brag for _, r in want)
    assert brag_counts(s, f, now, rules, viewer) == counts, f
    pinned = pinned_brag(f, rules.blue_needs_impact)
    assert pinned is None or set(counts) <= {pinned}, f
    page = page_actions(s, f, now, rules, viewer=viewer, offset=3, limit=4)
    assert page.total == len(want) and page.counts_by_brag == counts, f
    start = 3 if len(want) > 3 else max(0, (len(want) - 1) // 4 * 4)
    assert refs(page.rows) == refs(want[start : start + 4]), f


TABLE_SPECS = [
    Spec(status, owner, due_in, rating, quiet, committee, review)
    for status in (Status.IN_PROGRESS, Status.NOT_STARTED)
    for due_in in range(-11, 17)
    for owner, rating, quiet, committee, review in (
        (1, None, 60, 1, PUBLIC),
        (2, Rating.ON_TRACK, 60 * 24 * 30, 2, SECRET),
    )
] + [
    Spec(status, owner, due_in, rating, quiet, 1, (None, PUBLIC, SECRET)[i % 3])
    for i, (status, owner, due_in, rating, quiet) in enumerate(
        (status, owner, due_in, rating, quiet)
        for status in Status
        for owner in (None, 1)
        for due_in in (None, -3, 0, 40)
        for rating in (None, Rating.AT_RISK, Rating.OFF_TRACK)
        for quiet in (0, 60 * 24 * 30)
    )
]


@pytest.mark.parametrize("now", MOMENTS, ids=lambda m: m.isoformat())
def test_sql_filters_agree_with_rate_on_a_table_of_cases(world, now: datetime) -> None:
    # The default rules here; the generated cases below try others.
    store(world, TABLE_SPECS, now, RULES[0])
    check_all_filters(world, now, RULES[0], [VIEWERS[v] for v in ("admin", "chair of 1")])


specs = st.builds(
    Spec,
    status=st.sampled_from(Status),
    owner_id=st.sampled_from((None, *PEOPLE)),
    due_in=st.one_of(st.none(), st.integers(-20, 30)),
    rating=st.sampled_from((None, *Rating)),
    quiet_minutes=st.one_of(
        st.integers(0, 60 * 24 * 45),
        st.sampled_from([60 * 24 * d + m for d in (10, 30) for m in (-1, 0, 1)]),
    ),
    committee_id=st.sampled_from((None, *COMMITTEES)),
    review_id=st.sampled_from((None, PUBLIC, SECRET)),
)
moments = st.one_of(
    st.sampled_from(MOMENTS),
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(specs, max_size=25),
    now=moments,
    rules=st.sampled_from(RULES),
    viewer=st.sampled_from(sorted(VIEWERS)),
)
def test_sql_filters_agree_with_rate_on_generated_actions(
    world, actions: list[Spec], now: datetime, rules: BragRules, viewer: str
) -> None:
    store(world, actions, now, rules)
    check_all_filters(world, now, rules, [VIEWERS[viewer]])


# ------------------------------------------------------------------ paging and statements


class Statements:
    def __init__(self, engine: Engine) -> None:
        self.seen: list[str] = []
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.seen.append(args[2])

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.mark.parametrize("n", [30, 300])
def test_a_page_is_two_statements_however_many_actions_and_owners(world, n: int) -> None:
    now = MOMENTS[0]
    specs = [
        Spec(Status.IN_PROGRESS, PEOPLE[i % 3], -5 - i % 7, None, 60, 1, PUBLIC) for i in range(n)
    ]
    store(world, specs, now, BragRules())
    engine = world.kw["bind"]
    with world() as s:
        counter = Statements(engine)
        try:
            page = page_actions(s, ActionFilter(status="overdue"), now, viewer=VIEWERS["stranger"])
            assert len(counter.seen) == 2, counter.seen
            assert page.total == n and page.counts_by_brag == {Brag.RED: n}
            assert [a.ref for a, _ in page.rows] == [f"A-{i}" for i in range(1, 21)]
            # Owners come without their roles: nothing loads them behind the list's back.
            assert all(a.owner is not None and a.committee is not None for a, _ in page.rows)
            assert len(counter.seen) == 2
            with pytest.raises(InvalidRequestError):
                _ = page.rows[0][0].owner.roles  # type: ignore[union-attr]
        finally:
            counter.close()


def test_an_offset_past_the_end_shows_the_last_page_and_an_empty_list_reads_no_rows(
    world,
) -> None:
    now = MOMENTS[0]
    store(world, [Spec(Status.IN_PROGRESS, 1, 40, None, 0, 1, PUBLIC)] * 45, now, BragRules())
    with world() as s:
        page = page_actions(s, ActionFilter(status="open"), now, offset=500)
        assert (page.offset, page.total, len(page.rows)) == (40, 45, 5)
        assert page.rows[0][0].ref == "A-41"
        empty = page_actions(s, ActionFilter(status="overdue"), now)
        assert (empty.total, empty.rows, empty.counts_by_brag) == (0, [], {})


def test_sql_filters_agree_with_rate_when_blue_needs_evidence_of_impact(world, now) -> None:
    """`[brag] blue = "impact-evidenced"`: signed off without evidence of impact is Green, in
    the SQL filters and counts as in `rate`."""
    from sqlalchemy import update

    from models.brag import BLUE_IMPACT_EVIDENCED

    rules = BragRules(blue=BLUE_IMPACT_EVIDENCED)
    store(world, TABLE_SPECS, now, rules)
    with world.begin() as s:
        s.execute(
            update(Action)
            .where(Action.status == Status.SIGNED_OFF, Action.number % 2 == 0)
            .values(evidence_of_impact="Re-audit shows the change in use")
        )
    with world() as s:
        brags = {
            (a.evidence_of_impact is not None, rate(a, now, rules).brag)
            for a in s.scalars(select(Action).where(Action.status == Status.SIGNED_OFF))
        }
    assert brags == {(True, Brag.BLUE), (False, Brag.GREEN)}
    check_all_filters(world, now, rules, [VIEWERS[v] for v in ("admin", "chair of 1")])
