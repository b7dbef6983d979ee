"""Board reports: the action tracker as an Excel workbook (Actions, Summary, Drift, History, with
charts) or as CSV (the Actions sheet alone).

`export(...)` is the one entry point, shared by `lscb export` and `/lscb report`. It reads, never
writes, and what it shows depends on who asks: actions of a confidential review that the viewer
may not see appear by reference only (the ref, its review's ref and type, committee, dates,
status and BRAG; no text, people or notes).
"""

from __future__ import annotations

import copy
import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.brag import BRAG_ORDER, DEFAULT_RULES, Brag, BragResult, BragRules, rate
from models.calendar import local_date
from models.errors import InvalidInput
from models.history import kind_words, value_words
from models.permissions import Actor, can_see
from models.quarters import Quarter
from models.themes import ThemeReport, recurring
from reports.charts import BRAG_COLOURS, BRAG_TEXT
from reports.data import CommitteeInfo, load, resolve_committee, resolve_review
from reports.history import completion_at, end_of_day, replay
from reports.rows import ActionRow, EventRow
from reports.xlsx_rows import clean_text, insert_rows, rows_xml

Format = Literal["xlsx", "csv"]
FORMATS: tuple[str, ...] = ("xlsx", "csv")

WITHHELD = "Confidential review: details withheld"
NO_COMMITTEE = "(none)"
NO_REVIEW_TYPE = "(no review)"

# Summary and chart columns, in the order boards read them.
BRAG_COLUMNS: tuple[Brag, ...] = (*BRAG_ORDER, Brag.CANCELLED)


@dataclass(frozen=True)
class Line:
    """One action in the report: as it stood at the report's moment, rated, and whether the
    viewer may see its details."""

    action: ActionRow
    brag: BragResult
    visible: bool


@dataclass
class Report:
    lines: list[Line]
    events: dict[int, list[EventRow]]  # by action id, up to the report's moment
    committees: list[CommitteeInfo]
    moment: datetime  # when the BRAG picture was taken
    generated: datetime
    as_of: date | None
    scope: str
    tz: ZoneInfo
    # Slack ids (and names) to the names of the people they are: the history speaks of people.
    names: dict[str, str] = field(default_factory=dict)
    themes: list[ThemeReport] = field(default_factory=list)  # recurring learning, every theme
    rules: BragRules = DEFAULT_RULES

    def committee_counts(self) -> dict[str, Counter[str]]:
        """BRAG counts by committee code: every committee, then actions with none."""
        out: dict[str, Counter[str]] = {c.code: Counter() for c in self.committees}
        for line in self.lines:
            out.setdefault(line.action.committee_code or NO_COMMITTEE, Counter())[
                line.brag.brag.value
            ] += 1
        if self._filtered_to_committee():
            out = {k: v for k, v in out.items() if v}
        return out

    def review_type_counts(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for line in self.lines:
            out[line.action.review_type or NO_REVIEW_TYPE][line.brag.brag.value] += 1
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == NO_REVIEW_TYPE, kv[0].lower())))

    def overdue_by_month(self) -> dict[date, int]:
        months: Counter[date] = Counter()
        for line in self.lines:
            if line.brag.overdue and line.action.due_date is not None:
                months[line.action.due_date.replace(day=1)] += 1
        return dict(sorted(months.items()))

    def _filtered_to_committee(self) -> bool:
        return self.scope.startswith("Committee ")

    @property
    def moment_label(self) -> str:
        return f"as of {local_date(self.moment, self.tz):%d/%m/%Y}"


