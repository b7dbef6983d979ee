"""Socket Mode against a stand-in that speaks the protocol over a real websocket on loopback:
hello, envelopes and acks, a refresh, a drop without a close frame, a connection gone silent, a
refused handshake, a refused app token; and `lscb serve --health-port` saying whether the socket
is connected."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.server import HttpServer, serve
from bot.settings import Settings
from bot.socket_mode import SocketModeConnection
from sandbox.slack import SlackStandIn
from sandbox.slack.socket_mode import SocketModeStandIn
from tests.bot.serving import http
from tests.bot.slackapp import QAEC_CHANNEL, SECRET, TOKEN, SlackDriver, clock, driver, slack

__all__ = ["clock", "driver", "slack"]
from tests.factories import make_action

APP_TOKEN = "xapp-1-lscb-test"
OWNER = "U0DESNURS"
# Quicker timings, so each case takes seconds (the defaults are 4 s, 3 s and 7 s), but not so
# quick that a busy machine misses a pong.
FAST = {"ping_interval": 2.0, "ping_timeout": 1.5, "watchdog_after": 5.0}


@pytest.fixture
def socket_mode(slack: SlackStandIn) -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn(slack, app_token=APP_TOKEN) as sm:
        yield sm


@pytest.fixture
def connection(driver: SlackDriver, socket_mode) -> Iterator[SocketModeConnection]:
    conn = SocketModeConnection(
        driver.app, APP_TOKEN, WebClient(base_url=driver.slack.base_url), **FAST
    )
    conn.connect()
    assert conn.wait_until_connected(5)
    yield conn
    conn.close()


def _command(driver: SlackDriver, text: str) -> tuple[dict[str, Any], str]:
    body, url = driver.command_body(OWNER, text)
    return dict(urllib.parse.parse_qsl(body)), url


def _answered(driver: SlackDriver, url: str, timeout: float = 5) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = [r for r in driver.slack.responses if r.url == url]
        if got:
            return json.dumps(got[-1].payload)
        time.sleep(0.02)
    raise AssertionError("no answer on the response_url")


def _wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_command_envelope_is_acknowledged_and_answered(
    driver: SlackDriver, socket_mode, connection, session_factory, now
):
    ref = make_action(session_factory, now)
    payload, url = _command(driver, f"show {ref}")
    envelope, sent = socket_mode.send_envelope("slash_commands", payload)
    ack = socket_mode.wait_for_ack(envelope)
    assert ack.at - sent < 3
    assert "Issue bruising guidance" in _answered(driver, url)
    assert connection.is_connected()


def test_after_a_refresh_the_new_connection_is_read_at_once(
    driver: SlackDriver, socket_mode, connection
):
    first = socket_mode.current
    socket_mode.disconnect("refresh_requested")
    second = socket_mode.wait_for_link(2, timeout=5)
    assert second is not first
    payload, url = _command(driver, "help")
    envelope, sent = socket_mode.send_envelope("slash_commands", payload, link=second)
    assert socket_mode.wait_for_ack(envelope, timeout=3).at - sent < 3.0  # Slack's limit
    assert "/lscb" in _answered(driver, url)


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_a_drop_without_a_close_frame_is_noticed_and_mended_without_spinning(
    driver: SlackDriver, socket_mode, connection, reset
):
    cpu, started = time.process_time(), time.monotonic()
    socket_mode.drop(reset=reset)
    socket_mode.wait_for_link(2, timeout=10)
    assert time.monotonic() - started < 10
    assert _wait(connection.is_connected, 5)
    time.sleep(2)  # and it stays quiet once mended
    assert time.process_time() - cpu < 1.5
    payload, url = _command(driver, "help")
    envelope, _ = socket_mode.send_envelope("slash_commands", payload)
    socket_mode.wait_for_ack(envelope)
    assert socket_mode.handshakes <= 3  # a new connection, not a storm of them


def test_a_connection_gone_silent_is_given_up_within_the_ping_deadline(
    driver: SlackDriver, socket_mode, connection
):
    started = time.monotonic()
    socket_mode.go_silent()  # open, but nothing more arrives: not even pongs
    socket_mode.wait_for_link(2, timeout=10)
    assert time.monotonic() - started < 10
    assert _wait(connection.is_connected, 5)


def test_the_watchdog_reconnects_when_nothing_arrives(driver: SlackDriver, socket_mode, caplog):
    """With the client's own ping deadline out of play, the watchdog alone notices."""
    caplog.set_level(logging.INFO, logger="lscb.socket_mode")
    conn = SocketModeConnection(
        driver.app,
        APP_TOKEN,
        WebClient(base_url=driver.slack.base_url),
        ping_interval=20,  # no ping before the watchdog's 2 s; a read gives up within 4 s
        ping_timeout=4,
        watchdog_after=2,
    )
    conn.connect()
    try:
        assert conn.wait_until_connected(5)
        time.sleep(0.5)
        links = len(socket_mode.links)
        started = time.monotonic()
        socket_mode.go_silent()
        socket_mode.wait_for_link(links + 1, timeout=10)
        assert 2 <= time.monotonic() - started < 10
        assert any("nothing from Slack" in r.getMessage() for r in caplog.records)
    finally:
        conn.close()


