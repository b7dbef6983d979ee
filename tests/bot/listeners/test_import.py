"""Importing from Slack, end to end against the stand-in: `/lscb import` opens a form with a file
field, or an admin sends the file in a direct message; the app fetches it (files.info, then the
private download URL with the bot token), previews it with Import / Cancel, and Import stores
exactly what was previewed."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

from slack_bolt import BoltRequest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import ids
from models import actions as ops
from models.schema import Action, ActionEvent
from sandbox.slack import render_blocks, signed_headers
from tests.bot.slackapp import SECRET, SlackDriver

ADMIN = "U0BUSMGR1"  # Sam Patel, the business unit
OWNER = "U0DESNURS"  # Priya Shah: an owner, not an admin
HEAD = ["Review", "Action", "Lead officer", "Committee", "Target date", "Status"]
ROWS = [
    ["Neglect audit", "Refresh the neglect toolkit", "Claire Hughes", "QAEC", "31/01/2027", ""],
    ["Neglect audit", "Brief governors on neglect", "Claire Hughes", "QAEC", "28/02/2027", ""],
]


def tracker(rows: list[list[str]] = ROWS) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEAD, *rows])
    return out.getvalue().encode("utf-8")


def counts(sf: sessionmaker[Session]) -> tuple[int, int]:
    with sf() as s:
        return (
            s.scalar(select(func.count()).select_from(Action)) or 0,
            s.scalar(select(func.count()).select_from(ActionEvent)) or 0,
        )


def dm_messages(driver: SlackDriver, user: str) -> list[Any]:
    return driver.slack.messages(driver.slack.dm_channel_for(user))


def latest(driver: SlackDriver, user: str) -> tuple[Any, str]:
    """The latest direct message to `user` and what it says, as one line (the stand-in wraps)."""
    message = dm_messages(driver, user)[-1]
    text = render_blocks(message.blocks).text if message.blocks else message.text
    return message, " ".join((text or "").split())


def send_file_in_dm(driver: SlackDriver, user: str, name: str, content: bytes) -> None:
    shared = driver.slack.share_file(user, name, content)
    body = {
        "token": "legacy",
        "team_id": driver.slack.team_id,
        "api_app_id": driver.slack.app_id,
        "type": "event_callback",
        "event_id": f"Ev{shared['id']}",
        "event_time": 1,
        "event": {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": driver.slack.dm_channel_for(user),
            "user": user,
            "text": "",
            "files": [shared],
            "ts": "1.0",
            "event_ts": "1.0",
        },
    }
    raw = json.dumps(body)
    headers: dict[str, Any] = signed_headers(SECRET, raw)
    headers["Content-Type"] = "application/json"
    assert driver.app.dispatch(BoltRequest(body=raw, headers=headers)).status == 200


def upload_through_form(driver: SlackDriver, name: str, content: bytes) -> None:
    out = driver.command(ADMIN, "import")
    assert out.status == 200
    view = driver.open_form(ADMIN)
    assert view["callback_id"] == ids.MODAL_IMPORT
    (field,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["element"]["type"] == "file_input"
    assert field["element"]["filetypes"] == ["docx", "pdf", "txt", "xlsx", "csv"]
    shared = driver.slack.share_file(ADMIN, name, content)
    assert driver.submit(ADMIN, {"file": json.dumps([shared])}).status == 200


def press(driver: SlackDriver, user: str, action_id: str) -> None:
    message = dm_messages(driver, ADMIN)[-1]
    (buttons,) = [b for b in message.blocks if b["type"] == "actions"]
    (button,) = [e for e in buttons["elements"] if e["action_id"] == action_id]
    payload = {
        "type": "block_actions",
        "team": {"id": driver.slack.team_id, "domain": driver.slack.team_domain},
        "user": {"id": user, "username": user.lower(), "team_id": driver.slack.team_id},
        "api_app_id": driver.slack.app_id,
        "token": "legacy",
        "trigger_id": driver.slack.new_trigger_id(user),
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": False,
        },
        "channel": {"id": message.channel, "name": "directmessage"},
        "message": {"ts": message.ts, "blocks": message.blocks},
        "actions": [{**button, "block_id": "import", "action_ts": "1.0"}],
    }
    import urllib.parse

    status, _ = driver._dispatch("payload=" + urllib.parse.quote(json.dumps(payload)))
    assert status == 200


def test_import_through_the_form_previews_then_stores_what_was_previewed(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    upload_through_form(driver, "tracker.csv", tracker())
    # The file was fetched as Slack serves it: files.info, then the download with the token.
    (info,) = driver.slack.calls_to("files.info")
    assert info.ok
    (download,) = driver.slack.calls_to("download")
    assert download.ok and download.problems == []
    message, text = latest(driver, ADMIN)
    assert "Preview of tracker.csv" in text and "nothing is stored" in text
    assert "new A-1 (Neglect audit): Refresh the neglect toolkit" in text
    assert "new A-2 (Neglect audit): Brief governors on neglect" in text
    assert counts(session_factory) == (0, 0)

    press(driver, ADMIN, ids.BUTTON_IMPORT)
    message, text = latest(driver, ADMIN)
    assert "Imported tracker.csv" in text and "2 new" in text
    assert not any(b["type"] == "actions" for b in message.blocks)  # the buttons are gone
    with session_factory() as s:
        a1 = ops.get_action(s, "A-1")
        assert a1.owner is not None and a1.owner.name == "Claire Hughes"
        assert a1.due_date == date(2027, 1, 31)
    assert counts(session_factory)[0] == 2


def test_a_file_sent_in_a_direct_message_is_previewed_and_cancel_stores_nothing(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    send_file_in_dm(driver, ADMIN, "tracker.csv", tracker())
    _, text = latest(driver, ADMIN)
    assert "Preview of tracker.csv" in text
    press(driver, ADMIN, ids.BUTTON_IMPORT_CANCEL)
    _, text = latest(driver, ADMIN)
    assert "Import cancelled: nothing was stored." in text
    assert counts(session_factory) == (0, 0)


def test_the_preview_lists_changes_and_a_change_in_between_previews_again(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    send_file_in_dm(driver, ADMIN, "tracker.csv", tracker())
    press(driver, ADMIN, ids.BUTTON_IMPORT)
    changed = [row[:] for row in ROWS]
    changed[0][4] = "31/03/2027"
    changed[1][4] = "31/03/2027"
    send_file_in_dm(driver, ADMIN, "tracker.csv", tracker(changed))
    _, text = latest(driver, ADMIN)
    assert "A-1: due date 31/01/2027 → 31/03/2027" in text
    assert "A-2: due date 28/02/2027 → 31/03/2027" in text
    # Meanwhile the owner's chair moves A-2 in Slack: the preview no longer says what will happen.
    driver.clock.advance(timedelta(days=1))
    assert driver.command(ADMIN, "due A-2 30/04/2027 panel moved").status == 200
    before = counts(session_factory)
    press(driver, ADMIN, ids.BUTTON_IMPORT)
    _, text = latest(driver, ADMIN)
    assert "The actions changed since that preview, so nothing was stored" in text
    assert (
        "A-2 due date: the document now says 31/03/2027; kept 30/04/2027, set by Sam Patel "
        "on 26/11/2026" in text
    )
    assert counts(session_factory) == before
    # The new preview's Import stores it: A-1 moves, A-2 keeps the date set in Slack.
    press(driver, ADMIN, ids.BUTTON_IMPORT)
    _, text = latest(driver, ADMIN)
    assert "Imported tracker.csv" in text
    with session_factory() as s:
        assert ops.get_action(s, "A-1").due_date == date(2027, 3, 31)
        assert ops.get_action(s, "A-2").due_date == date(2027, 4, 30)


def test_a_non_admin_is_told_why_and_nothing_is_fetched(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    out = driver.command(OWNER, "import")
    assert "for admins" in out.text
    assert driver.slack.open_modal(OWNER) is None
    send_file_in_dm(driver, OWNER, "tracker.csv", tracker())
    _, text = latest(driver, OWNER)
    assert "for admins" in text and "Refresh the neglect toolkit" not in text
    assert driver.slack.calls_to("files.info") == [] and driver.slack.calls_to("download") == []
    assert counts(session_factory) == (0, 0)


def test_an_unreadable_file_gets_the_command_lines_one_line_refusal(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    send_file_in_dm(driver, ADMIN, "tracker.xlsx", b"PK\x03\x04 not really a workbook")
    message, text = latest(driver, ADMIN)
    assert text.startswith("tracker.xlsx: ") and "\n" not in message.text.strip()
    assert not any(b["type"] == "actions" for b in message.blocks)
    send_file_in_dm(driver, ADMIN, "notes.png", b"\x89PNG")
    _, text = latest(driver, ADMIN)
    assert "only .docx, .pdf, .txt, .xlsx, .csv files can be imported" in text
    assert counts(session_factory) == (0, 0)


def test_a_large_file_shows_its_progress(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    rows = [["Neglect audit", f"Activity {n}", "", "QAEC", "", ""] for n in range(600)]
    send_file_in_dm(driver, ADMIN, "big.csv", tracker(rows))
    message, text = latest(driver, ADMIN)
    assert "Preview of big.csv" in text and "command line lists every one" in text
    assert message.edits >= 3  # reading... 25%, 50%, 75%, then the preview
    assert len(message.blocks) <= 50


def _learning_section(message: Any) -> tuple[list[str], list[str]]:
    """The preview's themes-and-alike section: its lines, and what the block after it says."""
    texts = [
        (b["text"]["text"] if b["type"] == "section" else b["elements"][0]["text"])
        for b in message.blocks
        if b["type"] in ("section", "context")
    ]
    (at,) = [i for i, t in enumerate(texts) if t.startswith("*Themes suggested*")]
    lines = texts[at].split("\n")[1:]
    assert all(line.startswith("• ") for line in lines)
    return [line[2:] for line in lines], texts[at + 1 :]


