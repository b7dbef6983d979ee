"""Action trackers kept in Excel or CSV: columns are read by what they mean, one row is one action.

A header row is found under any title block; its headers are matched against one table of words
(`FIELDS`), or named by the person (`--columns "action=What will be done,owner=Who"`). Every sheet
of a workbook is read; a sheet's name is its rows' review when no column names one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from importer import statements as st
from importer.errors import ImportFileError, require_zip_package
from importer.model import ColumnReport, ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview
from importer.structure import known_type_in
from models.actions import REF_RE

# What a cell says when it has nothing to give: no date, no one.
_PLACEHOLDERS = frozenset(
    {"tbc", "tba", "tbd", "to be confirmed", "to be agreed", "n a", "na", "none"}
)
# What a target date cell says when the tracker has no date to give.
NO_DATE_WORDS = _PLACEHOLDERS | {
    "completed",
    "complete",
    "done",
    "achieved",
    "closed",
    "ongoing",
    "on going",
    "various",
    "continuous",
    "ongoing annual",
    "as required",
    "annually",
    "monthly",
    "quarterly",
    "weekly",
    "rolling",
}

# An owner cell naming the person and, in brackets, their agency: "Angela Moss (Police)".
_OWNER_AND_AGENCY = re.compile(r"^(?P<name>[^()]{3,120}?)\s*\((?P<agency>[^()]{2,80})\)\s*$")

# What an owner cell says when the tracker has no one to name.
NO_OWNER_WORDS = _PLACEHOLDERS | {"vacant", "unassigned", "unknown", "not assigned", "no owner"}

# A tracker's review when no column says what kind of review it is.
TRACKER_REVIEW_TYPE = "Action tracker"

# Fields whose values the app derives once the action is stored: read on the first import only.
DERIVED_FIELDS = frozenset({"rag", "impact_review"})

# Status column values -> the app's statuses.
STATUS_WORDS: dict[str, str] = {
    "not started": "not_started",
    "not yet started": "not_started",
    "in progress": "in_progress",
    "ongoing": "in_progress",
    "started": "in_progress",
    "partially achieved": "in_progress",
    "partially complete": "in_progress",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "closed": "complete",
    "delivered": "complete",
    "achieved": "complete",
    "complete awaiting sign off": "complete",
    "signed off": "signed_off",
    "signed off complete": "signed_off",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "withdrawn": "cancelled",
    "superseded": "cancelled",
}
# Status or RAG words that are the owner's rating rather than a status.
RATING_WORDS: dict[str, str] = {
    "on track": "on_track",
    "on target": "on_track",
    "green": "on_track",
    "g": "on_track",
    "at risk": "at_risk",
    "amber": "at_risk",
    "a": "at_risk",
    "yellow": "at_risk",
    "off track": "off_track",
    "off target": "off_track",
    "not on track": "off_track",
    "overdue": "off_track",
    "delayed": "off_track",
    "behind": "off_track",
    "behind schedule": "off_track",
    "slipping": "at_risk",
    "some concerns": "at_risk",
    "amber green": "at_risk",
    "red amber": "off_track",
    "red": "off_track",
    "r": "off_track",
}
# RAG words that mean the action is done (complete, awaiting the chair's sign-off).
_DONE_COLOURS = frozenset({"blue", "b", "complete", "completed", "done", "closed"})
DELIVERED_STATUSES = frozenset({"complete", "signed_off"})
_NOT_A_RATING = _PLACEHOLDERS | {
    "cancelled",
    "unassigned",
    "not due",
    "not yet due",
    "not applicable",
}

# A tick column's header -> what a tick in it means.
TICK_MEANINGS: dict[str, str] = {
    "not on target to achieve": "off_track",
    "not on target": "off_track",
    "not achieved": "off_track",
    "unlikely to achieve": "off_track",
    "off target": "off_track",
    "off track": "off_track",
    "not on track": "off_track",
    "at risk": "at_risk",
    "on target to achieve": "on_track",
    "on target": "on_track",
    "on track": "on_track",
    "partially achieved": "in_progress",
    "in progress": "in_progress",
    "not started": "not_started",
    "achieved": "complete",
    "fully achieved": "complete",
    "completed": "complete",
    "complete": "complete",
    "done": "complete",
    "met": "complete",
}
_TICKS = frozenset({"✓", "✔", "√", "☑", "✅", "x", "yes", "y", "true", "1", "done", "•", "*", "■"})
_UNTICKED = frozenset({"", "no", "n", "false", "0", "-", "–", "☐", "n a", "na"})

# The CSV export writes a "'" before a cell starting with one of these, so that spreadsheet
# programs do not run it as a formula; reading it back removes that "'".
_ESCAPED_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBERED = re.compile(r"^\s*(\d{1,3}[a-z]?)[.)]\s*(\S.*)$")

# Field -> words a header may use for it. A header takes the field of the longest words it
# holds (whole words), so "Target completion date" is a due date, not a completion date.
FIELDS: list[tuple[str, tuple[str, ...]]] = [
    # Set at sign-off in the app, never read back; first, so "review date" does not take it.
    ("impact_review", ("impact review date", "impact review")),
    (
        "completed",
        (
            "date of completion",
            "date completed",
            "completion date",
            "completed on",
            "date closed",
            "actual completion date",
        ),
    ),
    (
        "due",
        (
            "target date",
            "target completion date",
            "date for completion",
            "expected completion date",
            "due date",
            "deadline",
            "timescale",
            "timescales",
            "timeframe",
            "due",
            "by when",
            "when",
            "target",
            "review date",
        ),
    ),
    ("evidence", ("evidence of completion", "evidence of impact", "evidence")),
    (
        "measure",
        (
            "how it will be measured",
            "how will it be measured",
            "how will we know",
            "success criteria",
            "success measure",
            "measure of success",
            "measures of success",
            "outcome expected",
            "expected outcome",
            "expected outcomes",
            "intended outcome",
            "desired outcome",
            "outcome",
            "outcomes",
            "measure",
            "measures",
            "impact measure",
        ),
    ),
    (
        "progress",
        (
            "progress",
            "update",
            "updates",
            "progress update",
            "progress to date",
            "latest update",
            "comments",
            "commentary",
            "notes",
        ),
    ),
    ("rag", ("brag", "rag", "rating", "rag rating", "rag status", "brag rating", "brag status")),
    ("status", ("status", "current status", "progress status")),
    (
        "committee",
        (
            "committee",
            "sub group",
            "subgroup",
            "accountable group",
            "accountable committee",
            "reporting to",
            "reports to",
        ),
    ),
    (
        "review_type",
        (
            "type of review",
            "review type",
            "type of learning review",
            "type of learning",
            "learning type",
            "review category",
            "source type",
            "type of source",
        ),
    ),
    (
        "review",
        ("review name", "name of review", "review", "source", "case name", "learning from", "case"),
    ),
    (
        "recommendation",
        (
            "recommendation",
            "recommendations",
            "finding",
            "findings",
            "key learning",
            "learning",
            "learning point",
            "issue identified",
            "issue",
        ),
    ),
    ("ref", ("ref", "reference", "no", "number", "#", "action no", "action number", "item")),
    (
        "owner",
        (
            "lead officer",
            "owner",
            "action owner",
            "responsible officer",
            "responsible person",
            "responsible",
            "officer",
            "lead person",
            "lead",
            "who",
            "by whom",
            "person responsible",
            "named lead",
        ),
    ),
    (
        "lead_agency",
        ("lead agency", "agency", "organisation", "organization", "partner agency", "service"),
    ),
    (
        "action",
        (
            "improvement activity",
            "improvement action",
            "action required",
            "actions required",
            "action to be taken",
            "actions to be taken",
            "action s required",
            "specific actions",
            "specific action",
            "what will be done",
            "what we will do",
            "what needs to be done",
            "actions",
            "action",
            "activity",
            "task",
            "how",
        ),
    ),
]
FIELD_NAMES = frozenset(f for f, _ in FIELDS) | {"tick"}
# Names --columns accepts besides the field names themselves.
FIELD_ALIASES = {
    "agency": "lead_agency",
    "lead agency": "lead_agency",
    "lead-agency": "lead_agency",
    "target": "due",
    "due date": "due",
    "date": "due",
    "brag": "rag",
    "finding": "recommendation",
    "findings": "recommendation",
    "notes": "progress",
    "note": "progress",
    "who": "owner",
}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", text.lower()).split())


_SYNONYMS: list[tuple[str, str]] = sorted(
    [(f" {_norm(n)} ", f) for f, names in FIELDS for n in names]
    + [(f" {_norm(n)} ", f"tick:{m}") for n, m in TICK_MEANINGS.items()],
    key=lambda p: -len(p[0]),
)


def match_header(header: str) -> str | None:
    """The field a header means: the one whose words it holds at the greatest length."""
    words = f" {_norm(header)} "
    if not words.strip() or len(words) > 120:
        return None
    for syn, field in _SYNONYMS:
        if syn in words:
            return field
    # A word broken across two lines of a narrow cell, as a PDF prints it ("Recommend ation").
    tokens = words.split()
    for i in range(len(tokens) - 1):
        joined = " ".join([*tokens[:i], tokens[i] + tokens[i + 1], *tokens[i + 2 :]])
        for syn, field in _SYNONYMS:
            if syn in f" {joined} " and tokens[i] + tokens[i + 1] in syn.split():
                return field
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
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


def _shown(text: str, limit: int = 40) -> str:
    """A cell as a message shows it: on one line, cut short."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


