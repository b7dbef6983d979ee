"""Action trackers kept in Excel or CSV: headers are matched loosely, one row is one action."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from importer import statements as st
from importer.errors import ImportFileError
from importer.model import ColumnReport, ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview

# Field -> words a header may use for it, most specific first. Matching is on whole words.
FIELDS: list[tuple[str, tuple[str, ...]]] = [
    ("completed", ("date of completion", "date completed", "completion date", "completed on")),
    ("due", ("target date", "due date", "deadline", "timescale", "due", "by when", "target")),
    ("evidence", ("evidence of completion", "evidence of impact", "evidence", "outcome")),
    ("progress", ("progress", "update", "comments", "commentary", "notes")),
    ("rag", ("brag", "rag", "status", "rating")),
    ("committee", ("committee", "sub group", "subgroup", "accountable group")),
    ("review", ("review name", "review", "source", "case name", "learning from")),
    ("recommendation", ("recommendation", "recommendations", "finding", "findings")),
    ("ref", ("ref", "reference", "no", "number", "#")),
    (
        "owner",
        ("lead officer", "owner", "responsible officer", "responsible", "officer", "lead person"),
    ),
    ("lead_agency", ("lead agency", "agency", "organisation", "lead")),
    (
        "action",
        ("improvement activity", "action required", "actions", "action", "activity", "task"),
    ),
]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", text.lower()).split())


def match_header(header: str) -> str | None:
    words = f" {_norm(header)} "
    if not words.strip():
        return None
    for field, names in FIELDS:
        if any(f" {_norm(n)} " in words for n in names):
            return field
    return None


def _header_row(rows: list[list[str]]) -> int | None:
    best, best_score = None, 0
    for i, row in enumerate(rows[:15]):
        fields = {match_header(c) for c in row if c.strip()} - {None}
        score = len(fields) + (2 if "action" in fields else 0)
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 3 else None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(text: str) -> date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return st.parse_due(text)


def rows_to_index(rows: list[list[str]], source_name: str, path: Path) -> ParsedIndex:
    head = _header_row(rows)
    if head is None:
        raise ImportFileError(
            path,
            "no recognisable columns (expected headers such as Action, Lead agency, Target date, Progress)",
        )
    headers = rows[head]
    report = ColumnReport()
    columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        if not h.strip():
            continue
        field = match_header(h)
        if field is None or field in columns:
            report.ignored.append(h.strip())
            continue
        columns[field] = i
        report.mapped[h.strip()] = field
    if "action" not in columns:
        raise ImportFileError(
            path, "no column holds the actions (expected a header such as Action)"
        )
    if "owner" in columns and "lead_agency" not in columns:
        h = _norm(headers[columns["owner"]])
        if "agency" in h:
            columns["lead_agency"] = columns["owner"]
    if "lead_agency" in columns and "owner" not in columns:
        h = _norm(headers[columns["lead_agency"]])
        if "officer" in h or "owner" in h:
            columns["owner"] = columns["lead_agency"]

    index = ParsedIndex(columns=report)
    group_by = (
        "review"
        if "review" in columns
        else "recommendation"
        if "recommendation" in columns
        else None
    )
    reviews: dict[str, ParsedReview] = {}
    for n, row in enumerate(rows[head + 1 :], start=head + 2):

        def get(field: str, row: list[str] = row) -> str:
            i = columns.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        text = get("action")
        if not text:
            if any(c.strip() for c in row):
                index.warnings.append(f"row {n}: no action text; row skipped")
            continue
        key = get(group_by) if group_by else ""
        key = key or (source_name if group_by is None else f"{source_name} (no {group_by})")
        review = reviews.get(key)
        if review is None:
            review = ParsedReview(
                section=None,
                type="Action tracker",
                name=key,
                date_text="",
                month=None,
                overview="",
                confidential=False,
                line=n,
            )
            reviews[key] = review
        if group_by == "review" and get("recommendation"):
            rec = get("recommendation")
            if not any(f.text == rec for f in review.findings):
                review.findings.append(ParsedFinding(get("ref") or None, rec))
        due_text = get("due")
        due = _date(due_text) if due_text else None
        if due_text and due is None:
            index.warnings.append(f"row {n}: the target date could not be read as a date")
        owner = get("owner") or None
        agency = get("lead_agency") or None
        if owner and agency and columns.get("owner") == columns.get("lead_agency"):
            parts = [p.strip() for p in re.split(r"\s*[/–]\s*|\s+-\s+", owner, maxsplit=1)]
            agency, owner = (parts[0], parts[1]) if len(parts) == 2 else (owner, owner)
        rag = _norm(get("rag"))
        done = bool(get("completed")) or rag in ("blue", "complete", "completed", "done", "closed")
        review.activities.append(
            ParsedActivity(
                text=text,
                due_date=due,
                owner=owner,
                committee=get("committee") or st.committee_named(text),
                lead_agency=agency,
                delivered=done,
                progress=get("progress") or None,
                evidence=get("evidence") or None,
            )
        )
    index.reviews = list(reviews.values())
    if not index.reviews:
        raise ImportFileError(path, "the spreadsheet has headers but no action rows")
    return index


def parse_csv(path: str | Path) -> ParsedIndex:
    from importer.parse_text import decode

    path = Path(path)
    warnings: list[str] = []
    text = decode(path, path.read_bytes(), warnings)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), dialect)]
    index = rows_to_index(rows, path.stem, path)
    index.warnings[:0] = warnings
    return index


def parse_xlsx(path: str | Path) -> ParsedIndex:
    import openpyxl

    path = Path(path)
    if path.stat().st_size == 0:
        raise ImportFileError(path, "the file is empty")
    if not zipfile.is_zipfile(path):
        raise ImportFileError(path, "this is not an Excel workbook (.xlsx) or it is damaged")
    try:
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(path, f"the workbook cannot be read ({type(exc).__name__})") from None
    try:
        last: ImportFileError | None = None
        for sheet in book.worksheets:
            rows = [[_cell(v) for v in r] for r in sheet.iter_rows(values_only=True)]
            try:
                index = rows_to_index(rows, path.stem, path)
            except ImportFileError as exc:
                last = exc
                continue
            if len(book.worksheets) > 1:
                index.warnings.append(
                    f"read the sheet “{sheet.title}”; other sheets were not imported"
                )
            return index
        raise last or ImportFileError(path, "the workbook has no sheets")
    finally:
        book.close()
