"""Reading the house style of a Learning and Improvement Index from a sequence of lines.

Every source (text taken from a PDF, a PDF's table cells, a Word table's paragraphs) is first turned
into `Line`s; the rules here then find the entries, their labelled parts, and the items in each part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from importer import statements as st
from importer.labels import (
    ALTERNATIONS,
    ORDER,
    SINGLE_LINE,
    canonical,
    leading_label,
    whole_label,
)
from importer.model import ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview


@dataclass
class Line:
    text: str  # without surrounding white space
    marker: str | None = None  # "bullet", "indent" (a bullet lost in extraction) or a number
    full: bool = False  # the line ran to the right margin, so its sentence may go on below
    heading: bool = False  # the source itself marks it as a heading (Word style, deep indent)
    lineno: int = 0
    # A PDF cell too narrow for a word broke it here ("31/07/202" / "7)"): joined without a space.
    broken: bool = False

    @property
    def blank(self) -> bool:
        return not self.text


# ---------------------------------------------------------------- markers

_BULLET_CHARS = "•●▪■◦‣∙·○◆◇►▸➢✓✔*–-§"
_BULLET = re.compile(rf"^(?:[{re.escape(_BULLET_CHARS)}]|[\uf000-\uf0ff])\s*")
# "1.", "1)", "(1)", "5.In" (no space before a capital), not "07.11.14" or "1.5 million".
_NUMBER = re.compile(r"^\(?(\d{1,2})(?:[.)](?=\s|[A-Z‘“'\"(])|\)\s)\s*")
_LETTER = re.compile(r"^\(?([a-h]|i{1,3}|iv|v|vi{1,3})\)\s+")


def split_marker(text: str) -> tuple[str | None, str]:
    m = _NUMBER.match(text)
    if m:
        return m.group(1), text[m.end() :]
    m = _LETTER.match(text)
    if m:
        return m.group(1), text[m.end() :]
    m = _BULLET.match(text)
    if m and len(text) > m.end():
        return "bullet", text[m.end() :]
    return None, text


def with_marker(line: Line) -> Line:
    """Read a typed marker ("1.", "•") off the front of a line that has none from its source."""
    marker, rest = split_marker(line.text)
    if marker is None:
        return line
    if line.marker not in (None, "indent") and marker == "bullet":
        return line
    return Line(rest.strip(), marker, line.full, line.heading, line.lineno)


# ---------------------------------------------------------------- labels

_START = re.compile(rf"^(?:{ALTERNATIONS['type']})\s*:", re.I)
# Inside a header line ("Type of Review: Audit Name: …") only these name labels are looked for:
# "Review:" would split "Thematic Review Name:" in the wrong place.
_NAME = re.compile(r"\b(?:name|title|source)\s*:", re.I)
_NAME_AT_START = re.compile(rf"^(?:{ALTERNATIONS['name']})\s*:", re.I)
_DATE = re.compile(rf"^(?:{ALTERNATIONS['date']})\s*:", re.I)
_OVERVIEW = re.compile(rf"^(?:{ALTERNATIONS['overview']})\s*:", re.I)
_FINDINGS = re.compile(
    r"^summary\s+of\s+findings\s*(?:/\s*learning)?\s*:?|^summary\s+of\s+learning\s*:?"
    rf"|^(?:{ALTERNATIONS['findings']})\s*(?::|$)",
    re.I,
)
_ACTIVITY = re.compile(rf"^(?:{ALTERNATIONS['activities']})\s*(?::|$)", re.I)

_TERMINAL = tuple(".!?:;)")
# The house style heads each group of entries "Learning from …" (Audit, Reviews, CDOP, …).
_SECTION = re.compile(r"^(?:learning|lessons?)\s+(?:from|learn[te]d)\b", re.I)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(" ’”'\"").endswith(_TERMINAL)


def _short(text: str) -> bool:
    return len(text) < 100


# ---------------------------------------------------------------- items


@dataclass
class Unit:
    marker: str | None
    lines: list[Line] = field(default_factory=list)
    heading: bool = False

    @property
    def text(self) -> str:
        return join_lines(self.lines)


def join_lines(lines: Iterable[Line]) -> str:
    out = ""
    broken = False
    for line in lines:
        t = line.text
        if not t:
            continue
        if not out:
            out = t
        elif broken or out.endswith("-") and t[:1].islower():
            out += t  # a word hyphenated (or broken by a narrow cell) across the line break
        else:
            out += " " + t
        broken = line.broken
    return re.sub(r"\s+", " ", out).strip()


def _continues(line: Line, prev: Line | None, gap: bool) -> bool:
    """Whether an unmarked line carries on the sentence above rather than starting a new one."""
    first = line.text[:1]
    if first.islower() or first in "(,&":
        return True
    if gap and _short(line.text) and line.text.endswith((":", "?")):
        return False  # a heading standing on its own
    return prev is not None and prev.full and not _ends_sentence(prev.text)


def _open_bracket(unit: Unit) -> bool:
    text = " ".join(ln.text for ln in unit.lines)
    return text.count("(") > text.count(")")


def units(lines: Iterable[Line]) -> list[Unit]:
    """Group lines into items: a marker starts one, a line that starts a sentence starts one,
    a line that starts lower-case or with "(" (or follows a wrapped, unfinished line) carries on.

    Where the block has markers, an unmarked line straight under a line that ran to the margin
    is the same paragraph even when a new sentence starts there; where it has none, each line
    that starts a sentence is an item of its own.
    """
    marked = [with_marker(ln) if not ln.blank else ln for ln in lines]
    has_markers = any(ln.marker for ln in marked)
    out: list[Unit] = []
    prev: Line | None = None
    gap = False
    for line in marked:
        if line.blank:
            gap = True
            continue
        same_paragraph = has_markers and prev is not None and prev.full and not gap
        # "(Owner:" / "Joe" / "Bloggs)" in a narrow cell: a bracket left open goes on below.
        in_bracket = bool(out) and not gap and _open_bracket(out[-1])
        if (
            line.marker is None
            and out
            and not line.heading
            and (_continues(line, prev, gap) or same_paragraph or in_bracket)
        ):
            out[-1].lines.append(line)
        else:
            out.append(Unit(line.marker, [line], heading=line.heading))
        prev = line
        gap = False
    return out


def _tabular(text: str) -> bool:
    """A row of figures (a chart's data or a table of counts), not a sentence."""
    tokens = text.split()
    if not tokens or _ends_sentence(text) and not text.endswith("%"):
        return False
    numeric = sum(
        1
        for t in tokens
        if re.fullmatch(r"[\d.,%\-/]+|Q\d(?:-\d)?|%|Total|Q\d+\s*-\s*\d+", t, re.I)
        and t not in "-/"
    )
    return numeric == len(tokens) or (numeric >= 3 and numeric * 5 >= len(tokens) * 2)


def _drop_tables(found: list[Unit]) -> tuple[list[Unit], int]:
    rows = [not u.marker and len(u.lines) == 1 and _tabular(u.text) for u in found]
    table = list(rows)
    # A short caption right next to a table belongs to it.
    for i, u in enumerate(found):
        if rows[i] or u.marker or len(u.lines) > 1 or _ends_sentence(u.text) or not _short(u.text):
            continue
        if (i > 0 and rows[i - 1]) or (i + 1 < len(found) and rows[i + 1]):
            table[i] = True
    kept = [u for u, t in zip(found, table, strict=True) if not t]
    return kept, len(found) - len(kept)


def _mark_headings(found: list[Unit]) -> None:
    mixed = any(u.marker for u in found)
    for i, u in enumerate(found):
        if u.marker or i + 1 >= len(found):
            continue
        text = u.text
        nxt = found[i + 1]
        asks = text.endswith((":", "?"))
        one_short = len(u.lines) == 1 and _short(text) and not text.endswith((";", ","))
        if (
            u.heading
            or (asks and _short(text) or asks and nxt.marker)
            or one_short
            and (nxt.marker or (mixed and not _ends_sentence(text) and not nxt.heading))
        ):
            u.heading = True


def findings_from(lines: Sequence[Line], warnings: list[str], where: str) -> list[ParsedFinding]:
    found, dropped = _drop_tables(units(lines))
    if dropped:
        warnings.append(
            f"{where}: {dropped} lines of figures (a table or chart) left out of findings"
        )
    _mark_headings(found)
    out: list[ParsedFinding] = []
    heading: str | None = None
    for u in found:
        if u.heading:
            heading = u.text.rstrip(":").strip()
            continue
        number = u.marker if u.marker and u.marker not in ("bullet", "indent") else None
        if u.marker is None and out and out[-1].number is not None:
            # A paragraph without a number under a numbered finding belongs to that finding.
            out[-1].text += " " + u.text
            continue
        out.append(ParsedFinding(number, u.text, heading))
    return out


def activities_from(
    lines: Sequence[Line], warnings: list[str], where: str, today: date | None = None
) -> list[ParsedActivity]:
    found = units(lines)
    _mark_headings(found)
    out: list[ParsedActivity] = []
    for u in found:
        at = f"{where}, line {u.lines[0].lineno}" if u.lines and u.lines[0].lineno else where
        if u.heading and any(v.marker for v in found):
            warnings.append(
                f"{at}: a sub-heading among the improvement activities was not imported as one"
            )
            continue
        parsed = activity(u.text, today, warnings, at)
        parsed.line = u.lines[0].lineno if u.lines else 0
        out.append(parsed)
    return out


def activity(
    text: str, today: date | None = None, warnings: list[str] | None = None, where: str = ""
) -> ParsedActivity:
    said = st.statements(text)
    if "due" not in said and (written := st.trailing_due(text)):
        said["due"] = written  # "… – by 31/03/2027": the target the wording ends with
    committee = said.get("committee") or st.committee_named(text)
    due: date | None = None
    if "due" in said:
        due, problem = st.read_date(said["due"], today or date(2000, 1, 1))
        shown = said["due"][:40]
        if problem and warnings is not None:
            warnings.append(f"{where}: the due date “{shown}” {problem}; it was left out")
        elif due is not None and today is not None and due < today and warnings is not None:
            warnings.append(
                f"{where}: the due date {due:%d/%m/%Y} is before today; kept as the document states it"
            )
    return ParsedActivity(
        text=st.strip_statements(text),
        due_date=due,
        owner=said.get("owner"),
        committee=committee,
        lead_agency=said.get("lead_agency"),
        delivered=st.is_delivered(text),
    )


def paragraphs(lines: Sequence[Line]) -> str:
    return "\n".join(u.text for u in units(lines))


# ---------------------------------------------------------------- tables

Cell = Sequence[Line]


def _filled(cell: Cell) -> list[Line]:
    return [ln for ln in cell if not ln.blank]


def _label_cell(cell: Cell) -> str | None:
    """The field a cell names when it holds a label and nothing else (wrapped lines joined)."""
    lines = _filled(cell)
    if not lines or len(lines) > 3:
        return None
    return whole_label(" ".join(ln.text for ln in lines))


def _labelled(cell: Cell) -> bool:
    """A label cell, or a cell that starts "Label: …" (a row of values holds neither)."""
    lines = _filled(cell)
    return bool(lines) and (
        _label_cell(cell) is not None or leading_label(lines[0].text) is not None
    )


def _cell_pairs(cell: Cell) -> list[tuple[str | None, list[Line]]]:
    """A cell's lines split where a label starts: "Type of Review: Single" / "Agency" is one
    pair; a label wrapped over two lines ("Type of" / "Review: Audit") is found too."""
    lines = _filled(cell)
    out: list[tuple[str | None, list[Line]]] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        found = leading_label(line.text)
        used = 1
        if found is None and k + 1 < len(lines):
            joined = f"{line.text} {lines[k + 1].text}"
            two = leading_label(joined)
            if two is not None and joined.find(":") > len(line.text):
                found, used = two, 2
        if found is None and k == 0 and len(lines) > 1:
            field = whole_label(line.text)  # "Case Overview" on a line of its own, value below
            if field is not None:
                found = (field, "")
        if found is None:
            if out:
                out[-1][1].append(line)
            else:
                out.append((None, [line]))
            k += 1
            continue
        field, rest = found
        src = lines[k + used - 1]
        value = [Line(rest, None, src.full, False, src.lineno, src.broken)] if rest else []
        out.append((field, value))
        k += used
    return out


@dataclass
class _Record:
    fields: dict[str, list[Line]] = field(default_factory=dict)
    last: str | None = None


class TableReader:
    """Turns the tables of a Word or PDF index into entries in the canonical line form.

    A label may stand in the cell with its value ("Name: …"), in the cell to its left, or in
    the row above (a row of labels over rows of values, one entry a row). Whatever the layout,
    each entry comes out as "Type of Review: …", "Name: …", "Date: …", then the overview,
    findings and activities, each under its canonical label, so that the line rules read it.
    """

    def __init__(self) -> None:
        self.out: list[Line] = []
        self.record: _Record | None = None

    # Lines from outside any table end the entry being built.
    def line(self, line: Line) -> None:
        self.flush()
        self.out.append(line)

    def _add(self, field_: str, lines: Sequence[Line]) -> None:
        rec = self.record
        if rec is None or field_ in rec.fields or (field_ == "type" and rec.fields):
            self.flush()
            rec = self.record = _Record()
        rec.fields[field_] = list(lines)
        rec.last = field_

    def _loose(self, lines: Sequence[Line]) -> None:
        rec = self.record
        if rec is not None and rec.last is not None:
            bucket = rec.fields[rec.last]
            if bucket:
                bucket.append(Line("", lineno=lines[0].lineno if lines else 0))
            bucket.extend(lines)
        else:
            self.out.extend(lines)
            self.out.append(Line(""))

    def table(self, rows: Sequence[Sequence[Cell]]) -> None:
        i = 0
        while i < len(rows):
            row = rows[i]
            kinds = [_label_cell(c) for c in row]
            filled = [j for j, c in enumerate(row) if _filled(c)]
            if filled and all(kinds[j] for j in filled) and i + 1 < len(rows):
                k = i + 1
                while k < len(rows) and not any(_labelled(c) for c in rows[k]):
                    below = rows[k]
                    pairs = [
                        (kinds[j], below[j]) for j in filled if j < len(below) and _filled(below[j])
                    ]
                    if len(filled) > 1:
                        self.flush()  # a row of labels over rows of values: one entry a row
                    for f, cell in pairs:
                        assert f is not None
                        self._add(f, _filled(cell))
                    k += 1
                if k > i + 1:
                    i = k
                    continue
            j = 0
            while j < len(row):
                f = kinds[j]
                if f is not None:
                    values: list[Line] = []
                    j += 1
                    while j < len(row) and kinds[j] is None:
                        if values and _filled(row[j]):
                            values.append(Line(""))
                        values.extend(_filled(row[j]))
                        j += 1
                    self._add(f, values)
                    continue
                for pf, lines in _cell_pairs(row[j]):
                    if pf is None:
                        self._loose(lines)
                    else:
                        self._add(pf, lines)
                j += 1
            i += 1

    def flush(self) -> None:
        rec, self.record = self.record, None
        if rec is None or not rec.fields:
            return
        fields = rec.fields
        entry = "type" in fields or len(fields) >= 2
        if not entry:
            (only,) = fields
            self.out.append(Line(canonical(only)))
            self.out.extend(fields[only])
            self.out.append(Line(""))
            return
        first = next((ln.lineno for v in fields.values() for ln in v if ln.lineno), 0)
        for f in ORDER:
            if f not in fields and f != "type":
                continue
            value = fields.get(f, [])
            if f in SINGLE_LINE:
                text = join_lines(value)
                self.out.append(Line(f"{canonical(f)} {text}".strip(), lineno=first))
            else:
                self.out.append(Line(canonical(f), lineno=first))
                self.out.extend(value)
        self.out.append(Line(""))

    def lines(self) -> list[Line]:
        self.flush()
        for n, line in enumerate(self.out, start=1):
            line.lineno = line.lineno or n
        return self.out


# ---------------------------------------------------------------- entries

KNOWN_TYPES = (
    "Serious Case Review",
    "Local Child Safeguarding Practice Review",
    "Rapid Review",
    "Multi Agency Thematic Review",
    "Multi-Agency Audit",
    "Single Agency Audit",
    "Thematic Review",
    "Critical Case Review",
    "Joint Targeted Area Inspection",
    "Ofsted",
    "CDOP",
    "Performance Management",
    "Domestic Homicide Review",
    "Audit",
    "Inspection",
)


# What boards write for a review's type in a title or a sheet's name.
ABBREVIATED_TYPES = {
    "scr": "Serious Case Review",
    "lcspr": "Local Child Safeguarding Practice Review",
    "cspr": "Local Child Safeguarding Practice Review",
    "jtai": "Joint Targeted Area Inspection",
    "dhr": "Domestic Homicide Review",
    "cdop": "CDOP",
}
_KNOWN_TYPE = re.compile(
    r"\b(?:"
    + "|".join(r"[\s-]+".join(map(re.escape, t.split())) for t in KNOWN_TYPES)
    + "|"
    + "|".join(ABBREVIATED_TYPES)
    + r")\b",
    re.I,
)


def known_type_in(text: str) -> str | None:
    """The review type a title or a sheet's name gives ("SCR Child P" → Serious Case Review;
    "Multi-agency audit of neglect" → Multi-Agency Audit), or None."""
    m = _KNOWN_TYPE.search(text)
    if m is None:
        return None
    found = " ".join(m[0].replace("-", " ").split()).lower()
    if found in ABBREVIATED_TYPES:
        return ABBREVIATED_TYPES[found]
    return next(t for t in KNOWN_TYPES if " ".join(t.replace("-", " ").split()).lower() == found)


def _type_from_section(section: str | None) -> str:
    if not section:
        return "Review"
    lowered = section.lower()
    for t in KNOWN_TYPES:
        if t.lower() in lowered:
            return t
    cleaned = re.sub(r"^learning\s+from\s+", "", section, flags=re.I).strip(" :")
    return cleaned or "Review"


@dataclass
class _Entry:
    section: str | None
    start: int
    header: list[Line] = field(default_factory=list)
    date: str = ""
    loose: list[Line] = field(default_factory=list)  # text after the date with no label
    overview: list[Line] = field(default_factory=list)
    findings: list[Line] = field(default_factory=list)
    activities: list[Line] = field(default_factory=list)
    has_findings_label: bool = False


def _split_header(header: list[Line]) -> tuple[str, str]:
    texts = [ln.text for ln in header if not ln.blank]
    if not texts:
        return "", ""
    texts[0] = _START.sub("", texts[0]).strip()
    name_at, m = None, None
    for i, t in enumerate(texts):
        m = (_NAME_AT_START.match(t) if i else None) or _NAME.search(t)
        if m is not None:
            name_at = i
            break
    if name_at is None or m is None:
        return " ".join(texts).strip(), ""
    type_parts = [*texts[:name_at], texts[name_at][: m.start()]]
    name_parts = [texts[name_at][m.end() :], *texts[name_at + 1 :]]
    type_text = " ".join(p.strip() for p in type_parts if p.strip())
    # "Type of Review: Serious Case Review (Lancashire SCB  Name: …" then "supported by …)":
    # a wrapped line closes the type's bracket, so it is the type's, not the name's.
    while name_parts[1:] and type_text.count("(") > type_text.count(")"):
        type_text += " " + name_parts.pop(1).strip()
    name_text = " ".join(p.strip() for p in name_parts if p.strip())
    return _clean(type_text), _clean(name_text)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" :")


