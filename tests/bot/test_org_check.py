"""`lscb org check`: Slack is asked about every channel and person, and each problem is named."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main
from sandbox.slack import SlackChannel, SlackStandIn, SlackUser
from tests.bot.serving import BOT_TOKEN

ORG = """
board_channel = "{board}"
admins = ["U0ADMIN01"]

[[committee]]
code = "QAEC"
name = "Quality & Audit Evidence Committee"
channel = "C0QAEC001"
chairs = ["U0CHAIR01"]

[[committee]]
code = "PDC"
name = "Professional Development Committee"
channel = "C0PDC0001"
chairs = ["U0CHAIR01"]

[[committee]]
code = "CSE"
name = "CSE Sub Group"
channel = "C0CSE0001"
chairs = ["U0GONE001"]

[[person]]
slack_id = "U0ADMIN01"
name = "Sam Patel"
agency = "LSCB Business Unit"

[[person]]
slack_id = "U0CHAIR01"
name = "Dr Helen Carter"
agency = "Health"

[[person]]
slack_id = "U0GONE001"
name = "Pat Gone"
agency = "Police"

[[person]]
name = "Not In Slack"
agency = "Education"
"""


def workspace(*, healthy: bool) -> SlackStandIn:
    users = [
        SlackUser("U0ADMIN01", "sam"),
        SlackUser("U0CHAIR01", "helen"),
        SlackUser("U0GONE001", "pat", deleted=not healthy),
    ]
    channels = [
        SlackChannel("C0QAEC001", "lscb-qaec"),
        SlackChannel("C0PDC0001", "lscb-pdc", is_archived=not healthy),
        SlackChannel("C0CSE0001", "lscb-cse", is_member=healthy),
        SlackChannel("C0BOARD01", "lscb-board"),
    ]
    return SlackStandIn(
        users=users, channels=channels, strict=True, known_channels_only=True, token=BOT_TOKEN
    )


def env_for(slack: SlackStandIn, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'org.sqlite3'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_BASE_URL": slack.base_url,
    }


def org_file(tmp_path: Path, board: str = "C0BOARD01") -> Path:
    path = tmp_path / "org.toml"
    path.write_text(ORG.format(board=board), encoding="utf-8")
    return path


def test_each_problem_is_named_on_its_own_line(tmp_path: Path, capsys):
    with workspace(healthy=False) as slack:
        code = main(
            ["org", "check", "--file", str(org_file(tmp_path))], env=env_for(slack, tmp_path)
        )
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert code == 1
    assert len(lines) == 3
    assert any("committee PDC" in line and "archived" in line for line in lines)
    assert any("committee CSE" in line and "not in channel C0CSE0001" in line for line in lines)
    assert any("Pat Gone (U0GONE001)" in line and "deactivated" in line for line in lines)
    assert "3 problems" in err


def test_a_healthy_workspace_checks_out(tmp_path: Path, capsys):
    with workspace(healthy=True) as slack:
        code = main(
            ["org", "check", "--file", str(org_file(tmp_path))], env=env_for(slack, tmp_path)
        )
        users_asked = {c.args["user"] for c in slack.calls_to("users.info")}
    out, err = capsys.readouterr()
    assert code == 0 and out == ""
    assert "All 4 channels and 3 people check out" in err
    assert users_asked == {"U0ADMIN01", "U0CHAIR01", "U0GONE001"}  # not the person without Slack


def test_the_loaded_organisation_is_checked_by_default(tmp_path: Path, capsys):
    with workspace(healthy=False) as slack:
        env = env_for(slack, tmp_path)
        assert main(["db", "upgrade"], env=env) == 0
        assert main(["org", "load", str(org_file(tmp_path))], env=env) == 0
        capsys.readouterr()
        code = main(["org", "check", "--json"], env=env)
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert data["channels_checked"] == 4 and data["people_checked"] == 3
    assert len(data["problems"]) == 3


def test_unknown_accounts_bots_and_unknown_channel_ids_are_named(tmp_path: Path, capsys):
    with workspace(healthy=True) as slack:
        slack.add_user("U0BOT0001", "robot", is_bot=True)
        path = org_file(tmp_path, board="C0NOWHERE")
        path.write_text(
            path.read_text()
            + '\n[[person]]\nslack_id = "U0BOT0001"\nname = "Robot"\nagency = "IT"\n'
            + '\n[[person]]\nslack_id = "U0NOBODY1"\nname = "Nobody"\nagency = "IT"\n',
            encoding="utf-8",
        )
        code = main(["org", "check", "--file", str(path)], env=env_for(slack, tmp_path))
    out, _ = capsys.readouterr()
    assert code == 1
    assert "the board: channel C0NOWHERE not found" in out
    assert "Robot (U0BOT0001): is a bot" in out
    assert "Nobody (U0NOBODY1): no such Slack account" in out


def test_a_channel_named_by_hash_name_is_looked_up_by_name(tmp_path: Path, capsys):
    with workspace(healthy=True) as slack:
        code = main(
            ["org", "check", "--file", str(org_file(tmp_path, board="#lscb-nowhere"))],
            env=env_for(slack, tmp_path),
        )
        listed = slack.calls_to("conversations.list")
    out, _ = capsys.readouterr()
    assert code == 1 and listed and listed[0].problems == []
    assert "the board: channel #lscb-nowhere not found" in out


def test_without_a_bot_token_it_says_so_in_one_line(tmp_path: Path, capsys):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    assert main(["org", "check", "--file", str(org_file(tmp_path))], env=env) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SLACK_BOT_TOKEN is not set" in err


def test_a_rate_limit_is_waited_out(tmp_path: Path, capsys):
    with workspace(healthy=True) as slack:
        slack.fail_next("users.info", "rate_limited", retry_after=0)
        code = main(
            ["org", "check", "--file", str(org_file(tmp_path))], env=env_for(slack, tmp_path)
        )
    assert code == 0
