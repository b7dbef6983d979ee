"""`lscb sandbox`: the app served on loopback, Slack's side stood in, driven by a script."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from models.clock import Clock
from sandbox.repl import SandboxOptions, run_script
from tests.conftest import ROOT

START = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # a Wednesday


def tiny_app(settings: Settings, sf: sessionmaker[Session], clock: Clock) -> App:
    """A small app with one button, one modal and a Home tab, to drive every sandbox path."""
    # Listeners use this client rather than Bolt's per-request one, which adds `team_id` to
    # every call: an argument the 2020 Web API description (and so the stand-in) does not know.
    web = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_base_url or "")
    app = App(client=web, signing_secret=settings.slack_signing_secret)

    @app.command("/lscb")
    def command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(
            text="Your actions",
            blocks=[
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "*A-1* Audit neglect cases"},
                },
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "lscb_note",
                            "value": "A-1",
                            "text": {"type": "plain_text", "text": "Note"},
                        }
                    ],
                },
            ],
        )

    @app.action("lscb_note")
    def note_button(ack: Any, body: dict[str, Any]) -> None:
        ack()
        web.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "note_modal",
                "title": {"type": "plain_text", "text": "Note on A-1"},
                "submit": {"type": "plain_text", "text": "Save"},
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "note",
                        "label": {"type": "plain_text", "text": "Progress note"},
                        "element": {"type": "plain_text_input", "action_id": "text"},
                    }
                ],
            },
        )

    @app.view("note_modal")
    def save(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = view["state"]["values"]["note"]["text"]["value"]
        if len(text) < 5:
            ack(response_action="errors", errors={"note": "Say a little more"})
            return
        ack()
        web.chat_postMessage(channel=body["user"]["id"], text=f"Noted on A-1: {text}")

    @app.event("app_home_opened")
    def home(event: dict[str, Any]) -> None:
        web.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "*My actions*: 1 Red"}}
                ],
            },
        )

    return app


def options(tmp_path: Path, **kw: Any) -> SandboxOptions:
    return SandboxOptions(db=tmp_path / "sandbox.sqlite3", fresh=True, now=START, **kw)


def test_a_script_can_press_a_button_fill_a_modal_and_submit_it(tmp_path: Path):
    out = run_script(
        options(tmp_path, import_seed=False),
        "as U0DESNURS\n/lscb actions mine\npress 1\nfill a ok\nsubmit\n"
        "fill a Audit sample agreed with health\nsubmit\nquit\n",
        app_factory=tiny_app,
    )
    assert "You are Priya Shah (U0DESNURS)." in out
    assert "── only visible to you, in #lscb-sandbox ──" in out
    assert "A-1 Audit neglect cases" in out and "[1] Note" in out
    assert "| Note on A-1 |" in out and "(a) Progress note" in out
    assert "! (a) Progress note: Say a little more" in out
    assert "── direct message to Priya Shah (U0DESNURS) ──" in out
    assert "Noted on A-1: Audit sample agreed with health" in out


def test_home_shows_the_published_tab(tmp_path: Path):
    out = run_script(options(tmp_path, import_seed=False), "as Helen\nhome\n", app_factory=tiny_app)
    assert "You are Dr Helen Carter (U0QAECCH1)." in out
    assert "My actions: 1 Red" in out


def test_mistakes_at_the_prompt_get_one_line_and_the_prompt_goes_on(tmp_path: Path):
    out = run_script(
        options(tmp_path, import_seed=False),
        "as nobody-at-all\npress 7\nsubmit\nfrobnicate\nclock +1x\nclock\npeople\n",
        app_factory=tiny_app,
    )
    assert "! no one in Slack matches 'nobody-at-all'" in out
    assert "! there is no button [7]" in out
    assert "! no modal is open" in out
    assert "! unknown command 'frobnicate'" in out
    assert "! clock takes +7d" in out
    assert "Clock: Wed 25 Nov 2026 09:30." in out
    assert "U0DESNURS      Priya Shah" in out


def test_the_clock_moves_forward_only(tmp_path: Path):
    out = run_script(
        options(tmp_path, import_seed=False),
        "clock 2026-12-07 09:00\nclock +1h\nclock 2026-12-01\n",
        app_factory=tiny_app,
    )
    assert "Clock: Wed 25 Nov 2026 09:30 → Mon 07 Dec 2026 09:00" in out
    assert "Clock: Mon 07 Dec 2026 09:00 → Mon 07 Dec 2026 10:00" in out
    assert "! the clock only moves forward" in out


def test_lscb_sandbox_from_a_pipe_answers_as_the_chosen_person(tmp_path: Path):
    script = "as U0DESNURS\n/lscb help\n/lscb actions mine\nquit\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--fresh", "--now", START.isoformat()],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "imported learning-and-improvement-index.txt" in done.stdout
    assert "You are Priya Shah (U0DESNURS)." in done.stdout
    assert "/lscb actions" in done.stdout  # the help text came back
    assert (tmp_path / "sandbox.sqlite3").exists()


def test_a_reminder_arrives_after_moving_the_clock(tmp_path: Path):
    script = (
        "as U0BUSMGR1\n"
        "/lscb assign A-1 <@U0DESNURS|priya.shah>\n"
        "/lscb due A-1 09/12/2026 agreed at the board\n"
        "as U0DESNURS\n"
        "/lscb actions mine\n"
        "clock +14d\n"
        "quit\n"
    )
    out = run_script(options(tmp_path), script)
    assert "A-1" in out.split("> /lscb actions mine", 1)[1]
    after = out.split("> clock +14d", 1)[1]
    assert "── direct message to Priya Shah (U0DESNURS) ──" in after
    assert "A-1" in after


def test_upload_imports_a_tracker_and_the_seed_is_imported_once(tmp_path: Path):
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "Review,Action,Lead officer,Target date\n"
        "Neglect audit,Refresh the neglect toolkit,Claire Hughes,31/01/2027\n",
        encoding="utf-8",
    )
    script = (
        "as U0BUSMGR1\n/lscb import\n"
        f"upload {tracker}\nsubmit\npress 1\n"  # the form's file field, then Import
        f"upload {tracker}\n"  # sent in a direct message: the same document, nothing to do
        "as U0DESNURS\n/lscb import\nquit\n"
    )
    out = run_script(options(tmp_path), script)
    assert "imported learning-and-improvement-index.txt" in out
    assert "(a) Index or tracker: tracker.csv" in out
    assert "Preview of tracker.csv" in out and "new A-44 (Neglect audit)" in out
    assert "Imported tracker.csv" in out
    assert "(you sent tracker.csv to the app in a direct message)" in out
    assert "Nothing to import" in out
    assert "Importing documents is for admins" in out
    again = run_script(
        SandboxOptions(db=tmp_path / "sandbox.sqlite3", now=START), "as U0BUSMGR1\nquit\n"
    )
    assert "learning-and-improvement-index.txt already imported" in again


def test_event_notices_arrive_as_the_clock_moves(tmp_path: Path):
    script = (
        "as U0BUSMGR1\n"
        "/lscb assign A-1 <@U0DESNURS|priya.shah> committee QAEC\n"
        "/lscb due A-1 09/03/2027 agreed at the board\n"
        "as U0DESNURS\n"
        "/lscb done A-1 guidance on the website\n"
        "clock +5m\n"
        "quit\n"
    )
    out = run_script(options(tmp_path), script)
    after = out.split("> clock +5m", 1)[1]
    assert "── direct message to Dr Helen Carter (U0QAECCH1) ──" in after
    assert "Marked done by Priya Shah" in after and "Sign off" in after and "Reopen" in after
