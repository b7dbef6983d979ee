"""`/lscb theme` and `/lscb themes` through the real app, and what each viewer may see of them."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot import ids
from importer.parse import parse_file
from importer.store import store_index
from models import themes
from models.permissions import Actor
from models.schema import Action, Review, ThemeState
from tests.bot.slackapp import SlackDriver
from tests.conftest import SEED

ADMIN, CHAIR, STRANGER = "U0BUSMGR1", "U0QAECCH1", "U0STRANGR"


@pytest.fixture
def seeded(driver: SlackDriver, session_factory: sessionmaker[Session], now: datetime) -> None:
    with session_factory.begin() as s:
        store_index(s, parse_file(SEED), now=now, source_name=SEED.name)


def _ref(sf: sessionmaker[Session], text: str) -> str:
    with sf() as s:
        return s.scalars(select(Action).where(Action.text == text)).one().ref


def _review(sf: sessionmaker[Session], name: str) -> str:
    with sf() as s:
        return s.scalars(select(Review).where(Review.name == name)).one().ref


def test_parse_theme_changes() -> None:
    assert cmd.parse_command("theme A-12 +domestic-abuse -neglect") == cmd.ThemeChange(
        "A-12", ("domestic-abuse",), ("neglect",)
    )
    assert cmd.parse_command("theme r-3.2 + Neglect confirm") == cmd.ThemeChange(
        "R-3.2", ("neglect",), (), True
    )
    assert cmd.parse_command("theme A12") == cmd.ThemeChange("A-12")
    assert cmd.parse_command("themes neglect share") == cmd.Themes("neglect", True)
    with pytest.raises(cmd.CommandError, match="not a theme change"):
        cmd.parse_command("theme A-12 neglect")
    with pytest.raises(cmd.CommandError, match="not an action or a finding"):
        cmd.parse_command("theme <b>x</b>")


@given(st.text(max_size=60))
def test_any_theme_text_gets_an_answer_not_a_stack_trace(text: str) -> None:
    try:
        cmd.parse_command("theme " + text)
        cmd.parse_command("themes " + text)
    except cmd.CommandError as e:
        assert str(e)


def test_theme_shows_the_suggestions_with_their_words_and_an_admin_changes_them(
    driver: SlackDriver, seeded: None, session_factory: sessionmaker[Session]
) -> None:
    ref = _ref(session_factory, "Liverpool Neglect Strategy")
    shown = driver.command(ADMIN, f"theme {ref}")
    assert "• neglect Neglect — suggested by “Neglect”" in shown.text
    changed = driver.command(ADMIN, f"theme {ref} +domestic-abuse -neglect")
    assert f"Themes of {ref}: domestic-abuse." in changed.text
    assert "neglect Neglect — removed" in changed.text
    card = driver.command(ADMIN, f"show {ref}")
    assert "Themes\ndomestic-abuse" in card.text
    refused = driver.command(CHAIR, f"theme {ref} +neglect")
    assert "Only the business unit (admins) or the chair of" in refused.text
    unknown = driver.command(ADMIN, f"theme {ref} +<!channel>")
    assert "is not a theme change" in unknown.text
    assert "<!channel>" not in str(unknown.payload)  # what was typed is escaped


def test_themes_lists_recurring_learning_and_confidential_reviews_by_reference_only(
    driver: SlackDriver, seeded: None, session_factory: sessionmaker[Session]
) -> None:
    alex = _review(session_factory, "Child A (Alex)")
    admin = driver.command(ADMIN, "themes vulnerable-babies")
    assert "Child A (Alex)" in admin.text and "bruising in non-mobile babies" in admin.text
    stranger = driver.command(STRANGER, "themes vulnerable-babies")
    assert f"{alex} confidential review" in stranger.text
    assert "Child A (Alex)" not in stranger.text
    assert "guidance in relation to bruising" not in stranger.text
    assert f"{alex}.1" in stranger.text  # the finding counts, by reference
    shared = driver.command(ADMIN, "themes vulnerable-babies share")
    assert shared.payload["response_type"] == "in_channel"
    assert "Child A (Alex)" not in shared.text and f"{alex} confidential review" in shared.text
    overview = driver.command(STRANGER, "themes")
    assert "Neglect" in overview.text and "Child A (Alex)" not in overview.text
    hidden = driver.command(STRANGER, f"theme {alex}.1")
    absent = driver.command(STRANGER, "theme R-999.1")
    assert hidden.text.replace(alex, "R-?") == absent.text.replace("R-999", "R-?")


def test_the_cards_themes_form_shows_suggestions_and_saves_what_is_kept(
    driver: SlackDriver, seeded: None, session_factory: sessionmaker[Session]
) -> None:
    ref = _ref(session_factory, "Liverpool Neglect Strategy")
    card = driver.command(ADMIN, f"show {ref}")
    assert "[Themes]" in card.text or "Themes" in str(card.payload)
    stranger_card = driver.command(STRANGER, f"show {ref}")
    assert ids.BUTTON_THEMES not in str(stranger_card.payload)
    driver.press(ADMIN, ids.BUTTON_THEMES, ref)
    form = driver.open_form(ADMIN)
    assert form["callback_id"] == ids.MODAL_THEMES
    assert "suggested by “Neglect”" in str(form["blocks"])
    element = form["blocks"][-1]["element"]
    assert [o["value"] for o in element["initial_options"]] == ["neglect"]
    out = driver.submit(ADMIN, {"themes": "neglect, domestic-abuse"})
    assert out.status == 200
    assert f"Themes of {ref}: neglect, domestic-abuse." in out.text
    with session_factory() as s:
        shown = themes.item_themes(s, Actor.system(), ref)
    assert {(m.code, m.state) for m in shown.marks} == {
        ("neglect", ThemeState.CONFIRMED),
        ("domestic-abuse", ThemeState.CONFIRMED),
    }
    driver.press(ADMIN, ids.BUTTON_THEMES, ref)
    driver.submit(ADMIN, {"themes": "domestic-abuse"})
    with session_factory() as s:
        marks = {m.code: m.state for m in themes.item_themes(s, Actor.system(), ref).marks}
    assert marks["neglect"] == ThemeState.REMOVED
    refused = driver.press(STRANGER, ids.BUTTON_THEMES, ref)
    assert "Only the business unit" in refused.text
