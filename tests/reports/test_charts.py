"""The charts: PNG bytes from plain data, in the BRAG colours, the same bytes for the same data."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from reports.charts import BRAG_COLOURS, brag_by_committee_png, overdue_by_month_png

COUNTS = {
    "QAEC": {"red": 2, "amber": 1, "green": 5, "blue": 3},
    "PDC": {"green": 2, "unassigned": 1},
    "CSE": {"red": 4, "cancelled": 9},
}


def colours(png: bytes) -> set[tuple[int, int, int]]:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return {rgb for _, rgb in img.getcolors(maxcolors=1_000_000) or []}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def test_brag_by_committee_is_a_png_in_the_brag_colours() -> None:
    png = brag_by_committee_png(COUNTS, subtitle="as of 01/01/2027")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(png))
    assert img.width > img.height > 400
    seen = colours(png)
    for name in ("red", "amber", "green", "blue", "unassigned"):
        assert rgb(BRAG_COLOURS[name]) in seen, name


def test_cancelled_actions_are_not_in_the_picture() -> None:
    assert brag_by_committee_png({"CSE": {"red": 4, "cancelled": 9}}) == brag_by_committee_png(
        {"CSE": {"red": 4}}
    )


def test_the_same_data_draws_the_same_bytes() -> None:
    assert brag_by_committee_png(COUNTS) == brag_by_committee_png(COUNTS)


def test_no_actions_still_draws() -> None:
    assert brag_by_committee_png({}).startswith(b"\x89PNG")
    assert overdue_by_month_png({}).startswith(b"\x89PNG")


def test_overdue_by_month_draws_red_bars() -> None:
    png = overdue_by_month_png({date(2026, 3, 1): 2, date(2026, 7, 1): 5})
    assert rgb(BRAG_COLOURS["red"]) in colours(png)
