"""Fast data rows for big sheets.

openpyxl builds the workbook (styles, header rows, frozen panes, filters, widths, pictures),
but creating a Python cell object per value costs tens of microseconds, far too slow for the
hundreds of thousands of cells in a 20,000-action tracker with its history. So the big sheets
are saved by openpyxl with their header row only, and their data rows are written here as
SpreadsheetML text (inline strings, real date serials, the style indices openpyxl assigned)
and put into the saved package.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037\ud800-\udfff\ufffe\uffff]")
MAX_CELL = 32_767
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def clean_text(value: str) -> str:
    """Text as a cell can hold it: no control characters, at most Excel's 32,767."""
    if not value.isprintable() and _ILLEGAL.search(value):  # isprintable: a fast common case
        value = _ILLEGAL.sub("", value)
    return value[:MAX_CELL] if len(value) > MAX_CELL else value


def _escape(value: str) -> str:
    value = clean_text(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def excel_serial(value: date) -> float | int:
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return value.toordinal() - _EXCEL_EPOCH + seconds / 86400
    return value.toordinal() - _EXCEL_EPOCH


def rows_xml(
    rows: Iterable[Sequence[Any]],
    styles: Sequence[int],
    *,
    by_value: Mapping[int, Mapping[Any, int]] | None = None,
    first_row: int = 2,
) -> str:
    """`<row>` elements for `rows`. `styles[i]` is the cellXfs index for column i; `by_value`
    gives columns whose style depends on the value (the BRAG colour).

    Text is always written as text (an inline string), so nothing a person typed can ever be
    read as a formula.
    """
    out: list[str] = []
    letters = [get_column_letter(i + 1) for i in range(len(styles))]
    special = by_value or {}
    # '<c r="A' + row number + '" s="3"' prefixes per column, so each cell is one concatenation.
    heads = [f'<c r="{letter}' for letter in letters]
    tails = [f'" s="{s}"' for s in styles]
    special_tails = {
        i: {value: f'" s="{s}"' for value, s in by.items()} for i, by in special.items()
    }
    for n, row in enumerate(rows, start=first_row):
        cells = []
        num = str(n)
        for i, v in enumerate(row):
            if v is None or v == "":
                continue
            attrs = (
                heads[i]
                + num
                + (special_tails[i].get(v, tails[i]) if i in special_tails else tails[i])
            )
            if type(v) is str:
                cells.append(
                    attrs
                    + ' t="inlineStr"><is><t xml:space="preserve">'
                    + _escape(v)
                    + "</t></is></c>"
                )
            elif isinstance(v, str):
                cells.append(
                    attrs + ' t="inlineStr"><is><t xml:space="preserve">' + _escape(str(v))
                )
                cells.append("</t></is></c>")
            elif isinstance(v, bool):
                cells.append(f'{attrs} t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, int | float):
                cells.append(f"{attrs}><v>{v}</v></c>")
            elif isinstance(v, date):
                cells.append(f"{attrs}><v>{excel_serial(v)}</v></c>")
            else:
                raise TypeError(f"cannot write {type(v).__name__} to a sheet")
        out.append(f'<row r="{num}">{"".join(cells)}</row>')
    return "".join(out)


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> path of its part in the package."""
    book = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = {
        m["id"]: m["target"]
        for m in re.finditer(r'<Relationship\b(?=[^>]*\bId="(?P<id>[^"]+)")'
                             r'(?=[^>]*\bTarget="(?P<target>[^"]+)")[^>]*/>', rels)
    }  # fmt: skip
    out = {}
    for m in re.finditer(r"<sheet\b[^>]*/>", book):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]+)"', tag)
        rid = re.search(r'\br:id="([^"]+)"', tag) or re.search(r'\bid="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            out[_unescape(name.group(1))] = target if target.startswith("xl/") else "xl/" + target
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def insert_rows(package: bytes, sheets: dict[str, tuple[str, str]]) -> bytes:
    """Put `<row>` text into the named sheets of a saved workbook.

    `sheets` maps a sheet title to (rows XML, the sheet's full range such as "A1:Q20001").
    """
    src = zipfile.ZipFile(io.BytesIO(package))
    paths = _sheet_paths(src)
    replace = {paths[title]: data for title, data in sheets.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in replace:
                rows, dimension = replace[info.filename]
                xml = data.decode("utf-8")
                xml = re.sub(
                    r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml, count=1
                )
                if "</sheetData>" in xml:
                    xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
                else:  # an empty sheetData is written self-closed
                    xml = xml.replace("<sheetData/>", f"<sheetData>{rows}</sheetData>", 1)
                # The big parts are most of the time spent zipping: the fastest level is enough.
                dst.writestr(info.filename, xml.encode("utf-8"), compresslevel=1)
            else:
                dst.writestr(info, data)
    return buf.getvalue()