# ---------------------------------------------------------------- --columns


def parse_columns(spec: str) -> dict[str, str]:
    """ "action=What will be done,owner=Who,due=By when" -> {"action": "What will be done", …}.

    Raises ValueError with a message that says what was wrong and shows the form."""
    names = sorted({*FIELD_NAMES, *FIELD_ALIASES} - {"tick"}, key=len, reverse=True)
    starts = list(
        re.finditer(rf"(?:^|,)\s*({'|'.join(re.escape(n) for n in names)})\s*=", spec, flags=re.I)
    )
    form = 'e.g. --columns "action=What will be done,owner=Who,due=By when"'
    if not starts or starts[0].start() != 0 and spec[: starts[0].start()].strip(" ,"):
        raise ValueError(
            f"--columns takes field=header pairs separated by commas, {form}; fields: "
            + ", ".join(sorted(FIELD_NAMES - {"tick"}))
        )
    out: dict[str, str] = {}
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(spec)
        name = m[1].lower()
        field = FIELD_ALIASES.get(name, name)
        header = spec[m.end() : end].strip()
        if not header:
            raise ValueError(f"--columns: no header given for {name}, {form}")
        if field in out:
            raise ValueError(f"--columns names {name} twice")
        out[field] = header
    return out


# ---------------------------------------------------------------- finding the header row


