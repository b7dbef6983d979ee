"""PDF indexes: each entry is a table; cells are read one at a time so that a wrapped "Type of
Review" cell and a wrapped "Name" cell beside it are never interleaved line by line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from importer.errors import ImportFileError
from importer.labels import EXPECTED_LABELS, canonical, whole_label
from importer.model import ParsedIndex
from importer.parse_text import text_lines
from importer.structure import Line, TableReader, parse_lines

_PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?$", re.I
)


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


CellLine = tuple[str, bool, bool]  # text, ran to the right edge, a word broken at the edge


def _bold_label(ln: dict[str, Any]) -> str:
    """ "Review type Audit" with "Review type" in a bold font: the label's colon put in."""
    text = str(ln["text"])
    pos = 0  # how far into the text the bold characters reach (spaces are not characters)
    for ch in ln.get("chars") or []:
        if "bold" not in str(ch.get("fontname", "")).lower():
            break
        while pos < len(text) and text[pos] == " " and ch["text"] != " ":
            pos += 1
        pos += len(ch["text"])
    bold = text[:pos]
    if not bold.strip() or len(bold) >= len(text.rstrip()):
        return text
    field = whole_label(bold)
    rest = text[len(bold) :].strip(" :")
    return f"{canonical(field)} {rest}" if field and rest else text


def _cell_lines(page: Any, box: tuple[float, float, float, float]) -> list[CellLine]:
    x0, _, x1, _ = box
    # Only characters whose middle is inside the cell: a crop keeps (clipped) characters that
    # touch its edge, so the row below's first line would join this cell.
    inside = page.filter(lambda obj: "x0" not in obj or _inside(obj, box))
    found = inside.extract_text_lines(layout=False, strip=True, return_chars=True)
    if not found:
        return []
    # The cell's padding is the same both sides: where its text must stop on the right.
    right = x1 - max(0.0, min(ln["x0"] for ln in found) - x0)
    out: list[CellLine] = []
    for k, ln in enumerate(found):
        text = _bold_label(ln)
        # A line that reaches the last fifth of its cell was wrapped there; so was one whose
        # next line begins with a word that would not have fitted after it ("… – by" then
        # "31/03/2027").
        full = ln["x1"] >= x1 - 0.2 * (x1 - x0)
        if k + 1 < len(found) and not full:
            full = right - ln["x1"] < _first_word_width(found[k + 1]) + _space(ln)
        nxt = str(found[k + 1]["text"]) if k + 1 < len(found) else ""
        # A word too long for the cell is broken at its very edge, and goes on below: only a
        # word that does not fit on a line of its own is broken, so the line is that word.
        broken = (
            " " not in text.strip()
            and ln["x1"] >= right - 2.0
            and not text.endswith((" ", "-", ",", ";", ".", ":"))
            and nxt[:1].isalnum()
            and not nxt[:1].isupper()
        )
        out.append((text, full, broken))
    return out


def _first_word_width(ln: dict[str, Any]) -> float:
    """How wide the first word of a text line is, from its characters."""
    chars = [c for c in ln.get("chars", []) if "x0" in c]
    if not chars:
        return 0.0
    end = chars[0]["x1"]
    for c in chars:
        if not str(c.get("text", "")).strip():
            break
        end = c["x1"]
    return float(end - chars[0]["x0"])


def _space(ln: dict[str, Any]) -> float:
    """The width of a space in the line's type: a third of its height, near enough."""
    return float(ln["bottom"] - ln["top"]) / 3


@dataclass
class _Item:
    top: float
    lines: list[tuple[str, bool]] = field(default_factory=list)
    margin: bool = False  # outside any table in the top or bottom tenth: headers, footers
    rows: list[list[list[CellLine]]] | None = None  # a table, cell by cell


def _page_items(page: Any) -> tuple[list[_Item], int]:
    """Tables (row by row, cell by cell) and the lines outside them, in reading order."""
    items: list[_Item] = []
    boxes = []
    for table in page.find_tables():
        boxes.append(table.bbox)
        rows = []
        for row in table.rows:
            cells = [_cell_lines(page, cell) for cell in row.cells if cell is not None]
            rows.append(cells)
        items.append(_Item(table.bbox[1], rows=rows))
    outside = page.filter(
        lambda obj: not any(_inside(obj, b) for b in boxes) if "x0" in obj else True
    )
    width, height = float(page.width), float(page.height)
    for ln in outside.extract_text_lines(layout=False, strip=True, return_chars=True):
        margin = ln["top"] < height * 0.1 or ln["bottom"] > height * 0.9
        items.append(_Item(ln["top"], [(_bold_label(ln), ln["x1"] >= width * 0.8)], margin))
    items.sort(key=lambda item: item.top)
    return items, len(boxes)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


