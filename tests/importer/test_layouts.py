"""Other boards' indexes, by structure: labels in the cell, to the left, above, or in bold; in
Word and in PDFs printed from Word by LibreOffice; and a PDF with no tables at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from importer.model import ParsedIndex
from importer.parse import parse_file
from tests.importer.layouts import (
    REVIEWS,
    docx_bold_paragraphs,
    docx_labels_above,
    docx_labels_inside,
    docx_left_labels,
    list_in_cell,
    needs_soffice,
    to_pdf,
)

TODAY = date(2026, 12, 1)
OTHER_WORDS = {
    "type": "Review type",
    "name": "Title",
    "date": "Date of report",
    "overview": "Background",
    "findings": "Key findings",
    "activities": "Actions",
}
SEED_WORDS = {
    "type": "Type of Review",
    "name": "Name",
    "date": "Date",
    "overview": "Case Overview / Methodology",
    "findings": "Summary of Findings / Learning",
    "activities": "Improvement Activity",
}

Builder = Callable[[Path], Path]
BUILDERS: dict[str, Builder] = {
    "left-cell labels, no colons": lambda p: docx_left_labels(p, OTHER_WORDS),
    "left-cell labels with colons": lambda p: docx_left_labels(p, SEED_WORDS, colon=True),
    "labels inside the cells": docx_labels_inside,
    "a row of labels above": docx_labels_above,
    "bold labels, no tables": docx_bold_paragraphs,
}
WITH_OVERVIEW = {
    "left-cell labels, no colons",
    "left-cell labels with colons",
    "labels inside the cells",
}


def assert_every_review_read(index: ParsedIndex, layout: str) -> None:
    assert len(index.reviews) == len(REVIEWS)
    for got, want in zip(index.reviews, REVIEWS, strict=True):
        assert (got.type, got.name, got.date_text) == (want["type"], want["name"], want["date"])
        if layout in WITH_OVERVIEW:
            # The date's value never spills into the overview.
            assert got.overview == want["overview"]
        assert [f.text for f in got.findings] == want["findings"]
        assert [a.text.split(" (Owner")[0] for a in got.activities] == [
            t.split(" (Owner")[0] for t in want["activities"]
        ]
    audit, review = index.reviews
    assert audit.month == date(2024, 3, 1) and review.month == date(2024, 5, 1)
    assert [f.number for f in audit.findings] == ["1", "2"]
    delivered, reaudit = audit.activities
    assert delivered.delivered and not reaudit.delivered
    # An owner not in the organisation is read; an impossible date is said, not dropped silently.
    assert reaudit.owner == "Joe Bloggs" and reaudit.due_date is None
    (warning,) = [w for w in index.warnings if "31/02/2027" in w]
    assert "not a real date" in warning and "line" in warning
    (protocol,) = review.activities
    assert (protocol.owner, protocol.due_date) == ("Designated Nurse", date(2027, 7, 31))


@pytest.mark.parametrize("layout", list(BUILDERS))
def test_word_index_read_by_structure(tmp_path: Path, layout: str) -> None:
    path = BUILDERS[layout](tmp_path / "index.docx")
    assert_every_review_read(parse_file(path, today=TODAY), layout)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Word layout above printed to PDF by LibreOffice, in one run of it."""
    folder = tmp_path_factory.mktemp("printed")
    docs = {
        layout: build(folder / f"layout{n}.docx")
        for n, (layout, build) in enumerate(BUILDERS.items())
    }
    pdfs = to_pdf(*docs.values())
    return dict(zip(docs, pdfs, strict=True))


@needs_soffice
@pytest.mark.parametrize("layout", list(BUILDERS))
def test_pdf_printed_from_word_by_libreoffice(printed: dict[str, Path], layout: str) -> None:
    # Narrow cells wrap "Type of Review: Local Child Safeguarding Practice Review" inside its
    # cell and break "31/07/2027)" mid-word: neither the name beside it nor the date is lost.
    assert_every_review_read(parse_file(printed[layout], today=TODAY), layout)


