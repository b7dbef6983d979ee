"""The README's picture: `python -m reports.example docs/brag-by-committee.png`.

Draws the BRAG-by-committee chart from example counts (no database needed), exactly as the
workbook and the quarterly board post draw it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reports.charts import brag_by_committee_png

EXAMPLE_COUNTS: dict[str, dict[str, int]] = {
    "CSE": {"red": 2, "amber": 3, "green": 6, "blue": 4},
    "LIG": {"red": 1, "amber": 2, "green": 9, "blue": 7, "unassigned": 1},
    "PDC": {"amber": 4, "green": 5, "blue": 3},
    "PMSG": {"red": 3, "amber": 1, "green": 2, "blue": 1, "unassigned": 2},
    "QAEC": {"red": 4, "amber": 5, "green": 8, "blue": 11},
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/brag-by-committee.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(
        brag_by_committee_png(EXAMPLE_COUNTS, subtitle="Example data, as of 31/03/2027")
    )
    print(f"Wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
