"""The board paper's recurring themes: the figures `lscb themes --json` gives on the same data,
the flag where a theme came back after its actions were signed off, and the confidential review
counted but named by reference only (the board reads the paper in public)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from importer.model import ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview
from importer.parse import parse_file
from importer.store import store_index
from models import actions as ops
from models.schema import Action, Person, Review
from tests.conftest import SEED, actor
from tests.reports.test_paper import _all_text, _doc, _headings, _table_after

ADMIN = "U0BUSMGR1"
SIGNED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
LATER = datetime(2028, 2, 10, 10, 0, tzinfo=UTC)
HEADING = "5. Recurring themes"


def _rapid_review(name: str, month: date, finding: str) -> ParsedIndex:
    return ParsedIndex(
        reviews=[
            ParsedReview(
                section=None,
                overview="",
                confidential=False,
                type="Rapid Review",
                name=name,
                date_text=f"{month:%B %Y}",
                month=month,
                findings=[ParsedFinding(number="1", text=finding)],
                activities=[ParsedActivity(text="Refresh the neglect strategy")],
            )
        ]
    )


@pytest.fixture
def learned(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> tuple[sessionmaker[Session], str]:
    """The seed imported; its neglect strategy signed off on 03/12/2026; neglect raised again
    by a rapid review in February 2028. Returns the session factory and the action's ref."""
    sf = session_factory
    with sf.begin() as s:
        store_index(s, parse_file(SEED), now=now, source_name=SEED.name)
    with sf() as s:
        ref = s.scalars(select(Action).where(Action.text == "Liverpool Neglect Strategy")).one().ref
    admin = actor(sf, ADMIN)
    with sf.begin() as s:
        ops.mark_done(s, admin, ref, evidence="Strategy published", now=SIGNED)
        ops.sign_off(s, admin, ref, now=SIGNED)
    with sf.begin() as s:
        store_index(
            s,
            _rapid_review(
                "Child P", date(2028, 2, 1), "The cumulative impact of neglect was not recognised."
            ),
            now=LATER,
            source_name="rapid.txt",
        )
    return sf, ref


def _cli(capsys: pytest.CaptureFixture[str], argv: list[str], db_url: str) -> str:
    code = main([*argv, "--now", LATER.isoformat()], env={"DATABASE_URL": db_url})
    out, _ = capsys.readouterr()
    assert code == 0
    return out


def test_the_paper_has_each_raised_theme_with_the_figures_lscb_themes_gives(
    learned: tuple[sessionmaker[Session], str],
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sf, signed_ref = learned
    target = tmp_path / "paper.docx"
    _cli(capsys, ["export", "--format", "docx", "-o", str(target)], db_url)
    themes = json.loads(_cli(capsys, ["themes", "--json"], db_url))["themes"]
    d = _doc(target.read_bytes())
    headings = _headings(d)
    assert headings.index(HEADING) == headings.index("Key") - 2  # then 5.1, then the key
    table = _table_after(d, HEADING)
    assert table is not None
    head, rows = table[0], table[1:]
    assert head == [
        "Theme",
        "Reviews",
        "Findings",
        "Actions",
        "Red",
        "Amber",
        "Green",
        "Blue",
        "Unassigned",
    ]
    raised = [t for t in themes if t["finding_count"]]
    assert len(raised) >= 3 and len(raised) < len(themes)  # a theme no finding carries is left out
    assert sorted(r[0] for r in rows) == sorted(t["name"] for t in raised)
    by_name = {r[0]: r for r in rows}
    for t in raised:
        row = by_name[t["name"]]
        assert row[1:4] == [
            str(t["review_count"]),
            str(t["finding_count"]),
            str(t["action_count"]),
        ], t["code"]
        assert row[4:] == [
            str(t["brag"].get(b, 0)) for b in ("red", "amber", "green", "blue", "unassigned")
        ], t["code"]
    reviews = [int(r[1]) for r in rows]
    assert reviews == sorted(reviews, reverse=True)  # the most recurring first

    neglect = next(t for t in themes if t["code"] == "neglect")
    assert by_name["Neglect"][7] == str(neglect["brag"]["blue"]) != "0"
    (flag,) = neglect["raised_again"]
    assert flag.startswith(f"raised again 14 months after {signed_ref} was signed off (R-")
    said = [p.text for p in d.paragraphs if p.text.startswith("Neglect: ")]
    assert said == [f"Neglect: {flag}."]


def test_confidential_reviews_count_in_the_themes_but_appear_by_reference_only(
    learned: tuple[sessionmaker[Session], str],
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sf, _ = learned
    secrets: list[str] = []
    with sf() as s:
        confidential = s.scalars(select(Review).where(Review.confidential)).all()
        for r in confidential:
            secrets += [r.name or "", r.date_text or ""]
            secrets += [" ".join(f.text.split())[:60] for f in r.findings]
            secrets += [" ".join(a.text.split())[:60] for a in r.actions]
        names = {r.ref: r.name for r in confidential}
    secrets = [x for x in secrets if len(x) > 8]
    assert secrets
    target = tmp_path / "paper.docx"
    _cli(capsys, ["export", "--format", "docx", "-o", str(target)], db_url)
    themes = json.loads(_cli(capsys, ["themes", "--json"], db_url))["themes"]
    # The business unit's view names the review; its figures are the board's figures.
    babies = next(t for t in themes if t["code"] == "vulnerable-babies")
    assert any(names.get(r["ref"]) == r["name"] is not None for r in babies["reviews"])
    data = target.read_bytes()
    table = _table_after(_doc(data), HEADING)
    assert table is not None
    row = next(r for r in table if r[0] == babies["name"])
    assert row[1:3] == [str(babies["review_count"]), str(babies["finding_count"])]
    text = _all_text(data)
    for x in secrets:
        assert x not in text, x
    assert "Confidential reviews are counted in these figures and named by reference only." in text


def test_a_paper_with_no_theme_raised_says_so(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> None:
    from models.brag import BragRules
    from reports.paper import board_paper

    with session_factory() as s:
        _, data = board_paper(s, now, BragRules())
    d = _doc(data)
    assert HEADING in _headings(d)
    assert _table_after(d, HEADING) is None
    assert "No review's findings carry a theme yet." in [p.text for p in d.paragraphs]