def test_pdf_without_tables_is_read_as_text_without_its_running_headers(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=10)
    entries = [
        (
            "Audit",
            "Front Door Audit",
            "Improvement Activity:",
            "Threshold guidance refreshed and circulated.",
        ),
        (
            "Rapid Review",
            "Child G",
            "Actions:",
            "Repeat the strategy meeting audit (Due: 31/03/2027)",
        ),
    ]
    for page, (kind, name, label, action) in enumerate(entries, start=1):
        pdf.add_page()
        pdf.set_y(8)
        pdf.cell(
            0, 5, "Safeguarding Partnership - Learning Index 2026", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_y(30)
        for text in (
            f"Type of Review: {kind} Name: {name}",
            "Date: Report to the Board June 2026",
            "Key findings:",
            "1. Information was not shared",
            label,
            action,
        ):
            pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(282)
        pdf.cell(0, 5, f"Page {page} of 2")
    path = tmp_path / "index.pdf"
    pdf.output(str(path))
    index = parse_file(path, today=TODAY)
    assert [(r.type, r.name) for r in index.reviews] == [
        ("Audit", "Front Door Audit"),
        ("Rapid Review", "Child G"),
    ]
    for r in index.reviews:
        assert [f.text for f in r.findings] == ["Information was not shared"]
        assert len(r.activities) == 1
        assert all("Learning Index" not in a.text and "Page" not in a.text for a in r.activities)
    assert index.reviews[0].activities[0].delivered
    assert index.reviews[1].activities[0].due_date == date(2027, 3, 31)


def test_a_past_due_date_in_an_index_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "index.txt"
    path.write_text(
        "Type of Review: Audit Name: Old Audit\nDate: May 2020\nImprovement Activity:\n"
        "Audit the records again (Owner: Jo Evans; Due: 31/12/2020)\n",
        encoding="utf-8",
    )
    index = parse_file(path, today=TODAY)
    (activity,) = index.reviews[0].activities
    assert activity.due_date == date(2020, 12, 31)
    (warning,) = [w for w in index.warnings if "before today" in w]
    assert "31/12/2020" in warning and "line 4" in warning


@pytest.mark.parametrize(
    "text,due",
    [
        ("Relaunch the bruising protocol – Designated Nurse – by 31/03/2027", date(2027, 3, 31)),
        ("Think Family training – Workforce Development – Q4 2026/27", date(2027, 3, 31)),
        ("Embed GCP2 in all teams (QAEC) end of June 2027", date(2027, 6, 30)),
        ("Audit 20 cases (by March 2027)", date(2027, 3, 31)),
        ("Review of 12 cases - 31st July 2027.", date(2027, 7, 31)),
        ("Training delivered to staff by the Designated Nurse", None),
        ("Publish the 2025-2026 annual report", None),
        ("Multi-agency audit in 2027", None),
    ],
)
def test_a_target_the_wording_of_an_activity_ends_with_is_its_due_date(
    text: str, due: date | None
) -> None:
    from importer.structure import activity

    parsed = activity(text, date(2026, 11, 25), [], "R-1")
    assert parsed.due_date == due
    assert parsed.text == text  # the wording is kept as written


@needs_soffice
def test_a_pdf_cell_wrapped_before_a_long_word_keeps_the_word(tmp_path: Path) -> None:
    # LibreOffice wraps "… – by" and puts "31/03/2027" on a line of its own, the line above
    # ending well short of the cell's edge: the date is still part of the activity.
    import docx

    d = docx.Document()
    t = d.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    wording = "Relaunch the bruising protocol – Designated Nurse – by 31/03/2027"
    for label, value in (
        ("Review type", "Rapid Review"),
        ("Title", "Child K"),
        ("Date of report", "Published June 2026"),
        ("Background", "Baby K was eight weeks old."),
        ("Key findings", "Bruising in non-mobile babies was not escalated"),
        ("Action plan", ""),
    ):
        row = t.add_row().cells
        row[0].paragraphs[0].add_run(label).bold = True
        row[1].text = value
    list_in_cell(row[1], [wording, "Think Family training for health visitors"], "List Number")
    d.save(str(tmp_path / "k.docx"))
    [pdf] = to_pdf(tmp_path / "k.docx")
    [review] = parse_file(pdf, today=TODAY).reviews
    action, _ = review.activities
    assert " ".join(action.text.split()) == wording
    assert action.due_date == date(2027, 3, 31)


def test_a_text_index_with_the_name_above_the_type_and_a_running_header(tmp_path: Path) -> None:
    page_top = (
        "NORTHSHIRE SAFEGUARDING PARTNERSHIP\nLEARNING FROM REVIEWS 2025/26      Page {} of 2\n"
    )
    text = (
        page_top.format(1)
        + "\nReview: Child L\nReview type: Local Child Safeguarding Practice Review\n"
        "Published: 12 March 2026\nBackground: Child L, aged 4, lived with her mother.\n"
        "Learning points:\n• Professional curiosity about adults was lacking\n"
        "Actions taken:\n1. Curiosity training — Workforce Development — by end of September 2027\n"
        "\nReview: Multi-agency audit of the front door\nReview type: Multi-Agency Audit\n"
        "Date of report: Report to the Board, January 2026\nKey findings:\n"
        "1. Consent was not always sought\nAction plan:\n"
        "- Refresh the threshold document (Owner: Tom Reilly; Due: 31/01/2027)\n\n"
        + page_top.format(2)
    )
    path = tmp_path / "index.txt"
    path.write_text(text, encoding="utf-8")
    child, audit = parse_file(path, today=TODAY).reviews
    assert (child.type, child.name) == ("Local Child Safeguarding Practice Review", "Child L")
    [training] = child.activities
    assert training.text.endswith("by end of September 2027")  # not run on into the next entry
    assert training.due_date == date(2027, 9, 30)
    assert (audit.type, audit.name) == (
        "Multi-Agency Audit",
        "Multi-agency audit of the front door",
    )
    assert [a.text for a in audit.activities] == ["Refresh the threshold document"]


def _word_action_plan(path: Path) -> Path:
    """An action plan kept as a Word table: a title above, a header row, a row an action."""
    import docx

    d = docx.Document()
    d.add_heading("LCSPR Child R – Action Plan", 1)
    d.add_paragraph("Agreed by the Safeguarding Partnership, October 2026")
    table = d.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["Recommendation", "Action", "Lead officer", "Target date", "RAG"],
        strict=True,
    ):
        cell.text = text
    for values in (
        (
            "1. Improve information sharing",
            "Agree a protocol with GPs",
            "Priya Shah",
            "31/03/2027",
            "Amber",
        ),
        (
            "2. Strengthen supervision",
            "Audit 20 supervision records",
            "Tom Reilly",
            "30/06/2027",
            "Green",
        ),
    ):
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    d.save(str(path))
    return path


