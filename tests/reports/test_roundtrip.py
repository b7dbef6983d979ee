"""Round trip: a workbook exported and imported again through the tracker import path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from importer.parse import parse_file
from importer.store import store_index
from models.brag import BragRules
from models.schema import Action, ActionEvent, Finding, Review
from reports import export
from tests.reports.conftest import ADMIN, Board, at

RULES = BragRules()


def write(board: Board, tmp_path: Path, fmt: str) -> Path:
    with board.sf() as s:
        name, data = export(s, ADMIN, fmt, board.now, RULES)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def snapshot(s: Session) -> dict[str, Any]:
    actions = [
        (
            a.ref,
            a.text,
            a.review_id,
            a.owner_id,
            a.lead_agency,
            a.committee_id,
            a.due_date,
            a.original_due_date,
            a.status,
            a.owner_rating,
            a.latest_progress,
            a.evidence_of_completion,
            a.evidence_of_impact,
            a.signed_off_by_id,
            a.version,
        )
        for a in s.scalars(select(Action).order_by(Action.number)).unique()
    ]
    return {
        "actions": actions,
        "reviews": s.execute(select(Review.id, Review.type, Review.name)).all(),
        "findings": s.execute(select(Finding.review_id, Finding.number, Finding.text)).all(),
        "events": s.scalar(select(func.count()).select_from(ActionEvent)),
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_importer_reads_every_exported_row_back(board: Board, tmp_path: Path, fmt: str) -> None:
    index = parse_file(write(board, tmp_path, fmt))
    assert index.columns is not None
    mapped = index.columns.mapped
    for header in ("Ref", "Review", "Action", "Lead agency", "Owner", "Committee", "Target date"):
        assert header in mapped, f"the importer does not recognise {header!r}"
    assert mapped["Latest progress"] == "progress"
    assert mapped["Evidence of completion"] == "evidence"
    read = {a.text: (r.name, a) for r in index.reviews for a in r.activities}
    with board.sf() as s:
        stored = s.scalars(select(Action).order_by(Action.number)).unique().all()
        assert len(read) == len(stored)
        for action in stored:
            review_name, activity = read[action.text]
            assert review_name == (action.review.name if action.review else None)
            assert activity.due_date == action.due_date
            assert activity.owner == (action.owner.name if action.owner else None)
            assert activity.committee == (action.committee.code if action.committee else None)
            assert activity.lead_agency == action.lead_agency
            assert activity.progress == action.latest_progress
            assert activity.evidence == action.evidence_of_completion


def test_importing_the_exported_workbook_changes_nothing(board: Board, tmp_path: Path) -> None:
    path = write(board, tmp_path, "xlsx")
    with board.sf() as s:
        before = snapshot(s)
    with board.sf.begin() as s:
        summary = store_index(s, parse_file(path), now=at(2026, 11, 25), source_name=path.name)
    with board.sf() as s:
        after = snapshot(s)
    assert not summary.changed
    assert after == before