def test_a_refused_handshake_is_said_and_retried_after_a_pause_not_claimed_as_connected(
    driver: SlackDriver, socket_mode, caplog
):
    caplog.set_level(logging.DEBUG)
    socket_mode.refuse_handshakes(2, status=403)
    conn = SocketModeConnection(
        driver.app, APP_TOKEN, WebClient(base_url=driver.slack.base_url), **FAST
    )
    started = time.monotonic()
    conn.connect()
    try:
        assert not conn.wait_until_connected(0.5)
        assert not conn.is_connected()
        assert conn.wait_until_connected(10)
        assert time.monotonic() - started >= 2.5  # paused 1 s, then 2 s: no spinning
        assert socket_mode.handshakes == 3
    finally:
        conn.close()
    lines = [r.getMessage() for r in caplog.records]
    refused = [line for line in lines if "refused the connection (HTTP 403)" in line]
    assert len(refused) == 2
    connected = [i for i, line in enumerate(lines) if "Socket Mode connected" in line]
    assert len(connected) == 1 and connected[0] > lines.index(refused[-1])
    assert not any("new session has been established" in line for line in lines)
    assert not any("Bolt app is running" in line for line in lines)


def _settings(slack: SlackStandIn, db_url: str, app_token: str) -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_app_token=app_token,
        slack_api_base_url=slack.base_url,
    )


def test_a_refused_app_token_is_one_line_naming_it_and_exit_2(
    slack, socket_mode, db_url, session_factory, capsys
):
    from bot.cli import main

    env = {
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "xapp-1-a-wrong-one",
        "SLACK_API_BASE_URL": slack.base_url,
    }
    code = main(["serve", "--no-scheduler"], env=env)
    err = capsys.readouterr().err
    assert code == 2
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in err
    assert "Traceback" not in err and "xapp-1-a-wrong-one" not in err
    assert len([line for line in err.splitlines() if "SLACK_APP_TOKEN" in line]) == 1


def test_serve_in_socket_mode_answers_healthz_with_the_sockets_state(
    slack, socket_mode, db_url, session_factory, org
):
    ready: list[HttpServer] = []
    started, stop = threading.Event(), threading.Event()

    def on_ready(server: HttpServer) -> None:
        ready.append(server)
        started.set()

    runner = threading.Thread(
        target=serve,
        args=(_settings(slack, db_url, APP_TOKEN),),
        kwargs={
            "http": False,
            "scheduler": False,
            "health_port": 0,
            "ready": on_ready,
            "stop": stop,
        },
        daemon=True,
    )
    runner.start()
    try:
        assert started.wait(15)
        url = ready[0].url + "/healthz"
        assert _wait(lambda: http("GET", url).status == 200, 10)
        assert json.loads(http("GET", url).body) == {
            "ok": True,
            "database": "ok",
            "socket": "connected",
        }
        socket_mode.refuse_handshakes(5)
        socket_mode.drop()
        assert _wait(lambda: http("GET", url).status == 503, 10)
        assert json.loads(http("GET", url).body)["socket"] == "disconnected"
        assert http("POST", url).status == 405
        assert http("GET", ready[0].url + "/slack/events").status == 404
    finally:
        stop.set()
        runner.join(15)
    assert not runner.is_alive()
    assert QAEC_CHANNEL  # the same workspace as the other Slack tests
