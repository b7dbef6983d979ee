"""The board paper: a Word document (python-docx) a business manager can table at the board
without editing.

`board_paper(...)` is the one entry point, shared by `lscb export --format docx`, `/lscb report
paper` and the quarterly board-summary post. It reads, never writes. The paper is tabled in
public, so actions of confidential reviews appear in it by reference only, whoever asks: their
reference, their review's reference, committee, dates, status and BRAG; never their text, an
owner's name, a note or a reason. The recurring themes are read as someone who may not see a
confidential review would read them (`models.themes.recurring`): counted, named by reference.

Each section is its own function taking the document and the `Paper` (the figures, worked out
once): a new section is one more function in `SECTIONS`.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.brag import BRAG_ORDER, Brag, BragResult, BragRules, rate
from models.calendar import local_date
from models.errors import InvalidInput
from models.org import board_name
from models.permissions import Actor
from models.quarters import Quarter
from models.schema import Status
from models.themes import ThemeReport, recurring
from reports.charts import BRAG_COLOURS, BRAG_TEXT, brag_by_committee_png
from reports.data import CommitteeInfo, load
from reports.history import end_of_day, replay, statuses_at
from reports.rows import ActionRow, EventRow

WITHHELD = "Confidential review: details withheld"
NO_PROGRESS_DAYS = 60
DEFAULT_BOARD = "Local Safeguarding Children Partnership"
# Rows per exception table: the board reads the worst; the workbook holds every one.
MAX_ROWS = 15
MAX_SIGNED_OFF = 40
MAX_RAISED_AGAIN = 5  # per theme: the latest; `lscb themes` lists every one
# Who reads the paper: the board, in public. Not an admin, no chair, no owner: a confidential
# review's themes are counted and named by reference only.
BOARD_READER = Actor(person_id=None, label="board paper")

NAVY = "1F3864"
GREY = "595959"
BAND = "F2F2F2"


@dataclass(frozen=True)
class PaperLine:
    action: ActionRow
    brag: BragResult
    visible: bool  # False: a confidential review's action, shown by reference only


@dataclass(frozen=True)
class Figures:
    """The summary's counts at one moment (cancelled actions are left out of every figure)."""

    total: int
    open: int
    complete: int  # complete, awaiting sign-off
    signed_off: int
    brag: Counter[str]

    @property
    def share_complete(self) -> float | None:
        """Complete or signed off, as a share of every action not cancelled."""
        return (self.complete + self.signed_off) / self.total if self.total else None

    @classmethod
    def of_statuses(cls, status: Counter[str]) -> Figures:
        """From counts by status alone (no BRAG: the previous quarter's, read from the history)."""
        return cls(
            total=sum(n for st, n in status.items() if st != Status.CANCELLED.value),
            open=status[Status.NOT_STARTED.value] + status[Status.IN_PROGRESS.value],
            complete=status[Status.COMPLETE.value],
            signed_off=status[Status.SIGNED_OFF.value],
            brag=Counter(),
        )

    @classmethod
    def of(cls, lines: Sequence[PaperLine]) -> Figures:
        status: Counter[Status] = Counter()
        brag: Counter[str] = Counter()
        for line in lines:
            status[line.action.status] += 1
            brag[line.brag.brag.value] += 1
        return cls(
            total=sum(n for st, n in status.items() if st != Status.CANCELLED),
            open=status[Status.NOT_STARTED] + status[Status.IN_PROGRESS],
            complete=status[Status.COMPLETE],
            signed_off=status[Status.SIGNED_OFF],
            brag=brag,
        )


@dataclass(frozen=True)
class DateMove:
    line: PaperLine
    event: EventRow


