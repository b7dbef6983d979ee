"""Files that cannot be imported: one clear line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from importer.errors import ImportFileError
from importer.parse import parse_file
from tests.importer.test_formats import build_pdf


def refused(path: Path) -> str:
    with pytest.raises(ImportFileError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path.name}: ")
    return message


def test_empty_file(tmp_path: Path) -> None:
    for name in ("index.txt", "index.pdf", "index.docx", "tracker.xlsx", "tracker.csv"):
        path = tmp_path / name
        path.write_bytes(b"")
        assert "empty" in refused(path)


def test_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "index.txt"
    path.write_bytes(bytes(range(256)) * 20)
    assert "not a text file" in refused(path)
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "not a PDF" in refused(pdf)


def test_docx_without_entries(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    d = docx.Document()
    d.add_paragraph("Minutes of the meeting held on Tuesday")
    d.save(str(path))
    message = refused(path)
    assert "no review entries" in message and "no tables" in message
    assert "Type of Review" in message and "Improvement Activity" in message


def test_damaged_pdf(tmp_path: Path) -> None:
    good = build_pdf(tmp_path / "good.pdf").read_bytes()
    path = tmp_path / "damaged.pdf"
    path.write_bytes(good[:200])
    message = refused(path)
    assert "damaged" in message or "no text" in message


def test_password_protected_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 8, "Type of Review: Audit Name: Locked")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    assert "password" in refused(path)


def test_spreadsheet_with_no_recognisable_columns(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text("Colour,Shape,Size\nred,round,big\n", encoding="utf-8")
    assert "no recognisable columns" in refused(path)


def test_text_without_entries(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("Dear colleague,\nPlease find the minutes attached.\n", encoding="utf-8")
    assert "no review entries" in refused(path)


def test_windows_1252_text_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "index.txt"
    text = "Type of Review: Audit Name: Children’s Audit\nDate: May 2020\nImprovement Activity:\n Guidance delivered – widely\n"
    path.write_bytes(text.encode("cp1252"))
    index = parse_file(path)
    assert index.reviews[0].name == "Children’s Audit"
    assert any("Windows-1252" in w for w in index.warnings)


def test_text_in_neither_utf8_nor_windows_1252_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.txt"
    # 0x81 is undefined in Windows-1252 and this sequence is not UTF-8.
    path.write_bytes(b"Type of Review: Audit Name: X\x81\x8d\n")
    assert "not UTF-8" in refused(path)
