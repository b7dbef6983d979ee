"""Word, PDF and spreadsheet sources, built here and imported."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import docx
import openpyxl
from fpdf import FPDF

from importer.parse import parse_file

LONG_TYPE = "Serious Case Review (Lancashire SCB supported by LSCB agencies)"
LONG_NAME = "Thematic Inspection - In the Child's Time: Professional Responses to Neglect"


def build_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("Learning from Reviews", style="Heading 1")
    t = d.add_table(rows=0, cols=2)
    row = t.add_row().cells
    row[0].text, row[1].text = f"Type of Review: {LONG_TYPE}", f"Name: {LONG_NAME}"
    row = t.add_row().cells
    row[0].text = "Date: Report to LSCB March 2019"
    row = t.add_row().cells
    row[0].text = "Case Overview / Methodology:"
    row[1].text = "Details of the case cannot be shared at this time."
    row = t.add_row().cells
    row[0].text = "Summary of Findings / Learning:"
    cell = row[1]
    cell.paragraphs[0].text = "Practice was good"
    cell.paragraphs[0].style = "List Number"
    cell.add_paragraph("Records were poor", style="List Number")
    row = t.add_row().cells
    row[0].text = "Improvement Activity:"
    cell = row[1]
    cell.paragraphs[0].text = "Guidance has been developed"
    cell.paragraphs[0].style = "List Bullet"
    cell.add_paragraph(
        "Audit records, reporting to the L & I Group (Owner: Jo Evans; Due: 30/06/2027)",
        style="List Bullet",
    )
    d.save(str(path))
    return path


def test_docx_index_with_label_cells_and_word_lists(tmp_path: Path) -> None:
    index = parse_file(build_docx(tmp_path / "index.docx"))
    (r,) = index.reviews
    assert (r.type, r.name) == (LONG_TYPE, LONG_NAME)
    assert r.section == "Learning from Reviews"
    assert r.month == date(2019, 3, 1) and r.confidential
    assert [(f.number, f.text) for f in r.findings] == [
        ("1", "Practice was good"),
        ("2", "Records were poor"),
    ]
    first, second = r.activities
    assert first.delivered and not second.delivered
    assert (second.owner, second.due_date, second.committee) == (
        "Jo Evans",
        date(2027, 6, 30),
        "L & I Group",
    )


def build_pdf(path: Path, pages: int = 1) -> Path:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_font("Helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(0, 8, "Learning from Reviews", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(50, 50), text_align="LEFT") as t:
            row = t.row()
            row.cell(f"Type of Review: {LONG_TYPE}")
            row.cell(f"Name: {LONG_NAME} {page + 1}")
            row = t.row()
            row.cell("Date: Report Published May 2015")
            row.cell("")
            row = t.row()
            row.cell("Summary of Findings / Learning:")
            row.cell(
                "1. The first finding is long enough that it must wrap onto a second line in this narrow cell.\n"
                "2. Second finding."
            )
            row = t.row()
            row.cell("Improvement Activity:")
            row.cell(
                "\u2022 SCR newsletter widely disseminated.\n\u2022 Audit of records (Owner: Designated Nurse; Due: 31/12/2027)"
            )
        pdf.set_y(280)
        pdf.cell(0, 5, f"Page {page + 1} of {pages}")
    pdf.output(str(path))
    return path


def test_pdf_two_column_table_keeps_type_and_name_cells_apart(tmp_path: Path) -> None:
    index = parse_file(build_pdf(tmp_path / "index.pdf", pages=2))
    assert len(index.reviews) == 2
    r = index.reviews[0]
    assert r.type == LONG_TYPE
    assert r.name == f"{LONG_NAME} 1"
    assert [f.number for f in r.findings] == ["1", "2"]
    assert r.findings[0].text.endswith("wrap onto a second line in this narrow cell.")
    assert [a.delivered for a in r.activities] == [True, False]
    assert r.activities[1].owner == "Designated Nurse"
    assert r.activities[1].due_date == date(2027, 12, 31)
    assert all("Page" not in a.text for rv in index.reviews for a in rv.activities)


TRACKER_HEADERS = [
    "Ref",
    "Recommendation",
    "Action(s) required",
    "Lead agency / officer",
    "Target Date",
    "Progress update",
    "RAG",
    "Evidence",
    "Date of completion",
    "Notes to self",
]
TRACKER_ROWS = [
    [
        "1",
        "Improve referrals",
        "Refresh threshold guidance",
        "Police / Jo Evans",
        "31/03/2027",
        "Draft out",
        "Amber",
        "",
        "",
        "x",
    ],
    [
        "2",
        "Improve referrals",
        "Train front door staff",
        "Health",
        "",
        "",
        "Blue",
        "Training log",
        "01/02/2026",
        "",
    ],
    [
        "3",
        "Hear the child",
        "Voice of the child audit",
        "Social Care",
        "30 June 2027",
        "",
        "Green",
        "",
        "",
        "",
    ],
]


def test_xlsx_tracker_matches_headers_loosely_and_reports_columns(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Neglect action plan 2026"])
    sheet.append(TRACKER_HEADERS)
    for row in TRACKER_ROWS:
        sheet.append(row)
    book.save(path)
    index = parse_file(path)
    assert index.columns is not None
    assert index.columns.mapped["Action(s) required"] == "action"
    assert index.columns.mapped["Target Date"] == "due"
    assert index.columns.mapped["RAG"] == "rag"
    assert index.columns.mapped["Date of completion"] == "completed"
    assert index.columns.ignored == ["Notes to self"]
    # No column names the review: one review named after the file, and each recommendation a
    # finding that its row's action answers.
    (review,) = index.reviews
    assert review.name == "tracker"
    assert [(f.number, f.text) for f in review.findings] == [
        ("1", "Improve referrals"),
        ("3", "Hear the child"),
    ]
    refresh, train, voice = review.activities
    assert refresh.findings == ["Improve referrals"] and voice.findings == ["Hear the child"]
    assert refresh.rating == "at_risk" and voice.rating == "on_track"
    assert (refresh.lead_agency, refresh.owner, refresh.due_date) == (
        "Police",
        "Jo Evans",
        date(2027, 3, 31),
    )
    assert refresh.progress == "Draft out" and not refresh.delivered
    assert train.delivered and train.evidence == "Training log"
    assert voice.due_date == date(2027, 6, 30)


def test_csv_tracker(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Action", "Owner", "Due date", "Status"])
        w.writerow(["Publish the newsletter", "Jo Evans", "1/2/27", "Complete"])
        w.writerow(["Run an audit", "", "", "Red"])
    index = parse_file(path)
    (r,) = index.reviews
    assert r.name == "tracker"
    first, second = r.activities
    assert first.due_date == date(2027, 2, 1) and first.delivered and first.owner == "Jo Evans"
    assert not second.delivered and second.owner is None


def test_csv_row_with_an_impossible_iso_target_date_is_imported_with_a_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tracker.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Action", "Owner", "Target date", "Status"])
        w.writerow(["Publish the newsletter", "Jo Evans", "2020-13-45", "In progress"])
        w.writerow(["Run an audit", "", "2027-02-01", ""])
    index = parse_file(path)
    (r,) = index.reviews
    first, second = r.activities
    assert first.text == "Publish the newsletter" and first.due_date is None
    assert first.owner == "Jo Evans" and first.status == "in_progress"
    assert second.due_date == date(2027, 2, 1)
    assert index.warnings == [
        "row 2: the target date 2020-13-45 is not a real date; it was left out",
        "no column names the review: 2 rows were grouped under one review, “tracker”, "
        "named after the file",
    ]
