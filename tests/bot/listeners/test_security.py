"""Requests are trusted only when Slack's signature checks out; over real HTTP as Slack sends."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from hypothesis import HealthCheck, given, settings
from slack_bolt import BoltRequest
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.signature import SignatureVerifier

from models import actions as ops
from sandbox.slack import sign
from tests.bot.serving import http, served
from tests.bot.slackapp import SECRET, SlackDriver
from tests.bot.test_commands import TEXTS
from tests.factories import make_action
from tests.slack_example import BODY, SIGNATURE, TIMESTAMP, FixedClock

OWNER = "U0DESNURS"


# The app under test signs with the secret of Slack's published example (tests.bot.slackapp).
def _verifier_at(driver: SlackDriver, when: float) -> None:
    for mw in driver.app._middleware_list:
        if isinstance(mw, RequestVerification):
            mw._verifier = SignatureVerifier(SECRET, clock=FixedClock(when))


def _example(driver: SlackDriver, signature: str) -> int:
    headers: dict[str, Any] = {
        "X-Slack-Request-Timestamp": TIMESTAMP,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return driver.app.dispatch(BoltRequest(body=BODY, headers=headers)).status


def test_slacks_published_signing_example_passes_the_apps_check(driver: SlackDriver) -> None:
    _verifier_at(driver, int(TIMESTAMP) + 30)
    # Past the signature check: /webhook-collect is not our command, so Bolt finds no listener.
    assert _example(driver, SIGNATURE) == 404
    assert _example(driver, SIGNATURE[:-1] + "0") == 401
    _verifier_at(driver, int(TIMESTAMP) + 5 * 60 + 1)
    assert _example(driver, SIGNATURE) == 401


def test_over_http_only_correctly_signed_fresh_requests_change_anything(
    driver: SlackDriver, session_factory, now
) -> None:
    ref = make_action(session_factory, now)

    def note(text: str, headers: dict[str, str]) -> int:
        body, _ = driver.command_body(OWNER, f"note {ref} {text}")
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        return http("POST", server.url + "/slack/events", body.encode(), headers).status

    with served(driver.app, session_factory) as server:
        fresh = int(time.time())
        assert (
            note("forged", {"X-Slack-Request-Timestamp": str(fresh), "X-Slack-Signature": "v0=00"})
            == 401
        )
        assert note("unsigned", {}) == 401
        old = fresh - 5 * 60 - 5
        body, _ = driver.command_body(OWNER, f"note {ref} stale")
        stale = {
            "X-Slack-Request-Timestamp": str(old),
            "X-Slack-Signature": sign(SECRET, old, body),
        }
        stale["Content-Type"] = "application/x-www-form-urlencoded"
        assert http("POST", server.url + "/slack/events", body.encode(), stale).status == 401
        body, url = driver.command_body(OWNER, f"note {ref} wrong secret")
        wrong = {
            "X-Slack-Request-Timestamp": str(fresh),
            "X-Slack-Signature": sign("another-secret-0000", fresh, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        assert http("POST", server.url + "/slack/events", body.encode(), wrong).status == 401
        with session_factory() as s:
            assert ops.get_action(s, ref).latest_progress is None

        body, url = driver.command_body(OWNER, f"note {ref} met the schools")
        good = {
            "X-Slack-Request-Timestamp": str(fresh),
            "X-Slack-Signature": sign(SECRET, fresh, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        assert http("POST", server.url + "/slack/events", body.encode(), good).status == 200
    with session_factory() as s:
        assert ops.get_action(s, ref).latest_progress == "met the schools"
    [reply] = [r for r in driver.slack.responses if r.url == url]
    assert "Note added" in urllib.parse.unquote(str(reply.payload))


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXTS)
def test_any_text_through_the_app_gets_a_helpful_private_answer(
    driver: SlackDriver, session_factory, now, text: str
) -> None:
    if not driver.slack.responses:
        make_action(session_factory, now)
    out = driver.command(OWNER, text)
    assert out.status == 200
    assert out.responses and out.responses[-1].status == 200
    payload = out.payload
    assert payload["text"].strip()
    assert "Traceback" not in str(payload) and "Sorry, something went wrong" not in str(payload)
    if " share" not in f" {text.lower()}":
        assert payload["response_type"] == "ephemeral"
