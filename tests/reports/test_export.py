"""The board workbook and CSV, opened the way a business manager would: with a spreadsheet
reader, looking at columns, rows, colours, dates, frozen headers and filters."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

from models import actions as ops
from models.brag import BragRules
from models.errors import InvalidInput, NotFound
from models.permissions import Actor
from models.schema import ActionEvent, Committee
from reports import export
from reports.charts import BRAG_COLOURS
from reports.data import load, resolve_committee
from reports.export import ACTION_HEADERS, WITHHELD
from tests.conftest import actor
from tests.reports.conftest import ADMIN, Board, at

RULES = BragRules()


def workbook(board: Board, viewer: Actor = ADMIN, **kw: Any) -> openpyxl.Workbook:
    with board.sf() as s:
        name, data = export(s, viewer, "xlsx", board.now, RULES, **kw)
    assert name.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(data))


def table(ws: Worksheet) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    return [dict(zip(head, r, strict=True)) for r in rows[1:]]


def by_ref(ws: Worksheet) -> dict[str, dict[str, Any]]:
    return {r["Ref"]: r for r in table(ws)}


def all_text(wb: openpyxl.Workbook) -> str:
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_workbook_has_its_sheets_actions_first(board: Board) -> None:
    wb = workbook(board)
    assert wb.sheetnames == ["Actions", "Summary", "Drift", "History", "Themes", "Theme findings"]


def test_actions_sheet_has_the_board_columns_in_order(board: Board) -> None:
    ws = workbook(board)["Actions"]
    assert [c.value for c in ws[1]] == [
        "Ref",
        "Review",
        "Review type",
        "Findings answered",
        "Action",
        "Lead agency",
        "Owner",
        "Committee",
        "Target date",
        "Original target date",
        "Status",
        "BRAG",
        "Latest progress",
        "Evidence of completion",
        "Evidence of impact",
        "How it will be measured",
        "Impact review date",
        "Signed off by",
        "Signed off on",
    ]
    assert all(c.font.bold for c in ws[1])


def test_one_row_per_action_with_what_the_board_reads(board: Board) -> None:
    rows = by_ref(workbook(board)["Actions"])
    assert list(rows) == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
    a1 = rows["A-1"]
    assert a1["Review"] == "Child C (Chris)"
    assert a1["Review type"] == "Serious Case Review"
    assert a1["Findings answered"] == "1. Referrals were not escalated"
    assert a1["Action"] == "Issue bruising guidance to all health visitors"
    assert (a1["Owner"], a1["Lead agency"], a1["Committee"]) == (
        "Priya Shah",
        "Designated Nurse, Health",
        "QAEC",
    )
    assert a1["Status"] == "Signed off"
    assert a1["Latest progress"] == "Draft with the health board"
    assert a1["Evidence of completion"] == "Guidance published on the website"
    assert a1["Evidence of impact"] == "Bruising referrals up by a fifth"
    assert a1["Signed off by"] == "Dr Helen Carter"
    assert {r: rows[r]["BRAG"] for r in rows} == {
        "A-1": "Blue",
        "A-2": "Red",
        "A-3": "Amber",
        "A-4": "Green",
        "A-5": "Cancelled",
        "A-6": "Amber",
    }
    assert rows["A-3"]["Owner"] == "Claire Hughes"
    assert rows["A-5"]["Status"] == "Cancelled"


def test_dates_are_real_dates_shown_day_first(board: Board) -> None:
    ws = workbook(board)["Actions"]
    col = {c.value: c.column for c in ws[1]}
    due = ws.cell(2, col["Target date"])
    original = ws.cell(2, col["Original target date"])
    signed = ws.cell(2, col["Signed off on"])
    assert due.is_date and due.value == datetime(2026, 9, 30)
    assert original.is_date and original.value == datetime(2026, 6, 30)
    assert signed.is_date and signed.value == datetime(2026, 10, 1)
    assert due.number_format == "DD/MM/YYYY"
    assert ws.cell(4, col["Original target date"]).value == datetime(2027, 3, 31)


def test_brag_cells_are_filled_in_the_brag_colour(board: Board) -> None:
    ws = workbook(board)["Actions"]
    brag_col = ACTION_HEADERS.index("BRAG") + 1
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row, brag_col)
        want = BRAG_COLOURS[str(cell.value).lower()].lstrip("#")
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb.endswith(want), (cell.value, cell.fill.fgColor.rgb)
    red = ws.cell(3, brag_col)
    assert red.value == "Red" and red.fill.fgColor.rgb.endswith("C00000")
    assert red.font.color.rgb.endswith("FFFFFF")  # white on red: readable


def test_headers_frozen_and_filters_on_every_table(board: Board) -> None:
    wb = workbook(board)
    assert wb["Actions"].freeze_panes == "B2"  # header row and the Ref column
    assert wb["Actions"].auto_filter.ref == "A1:S7"
    for name in ("Drift", "History"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"


def test_widths_read_well(board: Board) -> None:
    ws = workbook(board)["Actions"]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert widths["Action"] >= 50 and widths["Ref"] <= 10
    assert widths["Target date"] >= 10
    action = ws.cell(2, ACTION_HEADERS.index("Action") + 1)
    assert action.alignment.wrap_text


def test_drift_sheet_lists_every_due_date_change_with_its_reason(board: Board) -> None:
    rows = table(workbook(board)["Drift"])
    assert len(rows) == 1  # A-3's first due date is setting one, not a change
    (moved,) = rows
    assert moved["Ref"] == "A-1"
    assert (moved["From"], moved["To"]) == (datetime(2026, 6, 30), datetime(2026, 9, 30))
    assert moved["Days moved"] == 92
    assert moved["Reason"] == "Awaiting health board approval"
    assert (
        moved["Changed by"] == "Dr Helen Carter"
    )  # the owner asked; the chair approved the new date
    assert moved["Changed on"] == datetime(2026, 6, 20, 11, 0)  # 10:00 UTC is 11:00 in London


def test_history_sheet_holds_every_event(board: Board) -> None:
    with board.sf() as s:
        count = s.scalar(select(func.count()).select_from(ActionEvent))
    rows = table(workbook(board)["History"])
    assert len(rows) == count
    first = rows[0]
    assert (first["Ref"], first["What"], first["After"]) == ("A-1", "Created", "not started")
    due_moves = [r for r in rows if r["Ref"] == "A-1" and r["What"] == "Due date" and r["Before"]]
    assert due_moves[0]["Before"] == datetime(2026, 6, 30)  # dates in history are dates too
    assert isinstance(first["When"], datetime)


def test_summary_counts_brag_by_committee_and_by_review_type(board: Board) -> None:
    ws = workbook(board)["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    labels = {r[0]: r for r in rows if r and r[0]}
    head = next(r for r in rows if r[0] == "Committee")
    assert head[:8] == (
        "Committee",
        "Red",
        "Amber",
        "Green",
        "Blue",
        "Unassigned",
        "Cancelled",
        "Total",
    )
    assert labels["QAEC: Quality & Audit Evidence Committee"][1:8] == (0, 0, 0, 1, 0, 1, 2)
    assert labels["CSE: CSE Sub Group"][1:8] == (1, 0, 0, 0, 0, 0, 1)
    assert labels["Serious Case Review"][1:8] == (1, 0, 1, 1, 0, 0, 3)
    assert labels["Multi-Agency Audit"][1:8] == (0, 2, 0, 0, 0, 1, 3)
    totals = [r for r in rows if r[0] == "Total"]
    assert [t[7] for t in totals] == [6, 6]
    assert labels["BRAG as of"][1] == datetime(2026, 11, 25)


def test_charts_are_placed_in_the_summary_sheet(board: Board) -> None:
    ws = workbook(board)["Summary"]
    images = ws._images  # openpyxl keeps pictures it reads
    assert len(images) == 2
    assert all(img.width > 300 and img.height > 200 for img in images)


def test_csv_is_the_actions_sheet(board: Board) -> None:
    with board.sf() as s:
        name, data = export(s, ADMIN, "csv", board.now, RULES)
    assert name == "lscb-actions-2026-11-25.csv"
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ACTION_HEADERS
    assert [r["Ref"] for r in rows] == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
    assert rows[0]["Target date"] == "2026-09-30"
    assert rows[1]["BRAG"] == "Red"
    assert rows[2]["Signed off on"] == ""


def test_confidential_review_by_reference_only_for_a_stranger(board: Board) -> None:
    stranger = Actor.stranger("U0SOMEONE")
    wb = workbook(board, stranger)
    a4 = by_ref(wb["Actions"])["A-4"]
    assert a4["Review"] == "R-3"
    assert a4["Action"] == WITHHELD
    assert a4["Owner"] is None and a4["Lead agency"] is None and a4["Latest progress"] is None
    assert (a4["Committee"], a4["BRAG"]) == ("LIG", "Green")  # still counted in the picture
    text = all_text(wb)
    for secret in ("Child D", "Gary Lloyd", "Sensitive progress", "probation case"):
        assert secret not in text
    history = [r for r in table(wb["History"]) if r["Ref"] == "A-4"]
    assert history and all(r["Who"] is None and r["Note"] is None for r in history)
    # Everything else is there in full.
    assert by_ref(wb["Actions"])["A-2"]["Action"] == "Escalation training for custody officers"
    with board.sf() as s:
        _, data = export(s, stranger, "csv", board.now, RULES)
    assert b"Child D" not in data and WITHHELD.encode() in data


@pytest.mark.parametrize("who", ["U0PROBATN", "U0LIGCHR1", "U0BUSMGR1"])
def test_owner_chair_and_admin_see_the_confidential_action(board: Board, who: str) -> None:
    a4 = by_ref(workbook(board, actor(board.sf, who))["Actions"])["A-4"]
    assert a4["Review"] == "Child D"
    assert a4["Latest progress"] == "Sensitive progress on the case"


def test_committee_and_review_filters(board: Board) -> None:
    rows = by_ref(workbook(board, committee="qaec")["Actions"])
    assert list(rows) == ["A-1", "A-5"]
    assert list(by_ref(workbook(board, review="R-1")["Actions"])) == ["A-1", "A-2"]
    assert list(by_ref(workbook(board, review="neglect")["Actions"])) == ["A-3", "A-5", "A-6"]
    with board.sf() as s:
        name, _ = export(s, ADMIN, "csv", board.now, RULES, committee="QAEC", review="R-1")
    assert name == "lscb-actions-QAEC-R-1-2026-11-25.csv"


def test_committee_filter_shows_only_that_committee_in_the_summary(board: Board) -> None:
    ws = workbook(board, committee="QAEC")["Summary"]
    firsts = [r[0] for r in ws.iter_rows(values_only=True) if r and r[0]]
    assert "QAEC: Quality & Audit Evidence Committee" in firsts
    assert "CSE: CSE Sub Group" not in firsts


def test_one_committee_export_holds_only_its_actions_on_every_sheet(board: Board) -> None:
    wb = workbook(board, committee="QAEC")
    assert list(by_ref(wb["Actions"])) == ["A-1", "A-5"]
    assert by_ref(wb["Actions"])["A-1"]["Findings answered"] == "1. Referrals were not escalated"
    assert {r["Ref"] for r in table(wb["History"])} == {"A-1", "A-5"}
    assert {r["Ref"] for r in table(wb["Drift"])} == {"A-1"}
    with board.sf() as s:
        _, data = export(s, ADMIN, "csv", board.now, RULES, committee="QAEC")
    refs = [r["Ref"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    assert refs == ["A-1", "A-5"]


def test_one_committee_live_export_reads_only_that_committees_rows(board: Board) -> None:
    with board.sf() as s:
        qaec = resolve_committee(s, "QAEC")
        loaded = load(s, committee_id=qaec.id)
    assert [a.ref for a in loaded.actions] == ["A-1", "A-5"]
    assert {a.committee_id for a in loaded.actions} == {qaec.id}
    ids = {a.id for a in loaded.actions}
    assert loaded.events and set(loaded.events) <= ids


def test_one_committee_replay_follows_the_committee_each_action_was_in(board: Board) -> None:
    with board.sf.begin() as s:
        qaec = s.scalars(select(Committee).where(Committee.code == "QAEC")).one()
        ops.assign(s, ADMIN, "A-2", owner=None, committee=qaec, now=at(2026, 11, 24))
    assert list(by_ref(workbook(board, committee="QAEC")["Actions"])) == ["A-1", "A-2", "A-5"]
    before = date(2026, 11, 1)
    assert list(by_ref(workbook(board, committee="QAEC", as_of=before)["Actions"])) == [
        "A-1",
        "A-5",
    ]
    cse = workbook(board, committee="CSE", as_of=before)
    assert list(by_ref(cse["Actions"])) == ["A-2"]
    assert {r["Ref"] for r in table(cse["History"])} == {"A-2"}


@pytest.mark.parametrize(
    ("kw", "error", "words"),
    [
        ({"committee": "NOPE"}, NotFound, "no committee"),
        ({"review": "R-99"}, NotFound, "no single review"),
        ({"as_of": date(2026, 11, 26)}, InvalidInput, "in the future"),
    ],
)
def test_unknown_filters_are_refused_with_a_message(
    board: Board, kw: dict[str, Any], error: type[Exception], words: str
) -> None:
    with board.sf() as s, pytest.raises(error, match=words):
        export(s, ADMIN, "xlsx", board.now, RULES, **kw)


def test_unknown_format_is_refused(board: Board) -> None:
    with board.sf() as s, pytest.raises(InvalidInput, match="xlsx or csv"):
        export(s, ADMIN, "pdf", board.now, RULES)


def test_text_that_looks_like_a_formula_stays_text(board: Board) -> None:
    with board.sf.begin() as s:
        ops.add_note(s, ADMIN, "A-2", text='=HYPERLINK("http://x")', now=at(2026, 11, 24))
    ws = workbook(board)["Actions"]
    cell = ws.cell(3, ACTION_HEADERS.index("Latest progress") + 1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    with board.sf() as s:
        _, data = export(s, ADMIN, "csv", board.now, RULES)
    assert "'=HYPERLINK" in data.decode("utf-8-sig")


def test_an_empty_tracker_still_exports(session_factory, org, now) -> None:
    with session_factory() as s:
        _, data = export(s, ADMIN, "xlsx", now, RULES)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["Actions"].max_row == 1
    assert wb["Actions"].auto_filter.ref == "A1:S1"


def test_history_sheet_speaks_in_peoples_words(board: Board) -> None:
    """What goes into board papers: people by name, statuses and ratings as words, dates as
    dates; never a Slack id, an underscore word or an ISO date in text."""
    import re

    rows = table(workbook(board)["History"])
    texts = [
        str(r[k]) for r in rows for k in ("Who", "What", "Before", "After") if isinstance(r[k], str)
    ]
    assert texts
    for text in texts:
        assert not re.search(r"\bU0[A-Z0-9]{6,}\b", text), text
        assert "_" not in text, text
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), text
    assigned = [r for r in rows if r["What"] == "Assigned" and r["After"]]
    assert any("Priya Shah" in (r["After"] or "") for r in assigned)