@dataclass
class _Layout:
    head: int  # the header row's index
    columns: dict[str, int]  # field -> column
    ticks: list[tuple[int, str, str]]  # (column, header, meaning)
    report: ColumnReport


def _score(row: Sequence[str]) -> int:
    fields = {match_header(c) for c in row if c.strip()} - {None}
    ticks = {f for f in fields if f and f.startswith("tick:")}
    fields -= ticks
    if len(fields) + len(ticks) < 2:
        return 0  # one word that looks like a header ("Actions" beside a count) is not a header row
    return len(fields) + min(len(ticks), 2) + (2 if "action" in fields else 0)


def _header_row(rows: Sequence[Sequence[str]]) -> int | None:
    best, best_score = None, 0
    for i, row in enumerate(rows[:15]):
        score = _score(row)
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 3 else None


def _seen_headers(rows: Sequence[Sequence[str]]) -> tuple[int | None, list[str]]:
    """The row that looks most like headers: the first with the most filled cells near the top
    (a title block above it fills fewer)."""
    best, best_n = None, 0
    for i, row in enumerate(rows[:15]):
        n = sum(1 for c in row if c.strip())
        if n > best_n:
            best, best_n = i, n
    if best is None:
        return None, []
    return best, [c for c in rows[best] if c.strip()]


