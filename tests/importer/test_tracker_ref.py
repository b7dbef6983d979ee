"""Tracker rows that carry an action's Ref (A-<n>), as the board's exported spreadsheet does.

The board (tests/reports/conftest.py) is exported, the rows are edited as a business manager
would edit them, and the file is imported again.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from importer.parse import parse_file
from importer.parse_sheet import unescape_csv_cell
from importer.store import ImportSummary, store_index
from importer.summary import DERIVED
from importer.summary import describe as _describe
from models import actions as ops
from models.brag import BragRules
from models.schema import Action, ActionEvent, Finding, Review, Status
from reports import export
from tests.reports import conftest as reports_conftest
from tests.reports.conftest import ADMIN, Board, at

board = reports_conftest.board  # the reports' board fixture, used here too
NOW = at(2026, 11, 25)


def exported_rows(b: Board) -> list[list[str]]:
    with b.sf() as s:
        _, data = export(s, ADMIN, "csv", b.now, BragRules())
    return [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "tracker.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def edit(rows: list[list[str]], ref: str, **cells: str) -> None:
    """Set cells of the row of `ref`, by header (spaces as underscores)."""
    head = rows[0]
    (row,) = [r for r in rows[1:] if r[0] == ref]
    for name, value in cells.items():
        row[head.index(name.replace("_", " "))] = value


def import_file(b: Board, path: Path) -> ImportSummary:
    with b.sf.begin() as s:
        return store_index(s, parse_file(path), now=NOW, source_name=path.name)


def counts(s: Session) -> tuple[int, ...]:
    return tuple(
        s.scalar(select(func.count()).select_from(t)) or 0
        for t in (Review, Finding, Action, ActionEvent)
    )


def action(s: Session, ref: str) -> Action:
    return ops.get_action(s, ref)


def events(s: Session, ref: str) -> list[tuple[str, Any, Any]]:
    return [(e.kind, e.before, e.after) for e in action(s, ref).events]


# ---------------------------------------------------------------- 1. the Ref is read


def test_ref_values_stay_on_the_activity_not_on_the_findings(board: Board, tmp_path: Path) -> None:
    index = parse_file(write_csv(tmp_path, exported_rows(board)))
    by_ref = {a.ref: (r, a) for r in index.reviews for a in r.activities}
    assert sorted(by_ref) == [f"A-{n}" for n in range(1, 7)]
    review, first = by_ref["A-1"]
    # "1. Referrals were not escalated" is finding 1 of its review, not finding "A-1".
    assert [(f.number, f.text) for f in review.findings] == [("1", "Referrals were not escalated")]
    assert first.findings == ["Referrals were not escalated"]
    assert all(not (f.number or "").startswith("A") for r in index.reviews for f in r.findings)


def test_a_reference_that_is_not_an_action_ref_still_numbers_the_finding(tmp_path: Path) -> None:
    rows = [
        ["Ref", "Review", "Recommendation", "Action", "Target date"],
        ["3", "Neglect audit", "Hear the child", "Voice of the child audit", "30/06/2027"],
    ]
    (review,) = parse_file(write_csv(tmp_path, rows)).reviews
    assert [(f.number, f.text) for f in review.findings] == [("3", "Hear the child")]
    assert review.activities[0].ref is None


# ---------------------------------------------------------------- 2. matched by Ref


def test_unchanged_csv_round_trip_changes_nothing(board: Board, tmp_path: Path) -> None:
    path = write_csv(tmp_path, exported_rows(board))
    with board.sf() as s:
        before = counts(s)
    summary = import_file(board, path)
    assert not summary.changed
    assert summary.actions_matched_by_ref == summary.actions_unchanged == 6
    assert summary.changes == [] and summary.not_applied == []
    with board.sf() as s:
        assert counts(s) == before


def test_changed_rows_update_their_own_action_with_events(board: Board, tmp_path: Path) -> None:
    rows = exported_rows(board)
    edit(rows, "A-6", Target_date="2027-01-15", Latest_progress="Governors briefed in December")
    edit(rows, "A-3", Status="In progress")
    with board.sf() as s:
        reviews, findings, actions, _ = counts(s)
        a6_review = action(s, "A-6").review_id
        a6_events = len(events(s, "A-6"))
    summary = import_file(board, write_csv(tmp_path, rows))
    assert summary.changed
    assert (summary.actions_created, summary.reviews_created, summary.actions_updated) == (0, 0, 2)
    assert sorted(summary.changes) == ["A-3 updated: status", "A-6 updated: due date, progress"]
    with board.sf() as s:
        assert counts(s)[:3] == (reviews, findings, actions)
        a6 = action(s, "A-6")
        assert a6.review_id == a6_review
        assert a6.due_date == date(2027, 1, 15) and a6.original_due_date == date(2026, 12, 4)
        assert a6.latest_progress == "Governors briefed in December"
        new = [(e.kind, e.before, e.after) for e in a6.events[a6_events:]]
        assert new == [("due", "2026-12-04", "2027-01-15"), ("note", None, None)]
        assert a6.events[a6_events].note  # a due date never changes without a reason
        assert action(s, "A-3").status == Status.IN_PROGRESS
        assert events(s, "A-3")[-1] == ("status", "not_started", "in_progress")
    # The same file again: now nothing to do.
    again = import_file(board, write_csv(tmp_path, rows))
    assert not again.changed and again.actions_unchanged == 6


def test_a_past_target_date_in_the_tracker_is_recorded(board: Board, tmp_path: Path) -> None:
    rows = exported_rows(board)
    edit(rows, "A-2", Target_date="2026-04-30")  # A-2 is open and overdue
    summary = import_file(board, write_csv(tmp_path, rows))
    assert summary.changes == ["A-2 updated: due date"]
    with board.sf() as s:
        assert action(s, "A-2").due_date == date(2026, 4, 30)
        assert events(s, "A-2")[-1] == ("due", "2026-05-29", "2026-04-30")


def test_what_an_import_may_not_do_is_reported_and_left(board: Board, tmp_path: Path) -> None:
    rows = exported_rows(board)
    edit(rows, "A-1", Target_date="2027-06-30")  # signed off: its date can no longer change
    edit(rows, "A-6", Status="Signed off")  # sign-off is the chair's
    edit(rows, "A-2", Status="Cancelled")
    with board.sf() as s:
        before = counts(s)
    summary = import_file(board, write_csv(tmp_path, rows))
    notes = "\n".join(summary.not_applied)
    assert "A-1: due date" in notes and "A-2: cancelling" in notes and "A-6: sign-off" in notes
    with board.sf() as s:
        assert action(s, "A-1").due_date == date(2026, 9, 30)
        assert action(s, "A-2").status == Status.IN_PROGRESS
        # A row saying "Signed off" reports the action delivered: it is marked done, no more.
        assert action(s, "A-6").status == Status.COMPLETE
        assert counts(s)[:3] == before[:3]


def test_a_ref_naming_another_action_is_not_trusted(board: Board, tmp_path: Path) -> None:
    rows = [
        ["Ref", "Review", "Action", "Owner", "Target date"],
        ["A-1", "Another board's plan", "Refresh threshold guidance", "Jo Evans", "31/03/2027"],
        ["A-2", "", "Escalation training for custody officers", "", "2027-02-01"],
        ["A-2", "", "Escalation training for custody officers", "", "2027-03-01"],
        ["A-99", "Another board's plan", "Run a audit", "", ""],
    ]
    summary = import_file(board, write_csv(tmp_path, rows))
    # A-1's row names neither its review nor its wording: a new action; A-2's wording matches.
    assert summary.actions_created == 2 and summary.actions_matched_by_ref == 1
    assert summary.changes[-1] == "A-2 updated: due date"
    assert any("second row" in n for n in summary.not_applied)
    with board.sf() as s:
        assert action(s, "A-1").text == "Issue bruising guidance to all health visitors"
        assert action(s, "A-2").due_date == date(2027, 2, 1)
        assert s.scalar(select(func.count()).select_from(Action)) == 8


def test_rows_matched_by_ref_and_new_rows_in_one_file(board: Board, tmp_path: Path) -> None:
    rows = exported_rows(board)
    new = [""] * len(rows[0])
    edit_row = dict(zip(rows[0], range(len(rows[0])), strict=True))
    new[edit_row["Review"]] = "Child C (Chris)"
    new[edit_row["Findings answered"]] = "Safety plans were not shared"
    new[edit_row["Action"]] = "Share safety plans with schools"
    rows.append(new)
    summary = import_file(board, write_csv(tmp_path, rows))
    assert (summary.actions_created, summary.actions_matched_by_ref) == (1, 6)
    assert summary.reviews_created == 1  # the new row's tracker review, for that row alone
    with board.sf() as s:
        created = s.scalars(select(Review).where(Review.source_key.is_not(None))).one()
        # The rows' "Review type" column says what kind of review it is.
        assert (created.type, created.name) == ("Serious Case Review", "Child C (Chris)")
        assert [f.text for f in created.findings] == ["Safety plans were not shared"]


# ---------------------------------------------------------------- 3. findings left alone


def test_findings_answered_does_not_rewrite_a_reviews_findings(
    board: Board, tmp_path: Path
) -> None:
    rows = exported_rows(board)
    edit(rows, "A-1", Findings_answered="1. Something else entirely\n2. And another")
    edit(rows, "A-2", Findings_answered="Escalation was slow")
    with board.sf() as s:
        before = s.execute(select(Finding.review_id, Finding.number, Finding.text)).all()
    summary = import_file(board, write_csv(tmp_path, rows))
    assert not summary.changed
    assert (summary.findings_created, summary.findings_updated, summary.findings_removed) == (
        0,
        0,
        0,
    )
    with board.sf() as s:
        assert s.execute(select(Finding.review_id, Finding.number, Finding.text)).all() == before


# ---------------------------------------------------------------- 4. Status apart from BRAG


def test_status_and_brag_are_separate_columns_and_brag_is_not_imported(
    board: Board, tmp_path: Path
) -> None:
    rows = exported_rows(board)
    edit(rows, "A-2", BRAG="Green")
    edit(rows, "A-4", BRAG="Blue")
    path = write_csv(tmp_path, rows)
    index = parse_file(path)
    assert index.columns is not None
    assert index.columns.mapped["Status"] == "status"
    assert index.columns.mapped["BRAG"] == "rag"
    assert index.columns.derived == ["BRAG", "Impact review date"]
    described = "\n".join(_describe(index, None, True))
    assert f"BRAG → {DERIVED}" in described
    statuses = {a.ref: (a.status, a.delivered) for r in index.reviews for a in r.activities}
    assert statuses["A-1"] == ("signed_off", True)  # a signed-off row is delivered
    assert statuses["A-5"] == ("cancelled", False)
    assert statuses["A-2"] == ("in_progress", False)
    summary = import_file(board, path)
    assert not summary.changed


def test_new_rows_with_signed_off_or_cancelled_status(board: Board, tmp_path: Path) -> None:
    rows = [
        ["Action", "Owner", "Target date", "Status", "BRAG", "Evidence"],
        ["Publish the newsletter", "Jo Evans", "2027-02-01", "Signed off", "Blue", "Issue 4"],
        ["Run an audit of strategy meetings", "", "", "Cancelled", "", ""],
        ["Refresh the escalation policy", "", "", "Not started", "Blue", ""],
    ]
    path = write_csv(tmp_path, rows, "plan.csv")
    summary = import_file(board, path)
    assert summary.actions_created == 3
    with board.sf() as s:
        made = {a.text: a for a in s.scalars(select(Action).where(Action.number > 6)).unique()}
        newsletter = made["Publish the newsletter"]
        assert newsletter.status == Status.COMPLETE  # awaiting the chair's sign-off
        assert newsletter.evidence_of_completion == "Issue 4"
        assert made["Run an audit of strategy meetings"].status == Status.CANCELLED
        # "Blue" in the BRAG column does not make an action complete.
        assert made["Refresh the escalation policy"].status == Status.NOT_STARTED
    assert not import_file(board, path).changed


# ---------------------------------------------------------------- 5. CSV formula escapes


def test_csv_formula_escapes_are_removed() -> None:
    assert unescape_csv_cell("'=SUM(A1:A3)") == "=SUM(A1:A3)"
    assert unescape_csv_cell("'+44 151") == "+44 151"
    assert unescape_csv_cell("'-1 day") == "-1 day"
    assert unescape_csv_cell("'@home") == "@home"
    assert unescape_csv_cell("'tis the season") == "'tis the season"
    assert unescape_csv_cell("'") == "'"


def test_texts_starting_like_formulas_survive_the_csv_round_trip(
    board: Board, tmp_path: Path
) -> None:
    with board.sf.begin() as s:
        a6 = action(s, "A-6")
        a6.text = "=Share the audit findings with governors"
        ops.add_note(s, ADMIN, "A-6", text="-1 week behind", now=NOW)
    rows = exported_rows(board)
    (row,) = [r for r in rows if r[0] == "A-6"]
    assert "'=Share the audit findings with governors" in row  # as the export escapes it
    path = write_csv(tmp_path, rows)
    (activity,) = [a for r in parse_file(path).reviews for a in r.activities if a.ref == "A-6"]
    assert activity.text == "=Share the audit findings with governors"
    assert activity.progress == "-1 week behind"
    assert not import_file(board, path).changed


def test_xlsx_round_trip_with_an_edit(board: Board, tmp_path: Path) -> None:
    with board.sf() as s:
        name, data = export(s, ADMIN, "xlsx", board.now, BragRules())
    path = tmp_path / name
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    sheet = book["Actions"]
    head = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "A-4":
            row[head.index("Latest progress")].value = "Case closed at panel"
    book.save(path)
    summary = import_file(board, path)
    assert summary.changes == ["A-4 updated: progress"]
    assert summary.actions_unchanged == 5 and summary.reviews_created == 0


# ---------------------------------------------------------------- measures


def test_measure_columns_are_read_as_the_measure_not_as_evidence(tmp_path: Path) -> None:
    for header in ("How it will be measured", "Success criteria", "Outcome expected"):
        path = write_csv(
            tmp_path,
            [
                ["Action", "Lead agency", "Target date", header, "Evidence"],
                ["Train GPs on bruising", "Health", "31/03/2027", "Re-audit 20 cases", ""],
            ],
        )
        index = parse_file(path)
        assert index.columns is not None and index.columns.mapped[header] == "measure"
        (activity,) = index.reviews[0].activities
        assert activity.measure == "Re-audit 20 cases" and activity.evidence is None


def test_a_measure_set_in_the_workbook_is_imported_and_read_back_unchanged(
    board: Board, tmp_path: Path
) -> None:
    rows = exported_rows(board)
    edit(rows, "A-2", How_it_will_be_measured="Custody audit shows escalations logged")
    summary = import_file(board, write_csv(tmp_path, rows))
    assert "A-2 updated: measure" in summary.changes
    with board.sf() as s:
        a2 = ops.get_action(s, "A-2")
        assert a2.measure == "Custody audit shows escalations logged"
        assert [e.kind for e in a2.events][-1] == "measure"
    again = import_file(board, write_csv(tmp_path, exported_rows(board), "again.csv"))
    assert not again.changed and again.actions_updated == 0