@dataclass
class Paper:
    board: str
    quarter: Quarter
    prepared: date
    moment: datetime  # when this quarter's picture is taken: now, or the quarter's last moment
    to_date: bool  # the quarter is not over: the picture is as of today
    rules: BragRules
    tz: ZoneInfo
    lines: list[PaperLine]
    committees: list[CommitteeInfo]
    events: dict[int, list[EventRow]]
    figures: Figures
    previous: Figures
    previous_quarter: Quarter
    # Recurring learning as it stands when the paper is prepared (a theme's history runs over
    # years, not a quarter): what `lscb themes` shows, read as the board reads it.
    themes: list[ThemeReport] = field(default_factory=list)
    extra_sections: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> date:
        return local_date(self.moment, self.tz)

    def in_quarter(self, when: datetime) -> bool:
        return self.quarter.start <= local_date(when, self.tz) <= self.as_of and when <= self.moment

    def committee_counts(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {c.code: Counter() for c in self.committees}
        for line in self.lines:
            if line.action.status != Status.CANCELLED:
                out.setdefault(line.action.committee_code or "(none)", Counter())[
                    line.brag.brag.value
                ] += 1
        return {k: v for k, v in out.items() if v}

    def overdue(self) -> list[PaperLine]:
        """Overdue, longest overdue first."""
        rows = [x for x in self.lines if x.brag.overdue and x.action.due_date is not None]
        return sorted(rows, key=lambda x: (x.action.due_date, x.action.number))

    def no_progress(self) -> list[PaperLine]:
        """Open actions nobody has updated for NO_PROGRESS_DAYS, least recently updated first."""
        since = self.moment - timedelta(days=NO_PROGRESS_DAYS)
        rows = [
            x
            for x in self.lines
            if x.action.status in (Status.NOT_STARTED, Status.IN_PROGRESS)
            and x.action.last_update_at <= since
        ]
        return sorted(rows, key=lambda x: (x.action.last_update_at, x.action.number))

    def date_moves(self) -> list[DateMove]:
        """Due dates moved (not first set) during the quarter, oldest first."""
        out = []
        for line in self.lines:
            for e in self.events.get(line.action.id, ()):
                if e.kind == "due" and e.before and self.in_quarter(e.at):
                    out.append(DateMove(line, e))
        return sorted(out, key=lambda m: (m.event.at, m.line.action.number))

    def impact_reviews_overdue(self) -> list[PaperLine]:
        rows = [
            x
            for x in self.lines
            if x.action.status == Status.SIGNED_OFF
            and x.action.impact_review_on is not None
            and x.action.impact_review_on < self.as_of
        ]
        return sorted(rows, key=lambda x: (x.action.impact_review_on, x.action.number))

    def signed_off(self) -> list[PaperLine]:
        rows = [
            x
            for x in self.lines
            if x.action.status == Status.SIGNED_OFF
            and x.action.signed_off_at is not None
            and self.in_quarter(x.action.signed_off_at)
        ]
        return sorted(rows, key=lambda x: (x.action.signed_off_at, x.action.number))


# ---------------------------------------------------------------- the figures


class _Rater:
    """`rate` at one moment, memoised on everything it reads: tens of thousands of actions
    share a few thousand results."""

    def __init__(self, when: datetime, rules: BragRules) -> None:
        self.when, self.rules = when, rules
        self.drifting_since = when - timedelta(days=rules.drift_days)
        self.memo: dict[tuple[Any, ...], BragResult] = {}

    def __call__(self, a: ActionRow) -> BragResult:
        key = (
            a.status,
            a.owner_rating,
            a.due_date,
            a.owner_id is None,
            a.last_update_at <= self.drifting_since,
            a.evidence_of_impact is None,
        )
        r = self.memo.get(key)
        if r is None:
            r = self.memo[key] = rate(a, self.when, self.rules)
        return r


def _quarter_moment(quarter: Quarter, now: datetime, tz: ZoneInfo) -> tuple[datetime, bool]:
    today = local_date(now, tz)
    if quarter.start > today:
        raise InvalidInput(
            f"{quarter.label} has not started yet ({quarter.start:%d/%m/%Y}): a paper covers "
            f"this quarter ({Quarter.of(today).label}) or one before it.",
            field="quarter",
        )
    if quarter.contains(today):
        return now, True
    return end_of_day(quarter.end, tz), False


def build_paper(
    s: Session, now: datetime, rules: BragRules, *, quarter: Quarter | None = None
) -> Paper:
    """The paper's figures for `quarter` (default: the one under way, as of now). A quarter
    that is over is replayed from the history as it stood at its end; the previous quarter's
    figures are always replayed."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = rules.tz
    today = local_date(now, tz)
    quarter = quarter or Quarter.of(today)
    moment, to_date = _quarter_moment(quarter, now, tz)
    loaded = load(s)

    def lines_at(when: datetime) -> tuple[list[PaperLine], dict[int, list[EventRow]]]:
        actions: Sequence[ActionRow] = loaded.actions
        events = loaded.events
        if when < now:
            actions = replay(actions, events, when, loaded.directory)
            events = {k: [e for e in v if e.at <= when] for k, v in events.items()}
        rated = _Rater(when, rules)
        return [PaperLine(a, rated(a), not a.confidential) for a in actions], events

    lines, events = lines_at(moment)
    previous_quarter = quarter.previous
    # The previous quarter's figures from the status events alone: no full replay needed.
    [before] = statuses_at(loaded.actions, loaded.events, [end_of_day(previous_quarter.end, tz)])
    return Paper(
        board=board_name(s) or DEFAULT_BOARD,
        quarter=quarter,
        prepared=today,
        moment=moment,
        to_date=to_date,
        rules=rules,
        tz=tz,
        lines=lines,
        committees=loaded.committees,
        events=events,
        figures=Figures.of(lines),
        previous=Figures.of_statuses(before),
        previous_quarter=previous_quarter,
        themes=recurring(s, BOARD_READER, now, rules),
    )


# ---------------------------------------------------------------- document helpers


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    props.append(cant)


TABLE_TEXT = "Table text"  # 9 pt, no space after: set once as a style, not on every run
TABLE_TEXT_ID = "Tabletext"


def _cell_text(cell: Any, text: str, *, bold: bool = False, colour: str | None = None) -> None:
    from docx.shared import RGBColor

    para = cell.paragraphs[0]
    # By style id: assigning by name looks the style up among every style, for every cell.
    para._p.get_or_add_pPr().style = TABLE_TEXT_ID
    run = para.add_run(text)
    if bold:
        run.bold = True
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)


def _table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_cm: Sequence[float],
    *,
    brag_column: int | None = None,
    brag_values: Sequence[str] = (),
) -> Any:
    """A plain ruled table: navy header repeated on each page, banded rows, cells in 9 pt."""

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    ncols = len(headers)
    # Every cell once, in row order (reading `row.cells` per row walks the whole table).
    grid = table._cells
    for i, h in enumerate(headers):
        cell = grid[i]
        _cell_text(cell, h, bold=True, colour="FFFFFF")
        _shade(cell, NAVY)
    _repeat_header(table.rows[0])
    for r, values in enumerate(rows, start=1):
        cells = grid[r * ncols : (r + 1) * ncols]
        for i, v in enumerate(values):
            if brag_column is not None and i == brag_column and r - 1 < len(brag_values):
                b = brag_values[r - 1]
                _cell_text(cells[i], v, bold=True, colour=BRAG_TEXT[b].lstrip("#"))
                _shade(cells[i], BRAG_COLOURS[b].lstrip("#"))
            else:
                _cell_text(cells[i], v)
                if r % 2 == 0:
                    _shade(cells[i], BAND)
    _widths(table, grid, widths_cm)
    return table


def _widths(table: Any, grid: Sequence[Any], widths_cm: Sequence[float]) -> None:
    """Column widths both ways: Word reads each cell's, LibreOffice the table grid's."""
    from docx.shared import Cm

    for column, w in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(w)
    for n, cell in enumerate(grid):
        cell.width = Cm(widths_cm[n % len(widths_cm)])


def _para(doc: Any, text: str, *, size: float = 10.5, colour: str | None = None) -> Any:
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return p


def _more(doc: Any, shown: int, total: int, where: str) -> None:
    if total > shown:
        _para(
            doc,
            f"The {shown} shown of {total}; every one is in the tracker workbook's {where}.",
            size=9,
            colour=GREY,
        )


def _none(doc: Any, text: str) -> None:
    _para(doc, text, size=10, colour=GREY)


def _day(d: date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else ""


def _long_day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)}%"


def _text(line: PaperLine, limit: int = 220) -> str:
    if not line.visible:
        return WITHHELD
    t = " ".join(line.action.text.split())
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


def _review(line: PaperLine) -> str:
    a = line.action
    if not line.visible:
        return a.review_ref or ""
    return a.review_ref or ""


def _owner(line: PaperLine) -> str:
    if not line.visible:
        return ""
    return line.action.owner_name or line.action.lead_agency or ""


def _ref(line: PaperLine) -> str:
    a = line.action
    return f"{a.ref}\n{a.review_ref}" if a.review_ref else a.ref


# ---------------------------------------------------------------- sections


def title_block(doc: Any, paper: Paper) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    run = p.add_run(paper.board.upper())
    run.font.size = Pt(10)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(GREY)
    p.paragraph_format.space_after = Pt(2)

    title = doc.add_paragraph()
    run = title.add_run("Improvement actions from reviews")
    run.font.size = Pt(22)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(NAVY)
    title.paragraph_format.space_after = Pt(0)
    sub = doc.add_paragraph()
    run = sub.add_run(f"Quarterly report to the board: {paper.quarter.label}")
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor.from_string(NAVY)
    sub.paragraph_format.space_after = Pt(10)
    sub.alignment = WD_ALIGN_PARAGRAPH.LEFT

    picture = (
        f"as at {_long_day(paper.as_of)} (the quarter to date)"
        if paper.to_date
        else f"as at the end of the quarter, {_long_day(paper.as_of)}"
    )
    facts = [
        ("Report to", paper.board),
        ("Quarter", f"{paper.quarter.label} ({paper.quarter.months})"),
        ("Figures", picture),
        ("Date prepared", _long_day(paper.prepared)),
        ("Prepared by", "The business unit, from the LSCB Action Tracker"),
        ("Purpose", "For information and assurance: progress on the actions from reviews"),
    ]
    withheld = sum(1 for x in paper.lines if not x.visible)
    if withheld:
        facts.append(
            (
                "Confidential reviews",
                f"{withheld} action{'s' if withheld != 1 else ''} of confidential reviews "
                "are shown by reference only",
            )
        )
    table = doc.add_table(rows=len(facts), cols=2)
    table.style = "Table Grid"
    table.autofit = False
    grid = table._cells
    for n, (label, value) in enumerate(facts):
        _cell_text(grid[2 * n], label, bold=True, colour=NAVY)
        _shade(grid[2 * n], "DEEAF6")
        _cell_text(grid[2 * n + 1], value)
    _widths(table, grid, [4.2, 12.8])


def summary(doc: Any, paper: Paper) -> None:
    doc.add_heading("1. Summary", level=1)
    f, prev = paper.figures, paper.previous
    share, before = f.share_complete, prev.share_complete
    if share is None:
        _para(doc, "There are no actions on the tracker yet.")
        return
    sentence = (
        f"Of {f.total} actions from reviews, {f.open} are open, {f.complete} are complete "
        f"and awaiting sign-off, and {f.signed_off} have been signed off: "
        f"{_pct(share)} complete"
    )
    if before is None:
        sentence += f", against none on the tracker at the end of {paper.previous_quarter.label}."
    else:
        points = round(100 * share) - round(100 * before)
        trend = (
            f"up {points} points"
            if points > 0
            else f"down {-points} points"
            if points < 0
            else "no change"
        )
        sentence += f", {trend} on the end of {paper.previous_quarter.label} ({_pct(before)})."
    _para(doc, sentence)
    overdue = f.brag.get(Brag.RED.value, 0)
    rules = paper.rules
    _para(
        doc,
        f"{overdue} action{'s are' if overdue != 1 else ' is'} rated "
        f"{rules.label(Brag.RED)} (overdue, or off track in the owner's view). "
        "The exceptions the board may wish to ask about are in section 3.",
    )
    rows = [
        ["Actions (not cancelled)", str(f.total), str(prev.total)],
        ["Open", str(f.open), str(prev.open)],
        ["Complete, awaiting sign-off", str(f.complete), str(prev.complete)],
        ["Signed off", str(f.signed_off), str(prev.signed_off)],
        ["Share complete (complete or signed off)", _pct(share), _pct(before)],
    ]
    now_label = f"{paper.quarter.label}{' to date' if paper.to_date else ''}"
    _table(
        doc,
        ["", now_label, f"End of {paper.previous_quarter.label}"],
        rows,
        [8.0, 4.5, 4.5],
    )
    _para(doc, "")
    brags = [b for b in BRAG_ORDER]
    _table(
        doc,
        ["BRAG rating", now_label, "Share of actions"],
        [
            [
                rules.label(b),
                str(f.brag.get(b.value, 0)),
                _pct(f.brag.get(b.value, 0) / f.total if f.total else None),
            ]
            for b in brags
        ],
        [8.0, 4.5, 4.5],
        brag_column=0,
        brag_values=[b.value for b in brags],
    )


def brag_chart(doc: Any, paper: Paper) -> None:
    from docx.shared import Cm

    doc.add_heading("2. BRAG rating by committee", level=1)
    counts = paper.committee_counts()
    labels = {b.value: paper.rules.label(b) for b in Brag}
    png = brag_by_committee_png(
        {k: dict(v) for k, v in counts.items()},
        subtitle=f"{paper.quarter.label}, as at {paper.as_of:%d/%m/%Y}",
        rating_labels=labels,
    )
    doc.add_picture(io.BytesIO(png), width=Cm(15.0))
    names = {c.code: c.name for c in paper.committees}
    brags = [b for b in BRAG_ORDER]
    rows = []
    for code, c in counts.items():
        rows.append(
            [f"{code}: {names[code]}" if code in names else code]
            + [str(c.get(b.value, 0)) for b in brags]
            + [str(sum(c.values()))]
        )
    _table(
        doc,
        ["Committee"] + [paper.rules.label(b) for b in brags] + ["Total"],
        rows,
        [5.2] + [2.0] * len(brags) + [1.8],
    )


def exceptions(doc: Any, paper: Paper) -> None:
    doc.add_heading("3. Exceptions", level=1)
    _para(
        doc,
        "Actions the board may wish to challenge: the longest overdue, those with little or no "
        f"progress, due dates moved in {paper.quarter.label}, and impact reviews not yet done.",
    )
    overdue_longest(doc, paper)
    little_progress(doc, paper)
    dates_moved(doc, paper)
    impact_reviews_overdue(doc, paper)


def overdue_longest(doc: Any, paper: Paper) -> None:
    doc.add_heading("3.1 Overdue the longest", level=2)
    rows = paper.overdue()
    if not rows:
        _none(doc, "No action is overdue.")
        return
    shown = rows[:MAX_ROWS]
    _table(
        doc,
        ["Ref", "Action", "Owner", "Committee", "Due", "Days overdue"],
        [
            [
                _ref(x),
                _text(x),
                _owner(x),
                x.action.committee_code or "",
                _day(x.action.due_date),
                str((paper.as_of - x.action.due_date).days) if x.action.due_date else "",
            ]
            for x in shown
        ],
        [1.6, 5.6, 2.6, 2.3, 2.3, 2.3],
    )
    _more(doc, len(shown), len(rows), "Actions sheet")


def little_progress(doc: Any, paper: Paper) -> None:
    doc.add_heading(f"3.2 Little or no progress (no update for {NO_PROGRESS_DAYS} days)", level=2)
    rows = paper.no_progress()
    if not rows:
        _none(doc, f"Every open action has been updated in the last {NO_PROGRESS_DAYS} days.")
        return
    shown = rows[:MAX_ROWS]
    _table(
        doc,
        ["Ref", "Action", "Owner", "Committee", "Last update", "Due"],
        [
            [
                _ref(x),
                _text(x),
                _owner(x),
                x.action.committee_code or "",
                _day(local_date(x.action.last_update_at, paper.tz)),
                _day(x.action.due_date),
            ]
            for x in shown
        ],
        [1.6, 5.6, 2.6, 2.3, 2.3, 2.3],
    )
    _more(doc, len(shown), len(rows), "Actions sheet")


def dates_moved(doc: Any, paper: Paper) -> None:
    doc.add_heading(f"3.3 Due dates moved in {paper.quarter.label}", level=2)
    moves = paper.date_moves()
    if not moves:
        _none(doc, "No due date was moved this quarter.")
        return
    shown = moves[:MAX_ROWS]

    def row(m: DateMove) -> list[str]:
        e, x = m.event, m.line
        before = date.fromisoformat(e.before) if e.before else None
        after = date.fromisoformat(e.after) if e.after else None
        return [
            _ref(x),
            _text(x, 120),
            x.action.committee_code or "",
            f"{_day(before)} → {_day(after)}",
            (e.note or "") if x.visible else WITHHELD,
            e.actor if x.visible else "",
        ]

    _table(
        doc,
        ["Ref", "Action", "Committee", "Moved", "Reason given", "By"],
        [row(m) for m in shown],
        [1.6, 3.9, 2.3, 3.4, 3.8, 2.0],
    )
    times = Counter(m.line.action.ref for m in moves)
    repeat = sorted((r for r, n in times.items() if n > 1), key=lambda r: -times[r])
    if repeat:
        _para(
            doc,
            "Moved more than once this quarter: "
            + ", ".join(f"{r} ({times[r]} times)" for r in repeat[:10])
            + ".",
            size=9,
        )
    _more(doc, len(shown), len(moves), "Drift sheet")


def impact_reviews_overdue(doc: Any, paper: Paper) -> None:
    doc.add_heading("3.4 Impact reviews overdue", level=2)
    rows = paper.impact_reviews_overdue()
    if not rows:
        _none(doc, "No impact review is overdue.")
        return
    shown = rows[:MAX_ROWS]
    _table(
        doc,
        ["Ref", "Action", "How we will know it worked", "Committee", "Review was due"],
        [
            [
                _ref(x),
                _text(x, 140),
                (x.action.measure or "") if x.visible else "",
                x.action.committee_code or "",
                _day(x.action.impact_review_on),
            ]
            for x in shown
        ],
        [1.6, 5.0, 5.2, 2.3, 2.6],
    )
    _more(doc, len(shown), len(rows), "Actions sheet")


def signed_off_this_quarter(doc: Any, paper: Paper) -> None:
    doc.add_heading(f"4. Signed off in {paper.quarter.label}, and the evidence of impact", level=1)
    rows = paper.signed_off()
    if not rows:
        _none(doc, "No action was signed off this quarter.")
        return
    with_impact = sum(1 for x in rows if x.action.evidence_of_impact)
    _para(
        doc,
        f"{len(rows)} action{'s were' if len(rows) != 1 else ' was'} signed off; "
        f"{with_impact} with evidence of impact, the rest with a date to review it.",
    )
    shown = rows[:MAX_SIGNED_OFF]

    def impact(x: PaperLine) -> str:
        a = x.action
        if not x.visible:
            return "Recorded" if a.evidence_of_impact else _review_due(a)
        if a.evidence_of_impact:
            return a.evidence_of_impact
        return _review_due(a)

    _table(
        doc,
        ["Ref", "Action", "Committee", "Signed off", "Evidence of impact"],
        [
            [
                _ref(x),
                _text(x, 160),
                x.action.committee_code or "",
                _day(local_date(x.action.signed_off_at, paper.tz))
                if x.action.signed_off_at
                else "",
                impact(x),
            ]
            for x in shown
        ],
        [1.6, 5.2, 2.3, 2.3, 5.6],
    )
    _more(doc, len(shown), len(rows), "Actions sheet")


def recurring_themes(doc: Any, paper: Paper) -> None:
    doc.add_heading("5. Recurring themes", level=1)
    raised = [t for t in paper.themes if t.finding_count]
    if not raised:
        _none(
            doc,
            "No review's findings carry a theme yet."
            if paper.themes
            else "No themes: the organisation file names none.",
        )
        return
    when = "" if paper.to_date else f" (as the tracker stands on {_long_day(paper.prepared)})"
    _para(
        doc,
        "The lessons reviews raise again and again"
        f"{when}: for each theme, the reviews and findings raising it and the BRAG of the "
        "actions taken on it, those raised by the most reviews first.",
    )
    raised.sort(key=lambda t: (-len(t.reviews), -t.finding_count))
    brags = list(BRAG_ORDER)
    rows = []
    for t in raised:
        counts = t.brag_counts()
        rows.append(
            [t.name, str(len(t.reviews)), str(t.finding_count), str(len(t.actions))]
            + [str(counts.get(b.value, 0)) for b in brags]
        )
    _table(
        doc,
        ["Theme", "Reviews", "Findings", "Actions"] + [paper.rules.label(b) for b in brags],
        rows,
        [4.6, 1.5, 1.5, 1.5] + [1.58] * len(brags),
    )
    again = [t for t in raised if t.raised_again]
    if again:
        doc.add_heading("5.1 Raised again after its actions were signed off", level=2)
        for t in again:
            flags = t.raised_again[-MAX_RAISED_AGAIN:]
            more = len(t.raised_again) - len(flags)
            text = f"{t.name}: " + "; ".join(flags)
            if more:
                text += (
                    f"; and {more} earlier (every one is in the tracker workbook's Themes sheet)"
                )
            _para(doc, text + ".")
    if any(r.confidential for t in raised for r in t.reviews):
        _para(
            doc,
            "Confidential reviews are counted in these figures and named by reference only.",
            size=9,
            colour=GREY,
        )


def _review_due(a: ActionRow) -> str:
    if a.impact_review_on:
        return f"Not yet evidenced: impact review due {a.impact_review_on:%d/%m/%Y}"
    return "Not yet evidenced; no review date set"


def key(doc: Any, paper: Paper) -> None:
    doc.add_heading("Key", level=1)
    r = paper.rules
    meanings = {
        Brag.RED: "past its due date and not complete, or the owner says it is off track",
        Brag.AMBER: (
            f"due within {r.amber_days} days, the owner says it is at risk, or no update for "
            f"{r.drift_days} days"
        ),
        Brag.GREEN: "on course; also complete and awaiting sign-off"
        + (
            "; also signed off with its impact still to be evidenced" if r.blue_needs_impact else ""
        ),
        Brag.BLUE: r.blue_meaning(),
        Brag.UNASSIGNED: "no owner or no due date yet: with the business unit to assign",
    }
    brags = list(meanings)
    _table(
        doc,
        ["Rating", "Means"],
        [[r.label(b), meanings[b]] for b in brags],
        [3.5, 13.5],
        brag_column=0,
        brag_values=[b.value for b in brags],
    )
    _para(
        doc,
        "Quarters run with the financial year: Q1 is April to June. Share complete counts "
        "actions complete or signed off against every action not cancelled. Figures for "
        f"{paper.previous_quarter.label} are as the tracker's history records them at its end.",
        size=9,
        colour=GREY,
    )


Section = Callable[[Any, Paper], None]
# In the order the paper reads; a new section is added here.
SECTIONS: list[Section] = [
    title_block,
    summary,
    brag_chart,
    exceptions,
    signed_off_this_quarter,
    recurring_themes,
    key,
]


def _page_setup(doc: Any, paper: Paper) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Arial")
    from docx.enum.style import WD_STYLE_TYPE

    cell_style = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = normal
    cell_style.font.size = Pt(9)
    cell_style.paragraph_format.space_after = Pt(0)
    cell_style.paragraph_format.space_before = Pt(0)
    assert cell_style.style_id == TABLE_TEXT_ID
    for name, size in (("Heading 1", 14), ("Heading 2", 11.5)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(NAVY)
        style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
        style.paragraph_format.space_after = Pt(4)

    footer_style = doc.styles["Footer"]
    footer_style.font.size = Pt(8)
    footer_style.font.color.rgb = RGBColor.from_string(GREY)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run(f"{paper.board}: improvement actions, {paper.quarter.label}  ·  Page ")
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor.from_string(GREY)
    for instr in ("PAGE", " of ", "NUMPAGES"):
        if instr == " of ":
            r = footer.add_run(instr)
        else:
            r = footer.add_run()
            for kind, text in (("begin", None), (None, instr), ("end", None)):
                if kind:
                    fld = OxmlElement("w:fldChar")
                    fld.set(qn("w:fldCharType"), kind)
                    r._r.append(fld)
                else:
                    it = OxmlElement("w:instrText")
                    it.set(qn("xml:space"), "preserve")
                    it.text = text
                    r._r.append(it)
        r.font.size = Pt(8)
        r.font.color.rgb = RGBColor.from_string(GREY)

    props = doc.core_properties
    props.title = f"Improvement actions from reviews: {paper.quarter.label}"
    props.author = paper.board
    props.subject = "Quarterly report to the board"
    props.comments = ""


def to_docx(paper: Paper, sections: Sequence[Section] = SECTIONS) -> bytes:
    from docx import Document

    doc = Document()
    _page_setup(doc, paper)
    for section in sections:
        section(doc, paper)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def paper_filename(paper: Paper) -> str:
    return f"lscb-board-paper-{paper.quarter.year}-{(paper.quarter.year + 1) % 100:02d}-q{paper.quarter.number}.docx"


def board_paper(
    s: Session, now: datetime, rules: BragRules, *, quarter: Quarter | str | None = None
) -> tuple[str, bytes]:
    """The board paper as (file name, bytes). `quarter`: "2026/27 Q3", a Quarter, or None for
    the quarter under way. Raises InvalidInput for a quarter not readable or not begun."""
    q = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    paper = build_paper(s, now, rules, quarter=q)
    return paper_filename(paper), to_docx(paper)
