"""The command line for an action's whole life, and its plain refusals: cancel, edit, merge and
assign; owners by name; the history in people's words; one line and exit 2 when the database or
Slack cannot be reached (as subprocesses, the way people run it)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from models import actions as ops
from models.schema import Status
from tests.conftest import EXAMPLE_ORG, ROOT
from tests.factories import make_action


def run_cli(capsys, argv, env) -> tuple[int, str, str]:
    code = main(argv, env=env)
    out, err = capsys.readouterr()
    return code, out, err


def test_cancel_edit_merge_and_assign_from_the_command_line(
    session_factory, org, now, db_url, capsys
) -> None:
    env = {"DATABASE_URL": db_url}
    keep, dup, other = (make_action(session_factory, now) for _ in range(3))
    code, _, err = run_cli(capsys, ["cancel", other, "no", "longer", "needed"], env)
    assert code == 0 and f"{other} cancelled." in err
    code, _, err = run_cli(capsys, ["edit", keep, "Issue", "the", "new", "guidance"], env)
    assert code == 0 and "old wording is kept" in err
    code, out, err = run_cli(capsys, ["merge", dup, "into", keep, "same", "work", "--json"], env)
    assert code == 0 and json.loads(out)["ref"] == keep
    code, _, err = run_cli(capsys, ["assign", keep, "Bernadette", "Quinn"], env)
    assert code == 0, err
    with session_factory() as s:
        assert ops.get_action(s, other).status == Status.CANCELLED
        assert ops.get_action(s, dup).duplicate_of.ref == keep
        a = ops.get_action(s, keep)
        assert a.text == "Issue the new guidance" and a.owner.name == "Bernadette Quinn"
    code, out, _ = run_cli(capsys, ["show", keep, "--json"], env)
    shown = json.loads(out)
    assert shown["duplicates"] == [dup]
    # --json keeps machine values: Slack ids and ISO dates as stored.
    assigned = [e for e in shown["events"] if e["kind"] == "assigned"]
    assert assigned[-1]["before"] == "U0DESNURS / QAEC"
    code, out, err = run_cli(capsys, ["merge", dup, "into"], env)
    assert code == 1 and "lscb merge" in err and out == ""
    code, _, err = run_cli(capsys, ["assign", keep, "Nobody", "Atall"], env)
    assert code == 1 and "Nobody called “Nobody Atall”" in err


def test_show_speaks_in_peoples_words(session_factory, org, now, db_url, capsys) -> None:
    ref = make_action(session_factory, now)
    with session_factory.begin() as s:
        owner = ops.actor_for_slack_id(s, "U0DESNURS")
        ops.update(s, owner, ref, word="at-risk", note="waiting", now=now)
        ops.change_due(s, owner, ref, when="30/06/2027", reason="board moved", now=now)
    code, out, _ = run_cli(capsys, ["show", ref], {"DATABASE_URL": db_url})
    assert code == 0
    assert "not-started" not in out and "in-progress" in out.splitlines()[0]
    history = out.split("history:", 1)[1]
    assert "Priya Shah" in history and "not started → in progress" in history
    assert "owner's rating at risk" in history and "31/03/2027 → 30/06/2027" in history
    assert not re.search(r"\bU0[A-Z0-9]{6,}\b", history)
    assert "_" not in history and not re.search(r"\b20\d\d-\d\d-\d\d\b", history)


def test_list_speaks_its_flags_words_counts_in_words_and_takes_an_owner_by_name(
    session_factory, org, now, db_url, capsys
) -> None:
    env = {"DATABASE_URL": db_url}
    ref = make_action(session_factory, now, owner="Bernadette Quinn")
    code, out, err = run_cli(capsys, ["actions", "list"], env)
    assert "not-started" in out and "not_started" not in out and "31/03/2027" in out
    assert "1 action." in err and "1 actions" not in err
    for owner in ("Bernadette Quinn", "bernadette quinn"):
        code, out, _ = run_cli(capsys, ["actions", "list", "--json", "--owner", owner], env)
        assert [a["ref"] for a in json.loads(out)] == [ref]
    code, out, _ = run_cli(capsys, ["actions", "list", "--json", "--owner", "U0DESNURS"], env)
    assert json.loads(out) == []
    code, out, err = run_cli(capsys, ["actions", "list", "--owner", "Nobody Atall"], env)
    assert code == 1 and "Nobody called" in err


def test_unknown_committees_are_refused_alike(session_factory, org, db_url, capsys, tmp_path):
    env = {"DATABASE_URL": db_url}
    code, _, listed = run_cli(capsys, ["actions", "list", "--committee", "XYZ"], env)
    code2, _, exported = run_cli(
        capsys, ["export", "--committee", "XYZ", "-o", str(tmp_path / "r.xlsx")], env
    )
    assert code == code2 == 1
    assert listed == exported and "There is no committee XYZ. Committees: CSE" in listed


@pytest.mark.parametrize(
    ("name", "fmt", "said"),
    [
        ("z.pdf", None, "written as xlsx or csv"),
        ("z.csv", "xlsx", "does not end in .xlsx"),
        ("z.xlsx", "csv", "does not end in .csv"),
    ],
)
def test_an_output_file_that_does_not_match_its_format_is_refused(
    org, db_url, capsys, tmp_path, name, fmt, said
):
    argv = ["export", "-o", str(tmp_path / name)] + (["--format", fmt] if fmt else [])
    code, _, err = run_cli(capsys, argv, {"DATABASE_URL": db_url})
    assert code == 1 and said in err and not (tmp_path / name).exists()


def test_an_organisation_file_that_drops_an_owner_warns_and_lists_their_actions(
    session_factory, org, now, db_url, capsys, tmp_path
):
    ref = make_action(session_factory, now, owner="U0POLICE1")
    done = make_action(session_factory, now, owner="U0POLICE1", status=Status.SIGNED_OFF)
    text = EXAMPLE_ORG.read_text()
    start = text.index('slack_id = "U0POLICE1"')
    block_start = text.rindex("[[person]]", 0, start)
    block_end = text.index("[[person]]", start)
    smaller = tmp_path / "org.toml"
    smaller.write_text(text[:block_start] + text[block_end:])
    env = {"DATABASE_URL": db_url}
    code, _, err = run_cli(capsys, ["org", "load", str(smaller)], env)
    assert code == 0 and "already up to date" not in err
    assert "DS Kevin Doyle is no longer in the organisation file; the 1 current action" in err
    assert f"/lscb actions unassigned`: {ref}." in err and done not in err
    with session_factory() as s:
        a = ops.get_action(s, ref)
        assert a.owner_id is None and a.events[-1].kind == "assigned"
        assert "no longer in the organisation file" in (a.events[-1].note or "")
    code, out, _ = run_cli(capsys, ["actions", "list", "--json", "--status", "unassigned"], env)
    assert ref in [a["ref"] for a in json.loads(out)]
    code, _, err = run_cli(capsys, ["org", "load", str(smaller)], env)
    assert "already up to date" in err and "Warning" not in err


# ---------------------------------------------------------------- unreachable, as people run it


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _lscb(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**full, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["actions", "list"],
        ["show", "A-1", "--json"],
        ["org", "load", str(EXAMPLE_ORG)],
        ["db", "upgrade"],
        ["cancel", "A-1", "gone"],
        ["jobs", "run", "reminders"],
        ["notices", "failed"],
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_2(args, tmp_path) -> None:
    url = f"postgresql+psycopg://lscb:s3cret@127.0.0.1:{_closed_port()}/lscb"
    env = {"DATABASE_URL": url, "LSCB_LOG_LEVEL": "INFO", "SLACK_BOT_TOKEN": "xoxb-1-test"}
    proc = _lscb(args, env, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("lscb: cannot reach the database") and "s3cret" not in lines[0]


def test_unreachable_slack_is_one_line_and_exit_2(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert _lscb(["db", "upgrade"], {"DATABASE_URL": db}, tmp_path).returncode == 0
    assert _lscb(["org", "load", str(EXAMPLE_ORG)], {"DATABASE_URL": db}, tmp_path).returncode == 0
    env = {
        "DATABASE_URL": db,
        "SLACK_BOT_TOKEN": "xoxb-1-test",
        "SLACK_API_BASE_URL": f"http://127.0.0.1:{_closed_port()}/api/",
    }
    proc = _lscb(["org", "check"], env, tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("lscb: cannot reach Slack") and "SLACK_API_BASE_URL" in lines[0]


def test_no_library_narrates_at_the_default_level(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    env = {"DATABASE_URL": db, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    _lscb(["db", "upgrade"], env, tmp_path)
    _lscb(["org", "load", str(EXAMPLE_ORG)], env, tmp_path)
    proc = _lscb(["export", "-o", str(tmp_path / "r.xlsx")], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib" not in proc.stderr and "INFO" not in proc.stderr
    assert proc.stderr.strip().startswith("Wrote")