def _suggestion(
    rows: Sequence[Sequence[str]], head: int | None, columns: Mapping[str, int], path: Path
) -> str:
    """A --columns that would read this file: what was recognised, plus the longest-text
    column as the action when none was."""
    if head is None:
        return ""
    headers = rows[head]
    chosen = dict(columns)
    if "action" not in chosen:
        taken = set(chosen.values())
        best, best_len = None, -1.0
        for i, h in enumerate(headers):
            if i in taken or not h.strip() or "," in h or "=" in h:
                continue
            lengths = [len(r[i]) for r in rows[head + 1 : head + 200] if i < len(r) and r[i]]
            mean = sum(lengths) / len(lengths) if lengths else 0.0
            if mean > best_len:
                best, best_len = i, mean
        if best is None:
            return ""
        chosen["action"] = best
    pairs = [
        f"{f}={' '.join(headers[i].split())}"
        for f, i in sorted(chosen.items(), key=lambda p: p[1])
        if not f.startswith("tick") and "," not in headers[i] and "=" not in headers[i]
    ]
    return f' Name the columns: lscb import {path} --columns "{",".join(pairs)}"'


def _refuse(
    path: Path,
    problem: str,
    rows: Sequence[Sequence[str]],
    head: int | None,
    columns: Mapping[str, int],
) -> ImportFileError:
    if head is None:
        head, headers = _seen_headers(rows)
    else:
        headers = [c for c in rows[head] if c.strip()]
    seen = ", ".join(f"“{_shown(h)}”" for h in headers) or "none"
    return ImportFileError(
        path, f"{problem}. Headers seen: {seen}.{_suggestion(rows, head, columns, path)}"
    )


def _layout(rows: Sequence[Sequence[str]], path: Path, named: Mapping[str, str] | None) -> _Layout:
    report = ColumnReport()
    columns: dict[str, int] = {}
    if named:
        wanted = {f: _norm(h) for f, h in named.items()}
        head = None
        for i, row in enumerate(rows[:15]):
            cells = {_norm(c) for c in row if c.strip()}
            if all(w in cells for w in wanted.values()):
                head = i
                break
        if head is None:
            missing = [
                h
                for f, h in named.items()
                if not any(_norm(c) == wanted[f] for r in rows[:15] for c in r)
            ]
            listed = ", ".join(f"“{_shown(h)}”" for h in missing or list(named.values()))
            raise _refuse(path, f"--columns names {listed}, not found as a header", rows, None, {})
        for i, h in enumerate(rows[head]):
            for f, w in wanted.items():
                if _norm(h) == w and f not in columns:
                    columns[f] = i
                    report.mapped[h.strip()] = f
    else:
        found = _header_row(rows)
        if found is None:
            raise _refuse(path, "no recognisable columns", rows, None, {})
        head = found
    headers = rows[head]
    ticks: list[tuple[int, str, str]] = []
    for i, h in enumerate(headers):
        if not h.strip() or i in columns.values():
            continue
        field = match_header(h)
        if field is not None and field.startswith("tick:"):
            ticks.append((i, h.strip(), field[5:]))
            report.mapped[h.strip()] = f"status (a tick means {field[5:].replace('_', ' ')})"
            continue
        if field is None or field in columns:
            report.ignored.append(h.strip())
            continue
        columns[field] = i
        report.mapped[h.strip()] = field
    for h, f in report.mapped.items():
        if f in DERIVED_FIELDS:
            report.derived.append(h)
    if "action" not in columns and "recommendation" in columns:
        # No action column: the recommendation is the action itself.
        columns["action"] = columns.pop("recommendation")
        for h, f in report.mapped.items():
            if f == "recommendation":
                report.mapped[h] = "action"
    if "action" not in columns:
        raise _refuse(path, "no column holds the actions", rows, head, columns)
    if (
        "owner" in columns
        and "lead_agency" not in columns
        and "agency" in _norm(headers[columns["owner"]])
    ):
        columns["lead_agency"] = columns["owner"]
    if "lead_agency" in columns and "owner" not in columns:
        h = _norm(headers[columns["lead_agency"]])
        if "officer" in h or "owner" in h:
            columns["owner"] = columns["lead_agency"]
    return _Layout(head, columns, ticks, report)


