"""Settings: read once, with one clear error naming any missing or malformed variable."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_to_sqlite_in_the_working_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings({})
    assert s.database_url == f"sqlite:///{tmp_path / 'lscb.sqlite3'}"
    assert s.timezone == "Europe/London" and s.amber_days == 14 and s.drift_days == 30
    assert not s.slack_configured


@pytest.mark.parametrize(
    "env,message",
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is malformed"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL uses mysql"),
        ({"SLACK_BOT_TOKEN": "xoxp-123"}, "SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_APP_TOKEN": "xoxb-123"}, "SLACK_APP_TOKEN is malformed"),
        ({"SLACK_SIGNING_SECRET": "short"}, "SLACK_SIGNING_SECRET is malformed"),
        ({"LSCB_TIMEZONE": "Mars/Olympus"}, "LSCB_TIMEZONE"),
        ({"LSCB_AMBER_DAYS": "two weeks"}, "LSCB_AMBER_DAYS"),
        ({"LSCB_DRIFT_DAYS": "0"}, "LSCB_DRIFT_DAYS=0 is out of range"),
        ({"SLACK_API_BASE_URL": "localhost:9000"}, "SLACK_API_BASE_URL"),
    ],
)
def test_malformed_values_are_named(env, message) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_missing_slack_values_are_named_together() -> None:
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1-2-3"})
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        s.require_slack()
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET, SLACK_APP_TOKEN are not set"):
        s.require_slack(socket_mode=True)


def test_api_base_url_gets_a_trailing_slash() -> None:
    s = load_settings({"SLACK_API_BASE_URL": "http://127.0.0.1:9000/api"})
    assert s.slack_api_base_url == "http://127.0.0.1:9000/api/"


def test_plain_postgresql_url_uses_psycopg3() -> None:
    s = load_settings({"DATABASE_URL": "postgresql://u@h/db"})
    assert s.database_url.startswith("postgresql+psycopg://")