def build_report(
    s: Session,
    viewer: Actor,
    now: datetime,
    rules: BragRules,
    *,
    committee: str | None = None,
    review: str | None = None,
    as_of: date | None = None,
) -> Report:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = local_date(now, rules.tz)
    if as_of is not None and as_of > today:
        raise InvalidInput(
            f"--as-of {as_of:%d/%m/%Y} is in the future: the picture can only be replayed up to "
            f"today ({today:%d/%m/%Y}).",
            field="as_of",
        )
    scope_parts = []
    committee_info = resolve_committee(s, committee) if committee else None
    review_id = None
    if committee_info is not None:
        scope_parts.append(f"Committee {committee_info.code}")
    if review:
        review_id, review_ref = resolve_review(s, review)
        scope_parts.append(f"Review {review_ref}")

    live = as_of is None or as_of >= today  # not a replay
    # Live: read only the committee's rows. A replay reads every action: its committee then
    # may differ from now.
    loaded = load(
        s,
        review_id=review_id,
        committee_id=committee_info.id if committee_info is not None and live else None,
    )
    actions: Sequence[ActionRow] = loaded.actions
    events = loaded.events
    moment = now
    if as_of is not None and as_of < today:
        moment = end_of_day(as_of, rules.tz)
        actions = replay(actions, events, moment, loaded.directory)
        events = {k: [e for e in v if e.at <= moment] for k, v in events.items()}
    if committee_info is not None:
        actions = [a for a in actions if a.committee_id == committee_info.id]

    lines = [Line(a, rate(a, moment, rules), bool(can_see(viewer, cast(Any, a)))) for a in actions]
    return Report(
        names={label: ref.name for label, ref in loaded.directory.people.items()},
        lines=lines,
        events=events,
        committees=[
            c for c in loaded.committees if committee_info is None or c.id == committee_info.id
        ],
        moment=moment,
        generated=now,
        as_of=as_of,
        scope=", ".join(scope_parts) or "All actions",
        tz=rules.tz,
        themes=recurring(s, viewer, moment, rules),
        rules=rules,
    )


# ---------------------------------------------------------------- cell values

ACTION_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Ref", 8),
    ("Review", 32),
    ("Review type", 20),
    ("Findings answered", 40),
    ("Action", 60),
    ("Lead agency", 22),
    ("Owner", 20),
    ("Committee", 11),
    ("Target date", 12),
    ("Original target date", 12),
    ("Status", 12),
    ("BRAG", 11),
    ("Latest progress", 45),
    ("Evidence of completion", 40),
    ("Evidence of impact", 40),
    ("How it will be measured", 40),
    ("Impact review date", 12),
    ("Signed off by", 18),
    ("Signed off on", 12),
)
ACTION_HEADERS = [h for h, _ in ACTION_COLUMNS]
BRAG_COL = ACTION_HEADERS.index("BRAG")
DATE_COLS = frozenset(
    ACTION_HEADERS.index(h)
    for h in ("Target date", "Original target date", "Impact review date", "Signed off on")
)
WRAP_COLS = frozenset(
    ACTION_HEADERS.index(h)
    for h in (
        "Review",
        "Findings answered",
        "Action",
        "Latest progress",
        "Evidence of completion",
        "Evidence of impact",
        "How it will be measured",
    )
)

KIND_LABELS = {
    "created": "Created",
    "assigned": "Assigned",
    "status": "Status",
    "rating": "Owner's rating",
    "note": "Progress note",
    "due": "Due date",
    "done": "Marked done",
    "signoff": "Signed off",
    "reopen": "Reopened",
    "cancel": "Cancelled",
    "edited": "Text changed",
    "merged": "Merged",
    "rejected": "Evidence set aside",
    "evidence": "Evidence added",
    "measure": "Measure",
    "impact_review": "Impact review date",
    "impact": "Impact recorded",
}
STATUS_VALUES = {
    "not_started",
    "in_progress",
    "complete",
    "signed_off",
    "cancelled",
    "on_track",
    "at_risk",
    "off_track",
}


def action_values(line: Line, tz: ZoneInfo, rules: BragRules = DEFAULT_RULES) -> list[Any]:
    a = line.action
    brag = rules.label(line.brag.brag)
    signed_on = local_date(a.signed_off_at, tz) if a.signed_off_at else None
    if not line.visible:
        return [
            a.ref,
            a.review_ref,
            a.review_type,
            None,
            WITHHELD,
            None,
            None,
            a.committee_code,
            a.due_date,
            a.original_due_date,
            a.status.label.capitalize(),
            brag,
            None,
            None,
            None,
            None,
            a.impact_review_on,
            None,
            signed_on,
        ]
    return [
        a.ref,
        a.review_name,
        a.review_type,
        a.findings,
        a.text,
        a.lead_agency,
        a.owner_name,
        a.committee_code,
        a.due_date,
        a.original_due_date,
        a.status.label.capitalize(),
        brag,
        a.latest_progress,
        a.evidence_of_completion,
        a.evidence_of_impact,
        a.measure,
        a.impact_review_on,
        a.signed_off_by,
        signed_on,
    ]


