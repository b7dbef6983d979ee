"""Text taken from an index's PDF: the lines are all we have, so layout is read from them."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from datetime import date
from pathlib import Path

from importer.errors import ImportFileError
from importer.labels import ALTERNATIONS, EXPECTED_LABELS
from importer.model import ParsedIndex
from importer.structure import Line, parse_lines

_PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?$|\bpage\s+\d+\s+of\s+\d+\b",
    re.I,
)
_ORDINAL = re.compile(r"^(st|nd|rd|th)$")
_ITEM = re.compile(r"^(?:\d{1,3}[a-z]?[.)]|[•▪●◦‣∙*-])\s")
_LABEL = re.compile(rf"^(?:{'|'.join(ALTERNATIONS.values())})\s*(?::|$)", re.I)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


def decode(path: Path, data: bytes, warnings: list[str]) -> str:
    if not data.strip():
        raise ImportFileError(path, "the file is empty")
    if b"\x00" in data[:4096]:
        raise ImportFileError(path, "this is not a text file (it holds binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Word's "Save as text" on Windows writes cp1252; anything that fails that too is refused.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(
                path, "the text is not UTF-8 (nor Windows-1252); save it as UTF-8 and try again"
            ) from None
        warnings.append("the file is not UTF-8; it was read as Windows-1252 (Western European)")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 200):
        raise ImportFileError(path, "this is not a text file (it holds binary data)")
    return text


def _page_furniture(raw: list[str]) -> set[int]:
    """Line numbers of running headers, footers and page numbers.

    A page number is recognisable on its own. Any other header or footer is a line that comes
    back more than once and, where the page broke, sits inside a sentence: the line above does
    not finish and the one below carries on in lower case.
    """
    drop: set[int] = set()
    stripped = [ln.strip() for ln in raw]
    nonblank = [i for i, s in enumerate(stripped) if s]
    for i in nonblank:
        if _PAGE_NUMBER.search(stripped[i]) and len(stripped[i]) < 80:
            drop.add(i)
    numbered = sorted(drop)
    nonblank = [i for i in nonblank if i not in drop]
    shape = Counter(re.sub(r"\d+", "#", stripped[i]) for i in nonblank)
    # A line that stands beside a page number on two pages or more is the pages' header or
    # footer ("NORTHSHIRE SAFEGUARDING PARTNERSHIP" above "Learning from reviews … Page 2 of 5");
    # never a label ("Summary of Findings:"), which every entry repeats, nor a list item.
    beside: dict[str, list[int]] = {}
    for n in numbered:
        k = bisect.bisect_left(nonblank, n)
        for j in (*nonblank[max(0, k - 2) : k], *nonblank[k : k + 2]):
            key = re.sub(r"\d+", "#", stripped[j])
            text = stripped[j]
            if shape[key] < 2 or len(text) >= 80 or _LABEL.match(text) or _ITEM.match(text):
                continue  # not repeated, a sentence, a label or a list item: the page's content
            beside.setdefault(key, []).append(j)
    for found in beside.values():
        if len(set(found)) >= 2:
            drop.update(found)
    nonblank = [i for i in nonblank if i not in drop]
    lengths = sorted(len(stripped[i]) for i in nonblank)
    wide = 0.7 * lengths[int(len(lengths) * 0.95)] if lengths else 0
    splitting: set[str] = set()
    for k, i in enumerate(nonblank):
        key = re.sub(r"\d+", "#", stripped[i])
        if shape[key] < 2 and not _URL.match(stripped[i]):
            continue
        if 0 < k < len(nonblank) - 1:
            above, below = stripped[nonblank[k - 1]], stripped[nonblank[k + 1]]
            unfinished = len(above) >= wide and not above.endswith((".", ":", ";", "?", "!", ")"))
            itself_runs_on = len(stripped[i]) >= wide and not stripped[i].endswith(".")
            if unfinished and not itself_runs_on and below[:1].islower():
                splitting.add(key)
    # Form feeds mark pages: the first and last lines of pages that repeat are furniture too.
    if any("\f" in ln for ln in raw):
        edges: Counter[str] = Counter()
        page_lines: list[list[int]] = [[]]
        for i, ln in enumerate(raw):
            if "\f" in ln:
                page_lines.append([])
            if stripped[i]:
                page_lines[-1].append(i)
        for page in page_lines:
            for i in page[:2] + page[-2:]:
                edges[re.sub(r"\d+", "#", stripped[i])] += 1
        splitting.update(k for k, n in edges.items() if n >= 2 and k)
    for i in nonblank:
        if re.sub(r"\d+", "#", stripped[i]) in splitting:
            drop.add(i)
    return drop


def text_lines(text: str) -> list[Line]:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    drop = _page_furniture(raw)
    kept = [(i + 1, ln.replace("\f", "").rstrip()) for i, ln in enumerate(raw) if i not in drop]

    # A superscript ordinal falls onto a line of its own: "taking place 1" / "st" / " February".
    joined: list[tuple[int, str]] = []
    k = 0
    while k < len(kept):
        no, ln = kept[k]
        if joined and _ORDINAL.match(ln.strip()) and re.search(r"\d$", joined[-1][1]):
            prev_no, prev = joined.pop()
            merged = prev + ln.strip()
            if k + 1 < len(kept) and kept[k + 1][1].strip():
                merged += " " + kept[k + 1][1].strip()
                k += 1
            joined.append((prev_no, merged))
        else:
            joined.append((no, ln))
        k += 1

    lengths = sorted(len(ln) for _, ln in joined if ln.strip())
    width = lengths[int(len(lengths) * 0.95)] if lengths else 0
    lines: list[Line] = []
    for no, ln in joined:
        body = ln.strip()
        if not body:
            lines.append(Line("", lineno=no))
            continue
        lead = len(ln) - len(ln.lstrip(" \t"))
        marker = "indent" if 1 <= lead <= 2 else None
        heading = lead >= 3 and len(body) < 60 and not body.endswith(".")
        full = width > 40 and len(ln) >= 0.7 * width
        lines.append(Line(body, marker, full, heading, no))
    return lines


def parse_text_content(
    text: str, warnings: list[str] | None = None, today: date | None = None
) -> ParsedIndex:
    index = ParsedIndex(warnings=list(warnings or []))
    parse_lines(text_lines(text), index, today)
    return index


def parse_text(path: str | Path, today: date | None = None) -> ParsedIndex:
    path = Path(path)
    warnings: list[str] = []
    text = decode(path, path.read_bytes(), warnings)
    index = parse_text_content(text, warnings, today)
    if not index.reviews:
        raise ImportFileError(path, f"no review entries found; {EXPECTED_LABELS}")
    return index
