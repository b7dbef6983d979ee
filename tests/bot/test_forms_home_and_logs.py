"""Each form's confirmation, how a refused or failed form is answered, owners taken from Slack,
App Home's order, what the slash command logs, the counts `lscb org load` reports and the
sandbox's jobs client."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot import ids
from bot.cli import main
from bot.listeners import commands as command_listener
from models import actions as ops
from models.errors import NotFound
from models.org import read_org_file
from models.schema import Person, Status
from sandbox.repl import SandboxOptions, run_script
from tests.bot import slackapp
from tests.bot.slackapp import SlackDriver
from tests.conftest import EXAMPLE_ORG
from tests.factories import make_action

OWNER, CHAIR, ADMIN, OTHER, NEWBIE = (
    "U0DESNURS",
    "U0QAECCH1",
    "U0BUSMGR1",
    "U0POLICE1",
    "U0NEWBIE1",
)
# The fixtures tests/bot/listeners takes from its conftest.
clock, driver, slack = slackapp.clock, slackapp.driver, slackapp.slack
SECRET = "Child A disclosed at school"  # stands for case detail: it must never reach the log


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


def test_each_form_confirms_what_it_did_above_the_card(driver: SlackDriver, session_factory, now):
    ref = make_action(session_factory, now)
    for user, button, answers, said in [
        (OWNER, ids.BUTTON_UPDATE, {"word": "on-track", "note": "going well"}, f"{ref} updated."),
        (OWNER, ids.BUTTON_NOTE, {"text": "training booked"}, f"Note added to {ref}."),
        (
            OWNER,
            ids.BUTTON_DUE,
            {"when": "30/04/2027", "reason": "trainer ill"},
            f"New date for {ref} requested: its chair approves or declines it, and you are told.",
        ),
        (
            CHAIR,
            ids.BUTTON_DUE,
            {"when": "31/05/2027", "reason": "agreed at committee"},
            f"{ref} has a new due date.",
        ),
        (
            OWNER,
            ids.BUTTON_DONE,
            {"evidence": "all staff trained"},
            f"{ref} is complete and awaits sign-off.",
        ),
        (CHAIR, ids.BUTTON_SIGNOFF, {"impact": "audit shows use"}, f"{ref} signed off."),
    ]:
        driver.press(user, button, ref)
        out = driver.submit(user, answers)
        assert out.ack == {}
        assert out.blocks[0]["text"]["text"] == f":white_check_mark: {said}"
        assert "Issue bruising guidance" in out.text  # the card follows
    with session_factory() as s:
        assert ops.get_action(s, ref).status == Status.SIGNED_OFF


def test_a_refused_form_is_titled_with_the_reference(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_NOTE, ref)
    with session_factory.begin() as s:
        ops.add_note(s, ops.actor_for_slack_id(s, CHAIR), ref, text="chased", now=now)
    out = driver.submit(OWNER, {"text": "mine"})
    assert out.ack["response_action"] == "update"
    assert out.ack["view"]["title"]["text"] == f"{ref} not changed"


def test_a_form_that_fails_says_so_and_logs_only_where(
    driver, session_factory, now, monkeypatch, caplog
):
    ref = make_action(session_factory, now)

    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(ops, "add_note", boom)
    driver.press(OWNER, ids.BUTTON_NOTE, ref)
    with caplog.at_level(logging.INFO):
        out = driver.submit(OWNER, {"text": SECRET})
    assert out.ack["response_action"] == "update"
    assert out.ack["view"]["title"]["text"] == "Not saved"
    assert "nothing was changed" in json.dumps(out.ack["view"])
    assert f"form {ids.MODAL_NOTE} failed: RuntimeError" in _logged(caplog)
    assert SECRET not in _logged(caplog)
    assert not out.responses  # no confirmation


def _add_form(driver: SlackDriver) -> dict:
    driver.command(ADMIN, "add")
    return driver.open_form(ADMIN)


def test_the_add_form_refused_or_failing_says_not_added(
    driver, session_factory, now, monkeypatch, caplog
):
    form = _add_form(driver)
    real = ops.actor_for_slack_id

    def missing(*args, **kwargs):
        raise NotFound("You are not in the organisation file.")

    monkeypatch.setattr(ops, "actor_for_slack_id", missing)
    out = driver.submit(ADMIN, {"text": "Audit"}, view=form)
    assert out.ack["view"]["title"]["text"] == "Not added"
    assert "not in the organisation file" in json.dumps(out.ack["view"])

    monkeypatch.setattr(ops, "actor_for_slack_id", real)

    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(ops, "create_action", boom)
    with caplog.at_level(logging.INFO):
        out = driver.submit(ADMIN, {"text": SECRET}, view=form)
    assert out.ack["view"]["title"]["text"] == "Not added"
    assert "nothing was changed" in json.dumps(out.ack["view"])
    assert "form add failed: RuntimeError" in _logged(caplog)
    assert SECRET not in _logged(caplog)


def test_the_add_form_asks_slack_only_about_new_owners(driver, session_factory, now):
    form = _add_form(driver)
    out = driver.submit(ADMIN, {"text": "Audit", "owner": OTHER}, view=form)
    assert out.ack == {} and "Added A-1" in out.text
    assert driver.slack.calls_to("users.info") == []
    out = driver.submit(ADMIN, {"text": "Audit again", "owner": NEWBIE}, view=form)
    assert out.ack == {} and "Added A-2" in out.text
    assert [c.args["user"] for c in driver.slack.calls_to("users.info")] == [NEWBIE]
    with session_factory() as s:
        owners = [ops.get_action(s, r).owner for r in ("A-1", "A-2")]
        assert [p.slack_id if p else None for p in owners] == [OTHER, NEWBIE]
        assert len(s.scalars(select(Person).where(Person.slack_id == NEWBIE)).all()) == 1
    out = driver.submit(ADMIN, {"text": "Audit", "owner": "U0NOSUCH1"}, view=form)
    assert out.ack["response_action"] == "errors" and "owner" in out.ack["errors"]


def test_assign_to_a_known_person_does_not_ask_slack(driver, session_factory, now):
    ref = make_action(session_factory, now, owner=None)
    out = driver.command(CHAIR, f"assign {ref} <@{OTHER}>")
    assert f"{ref} assigned to <@{OTHER}>." in out.blocks[0]["text"]["text"]
    assert driver.slack.calls_to("users.info") == []


def test_home_lists_my_actions_by_brag_soonest_due_first(driver, session_factory, now):
    today = now.date()
    # Made latest-due first, so the order shown is the home's own.
    late_red = make_action(session_factory, now, due=today + timedelta(days=60))
    early_red = make_action(session_factory, now, due=today + timedelta(days=50))
    late_green = make_action(session_factory, now, due=today + timedelta(days=200))
    early_green = make_action(session_factory, now, due=today + timedelta(days=100))
    amber = make_action(session_factory, now, due=today + timedelta(days=30))
    with session_factory.begin() as s:
        owner = ops.actor_for_slack_id(s, OWNER)
        for ref, word in [(late_red, "off-track"), (early_red, "off-track"), (amber, "at-risk")]:
            ops.update(s, owner, ref, word=word, now=now)
    home = json.dumps(driver.open_home(OWNER))
    refs = [early_red, late_red, amber, early_green, late_green]
    where = [home.index(f'"{r}"') for r in refs]  # each action's Open button
    assert where == sorted(where)


def test_each_committee_on_home_shows_only_its_own_actions(driver, session_factory, now):
    qaec = make_action(session_factory, now, status=Status.COMPLETE)
    pdc = make_action(session_factory, now, committee="PDC", status=Status.COMPLETE)
    home = json.dumps(driver.open_home(ADMIN))
    starts = sorted((home.index(f"{code} \\u00b7"), code) for code in ("QAEC", "PDC"))
    ends = [at for at, _ in starts[1:]] + [len(home)]

    def committee_of(ref: str) -> str:
        at = home.index(f'"{ref}"')
        return next(
            code for (start, code), end in zip(starts, ends, strict=True) if start < at < end
        )

    assert (committee_of(qaec), committee_of(pdc)) == ("QAEC", "PDC")


def test_the_command_log_names_the_verb_never_the_text(driver, monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger=command_listener.__name__):
        driver.command(OWNER, "help")
        driver.command(OWNER, f"frobnicate {SECRET}")
    assert f"command help from {OWNER}" in _logged(caplog)
    assert f"command other from {OWNER}" in _logged(caplog)

    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(command_listener, "answer_text", boom)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        driver.command(OWNER, "help")
        driver.command(OWNER, f"{SECRET}")
    assert "command help failed: RuntimeError" in _logged(caplog)
    assert "command other failed: RuntimeError" in _logged(caplog)
    assert SECRET.lower() not in _logged(caplog).lower()


def test_org_load_reports_how_many_committees_and_people_there_are(tmp_path: Path, capsys):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'org.sqlite3'}"}
    assert main(["db", "upgrade"], env=env) == 0
    assert main(["org", "load", str(EXAMPLE_ORG), "--json"], env=env) == 0
    out, _ = capsys.readouterr()
    org = read_org_file(EXAMPLE_ORG)
    summary = json.loads(out)
    assert (summary["committees"], summary["people"]) == (len(org.committees), len(org.people))
    assert main(["org", "load", str(EXAMPLE_ORG)], env=env) == 0
    _, err = capsys.readouterr()
    assert f"{len(org.committees)} committees, {len(org.people)} people" in err


def test_the_sandbox_builds_the_jobs_slack_client_once(tmp_path: Path, monkeypatch):
    import jobs.slack

    made = []
    real = jobs.slack.make_client

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs.slack, "make_client", counting)
    start = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    out = run_script(
        SandboxOptions(db=tmp_path / "sandbox.sqlite3", fresh=True, now=start),
        "as U0BUSMGR1\n"
        "/lscb assign A-1 <@U0DESNURS|priya.shah>\n"
        "/lscb due A-1 09/12/2026 agreed at the board\n"
        "clock +3d\nclock +14d\nquit\n",
    )
    assert "── direct message to Priya Shah (U0DESNURS) ──" in out.split("> clock +14d", 1)[1]
    assert len(made) == 1
