"""Pick the reader for a file from its content first and its name second."""

from __future__ import annotations

import zipfile
from pathlib import Path

from importer.errors import ImportFileError
from importer.model import ParsedIndex


def parse_file(path: str | Path) -> ParsedIndex:
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
    if head.startswith(b"%PDF"):
        return parse_pdf(path)
    if head.startswith(b"PK"):
        names = zipfile.ZipFile(path).namelist() if zipfile.is_zipfile(path) else []
        if any(n.startswith("word/") for n in names):
            return parse_docx(path)
        if any(n.startswith("xl/") for n in names):
            return parse_xlsx(path)
        raise ImportFileError(
            path, "a zip file that is neither a Word document nor an Excel workbook"
        )
    if suffix == ".pdf":
        return parse_pdf(path)
    if suffix in (".docx", ".docm"):
        return parse_docx(path)
    if suffix in (".xlsx", ".xlsm"):
        return parse_xlsx(path)
    if suffix in (".doc", ".xls"):
        raise ImportFileError(path, f"old binary {suffix} files are not read; save it as {suffix}x")
    if suffix in (".csv", ".tsv"):
        return parse_csv(path)
    return parse_text(path)