def _assert_action_plan(index: ParsedIndex) -> None:
    [review] = index.reviews
    assert review.type == "Local Child Safeguarding Practice Review"  # "LCSPR" in its title
    assert "LCSPR Child R" in review.overview
    assert [(f.number, f.text) for f in review.findings] == [
        ("1", "Improve information sharing"),
        ("2", "Strengthen supervision"),
    ]
    protocol, audit = review.activities
    assert (protocol.text, protocol.owner, protocol.due_date, protocol.rating) == (
        "Agree a protocol with GPs",
        "Priya Shah",
        date(2027, 3, 31),
        "at_risk",
    )
    assert (audit.owner, audit.due_date) == ("Tom Reilly", date(2027, 6, 30))


def test_an_action_plan_kept_as_a_word_table_is_read_as_a_tracker(tmp_path: Path) -> None:
    _assert_action_plan(parse_file(_word_action_plan(tmp_path / "plan.docx"), today=TODAY))


@needs_soffice
def test_an_action_plan_printed_from_word_is_read_as_a_tracker(tmp_path: Path) -> None:
    [pdf] = to_pdf(_word_action_plan(tmp_path / "plan.docx"))
    _assert_action_plan(parse_file(pdf, today=TODAY))


def test_a_label_beside_a_page_number_on_every_page_is_kept(tmp_path: Path) -> None:
    entry = (
        "Type of Review: Audit\nName: Front door audit {n}\nDate: March 2026\n"
        "Page {n} of 2\nSummary of Findings:\n1. Consent was not sought {n}\n"
        "Improvement Activity:\n• Refresh the consent guidance {n}\n\n"
    )
    path = tmp_path / "index.txt"
    path.write_text(entry.format(n=1) + entry.format(n=2), encoding="utf-8")
    first, second = parse_file(path, today=TODAY).reviews
    for n, review in ((1, first), (2, second)):
        assert [f.text for f in review.findings] == [f"Consent was not sought {n}"]
        assert [a.text for a in review.activities] == [f"Refresh the consent guidance {n}"]