# ---------------------------------------------------------------- rows


def _ticked(text: str) -> bool | None:
    """True for a tick, False for blank or "no", None for anything else."""
    n = _norm(text) if text.strip() not in _TICKS else text.strip()
    if text.strip() in _TICKS or n in _TICKS:
        return True
    if n in _UNTICKED:
        return False
    if n.startswith("yes "):
        return True
    return None


def _rag(text: str) -> tuple[str | None, str | None] | None:
    """A RAG / BRAG cell as (status, rating); None when it cannot be read."""
    n = _norm(text)
    first = n.split(" ", 1)[0] if n else ""
    if n in _DONE_COLOURS or first == "blue":
        return "complete", None
    if n in RATING_WORDS:
        return None, RATING_WORDS[n]
    if first in ("red", "amber", "green"):
        return None, RATING_WORDS[first]
    return None


def _read_sheet(
    rows: Sequence[Sequence[str]],
    path: Path,
    review_name: str,
    today: date,
    named: Mapping[str, str] | None,
    index: ParsedIndex,
    reviews: dict[str, ParsedReview],
    where: str = "",
) -> int:
    """Read one sheet's rows into `reviews`; returns how many actions it held."""
    layout = _layout(rows, path, named)
    columns, warnings = layout.columns, index.warnings
    report = index.columns
    assert report is not None
    for h, f in layout.report.mapped.items():
        report.mapped.setdefault(h, f)
    for h in layout.report.ignored:
        if h not in report.ignored:
            report.ignored.append(h)
    for h in layout.report.derived:
        if h not in report.derived:
            report.derived.append(h)
    if where:  # one of several sheets: what its own headers became
        report.by_sheet[review_name] = (dict(layout.report.mapped), list(layout.report.ignored))
    above = [r for r in rows[: layout.head] if any(c.strip() for c in r)]
    if above and sum(1 for c in above[-1] if c.strip()) > 1 and above[-1] is rows[layout.head - 1]:
        above.pop()  # a row of group headings over the header ("Action plan", "Monitoring")
    title = " ".join(" ".join(c.split()) for r in above for c in r if c.strip()).strip()

    col = {f: i for f, i in columns.items()}
    has_review = "review" in col
    has_rec = "recommendation" in col
    ref_col = col.get("ref")
    count = 0
    for n, row in enumerate(rows[layout.head + 1 :], start=layout.head + 2):
        at = f"{where}row {n}"

        def get(field: str, row: Sequence[str] = row) -> str:
            i = col.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        text = get("action")
        if not text:
            if any(c.strip() for c in row):
                warnings.append(f"{at}: no action text; row skipped")
            continue
        count += 1
        key = get("review") if has_review else ""
        key = key or review_name
        review = reviews.get(key)
        kind = " ".join(get("review_type").split())[:200]
        if review is None and not kind:
            # No column says: the review's name, or the sheet's title when the rows are the
            # sheet's own review, may ("SCR Child P", "Multi-agency audit of neglect").
            kind = (
                known_type_in(key) or (known_type_in(title) if key == review_name else None) or ""
            )
        if review is None:
            review = ParsedReview(
                section=None,
                type=kind or TRACKER_REVIEW_TYPE,
                from_tracker=True,
                name=key,
                date_text="",
                month=st.parse_month(title) if title else None,
                overview=title,
                confidential=False,
                line=n,
            )
            reviews[key] = review
        elif kind and review.type == TRACKER_REVIEW_TYPE:
            review.type = kind  # the first row of the review that says what kind it is
        elif kind and _norm(kind) != _norm(review.type):
            warnings.append(
                f"{at}: the type of review “{_shown(kind)}” differs from “{_shown(review.type)}” "
                "on the review's earlier rows; the first was kept"
            )
        raw_ref = get("ref") if ref_col is not None else ""
        ref = read_ref(raw_ref) if raw_ref else None
        rec = get("recommendation") if has_rec else ""
        answered: list[ParsedFinding] = []
        if rec:
            # A row carrying an action's reference lists the findings that action answers
            # (as the export writes them); any other reference numbers the finding itself.
            numbered = _NUMBERED.match(rec)
            if ref:
                answered = _findings_of(rec)
            elif numbered:  # "1. Partners should share …": the finding's own number
                answered = [ParsedFinding(numbered[1], numbered[2].strip())]
            else:
                answered = [ParsedFinding(raw_ref or None, rec)]
            for finding in answered:
                if not any(f.text == finding.text for f in review.findings):
                    review.findings.append(finding)
        due_text = get("due")
        due: date | None = None
        if due_text:
            due, problem = st.read_date(due_text, today)
            if problem == "is not a real date":
                warnings.append(
                    f"{at}: the target date {_shown(due_text)} is not a real date; it was left out"
                )
            elif problem and (not _norm(due_text) or _norm(due_text) in NO_DATE_WORDS):
                warnings.append(
                    f"{at}: the target date says “{_shown(due_text)}”, which is not a date: the "
                    "action has no due date"
                )
            elif problem:
                warnings.append(
                    f"{at}: the target date “{_shown(due_text)}” could not be read as a date; "
                    "the action has no due date"
                )
            elif due is not None and due < today:
                warnings.append(
                    f"{at}: the target date {due:%d/%m/%Y} is before today; "
                    "kept as the tracker states it"
                )
        owner = get("owner") or None
        bracketed = _OWNER_AND_AGENCY.match(owner or "")
        agency_in_owner: str | None = None
        if bracketed and not get("lead_agency"):
            owner = bracketed["name"].strip()  # "Angela Moss (Police)": the owner and agency
            agency_in_owner = bracketed["agency"].strip()
        if owner and (not _norm(owner) or _norm(owner) in NO_OWNER_WORDS):
            warnings.append(
                f"{at}: the owner says “{_shown(owner)}”, which names no one: the action has no "
                "owner and is listed for triage"
            )
            owner = None
        agency = get("lead_agency") or agency_in_owner
        if owner and agency and columns.get("owner") == columns.get("lead_agency"):
            parts = [p.strip() for p in re.split(r"\s*[/–]\s*|\s+-\s+", owner, maxsplit=1)]
            agency, owner = (parts[0], parts[1]) if len(parts) == 2 else (owner, owner)

        status: str | None = None
        rating: str | None = None
        status_text = get("status")
        if status_text:
            status = read_status(status_text)
            if status is None:
                read = _rag(status_text)
                if read is not None:
                    status, rating = read
                elif _norm(status_text) not in _NOT_A_RATING:
                    warnings.append(f"{at}: the status could not be read; it was not imported")
        rag_text = get("rag")
        if rag_text:
            read = _rag(rag_text)
            if read is None:
                if _norm(rag_text) not in _NOT_A_RATING:
                    warnings.append(
                        f"{at}: the rating {_shown(rag_text, 20)} is not Blue, Red, Amber or Green;"
                        " it was not imported"
                    )
            elif status is None:
                status, rating = read[0], rating or read[1]
            elif rating is None and status not in DELIVERED_STATUSES:
                rating = read[1]
        completed_text = get("completed")
        for i, header, meaning in layout.ticks:
            value = row[i].strip() if i < len(row) else ""
            ticked = _ticked(value)
            if ticked is None and meaning == "complete":
                found, _ = st.read_date(value, today)
                if found is not None:
                    ticked, completed_text = True, completed_text or value
            if ticked is None:
                warnings.append(
                    f"{at}: “{_shown(header, 30)}” holds {_shown(value, 30)}, not a tick; "
                    "it was not used"
                )
                continue
            if not ticked or status is not None and status in DELIVERED_STATUSES:
                continue
            if meaning in ("on_track", "at_risk", "off_track"):
                rating = meaning
                status = status or "in_progress"
            elif meaning == "complete":
                status = "complete"
            else:
                status = status or meaning
        done = bool(completed_text) or status in DELIVERED_STATUSES
        if done and status is None:
            status = "complete"
        committee = get("committee") or st.committee_named(text)
        review.activities.append(
            ParsedActivity(
                text=text,
                due_date=due,
                owner=owner,
                committee=committee,
                lead_agency=agency,
                delivered=done,
                progress=get("progress") or None,
                evidence=get("evidence") or None,
                ref=ref,
                status=status,
                findings=[f.text for f in answered],
                review=(get("review") or None) if has_review else None,
                rating=rating if not done else None,
                measure=get("measure") or None,
                line=n,
                at=at,
            )
        )
    return count


