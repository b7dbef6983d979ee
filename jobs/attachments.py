"""Files a notice carries that are made when it is sent, not when it is owed: the board summary's
BRAG chart and the board paper. Working out a tick's notices stays quick (a quarter's first
working day owes reminders and digests too, and they are not held up by a document), and the
paper states things as they stand when it goes. A file that cannot be made is left out, logged;
the summary still goes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.brag import BragRules

log = logging.getLogger(__name__)

BRAG_CHART = "brag-chart"
BOARD_PAPER = "board-paper"


def chart_spec(
    counts: dict[str, dict[str, int]], title: str, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """The BRAG chart: counts by committee and rating; `labels`, the board's names for the
    ratings in its legend (None: Red, Amber, Green, Blue, Unassigned)."""
    spec: dict[str, Any] = {"make": BRAG_CHART, "counts": counts, "chart_title": title}
    if labels:
        spec["labels"] = labels
    return spec


def paper_spec(as_of: datetime, quarter: str) -> dict[str, Any]:
    return {"make": BOARD_PAPER, "as_of": as_of.isoformat(), "quarter": quarter}


@dataclass(frozen=True)
class Attachments:
    """Makes a notice part's file from its spec, as (file name, bytes), or None."""

    session_factory: sessionmaker[Session]
    rules: BragRules

    def __call__(self, spec: dict[str, Any]) -> tuple[str, bytes] | None:
        kind = spec.get("make")
        try:
            if kind == BRAG_CHART:
                from reports.charts import brag_by_committee_png

                png = brag_by_committee_png(
                    spec["counts"], title=spec["chart_title"], rating_labels=spec.get("labels")
                )
                return str(spec.get("filename") or "brag-by-committee.png"), png
            if kind == BOARD_PAPER:
                from models.org import org_brag_rules
                from reports.paper import board_paper

                with self.session_factory() as s:
                    return board_paper(
                        s,
                        datetime.fromisoformat(spec["as_of"]),
                        org_brag_rules(s, self.rules),
                        quarter=spec["quarter"],
                    )
        except Exception as e:  # the summary still goes without it
            log.warning("%s not made (%s): left out of the notice", kind, type(e).__name__)
            return None
        log.warning("a notice asked for a file of an unknown kind: left out")
        return None