_Pages = list[tuple[list[_Item], int]]


def pdf_lines(pdf: Any, pages: _Pages | None = None) -> list[Line] | None:
    """The PDF's lines with its tables in the canonical label form; None when it has no tables
    (then its text is read as the text reader reads a text file). `pages`: each page's items,
    when read already."""
    if pages is None:
        pages = [_page_items(p) for p in pdf.pages]
    if not any(n for _, n in pages):
        return None
    # Running headers and footers: the first or last line of a page seen again on other pages.
    edges: Counter[str] = Counter()
    for items, _ in pages:
        for t in {t for it in items if it.margin for t, _ in it.lines}:
            edges[_shape(t)] += 1
    furniture = {k for k, n in edges.items() if n >= 2 and len(pages) >= 2}
    reader = TableReader()
    count = 0

    def line(text: str, full: bool, broken: bool = False) -> Line:
        nonlocal count
        count += 1
        return Line(text.strip(), None, full, False, count, broken)

    for items, _ in pages:
        for it in items:
            if it.rows is not None:
                reader.table(
                    [[[line(t, f, b) for t, f, b in cell] for cell in row] for row in it.rows]
                )
                continue
            for text, full in it.lines:
                if it.margin and (_PAGE_NUMBER.match(text) or _shape(text) in furniture):
                    continue
                reader.line(line(text, full))
            reader.line(Line(""))
    return reader.lines()


def _text_of(pdf: Any) -> str:
    """The pages' lines as text (bold labels given their colon), pages split by form feeds."""
    return "\n\f".join(
        "\n".join(
            _bold_label(ln)
            for ln in page.extract_text_lines(layout=False, strip=True, return_chars=True)
        )
        for page in pdf.pages
    )


def _cell_text(cell: list[CellLine]) -> str:
    """A cell's lines as one text: a word broken at the cell's edge is joined up again."""
    out = ""
    for text, _full, broken in cell:
        out += text.strip() + ("" if broken else " ")
    return out.strip()


def _tables_of(pages: _Pages) -> tuple[list[list[list[str]]], list[str]]:
    """Every page's tables, cell by cell, and the lines above the first one (its title)."""
    tables: list[list[list[str]]] = []
    title: list[str] = []
    for items, _ in pages:
        for it in items:
            if it.rows is not None:
                tables.append([[_cell_text(c) for c in row] for row in it.rows])
            elif not tables and not it.margin:
                title += [t for t, _ in it.lines]
    return tables, title


def parse_pdf(
    path: str | Path, today: date | None = None, columns: Mapping[str, str] | None = None
) -> ParsedIndex:
    import pdfplumber

    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError(path, "the file is empty")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportFileError(path, "this is not a PDF file")
    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [_page_items(p) for p in pdf.pages]  # read once, for both readings
            lines = pdf_lines(pdf, pages)
            text = _text_of(pdf) if lines is None else ""
    except ImportFileError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for broken or locked files
        said = f"{type(exc).__name__} {exc!r}".lower()
        if "password" in said or "encrypt" in said:
            raise ImportFileError(
                path, "the PDF is password-protected; save an unlocked copy"
            ) from None
        raise ImportFileError(path, "the PDF is damaged and cannot be read") from None
    if lines is None:
        # No tables: the page text, laid out as printed, read as the text reader reads a file.
        lines = text_lines(text)
    if not any(ln.text for ln in lines):
        raise ImportFileError(path, "the PDF has no text to read (is it a scanned image?)")
    index = ParsedIndex()
    if not columns:
        parse_lines(lines, index, today)
    if not index.reviews:
        # No review entries: an action plan printed from Word or Excel is read as a tracker.
        from importer.parse_sheet import tables_to_index

        tables, title = _tables_of(pages)
        tracker = tables_to_index(tables, title, path, today=today, columns=columns)
        if tracker is not None:
            return tracker
    if not index.reviews:
        raise ImportFileError(path, f"no review entries found; {EXPECTED_LABELS}")
    return index
