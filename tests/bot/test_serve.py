"""`lscb serve`: the app on a production WSGI server (waitress) over real HTTP on loopback."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.server import HttpServer, database_health, make_wsgi_app, serve, socket_mode_client
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from sandbox.slack import SlackStandIn
from tests.bot.serving import (
    SECRET,
    build_app,
    command_body,
    http,
    post_signed,
    reply_text,
    served,
    settings_for,
)


@pytest.fixture
def slack():
    with SlackStandIn(strict=True) as standin:  # every call the served app makes meets the spec
        yield standin


@pytest.fixture
def app(slack, db_url, session_factory, org):
    return build_app(settings_for(db_url, slack), session_factory)


def test_healthz_is_200_when_the_database_answers(app, session_factory):
    with served(app, session_factory) as server:
        reply = http("GET", server.url + "/healthz")
    assert reply.status == 200 and reply.json() == {"ok": True, "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(app, tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'lscb.sqlite3'}")
    try:
        with served(app, make_session_factory(engine)) as server:
            reply = http("GET", server.url + "/healthz")
    finally:
        engine.dispose()
    assert reply.status == 503 and reply.json() == {"ok": False, "database": "unreachable"}


def test_signed_help_command_gets_its_answer(app, slack, session_factory):
    with served(app, session_factory) as server:
        reply = post_signed(server.url, command_body(slack, "help"))
        seen = reply_text(reply, slack)
    assert reply.status == 200
    assert "/lscb" in seen and "actions" in seen


def test_wrong_signature_is_refused_with_401_and_nothing_happens(app, slack, session_factory):
    with served(app, session_factory) as server:
        reply = post_signed(server.url, command_body(slack, "help"), secret="x" * 32)
    assert reply.status == 401
    assert slack.responses == [] and slack.messages() == []


def test_signature_older_than_five_minutes_is_refused(app, slack, session_factory):
    with served(app, session_factory) as server:
        stale = int(time.time()) - 6 * 60
        reply = post_signed(server.url, command_body(slack, "help"), timestamp=stale)
    assert reply.status == 401 and slack.responses == []


def test_unsigned_request_is_refused(app, slack, session_factory):
    with served(app, session_factory) as server:
        reply = http(
            "POST",
            server.url + "/slack/events",
            command_body(slack, "help"),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert reply.status == 401


def test_other_paths_are_404(app, session_factory):
    with served(app, session_factory) as server:
        assert http("GET", server.url + "/").status == 404
        assert http("GET", server.url + "/slack/events").status == 404
        assert http("POST", server.url + "/healthz", b"").status == 405


def test_server_answers_requests_side_by_side(app, slack, session_factory):
    results: list[int] = []
    with served(app, session_factory) as server:

        def one() -> None:
            results.append(http("GET", server.url + "/healthz").status)

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 8


def test_a_stopped_server_no_longer_answers(app, session_factory):
    server = HttpServer(make_wsgi_app(app, database_health(session_factory))).start()
    url = server.url
    assert http("GET", url + "/healthz").status == 200
    server.stop()
    with pytest.raises(OSError):
        http("GET", url + "/healthz")


def test_serve_without_slack_settings_says_so_in_one_line(tmp_path: Path, capsys):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    assert main(["serve", "--http", "--port", "0"], env=env) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET are not set" in err


def test_serve_without_app_token_or_http_explains_both_ways(tmp_path: Path, capsys):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": SECRET,
    }
    assert main(["serve"], env=env) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SLACK_APP_TOKEN" in err and "--http" in err


def test_socket_mode_connects_through_the_configured_api_base():
    settings = Settings(database_url="sqlite://", slack_api_base_url="http://127.0.0.1:9/api/")
    assert socket_mode_client(settings).base_url == "http://127.0.0.1:9/api/"
    assert socket_mode_client(Settings(database_url="sqlite://")).base_url.startswith(
        "https://slack.com/api"
    )


def test_lscb_serve_http_answers_health_and_commands(slack, db_url, session_factory, org, caplog):
    settings = settings_for(db_url, slack)
    ready: list[HttpServer] = []
    started = threading.Event()

    def on_ready(server: HttpServer) -> None:
        ready.append(server)
        started.set()

    runner = threading.Thread(
        target=serve,
        args=(settings,),
        kwargs={
            "http": True,
            "host": "127.0.0.1",
            "port": 0,
            "scheduler": False,
            "ready": on_ready,
        },
        daemon=True,
    )
    caplog.set_level("INFO", logger="lscb.server")
    runner.start()
    assert started.wait(15)
    server = ready[0]
    try:
        assert http("GET", server.url + "/healthz").status == 200
        reply = post_signed(server.url, command_body(slack, "help"))
        assert reply.status == 200 and "/lscb" in reply_text(reply, slack)
    finally:
        server.stop()
        runner.join(10)
    assert not runner.is_alive()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "listening on http://127.0.0.1:" in logged
    assert SECRET not in logged and "xoxb-" not in logged
    assert json.dumps(logged)  # the log is plain text


def test_the_manifest_creates_the_app_with_the_scopes_the_readme_justifies():
    root = Path(__file__).resolve().parents[2]
    manifest = json.loads((root / "slack-manifest.json").read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/lscb" and command["should_escape"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.im",  # a file an admin sends the app, to import
    ]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("### The scopes the app asks for, and why", 1)[1].split(
        "\nNot asked for", 1
    )[0]
    justified = {
        s
        for line in table.splitlines()
        if line.startswith("| `")
        for s in line.split("|")[1].replace("`", "").replace(" ", "").split(",")
    }
    assert scopes == justified
    assert "chat:write.public" not in scopes and "user" not in manifest["oauth_config"]["scopes"]


def test_serve_with_a_token_slack_refuses_says_so_in_one_line(db_url, session_factory, capsys):
    with SlackStandIn(token="xoxb-the-right-one") as slack:
        env = {
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": "xoxb-a-wrong-one",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_BASE_URL": slack.base_url,
        }
        code = main(["serve", "--http", "--port", "0", "--no-scheduler"], env=env)
    err = capsys.readouterr().err
    assert code == 2 and "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in err
    assert "Traceback" not in err and "xoxb-a-wrong-one" not in err