def _dry_run_learning(
    db_url: str, tmp_path: Any, name: str, content: bytes, capsys: Any
) -> list[str]:
    import logging

    from bot.cli import CHATTY_LOGGERS, main

    path = tmp_path / name
    path.write_bytes(content)
    capsys.readouterr()
    # The command line quietens chatty libraries for the process: put them back for the tests
    # that follow, which read what the app logs.
    levels = {n: logging.getLogger(n).level for n in CHATTY_LOGGERS}
    try:
        assert main(["import", str(path), "--dry-run"], env={"DATABASE_URL": db_url}) == 0
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)
    err = capsys.readouterr().err.splitlines()
    return [
        line.strip() for line in err if ": themes suggested: " in line or ": like earlier" in line
    ]


def test_the_preview_lists_the_themes_suggested_and_the_earlier_actions_alike(
    driver: SlackDriver,
    session_factory: sessionmaker[Session],
    db_url: str,
    tmp_path: Any,
    capsys: Any,
) -> None:
    cli = _dry_run_learning(db_url, tmp_path, "tracker.csv", tracker(), capsys)
    send_file_in_dm(driver, ADMIN, "tracker.csv", tracker())
    message, _ = latest(driver, ADMIN)
    lines, after = _learning_section(message)
    assert lines == cli  # what `lscb import --dry-run` says, word for word
    assert "A-1: themes suggested: neglect (neglect)" in lines
    assert "A-2: themes suggested: neglect (neglect)" in lines
    assert not any("more:" in t for t in after)  # the whole list is shown
    press(driver, ADMIN, ids.BUTTON_IMPORT)
    message, text = latest(driver, ADMIN)
    assert "Imported tracker.csv" in text
    assert _learning_section(message)[0] == lines  # and again once stored

    # A second review repeats an activity: the preview names the earlier action like it.
    again = [["Child Q", "Refresh the neglect toolkit for schools", "", "QAEC", "", ""]]
    cli = _dry_run_learning(db_url, tmp_path, "child-q.csv", tracker(again), capsys)
    send_file_in_dm(driver, ADMIN, "child-q.csv", tracker(again))
    message, _ = latest(driver, ADMIN)
    lines, _ = _learning_section(message)
    assert lines == cli
    assert any(line.startswith("A-3: like earlier A-1 (0.") for line in lines), lines
    press(driver, ADMIN, ids.BUTTON_IMPORT_CANCEL)
    assert counts(session_factory)[0] == 2


