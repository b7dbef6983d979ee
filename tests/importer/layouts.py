"""Index and tracker layouts other boards use, built here: Word (python-docx), PDF printed from
Word by LibreOffice, PDF without tables (fpdf2), workbooks (openpyxl) and CSV."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import docx
import pytest
from docx.shared import Cm

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed here; .ci/run installs it",
)

# Two reviews, each as its labels would be filled in.
REVIEWS = [
    {
        "type": "Single Agency Audit",
        "name": "Health Visiting Records Audit",
        "date": "Report to the Partnership March 2024",
        "overview": "Twenty records were audited against the standard.",
        "findings": ["Records were not signed", "Risk was not reviewed at each visit"],
        "activities": [
            "Record-keeping training has been delivered to all health visitors",
            "Re-audit twenty records (Owner: Joe Bloggs; Due: 31/02/2027)",
        ],
    },
    {
        "type": "Local Child Safeguarding Practice Review",
        "name": "Child F (Freddie)",
        "date": "Published 14th May 2024",
        "overview": "Freddie was eleven months old.",
        "findings": ["Fathers were not seen", "Bruising in non-mobile babies was missed"],
        "activities": [
            "Refresh the bruising protocol (Owner: Designated Nurse; Due: 31/07/2027)",
        ],
    },
]


def list_in_cell(cell: docx.table._Cell, items: Sequence[str], style: str) -> None:
    cell.paragraphs[0].text = items[0]
    cell.paragraphs[0].style = style
    for item in items[1:]:
        cell.add_paragraph(item, style=style)


def docx_left_labels(path: Path, labels: dict[str, str], colon: bool = False) -> Path:
    """Each review a two-column table: the label in the left cell, its value in the right."""
    d = docx.Document()
    d.add_paragraph("Learning from Reviews", style="Heading 1")
    for r in REVIEWS:
        t = d.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for key in ("type", "name", "date", "overview", "findings", "activities"):
            row = t.add_row().cells
            row[0].text = labels[key] + (":" if colon else "")
            if key == "findings":
                list_in_cell(row[1], r[key], "List Number")  # type: ignore[arg-type]
            elif key == "activities":
                list_in_cell(row[1], r[key], "List Bullet")  # type: ignore[arg-type]
            else:
                row[1].text = r[key]  # type: ignore[assignment]
        d.add_paragraph("")
    d.save(str(path))
    return path


def docx_labels_inside(path: Path) -> Path:
    """The seed's house style: "Type of Review: …" and "Name: …" side by side in narrow cells,
    so that the type wraps inside its cell; the date and parts below in labelled cells."""
    d = docx.Document()
    for r in REVIEWS:
        t = d.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        row = t.add_row().cells
        row[0].width = row[1].width = Cm(5)
        row[0].text = f"Type of Review: {r['type']}"
        row[1].text = f"Name: {r['name']}"
        row = t.add_row().cells
        a, b = row
        a.merge(b).text = f"Date: {r['date']}"
        row = t.add_row().cells
        row[0].text = f"Case Overview / Methodology: {r['overview']}"
        row = t.add_row().cells
        row[0].text = "Summary of Findings / Learning:"
        list_in_cell(row[1], r["findings"], "List Number")  # type: ignore[arg-type]
        row = t.add_row().cells
        row[0].text = "Improvement Activity:"
        list_in_cell(row[1], r["activities"], "List Bullet")  # type: ignore[arg-type]
        d.add_paragraph("")
    d.save(str(path))
    return path


def docx_labels_above(path: Path) -> Path:
    """One register table: a row of labels over one row per review."""
    d = docx.Document()
    keys = ("type", "name", "date", "findings", "activities")
    t = d.add_table(rows=1, cols=len(keys))
    t.style = "Table Grid"
    for cell, text in zip(
        t.rows[0].cells,
        ("Review type", "Review", "Published", "Learning points", "Action plan"),
        strict=True,
    ):
        cell.text = text
    for r in REVIEWS:
        cells = t.add_row().cells
        for cell, key in zip(cells, keys, strict=True):
            if key == "findings":
                list_in_cell(cell, r[key], "List Number")  # type: ignore[arg-type]
            elif key == "activities":
                list_in_cell(cell, r[key], "List Bullet")  # type: ignore[arg-type]
            else:
                cell.text = r[key]  # type: ignore[assignment]
    d.save(str(path))
    return path


def docx_bold_paragraphs(path: Path) -> Path:
    """No tables: each label a bold run at the start of its paragraph, no colon."""
    d = docx.Document()
    for r in REVIEWS:
        for label, key in (("Type of Review", "type"), ("Name", "name"), ("Date", "date")):
            p = d.add_paragraph()
            p.add_run(label).bold = True
            p.add_run(" " + r[key])  # type: ignore[operator]
        d.add_paragraph().add_run("Key findings").bold = True
        for item in r["findings"]:
            d.add_paragraph(item, style="List Number")
        d.add_paragraph().add_run("Actions").bold = True
        for item in r["activities"]:
            d.add_paragraph(item, style="List Bullet")
    d.save(str(path))
    return path


def to_pdf(*paths: Path) -> list[Path]:
    """Print Word documents to PDF with LibreOffice, as a business manager would."""
    assert SOFFICE is not None, "LibreOffice is needed to print these PDFs"
    outdir = paths[0].parent
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, paths),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    out = [outdir / (p.stem + ".pdf") for p in paths]
    assert all(p.exists() for p in out), "LibreOffice wrote no PDF"
    return out
