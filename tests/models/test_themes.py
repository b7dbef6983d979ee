"""Themes on the seed: suggested from the text with the words that made them, confirmed or
changed by a person and never undone by an import, and recurring learning over time."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from importer.model import ParsedActivity, ParsedFinding, ParsedIndex, ParsedReview
from importer.parse import parse_file
from importer.store import store_index
from models import actions as ops
from models.brag import DEFAULT_RULES
from models.errors import InvalidInput, NotFound, Refused
from models.org import OrgFileError, apply_org, read_org_file
from models.permissions import Actor
from models.schema import Action, ActionEvent, Finding, Person, Review, Theme, ThemeState
from models.themes import (
    ThemeReport,
    change_themes,
    default_tables,
    item_themes,
    recurring,
    report_to_dict,
)
from tests.conftest import EXAMPLE_ORG, SEED, actor

ADMIN = "U0BUSMGR1"


@pytest.fixture
def seeded(
    session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime
) -> sessionmaker[Session]:
    with session_factory.begin() as s:
        store_index(s, parse_file(SEED), now=now, source_name=SEED.name)
    return session_factory


def _theme(rows: list[ThemeReport], code: str) -> ThemeReport:
    (found,) = [t for t in rows if t.code == code]
    return found


def _report(
    sf: sessionmaker[Session], now: datetime, who: Actor | None = None
) -> list[ThemeReport]:
    with sf() as s:
        return recurring(s, who or Actor.system(), now, DEFAULT_RULES)


def _words_for(report: ThemeReport, review_name_part: str) -> list[str]:
    (review,) = [r for r in report.reviews if r.name and review_name_part in r.name]
    return [f.words or "" for f in review.findings]


def test_the_seeds_neglect_reviews_share_the_neglect_theme_with_the_words_that_made_it(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    neglect = _theme(_report(seeded, now), "neglect")
    names = [r.name for r in neglect.reviews]
    for part in ("LSCB Neglect Audit", "Professional Responses to Neglect", "Mary", "Family M"):
        assert any(part in (n or "") for n in names), part
        assert any("neglect" in w.lower() for w in _words_for(neglect, part)), part
    mary = _words_for(neglect, "Mary")
    assert any("missed medical appointments" in w for w in mary)
    # The neglect strategy and the neglect learning session are actions on it.
    texts = [a.text for a in neglect.actions]
    assert "Liverpool Neglect Strategy" in texts


def test_the_seeds_cse_reviews_share_the_exploitation_theme(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    cse = _theme(_report(seeded, now), "outside-home")
    names = [r.name or "" for r in cse.reviews]
    for part in ("Child Sexual Exploitation (CSE) Audit", "Family M", "Priority Leads"):
        assert any(part in n for n in names), part
    assert any("CSE" in w for w in _words_for(cse, "(CSE) Audit"))
    assert any("Sexual Exploitation" in w for w in _words_for(cse, "Family M"))
    neglect = _theme(_report(seeded, now), "neglect")
    assert {r.ref for r in neglect.reviews} != {r.ref for r in cse.reviews}


def test_bruising_in_non_mobile_babies_is_a_third_theme(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    babies = _theme(_report(seeded, now), "vulnerable-babies")
    (alex,) = [r for r in babies.reviews if r.name == "Child A (Alex)"]
    assert alex.confidential
    words = alex.findings[0].words or ""
    assert "bruising" in words and "non-mobile babies" in words
    (guidance,) = [a for a in babies.actions if a.text and "bruising in Babies" in a.text]
    assert guidance.confidential
    with seeded() as s:
        shown = item_themes(s, Actor.system(), guidance.ref)
    (mark,) = [m for m in shown.marks if m.code == "vulnerable-babies"]
    assert mark.state == ThemeState.SUGGESTED
    assert "not yet independently mobile" in (mark.words or "")


def test_a_theme_is_suggested_for_any_form_of_its_words(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        ofsted = s.scalars(select(Review).where(Review.type == "Ofsted")).one()
        shown = item_themes(s, Actor.system(), f"{ofsted.ref}.1")
    assert shown.text.startswith("Neglectful families")
    (mark,) = [m for m in shown.marks if m.code == "neglect"]
    assert mark.words == "Neglectful"


def test_the_example_organisation_file_holds_the_default_taxonomy() -> None:
    example = tomllib.loads(EXAMPLE_ORG.read_text(encoding="utf-8"))["theme"]
    assert example == default_tables()
    codes = [t["code"] for t in example]
    for code in (
        "information-sharing",
        "risk-assessment",
        "critical-thinking",
        "domestic-abuse",
        "neglect",
        "vulnerable-babies",
        "outside-home",
        "missing-education",
    ):
        assert code in codes


def _org_text(themes: str) -> str:
    return (
        'admins = ["U0BUSMGR1"]\n\n[[person]]\nslack_id = "U0BUSMGR1"\nname = "Sam Patel"\n\n'
        + themes
    )


def test_an_organisation_file_without_themes_gets_the_default_and_one_with_its_own_only_those(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    plain = tmp_path / "plain.toml"
    plain.write_text(_org_text(""), encoding="utf-8")
    assert [t.code for t in read_org_file(plain).themes] == [t["code"] for t in default_tables()]
    own = tmp_path / "own.toml"
    own.write_text(
        _org_text(
            '[[theme]]\ncode = "Online-Harm"\nname = "Online harm"\nwords = ["online", "social media"]\n'
        ),
        encoding="utf-8",
    )
    with session_factory.begin() as s:
        apply_org(s, read_org_file(plain))
        summary = apply_org(s, read_org_file(own))
        assert "theme online-harm added" in summary.changes
        assert "theme neglect no longer in the file: kept for history, not suggested" in (
            summary.changes
        )
    with session_factory.begin() as s:
        again = apply_org(s, read_org_file(own))
        assert not [c for c in again.changes if c.startswith("theme")]
        active = s.scalars(select(Theme.code).where(Theme.active)).all()
        assert active == ["online-harm"]
        assert s.scalars(select(Theme).where(Theme.code == "neglect")).one().active is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'code = "x"\nname = "X"\nwords = ["x"]\ncolour = "red"\n',
            ":11: unknown theme key “colour”",
        ),
        ('code = "two words"\nname = "X"\nwords = ["x"]\n', ":8: theme 1 needs a code"),
        ('code = "x"\nname = "X"\nwords = []\n', ":10: theme x needs words"),
        ('code = "x"\nwords = ["x"]\n', ":7: theme x has no name"),
    ],
)
def test_a_bad_theme_table_is_refused_with_its_line(
    tmp_path: Path, table: str, message: str
) -> None:
    path = tmp_path / "org.toml"
    path.write_text(_org_text("[[theme]]\n" + table), encoding="utf-8")
    with pytest.raises(OrgFileError, match=message):
        read_org_file(path)


def _action_ref(sf: sessionmaker[Session], text: str) -> str:
    with sf() as s:
        return s.scalars(select(Action).where(Action.text == text)).first().ref  # type: ignore[union-attr]


def test_the_business_unit_confirms_and_changes_themes_and_an_import_never_undoes_it(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    ref = _action_ref(seeded, "Liverpool Neglect Strategy")
    later = now + timedelta(days=3)
    with seeded.begin() as s:
        before = s.scalars(select(Action).where(Action.text == "Liverpool Neglect Strategy")).one()
        last_update = before.last_update_at
        shown = change_themes(
            s, actor(seeded, ADMIN), ref, add=["domestic-abuse"], remove=["neglect"], now=later
        )
    assert [(m.code, m.state) for m in shown.marks] == [
        ("domestic-abuse", ThemeState.CONFIRMED),
        ("neglect", ThemeState.REMOVED),
    ]
    assert [m.code for m in shown.current] == ["domestic-abuse"]
    with seeded() as s:
        action = s.scalars(select(Action).where(Action.text == "Liverpool Neglect Strategy")).one()
        (event,) = s.scalars(
            select(ActionEvent).where(
                ActionEvent.action_id == action.id, ActionEvent.kind == "themes"
            )
        ).all()
        assert (event.before, event.after) == ("neglect", "domestic-abuse")
        # A theme says what an action is about, not how it is going: drift is not reset.
        assert action.last_update_at == last_update
    # Importing the same document again changes nothing a person chose.
    with seeded.begin() as s:
        store_index(s, parse_file(SEED), now=later, source_name=SEED.name)
    with seeded() as s:
        assert [(m.code, m.state) for m in item_themes(s, Actor.system(), ref).marks] == [
            ("domestic-abuse", ThemeState.CONFIRMED),
            ("neglect", ThemeState.REMOVED),
        ]


def test_confirm_keeps_every_standing_suggestion(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    with seeded.begin() as s:
        mary = s.scalars(select(Review).where(Review.name.contains("Mary"))).one()
        shown = change_themes(s, actor(seeded, ADMIN), f"{mary.ref}.5", confirm=True, now=now)
    assert {m.state for m in shown.marks} == {ThemeState.CONFIRMED}
    assert "neglect" in [m.code for m in shown.marks]


def test_a_changed_finding_is_suggested_again_but_keeps_what_a_person_chose(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    index = parse_file(SEED)
    mary_at = next(i for i, r in enumerate(index.reviews) if "Mary" in r.name)
    with seeded.begin() as s:
        mary = s.scalars(select(Review).where(Review.name.contains("Mary"))).one()
        ref = f"{mary.ref}.1"
        change_themes(s, actor(seeded, ADMIN), ref, add=["supervision"], now=now)
    old = index.reviews[mary_at]
    reworded = ParsedFinding(
        number=old.findings[0].number,
        text="Domestic abuse went unrecognised where the family history was not considered.",
    )
    changed = replace(old, findings=[reworded, *old.findings[1:]])
    index.reviews[mary_at] = changed
    with seeded.begin() as s:
        summary = store_index(s, index, now=now, source_name=SEED.name)
    assert summary.learning is not None
    (item,) = [i for i in summary.learning.items if i.ref == ref]
    assert sorted(t.code for t in item.themes) == ["critical-thinking", "domestic-abuse"]
    assert item.alike == []  # not new: only new findings are compared with earlier ones
    with seeded() as s:
        marks = {m.code: m.state for m in item_themes(s, Actor.system(), ref).marks}
    assert marks == {
        "critical-thinking": ThemeState.SUGGESTED,
        "domestic-abuse": ThemeState.SUGGESTED,
        "supervision": ThemeState.CONFIRMED,
    }


def test_who_may_change_themes_and_what_a_refusal_reveals(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    neglect_action = _action_ref(seeded, "Liverpool Neglect Strategy")
    with seeded.begin() as s:
        # The owner of nothing, in the workspace but not the business unit.
        with pytest.raises(Refused, match="Only the business unit"):
            change_themes(s, actor(seeded, "U0DESNURS"), neglect_action, add=["neglect"], now=now)
        with pytest.raises(InvalidInput, match="There is no theme “nglect!”. Themes: "):
            change_themes(s, actor(seeded, ADMIN), neglect_action, add=["nglect!"], now=now)
        alex = s.scalars(select(Review).where(Review.name == "Child A (Alex)")).one()
        assert alex.confidential
        stranger = Actor.stranger("U0STRANGE")
        with pytest.raises(NotFound) as hidden:
            item_themes(s, stranger, f"{alex.ref}.1")
        with pytest.raises(NotFound) as absent:
            item_themes(s, stranger, "R-999.1")
        assert str(hidden.value).replace(alex.ref, "R-?") == str(absent.value).replace(
            "R-999", "R-?"
        )
        with pytest.raises(Refused, match="Only the business unit"):
            change_themes(s, actor(seeded, "U0QAECCH1"), "R-1.1", add=["neglect"], now=now)
        with pytest.raises(InvalidInput, match="not an action or a finding"):
            item_themes(s, stranger, "neglect")


def test_confidential_reviews_count_but_are_named_by_reference_only(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    full = _theme(_report(seeded, now), "vulnerable-babies")
    stranger = _theme(_report(seeded, now, Actor.stranger("U0STRANGE")), "vulnerable-babies")
    assert len(stranger.reviews) == len(full.reviews)
    assert stranger.finding_count == full.finding_count
    assert stranger.brag_counts() == full.brag_counts()
    (alex,) = [r for r in stranger.reviews if r.confidential]
    assert alex.name is None and alex.type is None and alex.date_text is None
    assert all(f.text is None and f.words is None for f in alex.findings)
    assert all(a.text is None for a in stranger.actions if a.confidential)
    dumped = str(report_to_dict([stranger]))
    assert "Child A (Alex)" not in dumped
    assert "guidance in relation to bruising" not in dumped and "non-mobile babies;" not in dumped


def _new_review(name: str, month: date, finding: str) -> ParsedIndex:
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


def test_a_theme_raised_again_after_its_actions_were_signed_off_is_flagged(
    seeded: sessionmaker[Session], now: datetime
) -> None:
    ref = _action_ref(seeded, "Liverpool Neglect Strategy")
    admin = actor(seeded, ADMIN)
    signed = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    with seeded.begin() as s:
        ops.mark_done(s, admin, ref, evidence="Strategy published", now=signed)
        ops.sign_off(s, admin, ref, now=signed)
    later = datetime(2028, 2, 10, 10, 0, tzinfo=UTC)
    with seeded.begin() as s:
        summary = store_index(
            s,
            _new_review(
                "Child P", date(2028, 2, 1), "The cumulative impact of neglect was not recognised."
            ),
            now=later,
            source_name="rapid.txt",
        )
    neglect = _theme(_report(seeded, later), "neglect")
    (flag,) = neglect.raised_again
    new_ref = neglect.reviews[-1].ref
    assert flag == f"raised again 14 months after {ref} was signed off ({new_ref})"
    assert neglect.brag_counts()["blue"] >= 1
    # The new finding names the earlier findings most like it.
    assert summary.learning is not None
    (item,) = [i for i in summary.learning.items if i.kind == "finding"]
    with seeded() as s:
        texts = {
            f"R-{f.review.number}.{f.position}": f.text for f in s.scalars(select(Finding)).all()
        }
    assert item.alike, "we have been here before"
    assert all("neglect" in texts[r].lower() for r, _ in item.alike)


def test_the_report_is_stable_run_to_run(seeded: sessionmaker[Session], now: datetime) -> None:
    first = report_to_dict(_report(seeded, now))
    assert first == report_to_dict(_report(seeded, now))
    assert [t["code"] for t in first["themes"]][:3] == [
        "information-sharing",
        "risk-assessment",
        "critical-thinking",
    ]
    whens = [r["when"] for r in _theme_dict(first, "neglect")["reviews"]]
    assert whens == sorted(whens)


def _theme_dict(data: dict, code: str) -> dict:  # type: ignore[type-arg]
    (found,) = [t for t in data["themes"] if t["code"] == code]
    return found
