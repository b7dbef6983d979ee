"""PDF indexes: each entry is a table; cells are read one at a time so that a wrapped "Type of
Review" cell and a wrapped "Name" cell beside it are never interleaved line by line."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from importer.errors import ImportFileError
from importer.model import ParsedIndex
from importer.structure import Line, parse_lines

_PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?$", re.I
)


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _cell_lines(page: Any, box: tuple[float, float, float, float]) -> list[tuple[str, bool]]:
    x0, _, x1, _ = box
    crop = page.crop(box, strict=False)
    out = []
    for ln in crop.extract_text_lines(layout=False, strip=True):
        text = ln["text"]
        # A line that reaches the last fifth of its cell was wrapped there.
        full = ln["x1"] >= x1 - 0.2 * (x1 - x0)
        out.append((text, full))
    return out


Item = tuple[float, list[tuple[str, bool]], bool]


def _page_items(page: Any) -> list[Item]:
    """Blocks of lines on a page, in reading order: table cells and text outside tables.

    The flag says whether the block sits in the top or bottom tenth of the page, outside any
    table, where running headers and footers are.
    """
    items: list[Item] = []
    boxes = []
    for table in page.find_tables():
        boxes.append(table.bbox)
        for row in table.rows:
            for cell in row.cells:
                if cell is None:
                    continue
                items.append((cell[1] + cell[0] / 10000, _cell_lines(page, cell), False))
    outside = page.filter(
        lambda obj: not any(_inside(obj, b) for b in boxes) if "x0" in obj else True
    )
    width, height = float(page.width), float(page.height)
    for ln in outside.extract_text_lines(layout=False, strip=True):
        margin = ln["top"] < height * 0.1 or ln["bottom"] > height * 0.9
        items.append((ln["top"], [(ln["text"], ln["x1"] >= width * 0.8)], margin))
    items.sort(key=lambda item: item[0])
    return items


def pdf_lines(pdf: Any) -> list[Line]:
    pages = [_page_items(p) for p in pdf.pages]
    # Running headers and footers: the first or last line of a page seen again on other pages.
    edges: Counter[str] = Counter()
    for items in pages:
        for t in {t for _, block, margin in items if margin for t, _ in block}:
            edges[re.sub(r"\d+", "#", t)] += 1
    furniture = {k for k, n in edges.items() if n >= 2 and len(pages) >= 2}
    lines: list[Line] = []
    for items in pages:
        for _, block, margin in items:
            for text, full in block:
                shape = re.sub(r"\d+", "#", text)
                if margin and (_PAGE_NUMBER.match(text) or shape in furniture):
                    continue
                lines.append(Line(text.strip(), None, full, False, len(lines) + 1))
            lines.append(Line("", lineno=len(lines) + 1))
    return lines


def parse_pdf(path: str | Path) -> ParsedIndex:
    import pdfplumber

    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError(path, "the file is empty")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportFileError(path, "this is not a PDF file")
    try:
        with pdfplumber.open(str(path)) as pdf:
            lines = pdf_lines(pdf)
    except ImportFileError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for broken or locked files
        said = f"{type(exc).__name__} {exc!r}".lower()
        if "password" in said or "encrypt" in said:
            raise ImportFileError(
                path, "the PDF is password-protected; save an unlocked copy"
            ) from None
        raise ImportFileError(path, "the PDF is damaged and cannot be read") from None
    if not any(ln.text for ln in lines):
        raise ImportFileError(path, "the PDF has no text to read (is it a scanned image?)")
    index = ParsedIndex()
    parse_lines(lines, index)
    if not index.reviews:
        raise ImportFileError(
            path, 'no review entries found (expected "Type of Review:" or "Review / Activity:")'
        )
    return index
