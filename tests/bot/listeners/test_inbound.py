"""Requests that are not Slack's, or not what Slack sends, over real HTTP: 401 unsigned, 400
malformed, never 500; one log line each, without the body; retried deliveries done once."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

import pytest

from bot import ids
from bot.inbound import bolt_request, parse_body
from models.schema import Action
from sandbox.slack import sign, signed_headers
from tests.bot.serving import Reply, http, served
from tests.bot.slackapp import SECRET, SlackDriver
from tests.factories import make_action

OWNER, ADMIN = "U0DESNURS", "U0BUSMGR1"
SECRET_TEXT = "the mother disclosed new bruising"
FORM = "application/x-www-form-urlencoded"


def _post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    return http("POST", url + "/slack/events", body, headers)


def _signed(body: bytes, content_type: str = FORM, **extra: str) -> dict[str, str]:
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = content_type
    headers.update(extra)
    return headers


def _quiet_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("lscb", "bot", "slack"))]


def _assert_no_content(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    for record in caplog.records:
        line = record.getMessage()
        for secret in secrets:
            assert secret not in line, (record.name, line)
            assert urllib.parse.quote_plus(secret) not in line, (record.name, line)
        assert record.exc_info is None and "Traceback" not in line, (record.name, line)


def test_a_wrong_secret_or_a_stale_clock_logs_no_body_at_any_level(
    driver: SlackDriver, session_factory, now, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    ref = make_action(session_factory, now)
    body, _ = driver.command_body(OWNER, f"note {ref} {SECRET_TEXT}")
    raw = body.encode()
    fresh = int(time.time())
    wrong = {
        "X-Slack-Request-Timestamp": str(fresh),
        "X-Slack-Signature": sign("another-secret-0000", fresh, body),
        "Content-Type": FORM,
    }
    old = fresh - 5 * 60 - 30
    stale = {
        "X-Slack-Request-Timestamp": str(old),
        "X-Slack-Signature": sign(SECRET, old, body),
        "Content-Type": FORM,
    }
    with served(driver.app, session_factory) as server:
        assert _post(server.url, raw, wrong).status == 401
        assert _post(server.url, raw, stale).status == 401
    # Bolt's own check (Socket Mode skips it; direct dispatch does not) says no more either.
    for headers in (wrong, stale):
        req = bolt_request(parse_body(raw, FORM), dict(headers))
        assert driver.app.dispatch(req).status == 401
    assert any("Invalid request signature" in r.getMessage() for r in caplog.records)
    assert sum("request refused (401)" in r.getMessage() for r in caplog.records) == 2
    _assert_no_content(caplog, SECRET_TEXT, "bruising")


def test_nothing_the_app_sends_to_slack_reaches_the_debug_log(
    driver: SlackDriver, session_factory, now, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    ref = make_action(session_factory, now)
    out = driver.command(OWNER, f"note {ref} {SECRET_TEXT}")
    assert "Note added" in out.text
    driver.open_home(OWNER)  # views.publish through slack_sdk, which logs calls at DEBUG
    assert any(r.name.startswith("slack_sdk") for r in caplog.records)
    _assert_no_content(caplog, SECRET_TEXT, "bruising guidance")


def _payload(obj: Any) -> bytes:
    return ("payload=" + urllib.parse.quote(json.dumps(obj))).encode()


USER = {"id": OWNER, "username": "priya", "team_id": "T0LSCB"}
MALFORMED: list[tuple[str, bytes, str]] = [
    ("payload not json", b"payload=%7Bnot+json", FORM),
    ("json body not json", b'{"type": "event_callback", ', "application/json"),
    ("payload a list", _payload([1, 2]), FORM),
    ("payload a number", _payload(7), FORM),
    ("payload a string", _payload("block_actions"), FORM),
    ("json body a list", b"[1]", "application/json"),
    ("invalid utf-8", b"payload=\xff\xfe" + SECRET_TEXT.encode(), FORM),
    ("two payloads", b"payload=%7B%7D&payload=%7B%7D", FORM),
    ("empty actions", _payload({"type": "block_actions", "user": USER, "actions": []}), FORM),
    (
        "action not an object",
        _payload({"type": "block_actions", "user": USER, "actions": ["x"]}),
        FORM,
    ),
    (
        "button without user",
        _payload({"type": "block_actions", "actions": [{"action_id": ids.BUTTON_SHOW}]}),
        FORM,
    ),
    (
        "view without user",
        _payload({"type": "view_submission", "view": {"callback_id": ids.MODAL_NOTE}}),
        FORM,
    ),
    (
        "state.values not an object",
        _payload(
            {
                "type": "view_submission",
                "user": USER,
                "view": {"callback_id": ids.MODAL_NOTE, "state": {"values": [SECRET_TEXT]}},
            }
        ),
        FORM,
    ),
    (
        "user not an object",
        _payload({"type": "view_submission", "user": "U1", "view": {"callback_id": "x"}}),
        FORM,
    ),
    ("event not an object", b'{"type": "event_callback", "event": 5}', "application/json"),
    ("command without user", b"command=%2Flscb&text=" + SECRET_TEXT.encode(), FORM),
]


@pytest.mark.parametrize("what,body,content_type", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_request_gets_400_signed_and_401_unsigned_in_one_quiet_line(
    driver: SlackDriver, session_factory, caplog, what: str, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    with served(driver.app, session_factory) as server:
        caplog.clear()
        unsigned = _post(server.url, body, {"Content-Type": content_type})
        assert unsigned.status == 401
        signed = _post(server.url, body, _signed(body, content_type))
        assert signed.status == 400, signed
    refusals = [r for r in _quiet_records(caplog) if "request refused" in r.getMessage()]
    assert [r.getMessage().split(":")[0] for r in refusals] == [
        "request refused (401)",
        "request refused (400)",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    _assert_no_content(caplog, SECRET_TEXT, "bruising")


def test_a_command_that_mentions_payload_is_read_as_a_command(
    driver: SlackDriver, session_factory, now
) -> None:
    ref = make_action(session_factory, now)
    body, url = driver.command_body(OWNER, f"note {ref} the payload=broken was fixed")
    with served(driver.app, session_factory) as server:
        assert _post(server.url, body.encode(), _signed(body.encode())).status == 200
    [reply] = [r for r in driver.slack.responses if r.url == url]
    assert "Note added" in json.dumps(reply.payload)


def _resend(driver: SlackDriver, server_url: str, raw: bytes, retry: int) -> Reply:
    return _post(
        server_url,
        raw,
        _signed(raw, FORM, **{"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"}),
    )


def _capture_next_request(driver: SlackDriver) -> list[bytes]:
    """The raw body of each request the driver sends, to send it again as Slack would."""
    sent: list[bytes] = []
    dispatch = driver.app.dispatch

    def recording(req: Any) -> Any:
        sent.append(req.raw_body.encode())
        return dispatch(req)

    driver.app.dispatch = recording  # type: ignore[method-assign]
    return sent


def test_a_retried_form_submission_is_saved_once(
    driver: SlackDriver, session_factory, now, caplog
) -> None:
    caplog.set_level(logging.INFO)
    make_action(session_factory, now)
    driver.command(ADMIN, "add")
    form = driver.open_form(ADMIN)
    sent = _capture_next_request(driver)
    out = driver.submit(ADMIN, {"text": "Audit bruising", "committee": "QAEC"}, view=form)
    assert out.ack == {}
    with served(driver.app, session_factory) as server:
        for retry in (1, 2, 3):
            assert _resend(driver, server.url, sent[0], retry).status == 200
    with session_factory() as s:
        assert s.query(Action).count() == 2  # the one made above and the one added: once
    assert sum("already taken" in r.getMessage() for r in caplog.records) == 3


def test_a_retried_button_press_acts_once(driver: SlackDriver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    sent = _capture_next_request(driver)
    driver.press(OWNER, ids.BUTTON_NOTE, ref)
    assert len(driver.slack.calls_to("views.open")) == 1
    with served(driver.app, session_factory) as server:
        assert _resend(driver, server.url, sent[0], 1).status == 200
    assert len(driver.slack.calls_to("views.open")) == 1


def test_a_fresh_delivery_with_a_retry_header_is_still_done(
    driver: SlackDriver, session_factory, now
) -> None:
    """A retry whose first delivery never reached the app is the only delivery: do it."""
    ref = make_action(session_factory, now)
    before = len(driver.slack.calls_to("views.open"))
    payload = {
        "type": "block_actions",
        "user": USER,
        "api_app_id": driver.slack.app_id,
        "trigger_id": driver.slack.new_trigger_id(OWNER),
        "container": {"type": "message", "channel_id": "C0QAEC"},
        "channel": {"id": "C0QAEC", "name": "lscb-qaec"},
        "response_url": driver.slack.new_response_url(channel="C0QAEC", user=OWNER),
        "actions": [{"type": "button", "action_id": ids.BUTTON_NOTE, "value": ref}],
    }
    with served(driver.app, session_factory) as server:
        assert _resend(driver, server.url, _payload(payload), 1).status == 200
    assert len(driver.slack.calls_to("views.open")) == before + 1
