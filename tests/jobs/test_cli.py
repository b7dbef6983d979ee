"""`lscb jobs run`, `lscb notices failed` from the command line, against the stand-in."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.cli import main
from tests.factories import make_action
from tests.jobs.conftest import channel_id, posts

NOW = "2026-12-07T09:00:00+00:00"


def env_for(slack, db_url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "SLACK_API_BASE_URL": slack.base_url, **extra}


def test_jobs_run_digests_twice_posts_each_committee_digest_once(
    slack, session_factory, db_url, capsys
):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 11, 20))
    env = env_for(slack, db_url, SLACK_BOT_TOKEN="xoxb-test")
    assert main(["jobs", "run", "digests", "--now", NOW, "--json"], env=env) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["jobs", "run", "digests", "--now", NOW, "--json"], env=env) == 0
    second = json.loads(capsys.readouterr().out)
    assert (first["sent"], second["sent"], second["owed"]) == (4, 0, 0)
    for name in ("#lscb-qaec", "#lscb-pdc", "#lscb-lig", "#lscb-pmsg"):
        assert len(posts(slack, channel_id(slack, name))) == 1


def test_jobs_run_without_a_token_says_so_in_one_line(session_factory, db_url, capsys):
    code = main(["jobs", "run", "reminders", "--now", NOW], env={"DATABASE_URL": db_url})
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "SLACK_BOT_TOKEN is not set" in err


def test_refused_notices_are_listed_by_notices_failed(slack, session_factory, db_url, capsys):
    slack.archive_channel(channel_id(slack, "#lscb-qaec"))
    env = env_for(slack, db_url)
    assert main(["jobs", "run", "digests", "--now", NOW], env=env) == 1
    assert "refused by Slack for good" in capsys.readouterr().err
    assert main(["notices", "failed", "--json"], env=env) == 0
    failed = json.loads(capsys.readouterr().out)
    assert [(f["kind"], f["recipient"], f["error"]) for f in failed] == [
        ("digest", "#lscb-qaec", "is_archived")
    ]
    # Not retried; and the next run lists it in each admin's digest.
    qaec = channel_id(slack, "#lscb-qaec")
    tried = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "#lscb-qaec"]
    assert main(["jobs", "run", "digests", "--now", NOW], env=env) == 0
    again = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "#lscb-qaec"]
    assert len(again) == len(tried) == 1 and posts(slack, qaec) == []
    for admin in ("U0BUSMGR1", "U0BUSOFF2"):
        [dm] = slack.messages(user=admin)
        assert "digest to #lscb-qaec" in str(dm.blocks) and "is_archived" in str(dm.blocks)
