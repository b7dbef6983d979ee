"""The organisation file: loads idempotently; bad files fail in one line that names the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from models.org import OrgFileError, apply_org, board_channel, read_org_file
from models.schema import Committee, Person, RoleAssignment
from tests.conftest import EXAMPLE_ORG

SEED_COMMITTEES = {"QAEC", "PDC", "CSE", "LIG", "PMSG"}


def test_example_org_names_the_seed_committees(session_factory) -> None:
    with session_factory.begin() as s:
        apply_org(s, read_org_file(EXAMPLE_ORG))
    with session_factory() as s:
        assert set(s.scalars(select(Committee.code))) == SEED_COMMITTEES
        qaec = s.scalars(select(Committee).where(Committee.code == "QAEC")).one()
        assert qaec.name == "Quality & Audit Evidence Committee"
        assert [p.slack_id for p in qaec.chairs] == ["U0QAECCH1"]
        assert board_channel(s) == "#lscb-board"
        admin = s.scalars(select(Person).where(Person.slack_id == "U0BUSMGR1")).one()
        assert admin.is_admin


def test_loading_twice_changes_nothing(session_factory) -> None:
    with session_factory.begin() as s:
        assert apply_org(s, read_org_file(EXAMPLE_ORG)).changed
    with session_factory.begin() as s:
        assert not apply_org(s, read_org_file(EXAMPLE_ORG)).changed
    with session_factory() as s:
        assert len(s.scalars(select(Person)).all()) == 12
        assert len(s.scalars(select(RoleAssignment)).all()) == 7


def test_changes_in_the_file_are_applied(session_factory, tmp_path: Path) -> None:
    with session_factory.begin() as s:
        apply_org(s, read_org_file(EXAMPLE_ORG))
    text = EXAMPLE_ORG.read_text().replace('chairs = ["U0QAECCH1"]', 'chairs = ["U0DESNURS"]')
    changed = tmp_path / "org.toml"
    changed.write_text(text)
    with session_factory.begin() as s:
        summary = apply_org(s, read_org_file(changed))
        assert summary.roles_added == 1 and summary.roles_removed == 1
    with session_factory() as s:
        qaec = s.scalars(select(Committee).where(Committee.code == "QAEC")).one()
        assert [p.slack_id for p in qaec.chairs] == ["U0DESNURS"]


BAD = [
    (
        '[[committee]]\ncode = "Q"\nname = "Q"\ncolour = "red"\n',
        ":4: unknown committee key “colour”",
    ),
    (
        '[[person]]\nslack_id = "U0AAA1"\nname = "A"\n\n[[committee]]\ncode = "Q"\nname = "Q"\nchairs = ["U0NOBODY"]\n',
        ":8: chair U0NOBODY of Q is not a [[person]]",
    ),
    ('boardchannel = "#x"\n', ":1: unknown key “boardchannel”"),
    ('[[person]]\nslack_id = "bob"\nname = "Bob"\n', ":2: “bob” is not a Slack user id"),
    ('admins = ["U0AAA1"]\n', ":1: admin U0AAA1 is not a [[person]]"),
    (
        '[[committee]]\ncode = "Q"\nname = "Q"\ndigest_time = "9am"\n',
        ":4: digest_time “9am” should be HH:MM",
    ),
    ("[[committee]\n", "not valid TOML"),
    ('date_changes = "anyone"\n', ":1: date_changes “anyone” should be one of: chair-approves"),
    ('board_channel = "#b"\nreminder_day = "Sunday"\n', ":2: reminder_day “Sunday” should be"),
]


@pytest.mark.parametrize("content,message", BAD)
def test_bad_files_fail_with_one_line_naming_the_line(
    session_factory, tmp_path, content, message
) -> None:
    path = tmp_path / "org.toml"
    path.write_text(content)
    with pytest.raises(OrgFileError) as e:
        read_org_file(path)
    assert message in str(e.value)
    assert str(e.value).startswith(str(path))
    assert "\n" not in str(e.value).strip()


def test_missing_file_says_so(tmp_path) -> None:
    with pytest.raises(OrgFileError, match="no such file"):
        read_org_file(tmp_path / "nope.toml")


def test_date_changes_and_reminder_day_are_read_with_their_defaults(
    session_factory, tmp_path
) -> None:
    from models.org_settings import org_setting, owners_set_dates

    with session_factory.begin() as s:
        apply_org(s, read_org_file(EXAMPLE_ORG))
    with session_factory() as s:
        assert not owners_set_dates(s) and org_setting(s, "reminder_day", "") == "mon"
    path = tmp_path / "org.toml"
    path.write_text('date_changes = "owner-sets"\nreminder_day = "Wednesday"\n')
    with session_factory.begin() as s:
        summary = apply_org(s, read_org_file(path))
        assert "date changes changed" in summary.changes
    with session_factory() as s:
        assert owners_set_dates(s) and org_setting(s, "reminder_day", "") == "wed"


def test_the_brag_table_sets_what_blue_means_and_the_boards_labels(
    session_factory, tmp_path: Path
) -> None:
    from models.brag import BLUE_IMPACT_EVIDENCED, Brag, BragRules
    from models.org import board_name, org_brag_rules

    text = EXAMPLE_ORG.read_text() + (
        '\n[brag]\nblue = "impact-evidenced"\n\n[brag.labels]\nblue = "Embedded"\n'
    )
    path = tmp_path / "org.toml"
    path.write_text(text)
    with session_factory.begin() as s:
        assert "BRAG key set" in apply_org(s, read_org_file(path)).changes
    with session_factory.begin() as s:
        assert not apply_org(s, read_org_file(path)).changed
    with session_factory() as s:
        rules = org_brag_rules(s, BragRules(amber_days=7))
        assert board_name(s) == "Northshire Safeguarding Children Partnership"
    assert rules.blue == BLUE_IMPACT_EVIDENCED and rules.amber_days == 7
    assert rules.label(Brag.BLUE) == "Embedded" and rules.label(Brag.RED) == "Red"
    with session_factory.begin() as s:  # the table taken out: back to the defaults
        assert "BRAG key back to the default" in apply_org(s, read_org_file(EXAMPLE_ORG)).changes
    with session_factory() as s:
        assert org_brag_rules(s, BragRules()) == BragRules()


@pytest.mark.parametrize(
    "content,message",
    [
        ('[brag]\nblue = "done"\n', ":2: brag blue “done” should be one of: signed-off"),
        ('[brag]\ncolour = "x"\n', ":2: unknown brag key “colour”"),
        ('[brag.labels]\npurple = "x"\n', ":2: unknown brag label “purple”"),
        ('[brag.labels]\nred = ""\n', ":2: brag label red should be text"),
    ],
)
def test_a_bad_brag_table_names_its_line(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "org.toml"
    path.write_text(content)
    with pytest.raises(OrgFileError) as e:
        read_org_file(path)
    assert message in str(e.value)