def _next_nonblank(lines: Sequence[Line]) -> list[Line | None]:
    """For each position in `lines`, the first non-blank line after it (None at the end)."""
    after: list[Line | None] = [None] * len(lines)
    nxt: Line | None = None
    for i in range(len(lines) - 1, -1, -1):
        after[i] = nxt
        if not lines[i].blank:
            nxt = lines[i]
    return after


def parse_lines(lines: Sequence[Line], index: ParsedIndex, today: date | None = None) -> None:
    """Find every entry in `lines` and append the reviews it holds to `index`."""
    section: str | None = None
    entry: _Entry | None = None
    part = "outside"
    ignored = 0
    entries: list[_Entry] = []
    next_nonblank = _next_nonblank(lines)

    named: Line | None = None  # "Review: Child L" just above the type line that starts its entry
    for i, line in enumerate(lines):
        if line.blank:
            if entry is not None and part in ("overview", "findings", "activities", "loose"):
                getattr(entry, part).append(line)
            continue
        text = line.text
        if _START.match(text):
            entry = _Entry(section, named.lineno if named else line.lineno)
            entries.append(entry)
            entry.header.append(line)
            if named is not None:
                entry.header.append(named)
                named = None
            part = "header"
            continue
        unmarked = with_marker(line).marker is None
        nxt = next_nonblank[i]
        before_entry = nxt is not None and bool(_START.match(nxt.text))
        if before_entry and _NAME_AT_START.match(text) and part != "header":
            named = line  # the entry's name, written above its type: it starts the entry
            continue
        if (
            before_entry
            and _SECTION.match(text)
            and unmarked
            and _short(text)
            and not text.endswith(".")
            and part in ("outside", "activities", "findings", "loose")
        ):
            # A heading straight before an entry names the section the entries below sit in.
            section = _clean(text)
            part = "outside"
            entry = None
            continue
        if entry is None:
            if unmarked and _short(text) and not text.endswith("."):
                section = _clean(text)
            else:
                ignored += 1
            continue
        if _DATE.match(text) and part == "header":
            entry.date = _clean(_DATE.sub("", text))
            part = "loose"
            continue
        if _OVERVIEW.match(text) and part in ("header", "loose"):
            rest = _OVERVIEW.sub("", text).strip()
            entry.loose.extend(entry.overview)
            part = "overview"
            if rest:
                entry.overview.append(Line(rest, None, line.full, False, line.lineno))
            continue
        if _FINDINGS.match(text) and part in ("header", "loose", "overview"):
            rest = _FINDINGS.sub("", text).strip()
            entry.has_findings_label = True
            part = "findings"
            if rest:
                entry.findings.append(Line(rest, None, line.full, False, line.lineno))
            continue
        if _ACTIVITY.match(text) and part != "activities":
            rest = _ACTIVITY.sub("", text).strip()
            part = "activities"
            if rest:
                entry.activities.append(Line(rest, None, line.full, False, line.lineno))
            continue
        if part == "header":
            entry.header.append(line)
            continue
        if (
            part == "activities"
            and unmarked
            and text.endswith(":")
            and _short(text)
            and text[:1].isupper()
            and text.count("(") <= text.count(")")
            and any(not ln.blank for ln in entry.activities)
            and not _open_bracket(Unit(None, entry.activities[-3:]))
        ):
            # A new heading ("National: Published Case Reviews in the UK:") ends the table.
            section = _clean(text)
            part = "outside"
            entry = None
            continue
        getattr(entry, part).append(line)

    if ignored:
        index.warnings.append(f"{ignored} lines outside any review entry were not imported")
    for e in entries:
        review = _review(e, index.warnings, today)
        if review is not None:
            index.reviews.append(review)


