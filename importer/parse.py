"""Pick the reader for a file from its content first and its name second."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from importer.errors import ImportFileError
from importer.model import ParsedIndex


def parse_file(
    path: str | Path, *, today: date | None = None, columns: Mapping[str, str] | None = None
) -> ParsedIndex:
    """Read an index or tracker. `today` is the importer's day (dates before it are warned
    about, "end of March" is read from it); `columns` names a tracker's columns by field."""
    from importer.parse_docx import parse_docx
    from importer.parse_pdf import parse_pdf
    from importer.parse_sheet import parse_csv, parse_xlsx
    from importer.parse_text import parse_text

    path = Path(path)
    if not path.exists():
        raise ImportFileError(path, "no such file")
    if path.is_dir():
        raise ImportFileError(path, "this is a folder, not a file")
    try:
        head = path.open("rb").read(8)
    except OSError as exc:
        raise ImportFileError(path, f"the file cannot be opened ({exc.strerror})") from None
    if not head.strip() and path.stat().st_size < 4096 and not path.read_bytes().strip():
        raise ImportFileError(path, "the file is empty")
    suffix = path.suffix.lower()
    kind = "text"
    if head.startswith(b"%PDF"):
        kind = "pdf"
    elif head.startswith(b"PK"):
        names = zipfile.ZipFile(path).namelist() if zipfile.is_zipfile(path) else []
        if any(n.startswith("word/") for n in names):
            kind = "docx"
        elif any(n.startswith("xl/") for n in names):
            kind = "xlsx"
        else:
            raise ImportFileError(
                path, "a zip file that is neither a Word document nor an Excel workbook"
            )
    elif suffix == ".pdf":
        kind = "pdf"
    elif suffix in (".docx", ".docm"):
        kind = "docx"
    elif suffix in (".xlsx", ".xlsm"):
        kind = "xlsx"
    elif suffix in (".doc", ".xls"):
        raise ImportFileError(path, f"old binary {suffix} files are not read; save it as {suffix}x")
    elif suffix in (".csv", ".tsv"):
        kind = "csv"
    if kind == "xlsx":
        return parse_xlsx(path, today, columns)
    if kind == "csv":
        return parse_csv(path, today, columns)
    if kind == "pdf":
        return parse_pdf(path, today, columns)
    if kind == "docx":
        return parse_docx(path, today, columns)
    if columns:
        raise ImportFileError(
            path,
            "--columns names a tracker's columns (.xlsx, .csv, or a table in a Word document "
            "or PDF); this file is an index",
        )
    return parse_text(path, today)
