"""Storing an index: one transaction, idempotent, and a changed document updates what changed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from importer.parse_text import parse_text, parse_text_content
from importer.store import ImportSummary, _label, store_index
from models.queries import ActionFilter, list_actions
from models.schema import Action, ActionEvent, Committee, Finding, Person, Review, Status
from tests.conftest import SEED


def do_import(sf: sessionmaker[Session], text: str, now: datetime) -> ImportSummary:
    index = parse_text_content(text)
    with sf.begin() as s:
        return store_index(s, index, now=now, source_name="index.txt")


def counts(sf: sessionmaker[Session]) -> tuple[int, int, int, int]:
    with sf() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Review, Finding, Action, ActionEvent)
        )


def test_seed_is_stored_with_committees_delivered_and_unassigned(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    summary = do_import(session_factory, SEED.read_text(encoding="utf-8"), now)
    assert (summary.reviews_created, summary.actions_created) == (14, 43)
    assert summary.committees_matched == 5 and summary.committees_unmatched == 0
    with session_factory() as s:
        actions = s.scalars(select(Action).order_by(Action.number)).all()
        assert [a.ref for a in actions[:2]] == ["A-1", "A-2"]
        assert [a.committee.code if a.committee else None for a in actions[:3]] == [
            "QAEC",
            "PDC",
            "CSE",
        ]
        delivered = [a for a in actions if a.status == Status.COMPLETE]
        assert len(delivered) == summary.delivered == 30
        assert all(a.evidence_of_completion == a.text for a in delivered)
        unassigned = list_actions(s, ActionFilter(status="unassigned"), now)
        assert len(unassigned) == summary.unassigned == 13
        confidential = s.scalars(select(Review).where(Review.confidential)).all()
        assert sorted(r.name for r in confidential) == ["Child A (Alex)", "Child C (Chris)"]


def test_importing_the_same_file_twice_changes_nothing(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    text = SEED.read_text(encoding="utf-8")
    do_import(session_factory, text, now)
    before = counts(session_factory)
    again = do_import(session_factory, text, now + timedelta(days=1))
    assert not again.changed
    assert (again.reviews_unchanged, again.actions_unchanged) == (14, 43)
    assert counts(session_factory) == before


def test_changed_document_updates_what_changed(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    text = SEED.read_text(encoding="utf-8")
    do_import(session_factory, text, now)
    changed = (
        text.replace(
            " Audit Referred to LSCB Professional Development Committee",
            " Audit referred to LSCB Professional Development Committee for single agency action plans",
        )
        .replace(
            "Audit referred to LSB CSE Sub Group",
            "Audit referred to LSB CSE Sub Group (Owner: Dr Helen Carter; Due: 31/12/2027)",
        )
        .replace(
            "CDOP Briefing sessions delivered  \n",
            "CDOP Briefing sessions delivered  \nSafe sleep campaign to be refreshed\n",
        )
    )
    summary = do_import(session_factory, changed, now + timedelta(days=2))
    assert summary.changed
    assert summary.actions_created == 1
    assert summary.actions_updated == 2
    assert summary.reviews_updated == 3 and summary.reviews_unchanged == 11
    with session_factory() as s:
        a2 = s.scalars(select(Action).where(Action.number == 2)).one()
        assert a2.text.endswith(
            "for single agency action plans (Single agency actions implemented and reporting to L & I Group)"
        )
        kinds = [
            e.kind for e in s.scalars(select(ActionEvent).where(ActionEvent.action_id == a2.id))
        ]
        assert kinds[-1] == "edited"
        a3 = s.scalars(select(Action).where(Action.number == 3)).one()
        assert a3.owner is not None and a3.owner.name == "Dr Helen Carter"
        assert a3.due_date is not None and a3.due_date.isoformat() == "2027-12-31"
        assert s.scalar(select(func.count()).select_from(Action)) == 44
    assert not do_import(session_factory, changed, now + timedelta(days=3)).changed


def test_a_file_is_stored_in_one_transaction(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    index = parse_text(SEED)
    with pytest.raises(RuntimeError), session_factory.begin() as s:
        store_index(s, index, now=now, source_name="index.txt")
        raise RuntimeError("interrupted")
    assert counts(session_factory) == (0, 0, 0, 0)


def run(capsys: pytest.CaptureFixture[str], argv: list[str], url: str) -> tuple[int, str, str]:
    code = main(argv, env={"DATABASE_URL": url})
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_prints_json_only_and_writes_nothing(
    session_factory: sessionmaker[Session],
    org: dict[str, Person],
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, ["import", str(SEED), "--dry-run", "--json"], db_url)
    assert code == 0
    data = json.loads(out)
    assert len(data["reviews"]) == 14
    first = data["reviews"][0]
    assert set(first) >= {"type", "name", "date", "findings", "activities"}
    assert set(first["activities"][0]) >= {"text", "due_date", "owner", "committee"}
    assert first["activities"][0]["committee"] == "QAEC"
    assert data["reviews"][4]["activities"][1]["delivered"] is True
    assert "reported as delivered" in err
    assert counts(session_factory) == (0, 0, 0, 0)


def test_cli_import_then_again(
    session_factory: sessionmaker[Session],
    org: dict[str, Person],
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, ["import", str(SEED)], db_url)
    assert code == 0 and "actions 43 created" in err
    code, _, err = run(capsys, ["import", str(SEED)], db_url)
    assert code == 0 and "Nothing changed" in err
    assert counts(session_factory)[2] == 43


def test_cli_bad_file_is_one_line_and_writes_nothing(
    session_factory: sessionmaker[Session],
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "index.pdf"
    path.write_bytes(b"%PDF-1.4\n garbage")
    code, out, err = run(capsys, ["import", str(path), "--json"], db_url)
    assert code != 0 and out == ""
    assert err.strip().count("\n") == 0 and "index.pdf" in err
    assert counts(session_factory) == (0, 0, 0, 0)


def test_assignment_label_leaves_out_an_owner_with_nothing_to_show() -> None:
    qaec = Committee(code="QAEC", name="Quality Assurance")
    assert _label(Person(name="", slack_id=None), qaec) == "QAEC"
    assert _label(Person(name="Jo Evans", slack_id=None), None) == "Jo Evans"
    assert _label(Person(name="Jo Evans", slack_id="U0JO"), qaec) == "U0JO / QAEC"
    assert _label(None, None) == ""
