"""The command line contract: `--json` prints JSON alone; errors are one line and change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EXAMPLE_ORG, ROOT
from tests.factories import make_action


def run_cli(capsys, argv, env) -> tuple[int, str, str]:
    code = main(argv, env=env)
    out, err = capsys.readouterr()
    return code, out, err


def test_fresh_machine_flow(tmp_path: Path, capsys) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert run_cli(capsys, ["db", "upgrade"], env)[0] == 0
    code, out, err = run_cli(capsys, ["org", "load", str(EXAMPLE_ORG), "--json"], env)
    assert code == 0 and json.loads(out)["committees"] == 5
    code, out, _ = run_cli(capsys, ["org", "load", str(EXAMPLE_ORG), "--json"], env)
    assert json.loads(out)["changed"] is False
    code, out, _ = run_cli(capsys, ["actions", "list", "--json"], env)
    assert code == 0 and json.loads(out) == []


def test_commands_before_upgrade_say_what_to_do(tmp_path: Path, capsys) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    code, out, err = run_cli(capsys, ["actions", "list", "--json"], env)
    assert code == 1 and out == "" and "lscb db upgrade" in err


def test_bad_settings_fail_with_one_line(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(capsys, ["actions", "list"], {"SLACK_BOT_TOKEN": "nope"})
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "SLACK_BOT_TOKEN is malformed" in err


def test_bad_org_file_fails_and_changes_nothing(tmp_path: Path, capsys) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    run_cli(capsys, ["db", "upgrade"], env)
    bad = tmp_path / "org.toml"
    bad.write_text(
        EXAMPLE_ORG.read_text() + '\n[[committee]]\ncode = "X"\nname = "X"\nchairs = ["U0GHOST1"]\n'
    )
    code, out, err = run_cli(capsys, ["org", "load", str(bad)], env)
    assert code == 1 and "is not a [[person]]" in err and err.count("\n") == 1
    code, out, _ = run_cli(capsys, ["org", "load", str(EXAMPLE_ORG), "--json"], env)
    assert json.loads(out)["committees_added"] == 5  # nothing of the bad file was stored


def test_list_and_show_json_contract(session_factory, org, now, db_url, capsys) -> None:
    ref = make_action(session_factory, now)
    env = {"DATABASE_URL": db_url}
    code, out, _ = run_cli(
        capsys, ["actions", "list", "--json", "--now", "2026-11-25T10:00:00+00:00"], env
    )
    assert code == 0
    [item] = json.loads(out)
    for key in (
        "ref",
        "text",
        "status",
        "brag",
        "owner_slack_id",
        "committee",
        "due_date",
        "review",
    ):
        assert key in item
    assert item["ref"] == ref and item["brag"] == "green" and item["owner_slack_id"] == "U0DESNURS"
    assert (
        item["committee"] == "QAEC"
        and item["due_date"] == "2027-03-31"
        and item["review"] == "Child A (Alex)"
    )

    code, out, _ = run_cli(
        capsys,
        ["actions", "list", "--json", "--brag", "red", "--now", "2027-04-01T09:00:00+01:00"],
        env,
    )
    assert [a["ref"] for a in json.loads(out)] == [ref]
    code, out, _ = run_cli(capsys, ["actions", "list", "--json", "--owner", "U0POLICE1"], env)
    assert json.loads(out) == []

    code, out, _ = run_cli(capsys, ["show", ref, "--json"], env)
    shown = json.loads(out)
    assert [e["kind"] for e in shown["events"]] == ["created", "assigned", "due"]
    assert set(shown["events"][0]) >= {"at", "actor", "kind", "before", "after", "note"}


def test_unknown_filter_and_ref_are_explained(session_factory, org, db_url, capsys) -> None:
    env = {"DATABASE_URL": db_url}
    code, out, err = run_cli(capsys, ["actions", "list", "--status", "late"], env)
    assert code == 1 and "Unknown status “late”" in err
    code, out, err = run_cli(capsys, ["show", "A-404", "--json"], env)
    assert code == 1 and out == "" and "no action A-404" in err


def test_console_script_is_installed() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0 and "actions" in proc.stdout


@pytest.mark.parametrize("argv", [["show"], ["actions"], ["bogus"]])
def test_usage_errors_exit_non_zero(argv, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv, env={})
    assert e.value.code != 0


def test_debug_logging_never_lets_libraries_log_message_bodies() -> None:
    import logging

    from bot.cli import CHATTY_LOGGERS, configure_logging

    for level in ("DEBUG", "INFO"):
        configure_logging(level)
        for name in CHATTY_LOGGERS:
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
        # SQLAlchemy logs each statement at INFO: never.
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)


def test_database_errors_do_not_carry_the_values_written(tmp_path) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from models.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v TEXT NOT NULL UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "child's name"})
    with pytest.raises(DBAPIError) as e, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "child's name"})
    assert "child's name" not in str(e.value)
