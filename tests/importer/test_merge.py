"""A re-import is a merge: a field changes only where the document changed since the last import,
and what a person changed in Slack since is kept and reported as a conflict.

Each path is tried the same way: import, change the actions through Slack as people do, import
the unchanged document (nothing happens), then change the document for one action people touched
and one they did not."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from importer.fields import FIELDS, text_field
from importer.parse import parse_file
from importer.parse_text import parse_text_content
from importer.store import ImportSummary, store_index
from models import actions as ops
from models.brag import BragRules
from models.permissions import Actor
from models.schema import Action, ActionEvent, ImportedValue, Person, Status
from reports import export
from tests.bot.slackapp import SlackDriver, clock, driver, slack
from tests.conftest import SEED

__all__ = ["clock", "driver", "slack"]  # fixtures

ADMIN = "U0BUSMGR1"  # Sam Patel, the business unit
A1_LINE = (
    " LSCB Quality & Audit Evidence Committee (QAEC) to develop response and actions in "
    "response to Audit and findings. Refer to LSCB Team for Update "
)
A3_LINE = "Audit referred to LSB CSE Sub Group  "


def store(sf: sessionmaker[Session], index: object, now: datetime, name: str) -> ImportSummary:
    with sf.begin() as s:
        return store_index(s, index, now=now, source_name=name)  # type: ignore[arg-type]


def event_count(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return s.scalar(select(func.count()).select_from(ActionEvent)) or 0


def get(sf: sessionmaker[Session], ref: str) -> Action:
    with sf() as s:
        action = ops.get_action(s, ref)
        _ = (action.owner, action.committee, list(action.events))
        return action


def people_change(driver: SlackDriver, sf: sessionmaker[Session], ref: str) -> None:
    """Owner, committee, due date, status and a note, changed in Slack a day after the import."""
    driver.clock.advance(timedelta(days=1))
    for text in (
        f"assign {ref} <@U0DESNURS|priya> committee PDC",
        f"due {ref} 30/04/2027 the board moved its meeting",
        f"update {ref} in-progress",
        f"note {ref} Spoke to the designated nurses",
    ):
        out = driver.command(ADMIN, text)
        assert out.status == 200
    action = get(sf, ref)
    assert action.owner is not None and action.owner.name == "Priya Shah"
    assert action.committee is not None and action.committee.code == "PDC"
    assert action.due_date == date(2027, 4, 30) and action.status == Status.IN_PROGRESS
    assert action.latest_progress == "Spoke to the designated nurses"


def assert_unchanged(summary: ImportSummary) -> None:
    assert not summary.changed
    assert summary.field_changes == [] and summary.conflicts == [] and summary.new_actions == []
    assert summary.changes == [] and summary.not_applied == []


def assert_kept_by_person(sf: sessionmaker[Session], ref: str) -> None:
    action = get(sf, ref)
    assert action.owner is not None and action.owner.name == "Priya Shah"
    assert action.committee is not None and action.committee.code == "PDC"
    assert action.due_date == date(2027, 4, 30) and action.status == Status.IN_PROGRESS
    assert action.latest_progress == "Spoke to the designated nurses"


# ---------------------------------------------------------------- the index document


def test_index_reimport_keeps_what_people_changed_and_reports_clashes(
    driver: SlackDriver, session_factory: sessionmaker[Session], now: datetime
) -> None:
    sf = session_factory
    text = SEED.read_text(encoding="utf-8")
    store(sf, parse_text_content(text), now, "index.txt")
    people_change(driver, sf, "A-1")

    before = event_count(sf)
    again = store(sf, parse_text_content(text), now + timedelta(days=2), "index.txt")
    assert_unchanged(again)
    assert event_count(sf) == before
    assert_kept_by_person(sf, "A-1")

    changed = text.replace(
        A1_LINE, A1_LINE.rstrip() + " (Owner: Dr Helen Carter; Due: 31/03/2027) "
    ).replace(
        A3_LINE, "Audit referred to LSB CSE Sub Group (Owner: Dr Helen Carter; Due: 31/12/2027)"
    )
    summary = store(sf, parse_text_content(changed), now + timedelta(days=3), "index.txt")
    # The action nobody touched takes the document's owner and date.
    a3 = get(sf, "A-3")
    assert a3.owner is not None and a3.owner.name == "Dr Helen Carter"
    assert a3.due_date == date(2027, 12, 31)
    assert ("A-3", "due date", "no date", "31/12/2027") in [
        (c.ref, c.field, c.before, c.after) for c in summary.field_changes
    ]
    # The one people touched keeps their values; each clash names who and when.
    assert_kept_by_person(sf, "A-1")
    lines = [c.line for c in summary.conflicts]
    assert lines == [
        "A-1 owner: the document now says Dr Helen Carter; kept Priya Shah, "
        "set by Sam Patel on 26/11/2026",
        "A-1 due date: the document now says 31/03/2027; kept 30/04/2027, "
        "set by Sam Patel on 26/11/2026",
    ]
    # The same changed document again: already said, nothing more to do or report.
    before = event_count(sf)
    assert_unchanged(store(sf, parse_text_content(changed), now + timedelta(days=4), "index.txt"))
    assert event_count(sf) == before


def test_activities_gone_from_the_document_are_listed_not_deleted(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    sf = session_factory
    text = SEED.read_text(encoding="utf-8")
    store(sf, parse_text_content(text), now, "index.txt")
    summary = store(
        sf, parse_text_content(text.replace(A3_LINE, "")), now + timedelta(days=1), "index.txt"
    )
    assert [(g.ref, g.status) for g in summary.not_in_document] == [("A-3", "not started")]
    assert any(
        "A-3 (not started) is no longer in the document" in line for line in summary.preview_lines()
    )
    with sf() as s:
        assert s.scalar(select(func.count()).select_from(Action)) == 43
        assert ops.get_action(s, "A-3").status == Status.NOT_STARTED


def test_an_unchanged_import_writes_no_row_at_all(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    from sqlalchemy import event

    sf = session_factory
    store(sf, parse_text_content(SEED.read_text(encoding="utf-8")), now, "index.txt")
    writes: list[str] = []
    with sf.begin() as s:
        engine = s.get_bind()

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                writes.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            store_index(s, parse_text(SEED), now=now + timedelta(days=1), source_name="index.txt")
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert writes == []


def parse_text(path: Path) -> object:
    return parse_file(path)


# ---------------------------------------------------------------- a tracker


TRACKER_HEAD = ["Review", "Action", "Lead officer", "Committee", "Target date", "Status"]


def write_tracker(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([TRACKER_HEAD, *rows])
    return path


def test_tracker_reimport_keeps_what_people_changed(
    driver: SlackDriver, session_factory: sessionmaker[Session], now: datetime, tmp_path: Path
) -> None:
    sf = session_factory
    rows = [
        [
            "Neglect audit",
            "Refresh the neglect toolkit",
            "Claire Hughes",
            "QAEC",
            "31/01/2027",
            "Not started",
        ],
        [
            "Neglect audit",
            "Brief governors on neglect",
            "Claire Hughes",
            "QAEC",
            "28/02/2027",
            "Not started",
        ],
    ]
    path = write_tracker(tmp_path / "tracker.csv", rows)
    first = store(sf, parse_file(path), now, path.name)
    assert [n.ref for n in first.new_actions] == ["A-1", "A-2"]
    people_change(driver, sf, "A-1")

    before = event_count(sf)
    assert_unchanged(store(sf, parse_file(path), now + timedelta(days=2), path.name))
    assert event_count(sf) == before
    assert_kept_by_person(sf, "A-1")

    rows[0][4] = "31/03/2027"  # people moved A-1 to 30/04/2027
    rows[0][3] = "LIG"  # and to PDC
    rows[1][4] = "31/03/2027"  # nobody touched A-2
    rows[1][2] = "Gary Lloyd"
    summary = store(sf, parse_file(write_tracker(path, rows)), now + timedelta(days=3), path.name)
    assert_kept_by_person(sf, "A-1")
    a2 = get(sf, "A-2")
    assert a2.due_date == date(2027, 3, 31)
    assert a2.owner is not None and a2.owner.name == "Gary Lloyd"
    assert sorted((c.ref, c.field, c.document, c.kept, c.by) for c in summary.conflicts) == [
        ("A-1", "committee", "LIG", "PDC", "Sam Patel"),
        ("A-1", "due date", "31/03/2027", "30/04/2027", "Sam Patel"),
    ]
    assert summary.changes == ["A-2 updated: owner, due date", "R-1 updated"]
    assert [c.line for c in summary.field_changes if c.ref == "A-2"] == [
        "owner Claire Hughes → Gary Lloyd",
        "due date 28/02/2027 → 31/03/2027",
    ]


# ---------------------------------------------------------------- an exported workbook


def export_xlsx(sf: sessionmaker[Session], now: datetime, path: Path) -> Path:
    with sf() as s:
        _, data = export(s, Actor.system("test"), "xlsx", now, BragRules())
    path.write_bytes(data)
    return path


def edit_xlsx(path: Path, ref: str, **cells: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Actions"]
    head = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == ref:
            for name, value in cells.items():
                row[head.index(name.replace("_", " "))].value = value
    book.save(path)


def test_exported_workbook_reimport_keeps_what_people_changed(
    driver: SlackDriver, session_factory: sessionmaker[Session], now: datetime, tmp_path: Path
) -> None:
    sf = session_factory
    store(sf, parse_text_content(SEED.read_text(encoding="utf-8")), now, "index.txt")
    book = export_xlsx(sf, now, tmp_path / "board.xlsx")
    # The business manager works in the workbook while people work in Slack: the workbook they
    # import still has what A-1 was before, and that is not a change of theirs.
    people_change(driver, sf, "A-1")
    before = event_count(sf)
    stale = store(sf, parse_file(book), now + timedelta(days=2), book.name)
    assert not stale.changed and stale.field_changes == []
    assert event_count(sf) == before
    assert_kept_by_person(sf, "A-1")
    # Imported once, the workbook is what its rows said: importing it again says nothing.
    assert_unchanged(store(sf, parse_file(book), now + timedelta(days=2), book.name))

    edit_xlsx(book, "A-1", Target_date="31/03/2027")
    edit_xlsx(book, "A-2", Target_date="31/03/2027", Owner="Gary Lloyd")
    summary = store(sf, parse_file(book), now + timedelta(days=3), book.name)
    assert_kept_by_person(sf, "A-1")
    assert [c.line for c in summary.conflicts] == [
        "A-1 due date: the document now says 31/03/2027; kept 30/04/2027, "
        "set by Sam Patel on 26/11/2026"
    ]
    a2 = get(sf, "A-2")
    assert a2.due_date == date(2027, 3, 31)
    assert a2.owner is not None and a2.owner.name == "Gary Lloyd"
    assert summary.changes == ["A-2 updated: owner, due date"]


# ---------------------------------------------------------------- the preview


def test_dry_run_lists_each_change_conflict_and_new_action(
    driver: SlackDriver,
    session_factory: sessionmaker[Session],
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    now: datetime,
) -> None:
    sf = session_factory
    text = SEED.read_text(encoding="utf-8")
    store(sf, parse_text_content(text), now, "index.txt")
    people_change(driver, sf, "A-1")
    changed = (
        text.replace(A1_LINE, A1_LINE.rstrip() + " (Due: 31/03/2027) ")
        .replace(A3_LINE, "Audit referred to LSB CSE Sub Group (Due: 31/12/2027)")
        .replace(
            "CDOP Briefing sessions delivered  \n",
            "CDOP Briefing sessions delivered  \nSafe sleep campaign to be refreshed\n",
        )
    )
    path = tmp_path / "index.txt"
    path.write_text(changed, encoding="utf-8")
    before = event_count(sf)
    code = main(["import", str(path), "--dry-run", "--json"], env={"DATABASE_URL": db_url})
    out, err = capsys.readouterr()
    assert code == 0
    summary = json.loads(out)["summary"]
    assert {"ref": "A-3", "field": "due date", "before": "no date", "after": "31/12/2027"} in (
        summary["field_changes"]
    )
    (conflict,) = summary["conflicts"]
    assert conflict == {
        "ref": "A-1",
        "field": "due date",
        "document": "31/03/2027",
        "kept": "30/04/2027",
        "by": "Sam Patel",
        "on": "26/11/2026",
    }
    (new,) = summary["new_actions"]
    assert new["text"] == "Safe sleep campaign to be refreshed" and new["ref"] == "A-44"
    assert "A-3: due date no date → 31/12/2027" in err
    assert "A-1 due date: the document now says 31/03/2027; kept 30/04/2027" in err
    assert "new A-44" in err
    # A dry run writes nothing, not even what the document said.
    assert event_count(sf) == before
    with sf() as s:
        assert s.scalar(select(func.count()).select_from(Action)) == 43


# ---------------------------------------------------------------- the fields, said once


def test_the_fields_an_import_sets_are_listed_once() -> None:
    names = [f.name for f in FIELDS]
    assert {"text", "owner", "lead_agency", "committee", "due_date", "status", "findings"} <= set(
        names
    )
    assert len(names) == len(set(names))
    extra = text_field("measure", "measure", kind="measure")
    assert (extra.name, extra.label) == ("measure", "measure")


def test_what_the_document_said_is_kept_per_action_and_field(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    store(session_factory, parse_text_content(SEED.read_text(encoding="utf-8")), now, "index.txt")
    with session_factory() as s:
        a1 = ops.get_action(s, "A-1")
        kept = dict(
            s.execute(
                select(ImportedValue.field, ImportedValue.value).where(
                    ImportedValue.action_id == a1.id
                )
            ).all()
        )
    assert kept["text"] == a1.text and kept["committee"] == "QAEC"
    assert "owner" not in kept  # the document names no owner for A-1
