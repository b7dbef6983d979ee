"""The workbook's Themes and Theme findings sheets: recurring learning for the board's papers."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
from sqlalchemy.orm import Session, sessionmaker

from importer.parse import parse_file
from importer.store import store_index
from models.brag import DEFAULT_RULES
from models.permissions import Actor
from models.schema import Person
from reports.export import WITHHELD, export
from tests.conftest import SEED


def _workbook(sf: sessionmaker[Session], who: Actor, now: datetime) -> openpyxl.Workbook:
    with sf() as s:
        _, data = export(s, who, "xlsx", now, DEFAULT_RULES)
    return openpyxl.load_workbook(io.BytesIO(data))


def test_themes_sheets_count_every_review_and_name_confidential_ones_by_reference_only(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    with session_factory.begin() as s:
        store_index(s, parse_file(SEED), now=now, source_name=SEED.name)
    admin = _workbook(session_factory, Actor.system(), now)
    themes = {row[0]: row for row in admin["Themes"].iter_rows(min_row=2, values_only=True)}
    assert admin["Themes"]["A1"].value == "Theme"
    neglect = themes["neglect"]
    assert neglect[1] == "Neglect" and neglect[2] == 5 and neglect[3] >= 10
    findings = list(admin["Theme findings"].iter_rows(min_row=2, values_only=True))
    babies = [r for r in findings if r[0] == "vulnerable-babies" and r[3] == "Child A (Alex)"]
    assert babies and "bruising" in babies[0][8]

    stranger = _workbook(session_factory, Actor.stranger("U0STRANGR"), now)
    hidden = {row[0]: row for row in stranger["Themes"].iter_rows(min_row=2, values_only=True)}
    assert hidden["vulnerable-babies"] == themes["vulnerable-babies"]  # it counts the same
    rows = list(stranger["Theme findings"].iter_rows(min_row=2, values_only=True))
    alex = [r for r in rows if r[0] == "vulnerable-babies" and r[3] == WITHHELD]
    assert len(alex) == len(babies)
    assert all(r[6] == WITHHELD and r[8] is None for r in alex)
    assert not any("Alex" in str(v) for r in rows for v in r)