def test_a_long_list_of_suggestions_is_cut_to_one_section_and_says_how_many_more(
    driver: SlackDriver, session_factory: sessionmaker[Session]
) -> None:
    rows = [
        [
            "Neglect audit",
            f"Neglect and domestic abuse briefing {n} for the schools",
            "",
            "",
            "",
            "",
        ]
        for n in range(120)
    ]
    send_file_in_dm(driver, ADMIN, "long.csv", tracker(rows))
    message, _ = latest(driver, ADMIN)
    assert len(message.blocks) <= 50
    for b in message.blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
    lines, after = _learning_section(message)
    assert 0 < len(lines) < 120
    assert lines[0] == "A-1: themes suggested: neglect (Neglect); domestic-abuse (domestic abuse)"
    assert after[0] == (
        f"…and {120 - len(lines)} more: `lscb import FILE --dry-run` on the command line lists "
        "every one."
    )
    # The buttons are still there, after the list.
    assert message.blocks[-1]["type"] == "actions"


def test_the_list_never_passes_a_sections_3000_characters() -> None:
    from bot import blocks as bk

    long = [f"R-{n}.1: themes suggested: neglect ({'neglected & ' * 40})" for n in range(30)]
    section, more = bk.learning_blocks(long)
    text = section["text"]["text"]
    assert len(text) <= bk.MAX_SECTION
    shown = text.count("\n• ")
    assert (
        0 < shown < bk.LEARNING_LINES and "&amp;" in text and "&" not in text.replace("&amp;", "")
    )
    assert more["elements"][0]["text"].startswith(f"…and {30 - shown} more: ")
    assert bk.learning_blocks([]) == []
