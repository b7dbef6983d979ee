"""Word indexes: each entry is a table of label cells; bullets and numbering are real Word lists."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from importer.errors import ImportFileError, require_zip_package
from importer.labels import EXPECTED_LABELS, canonical, whole_label
from importer.model import ParsedIndex
from importer.structure import Line, TableReader, parse_lines

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Numbering:
    """Works out whether a list paragraph is a bullet or which number it carries."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], str] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, str]] = {}
        for an in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in an.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal"
                )
            abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, fmt in abstract.get(ref.get(f"{_W}val", ""), {}).items():
                self.formats[(num.get(f"{_W}numId", ""), ilvl)] = fmt

    def marker(self, paragraph: Any) -> str | None:
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if numpr is None or numpr.numId is None:
            if "list bullet" in style:
                return "bullet"
            if "list number" in style:
                key = ("style:" + style, 0)
                self.counters[key] = self.counters.get(key, 0) + 1
                return str(self.counters[key])
            return None
        num_id = str(numpr.numId.val)
        ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
        fmt = self.formats.get((num_id, ilvl), "bullet" if "bullet" in style else "decimal")
        if fmt in ("bullet", "none"):
            return "bullet"
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > ilvl]:
            del self.counters[deeper]
        return str(self.counters[key])


def _bold_label(paragraph: Any) -> str | None:
    """ "Review type Audit" where "Review type" is bold: the text with the label's colon put in."""
    runs = list(paragraph.runs)
    bold = ""
    for k, run in enumerate(runs):
        if not run.text.strip():
            bold += run.text
            continue
        if not run.bold:
            if not bold.strip():
                return None
            field = whole_label(bold)
            rest = "".join(r.text for r in runs[k:]).strip(" :\t")
            if field is None or not rest:
                return None
            return f"{canonical(field)} {rest}"
        bold += run.text
    return None


def _paragraph_lines(paragraph: Any, numbering: _Numbering, out: list[Line]) -> None:
    text = paragraph.text.replace("\u00a0", " ")
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    marker = numbering.marker(paragraph)
    heading = style.startswith(("heading", "title"))
    if marker is None and not heading and "\n" not in text:
        text = _bold_label(paragraph) or text
    parts = [p.strip() for p in text.split("\n")]
    first = True
    for part in parts:
        if not part:
            continue
        out.append(Line(part, marker if first else None, False, heading, len(out) + 1))
        first = False
    out.append(Line("", lineno=len(out) + 1))


def _cell_lines(cell: Any, numbering: _Numbering) -> list[Line]:
    lines: list[Line] = []
    for paragraph in cell.paragraphs:
        _paragraph_lines(paragraph, numbering, lines)
    for nested in cell.tables:  # a table inside a cell: read as the cell's own lines
        for row in nested.rows:
            for inner in row.cells:
                lines.extend(_cell_lines(inner, numbering))
    return lines


def docx_lines(document: Any) -> tuple[list[Line], int]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(document)
    reader = TableReader()
    tables = 0
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            lines: list[Line] = []
            _paragraph_lines(Paragraph(block, document), numbering, lines)
            for line in lines:
                reader.line(line)
        elif block.tag == f"{_W}tbl":
            tables += 1
            table = Table(block, document)
            # A merged cell is returned once per grid cell it spans; the set holds the elements
            # themselves (not their ids, which Python reuses once a proxy is freed).
            seen: set[Any] = set()
            rows = []
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    cells.append(_cell_lines(cell, numbering))
                rows.append(cells)
            reader.table(rows)
    return reader.lines(), tables


def _tracker(
    document: Any, path: Path, today: date | None, columns: Mapping[str, str] | None
) -> ParsedIndex | None:
    """The document's tables read as a tracker (an action plan kept in Word), with the
    paragraphs above the first table as its title."""
    from importer.parse_sheet import tables_to_index

    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    title: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}tbl"):
            break
        if child.tag.endswith("}p"):
            title.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
    return tables_to_index(tables, title, path, today=today, columns=columns)


def parse_docx(
    path: str | Path, today: date | None = None, columns: Mapping[str, str] | None = None
) -> ParsedIndex:
    import docx

    path = Path(path)
    require_zip_package(path, "a Word document (.docx)")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise ImportFileError(
            path, f"the Word document cannot be read ({type(exc).__name__})"
        ) from None
    lines, tables = docx_lines(document)
    index = ParsedIndex()
    if not columns:
        parse_lines(lines, index, today)
    if not index.reviews and tables:
        # No review entries: an action plan kept as a Word table is read as a tracker.
        tracker = _tracker(document, path, today, columns)
        if tracker is not None:
            return tracker
    if not index.reviews:
        where = (
            "in its tables" if tables else "(it has no tables, and no paragraph starts with one)"
        )
        raise ImportFileError(path, f"no review entries found {where}; {EXPECTED_LABELS}")
    return index