def _review(e: _Entry, warnings: list[str], today: date | None = None) -> ParsedReview | None:
    type_text, name = _split_header(e.header)
    loose, overview, findings_lines = e.loose, e.overview, e.findings
    if not e.has_findings_label:
        # No "Summary of Findings" heading: numbered lines after the overview are the findings.
        body = [*loose, *overview]
        first = next((i for i, ln in enumerate(body) if with_marker(ln).marker == "1"), None)
        if first is not None:
            findings_lines = body[first:]
            body = body[:first]
        loose, overview = [], body
    overview_text = "\n".join(t for t in (paragraphs(loose), paragraphs(overview)) if t)
    where = f"line {e.start}"
    has_items = any(not ln.blank for ln in [*findings_lines, *e.activities])
    if not (name or type_text or e.date or overview_text or has_items):
        warnings.append(f"{where}: an empty entry (a blank template) was skipped")
        return None
    where = f"{name or type_text or where} (line {e.start})"
    findings = findings_from(findings_lines, warnings, where)
    activities = activities_from(e.activities, warnings, where, today)
    if not type_text:
        type_text = _type_from_section(e.section)
    if not name:
        warnings.append(f"{where}: the entry has no name")
    if not activities:
        warnings.append(f"{where}: no improvement activity")
    return ParsedReview(
        section=e.section,
        type=type_text,
        name=name,
        date_text=e.date,
        month=st.parse_month(e.date),
        overview=overview_text,
        confidential=st.is_confidential(overview_text),
        findings=findings,
        activities=activities,
        line=e.start,
    )
