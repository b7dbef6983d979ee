"""Action trackers kept in Excel or CSV: headers are matched loosely, one row is one action."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from importer import statements as st
from importer.errors import ImportFileError, require_zip_package
from importer.model import ColumnReport, ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview
from models.actions import REF_RE

# Fields a header is recognised as but whose values are never imported: the app derives them.
DERIVED_FIELDS = frozenset({"rag"})

# Status column values -> the app's statuses. Anything else (a colour, "on track") is not read.
STATUS_WORDS: dict[str, str] = {
    "not started": "not_started",
    "not yet started": "not_started",
    "in progress": "in_progress",
    "ongoing": "in_progress",
    "started": "in_progress",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "closed": "complete",
    "delivered": "complete",
    "signed off": "signed_off",
    "signed off complete": "signed_off",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "withdrawn": "cancelled",
    "superseded": "cancelled",
}
DELIVERED_STATUSES = frozenset({"complete", "signed_off"})
# A status column holding BRAG colours: not a status, and not worth a warning on every row.
_COLOURS = frozenset({"blue", "red", "amber", "green", "cancelled", "unassigned"})

# The CSV export writes a "'" before a cell starting with one of these, so that spreadsheet
# programs do not run it as a formula; reading it back removes that "'".
_ESCAPED_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBERED = re.compile(r"^\s*(\d{1,3}[a-z]?)[.)]\s*(\S.*)$")

# Field -> words a header may use for it, most specific first. Matching is on whole words.
FIELDS: list[tuple[str, tuple[str, ...]]] = [
    ("completed", ("date of completion", "date completed", "completion date", "completed on")),
    ("due", ("target date", "due date", "deadline", "timescale", "due", "by when", "target")),
    ("evidence", ("evidence of completion", "evidence of impact", "evidence", "outcome")),
    ("progress", ("progress", "update", "comments", "commentary", "notes")),
    # BRAG is derived by the app from status, dates and the clock: recognised, never imported.
    ("rag", ("brag", "rag", "rating")),
    ("status", ("status",)),
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


def read_status(text: str) -> str | None:
    return STATUS_WORDS.get(_norm(text))


def read_ref(text: str) -> str | None:
    """ "A-12" (or "a 12", "A12") as the action reference "A-12"; None for anything else."""
    m = REF_RE.match(text)
    return f"A-{int(m[1])}" if m else None


def _findings_of(text: str) -> list[ParsedFinding]:
    """The findings an exported row answers: one a line, "1. text" as number and text."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _NUMBERED.match(line)
        found.append(ParsedFinding(m[1], m[2].strip()) if m else ParsedFinding(None, line.strip()))
    return found


def unescape_csv_cell(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_ESCAPED_START):
        return text[1:]
    return text


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
        if field in DERIVED_FIELDS:
            report.derived.append(h.strip())
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
        ref = read_ref(get("ref"))
        rec = get("recommendation")
        answered: list[ParsedFinding] = []
        if group_by == "review" and rec:
            # A row carrying an action's reference lists the findings that action answers
            # (as the export writes them); any other reference numbers the finding itself.
            answered = _findings_of(rec) if ref else [ParsedFinding(get("ref") or None, rec)]
            for finding in answered:
                if not any(f.text == finding.text for f in review.findings):
                    review.findings.append(finding)
        due_text = get("due")
        # An unreadable date (2020-13-45 too) is left out with the warning below.
        due = st.parse_due(due_text) if due_text else None
        if due_text and due is None:
            index.warnings.append(f"row {n}: the target date could not be read as a date")
        owner = get("owner") or None
        agency = get("lead_agency") or None
        if owner and agency and columns.get("owner") == columns.get("lead_agency"):
            parts = [p.strip() for p in re.split(r"\s*[/–]\s*|\s+-\s+", owner, maxsplit=1)]
            agency, owner = (parts[0], parts[1]) if len(parts) == 2 else (owner, owner)
        status_text = get("status")
        status = read_status(status_text) if status_text else None
        if status_text and status is None and _norm(status_text) not in _COLOURS:
            index.warnings.append(f"row {n}: the status could not be read; it was not imported")
        done = bool(get("completed")) or status in DELIVERED_STATUSES
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
                ref=ref,
                status=status,
                findings=[f.text for f in answered],
                review=get("review") or None if group_by == "review" else None,
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
    rows = [
        [unescape_csv_cell(c.strip()).strip() for c in r]
        for r in csv.reader(io.StringIO(text), dialect)
    ]
    index = rows_to_index(rows, path.stem, path)
    index.warnings[:0] = warnings
    return index


def parse_xlsx(path: str | Path) -> ParsedIndex:
    import openpyxl

    path = Path(path)
    require_zip_package(path, "an Excel workbook (.xlsx)")
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
