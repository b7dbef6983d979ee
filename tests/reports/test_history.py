"""--as-of: the BRAG picture as it stood on a date, replayed from the event history."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl

from models.brag import Brag, BragRules, rate
from models.schema import Rating, Status
from reports import export
from reports.history import Directory, as_of, end_of_day
from reports.rows import ActionRow, EventRow, PersonRef
from tests.reports.conftest import ADMIN, Board, at

RULES = BragRules()
DIRECTORY = Directory(
    people={"U0A": PersonRef(1, "Ann"), "Ann": PersonRef(1, "Ann"), "Bo": PersonRef(2, "Bo")},
    committees={"QAEC": 10, "PDC": 20},
)


def row(**kw: Any) -> ActionRow:
    base: dict[str, Any] = dict(
        id=1,
        number=1,
        text="Now text",
        review_id=None,
        review_number=None,
        review_name=None,
        review_type=None,
        confidential=False,
        findings=None,
        owner_id=2,
        owner_name="Bo",
        lead_agency="Police",
        committee_id=20,
        committee_code="PDC",
        due_date=date(2026, 9, 30),
        original_due_date=date(2026, 6, 30),
        status=Status.SIGNED_OFF,
        owner_rating=Rating.AT_RISK,
        latest_progress="Late note",
        evidence_of_completion="Done it",
        evidence_of_impact="It worked",
        signed_off_by="Chair",
        signed_off_at=at(2026, 10, 1),
        created_at=at(2026, 1, 1),
        last_update_at=at(2026, 10, 1),
    )
    return ActionRow(**(base | kw))


_ids = iter(range(1, 10_000))


def ev(when: datetime, kind: str, before: str | None = None, after: str | None = None,
       note: str | None = None, actor: str = "Someone") -> EventRow:  # fmt: skip
    return EventRow(next(_ids), 1, when, actor, kind, before, after, note)


HISTORY = [
    ev(at(2026, 1, 1), "created", None, "not_started"),
    ev(at(2026, 1, 1), "assigned", None, "U0A / QAEC"),
    ev(at(2026, 1, 1), "due", None, "2026-06-30"),
    ev(at(2026, 2, 1), "status", "not_started", "in_progress", "Early note"),
    ev(at(2026, 3, 1), "edited", "Old text", "Now text"),
    ev(at(2026, 4, 1), "assigned", "U0A / QAEC", "Bo / PDC"),
    ev(at(2026, 5, 1), "rating", None, "at_risk", "Late note"),
    ev(at(2026, 6, 20), "due", "2026-06-30", "2026-09-30", "Waiting for approval"),
    ev(at(2026, 9, 15), "done", "in_progress", "complete", "Done it"),
    ev(at(2026, 10, 1), "signoff", "complete", "signed_off", "It worked", actor="Chair"),
]


def test_not_yet_created_is_left_out() -> None:
    assert as_of(row(), HISTORY, datetime(2025, 12, 31, tzinfo=UTC), DIRECTORY) is None


def test_nothing_later_means_the_action_as_it_is() -> None:
    now = row()
    assert as_of(now, HISTORY, at(2026, 11, 1), DIRECTORY) is now


def test_replay_undoes_later_changes() -> None:
    then = as_of(row(), HISTORY, end_of_day(date(2026, 2, 15)), DIRECTORY)
    assert then is not None
    assert then.status == Status.IN_PROGRESS
    assert then.owner_rating is None
    assert then.due_date == date(2026, 6, 30)
    assert (then.owner_id, then.owner_name, then.committee_code, then.committee_id) == (
        1,
        "Ann",
        "QAEC",
        10,
    )
    assert then.text == "Old text"
    assert then.latest_progress == "Early note"
    assert then.evidence_of_completion is None and then.evidence_of_impact is None
    assert then.signed_off_at is None and then.signed_off_by is None
    assert then.last_update_at == at(2026, 2, 1)
    assert then.original_due_date == date(2026, 6, 30)


def test_the_whole_day_counts() -> None:
    then = as_of(row(), HISTORY, end_of_day(date(2026, 9, 15)), DIRECTORY)
    assert then is not None and then.status == Status.COMPLETE
    assert then.evidence_of_completion == "Done it" and then.signed_off_by is None


def test_before_first_due_date_there_was_none() -> None:
    events = [
        ev(at(2026, 1, 1), "created", None, "not_started"),
        ev(at(2026, 3, 1), "assigned", None, "Ann"),
        ev(at(2026, 3, 1), "due", None, "2026-12-31"),
    ]
    now = row(status=Status.NOT_STARTED, owner_id=1, owner_name="Ann", committee_id=None,
              committee_code=None, due_date=date(2026, 12, 31),
              original_due_date=date(2026, 12, 31), latest_progress=None,
              evidence_of_completion=None, evidence_of_impact=None, signed_off_by=None,
              signed_off_at=None)  # fmt: skip
    then = as_of(now, events, end_of_day(date(2026, 2, 1)), DIRECTORY)
    assert then is not None
    assert then.due_date is None and then.original_due_date is None and then.owner_id is None
    assert rate(then, end_of_day(date(2026, 2, 1)), RULES).brag == Brag.UNASSIGNED


def test_assignment_labels() -> None:
    assert DIRECTORY.split_label("U0A / QAEC") == ("U0A", "QAEC")
    assert DIRECTORY.split_label("QAEC") == (None, "QAEC")
    assert DIRECTORY.split_label("Bo") == ("Bo", None)
    assert DIRECTORY.split_label(None) == (None, None)


def test_an_owner_no_longer_known_still_counts_as_an_owner() -> None:
    events = [ev(at(2026, 1, 1), "created"), ev(at(2026, 5, 1), "assigned", "Gone Person", "Bo")]
    then = as_of(row(), events, end_of_day(date(2026, 2, 1)), DIRECTORY)
    assert then is not None and then.owner_id is not None and then.owner_name == "Gone Person"


# ---------------------------------------------------------------- through export


def actions(board: Board, day: date, viewer=ADMIN) -> dict[str, dict[str, Any]]:
    with board.sf() as s:
        name, data = export(s, viewer, "xlsx", board.now, RULES, as_of=day)
    assert name == f"lscb-actions-as-of-{day.isoformat()}.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(wb["Actions"].iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_as_of_mid_year_reproduces_that_picture(board: Board) -> None:
    rows = actions(board, date(2026, 7, 15))
    assert list(rows) == ["A-1", "A-2", "A-3", "A-4", "A-5"]  # A-6 was created in October
    a1 = rows["A-1"]
    assert (a1["Status"], a1["BRAG"]) == ("In progress", "Green")
    assert a1["Target date"] == datetime(2026, 9, 30)
    assert a1["Signed off by"] is None and a1["Evidence of completion"] is None
    assert rows["A-2"]["BRAG"] == "Red"  # overdue since 29/05 and off track
    assert (rows["A-3"]["BRAG"], rows["A-3"]["Owner"]) == ("Unassigned", None)
    assert rows["A-4"]["Latest progress"] is None  # the note came in November
    assert rows["A-5"]["Status"] == "Cancelled"


def test_as_of_spring_shows_drift_and_the_old_date(board: Board) -> None:
    rows = actions(board, date(2026, 6, 10))
    a1 = rows["A-1"]
    assert a1["Target date"] == datetime(2026, 6, 30)
    assert a1["BRAG"] == "Amber"  # 20 days to go, but no update since 01/03: drift
    rows = actions(board, date(2026, 4, 15))
    assert rows["A-5"]["Status"] == "Not started"


def test_as_of_history_and_drift_stop_at_the_date(board: Board) -> None:
    with board.sf() as s:
        _, data = export(s, ADMIN, "xlsx", board.now, RULES, as_of=date(2026, 6, 1))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    when = [r[1] for r in wb["History"].iter_rows(min_row=2, values_only=True)]
    assert when and max(when) < datetime(2026, 6, 2)
    assert wb["Drift"].max_row == 1  # A-1's date moved on 20/06
    summary = {r[0]: r for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["BRAG as of"][1] == datetime(2026, 6, 1)


def test_as_of_today_is_the_live_picture(board: Board) -> None:
    assert actions(board, date(2026, 11, 25))["A-6"]["BRAG"] == "Amber"


def test_a_reopen_sets_the_evidence_aside_in_the_replay_too() -> None:
    events = [
        *HISTORY,
        ev(at(2026, 10, 5), "reopen", "signed_off", "in_progress", "Sample too small"),
        ev(at(2026, 10, 5), "rejected", None, None, "Evidence of completion: Done it"),
        ev(at(2026, 11, 1), "note", None, None, "Re-audit booked"),
    ]
    now = row(status=Status.IN_PROGRESS, evidence_of_completion=None, evidence_of_impact=None)
    before = as_of(now, events, end_of_day(date(2026, 10, 2)), DIRECTORY)
    assert before is not None and before.evidence_of_completion == "Done it"
    after = as_of(now, events, end_of_day(date(2026, 10, 20)), DIRECTORY)
    assert after is not None and after.status == Status.IN_PROGRESS
    assert after.evidence_of_completion is None and after.evidence_of_impact is None