def _event_value(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    if kind in ("due", "impact_review", "impact"):  # these hold ISO dates
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if value in STATUS_VALUES:
        return value.replace("_", " ")
    return value


def _local(dt: datetime, tz: ZoneInfo) -> datetime:
    # Excel has no time zones: write local wall-clock time.
    return dt.astimezone(tz).replace(tzinfo=None)


DRIFT_HEADERS = [
    "Ref",
    "Review",
    "Committee",
    "Owner",
    "From",
    "To",
    "Days moved",
    "Reason",
    "Changed by",
    "Changed on",
]
DRIFT_WIDTHS = [8, 32, 11, 20, 12, 12, 11, 60, 20, 17]
HISTORY_HEADERS = ["Ref", "When", "Who", "What", "Before", "After", "Note"]
HISTORY_WIDTHS = [8, 17, 20, 15, 24, 24, 60]


def drift_rows(report: Report) -> Iterable[list[Any]]:
    for line in report.lines:
        a = line.action
        for e in report.events.get(a.id, ()):
            if e.kind != "due" or not e.before:
                continue
            before, after = _event_value("due", e.before), _event_value("due", e.after)
            moved = (
                (after - before).days
                if isinstance(before, date) and isinstance(after, date)
                else None
            )
            if line.visible:
                yield [
                    a.ref,
                    a.review_name,
                    a.committee_code,
                    a.owner_name,
                    before,
                    after,
                    moved,
                    e.note,
                    e.actor,
                    _local(e.at, report.tz),
                ]
            else:
                yield [
                    a.ref,
                    a.review_ref,
                    a.committee_code,
                    None,
                    before,
                    after,
                    moved,
                    None,
                    None,
                    _local(e.at, report.tz),
                ]


def history_rows(report: Report) -> Iterable[list[Any]]:
    """Every event in people's words: names not Slack ids, "in progress" not in_progress, dates
    as dates (shown day first); what a board paper reads."""
    names = report.names
    for line in report.lines:
        a = line.action
        for e in report.events.get(a.id, ()):
            what = KIND_LABELS.get(e.kind, kind_words(e.kind).capitalize())
            if line.visible:
                yield [
                    a.ref,
                    _local(e.at, report.tz),
                    names.get(e.actor, e.actor),
                    what,
                    _history_value(e.kind, e.before, names),
                    _history_value(e.kind, e.after, names),
                    e.note,
                ]
            else:
                yield [a.ref, _local(e.at, report.tz), None, what, None, None, None]


def _history_value(kind: str, value: str | None, names: dict[str, str]) -> Any:
    if kind == "due":
        return _event_value(kind, value)
    return value_words(kind, value, names)


# ---------------------------------------------------------------- CSV

# A cell starting with one of these is run as a formula by spreadsheet programs opening a CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def to_csv(report: Report) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(ACTION_HEADERS)
    for line in report.lines:
        w.writerow([_csv_value(v) for v in action_values(line, report.tz, report.rules)])
    # UTF-8 with a byte-order mark: Excel then shows accents and curly quotes correctly.
    return buf.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- workbook


class _Writer:
    """Styled cells for a write-only sheet: each named style is built once and copied."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._protos: dict[str, Any] = {}

    def style(self, key: str, **attrs: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        proto = WriteOnlyCell(self.ws)
        for name, value in attrs.items():
            setattr(proto, name, value)
        self._protos[key] = proto

    def style_id(self, key: str) -> int:
        """The style's index in the workbook's cell formats (for rows written as XML)."""
        return int(self._protos[key].style_id)

    def cell(self, value: Any, key: str | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        text = isinstance(value, str)
        if text:
            value = clean_text(value)
        c = WriteOnlyCell(self.ws, value)
        if text and c.data_type == "f":
            c.data_type = "s"  # text that starts with "=" is text, never a formula
        if key is not None:
            c._style = copy.copy(self._protos[key]._style)
        return c


def _header_style(w: _Writer) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    w.style(
        "head",
        font=Font(bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="1F3864"),
        alignment=Alignment(wrap_text=True, vertical="center"),
        border=Border(bottom=Side(style="thin", color="000000")),
    )


def _body_styles(w: _Writer) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    w.style("plain", alignment=top)
    w.style("wrap", alignment=wrap)
    w.style("date", alignment=top, number_format="DD/MM/YYYY")
    w.style("datetime", alignment=top, number_format="DD/MM/YYYY HH:MM")
    w.style("date_wrap", alignment=wrap, number_format="DD/MM/YYYY")
    for b in Brag:
        w.style(
            f"brag:{b.value}",
            alignment=Alignment(vertical="top", horizontal="center"),
            fill=PatternFill("solid", fgColor=BRAG_COLOURS[b.value].lstrip("#")),
            font=Font(bold=True, color=BRAG_TEXT[b.value].lstrip("#")),
        )


@dataclass(frozen=True)
class _Table:
    title: str
    headers: Sequence[str]
    widths: Sequence[float]
    styles: Sequence[str]  # a style name per column
    rows: Sequence[Sequence[Any]]
    freeze: str = "A2"
    brag_column: int | None = None  # filled in the BRAG colour of its value
    brag_labels: Callable[[Brag], str] = DEFAULT_RULES.label


def _table_sheet(wb: Any, t: _Table) -> tuple[str, str]:
    """A sheet of one table: header row frozen, filters on, widths set, printable. openpyxl
    writes the header; the rows come back as XML for `insert_rows`, with the sheet's range."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(t.title)
    for i, width in enumerate(t.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = t.freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    w = _Writer(ws)
    _header_style(w)
    _body_styles(w)
    ws.append([w.cell(h, "head") for h in t.headers])
    by_value = None
    if t.brag_column is not None:
        by_value = {t.brag_column: {t.brag_labels(b): w.style_id(f"brag:{b.value}") for b in Brag}}
    xml = rows_xml(t.rows, [w.style_id(k) for k in t.styles], by_value=by_value)
    last = f"{get_column_letter(len(t.headers))}{len(t.rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    return xml, f"A1:{last}"


def _summary_sheet(
    wb: Any,
    report: Report,
    images: Sequence[bytes],
    committee_counts: dict[str, Counter[str]],
) -> None:
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet("Summary")
    for col, width in zip("ABCDEFGHI", (34, 9, 9, 9, 9, 12, 11, 9, 12), strict=True):
        ws.column_dimensions[col].width = width
    w = _Writer(ws)
    _header_style(w)
    _body_styles(w)
    w.style("title", font=Font(bold=True, size=14))
    w.style("section", font=Font(bold=True, size=12))
    w.style("label", font=Font(bold=True))
    w.style("total", font=Font(bold=True))
    w.style("percent", number_format="0%")
    for b in Brag:
        w.style(
            f"head:{b.value}",
            font=Font(bold=True, color=BRAG_TEXT[b.value].lstrip("#")),
            fill=PatternFill("solid", fgColor=BRAG_COLOURS[b.value].lstrip("#")),
            alignment=Alignment(horizontal="center", wrap_text=True),
        )

    ws.append([w.cell("LSCB Action Tracker: board report", "title")])
    ws.append([w.cell("BRAG as of", "label"), w.cell(local_date(report.moment, report.tz), "date")])
    ws.append(
        [w.cell("Generated", "label"), w.cell(_local(report.generated, report.tz), "datetime")]
    )
    ws.append([w.cell("Scope", "label"), w.cell(report.scope)])
    ws.append([w.cell("Actions", "label"), w.cell(len(report.lines))])
    withheld = sum(1 for line in report.lines if not line.visible)
    if withheld:
        ws.append(
            [
                w.cell("Shown by reference only", "label"),
                w.cell(f"{withheld} (confidential reviews)"),
            ]
        )
    ws.append([])

    names = {c.code: c.name for c in report.committees}

    def table(
        title: str, first: str, counts: dict[str, Counter[str]], label: Callable[[str], str]
    ) -> None:
        ws.append([w.cell(title, "section")])
        ws.append(
            [w.cell(first, "head")]
            + [w.cell(report.rules.label(b), f"head:{b.value}") for b in BRAG_COLUMNS]
            + [w.cell("Total", "head")]
        )
        totals: Counter[str] = Counter()
        for key, c in counts.items():
            ws.append(
                [w.cell(label(key))] + [c.get(b.value, 0) for b in BRAG_COLUMNS] + [sum(c.values())]
            )
            totals.update(c)
        ws.append(
            [w.cell("Total", "total")]
            + [w.cell(totals.get(b.value, 0), "total") for b in BRAG_COLUMNS]
            + [w.cell(sum(totals.values()), "total")]
        )
        ws.append([])

    table(
        "BRAG by committee",
        "Committee",
        committee_counts,
        lambda code: f"{code}: {names[code]}" if code in names else code,
    )
    table("BRAG by review type", "Review type", report.review_type_counts(), lambda t: t)
    _share_by_quarter(ws, w, report)

    row = 1
    for png in images:
        img = Image(io.BytesIO(png))
        # Drawn at 150 dpi; shown at 96 so it stays sharp when zoomed or printed.
        img.width, img.height = img.width * 96 // 150, img.height * 96 // 150
        ws.add_image(img, f"K{row}")
        row += img.height // 20 + 2


QUARTERS_SHOWN = 8


def share_by_quarter(report: Report) -> list[tuple[Quarter, int, int]]:
    """(quarter, actions not cancelled, complete or signed off) at the end of each of the last
    QUARTERS_SHOWN quarters since the first action, the latest as of the report's moment."""
    actions = [line.action for line in report.lines]
    if not actions:
        return []
    today = local_date(report.moment, report.tz)
    first = Quarter.of(min(local_date(a.created_at, report.tz) for a in actions))
    quarters = [Quarter.of(today)]
    while len(quarters) < QUARTERS_SHOWN and quarters[-1] > first:
        quarters.append(quarters[-1].previous)
    quarters.reverse()
    moments = [min(end_of_day(q.end, report.tz), report.moment) for q in quarters]
    counts = completion_at(actions, report.events, moments)
    return [(q, total, done) for q, (total, done) in zip(quarters, counts, strict=True)]


def _share_by_quarter(ws: Any, w: _Writer, report: Report) -> None:
    rows = share_by_quarter(report)
    if not rows:
        return
    ws.append([w.cell("Share complete by quarter", "section")])
    ws.append(
        [
            w.cell("Quarter", "head"),
            w.cell("Actions", "head"),
            w.cell("Complete", "head"),
            w.cell("Share", "head"),
        ]
    )
    today = local_date(report.moment, report.tz)
    for q, total, done in rows:
        label = q.label + (" (to date)" if q.contains(today) else "")
        ws.append([w.cell(label), total, done, w.cell(done / total if total else None, "percent")])
    ws.append([])


def chart_images(
    report: Report, committee_counts: dict[str, Counter[str]] | None = None
) -> list[bytes]:
    from reports.charts import brag_by_committee_png, overdue_by_month_png

    if committee_counts is None:
        committee_counts = report.committee_counts()
    counts = {k: dict(v) for k, v in committee_counts.items()}
    subtitle = f"{report.scope}, {report.moment_label}"
    return [
        brag_by_committee_png(counts, subtitle=subtitle),
        overdue_by_month_png(report.overdue_by_month(), subtitle=subtitle),
    ]


ACTION_STYLES = [
    "date" if i in DATE_COLS else "wrap" if i in WRAP_COLS else "plain"
    for i in range(len(ACTION_HEADERS))
]
DRIFT_STYLES = [
    "plain",
    "wrap",
    "plain",
    "plain",
    "date",
    "date",
    "plain",
    "wrap",
    "plain",
    "datetime",
]
HISTORY_STYLES = ["plain", "datetime", "plain", "plain", "date_wrap", "date_wrap", "wrap"]


THEME_HEADERS = [
    "Theme",
    "Name",
    "Reviews raising it",
    "Findings",
    "First raised",
    "Last raised",
    "Actions on it",
    *(b.label for b in BRAG_COLUMNS),
    "Raised again",
]
THEME_WIDTHS = [22, 36, 10, 10, 12, 12, 10, *(9 for _ in BRAG_COLUMNS), 60]
THEME_STYLES = (
    ["plain", "wrap", "plain", "plain", "date", "date", "plain"]
    + ["plain" for _ in BRAG_COLUMNS]
    + ["wrap"]
)
THEME_FINDING_HEADERS = [
    "Theme",
    "Raised",
    "Review",
    "Review name",
    "Review type",
    "Finding",
    "Finding text",
    "Theme is",
    "Words that suggested it",
]
THEME_FINDING_WIDTHS = [22, 12, 8, 32, 20, 9, 70, 11, 36]
THEME_FINDING_STYLES = ["plain", "date", "plain", "wrap", "plain", "plain", "wrap", "plain", "wrap"]


def theme_rows(report: Report) -> Iterable[list[Any]]:
    for t in report.themes:
        counts = t.brag_counts()
        yield [
            t.code,
            t.name,
            len(t.reviews),
            t.finding_count,
            t.reviews[0].when if t.reviews else None,
            t.reviews[-1].when if t.reviews else None,
            len(t.actions),
            *(counts.get(b.value, 0) for b in BRAG_COLUMNS),
            "; ".join(t.raised_again) or None,
        ]


def theme_finding_rows(report: Report) -> Iterable[list[Any]]:
    """Each finding carrying each theme, oldest review first; a confidential review the viewer
    may not see by reference only (it still counts)."""
    for t in report.themes:
        for r in t.reviews:
            for f in r.findings:
                yield [
                    t.code,
                    r.when,
                    r.ref,
                    r.name if r.name is not None else WITHHELD,
                    r.type,
                    f.ref,
                    f.text if f.text is not None else WITHHELD,
                    f.state,
                    f.words,
                ]


def to_xlsx(report: Report, *, charts: bool = True) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    tz = report.tz
    tables = [
        # Actions first: importers read the first sheet that looks like a tracker.
        _Table(
            "Actions",
            ACTION_HEADERS,
            [width for _, width in ACTION_COLUMNS],
            ACTION_STYLES,
            [action_values(line, tz, report.rules) for line in report.lines],
            freeze="B2",
            brag_column=BRAG_COL,
            brag_labels=report.rules.label,
        ),
        _Table("Drift", DRIFT_HEADERS, DRIFT_WIDTHS, DRIFT_STYLES, list(drift_rows(report))),
        _Table(
            "History", HISTORY_HEADERS, HISTORY_WIDTHS, HISTORY_STYLES, list(history_rows(report))
        ),
        _Table("Themes", THEME_HEADERS, THEME_WIDTHS, THEME_STYLES, list(theme_rows(report))),
        _Table(
            "Theme findings",
            THEME_FINDING_HEADERS,
            THEME_FINDING_WIDTHS,
            THEME_FINDING_STYLES,
            list(theme_finding_rows(report)),
        ),
    ]
    rows: dict[str, tuple[str, str]] = {}
    rows["Actions"] = _table_sheet(wb, tables[0])
    # One pass over the lines for the Summary table and the chart alike.
    committee_counts = report.committee_counts()
    images = chart_images(report, committee_counts) if charts else []
    _summary_sheet(wb, report, images, committee_counts)
    for t in tables[1:]:
        rows[t.title] = _table_sheet(wb, t)
    buf = io.BytesIO()
    wb.save(buf)
    return insert_rows(buf.getvalue(), rows)


# ---------------------------------------------------------------- entry point


def filename_for(report: Report, fmt: str) -> str:
    parts = ["lscb-actions"]
    if report.scope != "All actions":
        parts += [p.split(" ", 1)[1] for p in report.scope.split(", ")]
    day = report.as_of or local_date(report.generated, report.tz)
    parts.append(f"as-of-{day.isoformat()}" if report.as_of else day.isoformat())
    return "-".join(parts) + f".{fmt}"


def export(
    session: Session,
    viewer: Actor,
    fmt: str,
    now: datetime,
    rules: BragRules,
    *,
    committee: str | None = None,
    review: str | None = None,
    as_of: date | None = None,
) -> tuple[str, bytes]:
    """The report as (file name, bytes), ready to write to disk or upload to Slack.

    `fmt` is "xlsx" or "csv". `committee` is a committee code, `review` a review reference
    (R-3) or a unique part of its name. With `as_of`, the BRAG picture is replayed from the event
    history as it stood at the end of that day. Raises a `DomainError` (with a message fit to
    show the person) for an unknown format, committee or review, or a future date.
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown report format {fmt!r}: use xlsx or csv.", field="format")
    report = build_report(
        session, viewer, now, rules, committee=committee, review=review, as_of=as_of
    )
    data = to_xlsx(report) if fmt == "xlsx" else to_csv(report)
    return filename_for(report, fmt), data