def rows_to_index(
    rows: list[list[str]],
    source_name: str,
    path: Path,
    *,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> ParsedIndex:
    index = ParsedIndex(columns=ColumnReport())
    reviews: dict[str, ParsedReview] = {}
    count = _read_sheet(rows, path, source_name, today or date(2000, 1, 1), columns, index, reviews)
    _finish(index, reviews, count, path, source_name)
    return index


def tables_to_index(
    tables: Sequence[list[list[str]]],
    title: Sequence[str],
    path: Path,
    *,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
) -> ParsedIndex | None:
    """A document's tables read as a tracker (a Word or PDF action plan: a header row, then a
    row an action), with the lines above the first as its title; None when no table has a
    header a tracker's would have. Tables with the same header are one table (a table split
    over pages, or repeated under each page's header)."""
    if not tables:
        return None
    above = [[t] for t in title if t.strip()][:5]
    rows: list[list[str]] = []
    header: list[str] | None = None
    for table in tables:
        body = [[" ".join(c.split()) for c in r] for r in table if any(c.strip() for c in r)]
        if not body:
            continue
        if header is not None and [_norm(c) for c in body[0]] == [_norm(c) for c in header]:
            body = body[1:]  # the same header again, on the next page
        elif header is None:
            header = body[0]
        rows.extend(body)
    try:
        index = rows_to_index([*above, *rows], path.stem, path, today=today, columns=columns)
    except ImportFileError:
        if columns:
            raise  # the person named the columns: say what is wrong with them
        return None
    return index


def _finish(
    index: ParsedIndex, reviews: dict[str, ParsedReview], count: int, path: Path, file_review: str
) -> None:
    index.reviews = list(reviews.values())
    if not index.reviews:
        raise ImportFileError(path, "the spreadsheet has headers but no action rows")
    report = index.columns
    assert report is not None
    if "review" not in report.mapped.values() and report.review_from is None:
        report.review_from = f"the file's name (“{file_review}”)"
    if report.review_from is not None and any(r.name == file_review for r in index.reviews):
        index.warnings.append(
            f"no column names the review: {count} rows were grouped under one review, "
            f"“{file_review}”, named after the file"
        )


def parse_csv(
    path: str | Path, today: date | None = None, columns: Mapping[str, str] | None = None
) -> ParsedIndex:
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
    index = rows_to_index(rows, path.stem, path, today=today, columns=columns)
    index.warnings[:0] = warnings
    return index


_GENERIC_SHEET = re.compile(
    r"^(?:sheet|tabelle|feuil|hoja|foglio)\s*\d*$|^(?:actions?|action plan|tracker|data)$", re.I
)


def _fill_merged_down(
    rows: list[list[str]], merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """A cell merged down over several rows ("Child M" beside each of its actions) holds its
    value in its first row only: give it to every row it spans. Cells merged across columns (a
    title over the table) are left as they are."""
    for (top, col), (bottom, right) in merged:
        if col != right or bottom <= top or top >= len(rows) or col >= len(rows[top]):
            continue
        value = rows[top][col]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            while len(rows[r]) <= col:
                rows[r].append("")
            if not rows[r][col]:
                rows[r][col] = value


def _read_workbook(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Each worksheet's name and its cells as text, from A1 (so that row numbers are the
    sheet's own), the values as last calculated. Read with calamine (Rust), which reads a large
    tracker in a tenth of the time openpyxl takes."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            out = []
            for meta in book.sheets_metadata:
                if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                rows = [[_cell(v) for v in r] for r in sheet.to_python(skip_empty_area=False)]
                _fill_merged_down(rows, sheet.merged_cell_ranges or [])
                out.append((meta.name, rows))
            return out
        finally:
            book.close()
    except Exception as exc:
        raise ImportFileError(path, f"the workbook cannot be read ({type(exc).__name__})") from None


def parse_xlsx(
    path: str | Path, today: date | None = None, columns: Mapping[str, str] | None = None
) -> ParsedIndex:
    path = Path(path)
    require_zip_package(path, "an Excel workbook (.xlsx)")
    day = today or date(2000, 1, 1)
    sheets = _read_workbook(path)
    if not sheets:
        raise ImportFileError(path, "the workbook has no sheets")
    index = ParsedIndex(columns=ColumnReport())
    report = index.columns
    assert report is not None
    first_refusal: ImportFileError | None = None
    read: list[tuple[str, dict[str, ParsedReview]]] = []
    count = 0
    for title, rows in sheets:
        if not any(any(c for c in r) for r in rows):
            report.skipped_sheets.append(f"“{title}” (empty)")
            continue
        where = f"sheet “{title}”, " if len(sheets) > 1 else ""
        own: dict[str, ParsedReview] = {}
        try:
            n = _read_sheet(rows, path, title.strip(), day, columns, index, own, where)
        except ImportFileError as exc:
            first_refusal = first_refusal or exc
            report.skipped_sheets.append(f"“{title}” ({_reason(exc)})")
            continue
        if n == 0:
            report.skipped_sheets.append(f"“{title}” (no actions)")
            continue
        count += n
        report.sheets.append(title)
        read.append((title.strip(), own))
    # A workbook from `lscb export`: its action rows carry their A- references; its other sheets
    # (summaries, history, themes) are the app's own reports, not actions to import.
    exported = [
        (t, own) for t, own in read if all(a.ref for r in own.values() for a in r.activities)
    ]
    if exported and len(exported) < len(read):
        for t, _ in read:
            if all(t != e for e, _ in exported):
                if t in report.sheets:
                    report.sheets.remove(t)
                report.skipped_sheets.append(f"“{t}” (a report sheet of an exported workbook)")
        read = exported
    if not read:
        if first_refusal is not None:
            raise first_refusal
        raise ImportFileError(path, "the workbook has headers but no action rows")
    # A sheet's name is its rows' review when no column names one; a sheet named "Sheet1" or
    # "Actions" gives its rows the file's name instead.
    reviews: dict[str, ParsedReview] = {}
    for title, own in read:
        by_sheet = not _GENERIC_SHEET.match(title)
        for key, review in own.items():
            if key == title and not by_sheet:
                key = review.name = path.stem
            elif key == title:
                report.review_from = "each sheet's name" if len(read) > 1 else "the sheet's name"
                if len(read) == 1 and key != path.stem:
                    review.aliases.append(path.stem)  # as a workbook of one sheet was read before
            if key in reviews:
                reviews[key].activities.extend(review.activities)
                reviews[key].findings.extend(
                    f for f in review.findings if f not in reviews[key].findings
                )
            else:
                reviews[key] = review
    for skipped in report.skipped_sheets:
        index.warnings.append(f"the sheet {skipped} was skipped")
    _finish(index, reviews, count, path, path.stem)
    return index


def _reason(exc: ImportFileError) -> str:
    return exc.problem.split(".", 1)[0]
