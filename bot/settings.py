"""Settings, read once from the environment (and `.env`), with errors that name the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from models.brag import BragRules
from models.db import default_database_url


class SettingsError(ValueError):
    """One line naming the variable and what is wrong with it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str | None = None
    timezone: str = "Europe/London"
    amber_days: int = 14
    drift_days: int = 30
    log_level: str = "INFO"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def brag_rules(self) -> BragRules:
        return BragRules(amber_days=self.amber_days, drift_days=self.drift_days, tz=self.tz)

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def require_slack(self, *, socket_mode: bool = False) -> None:
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
                ("SLACK_APP_TOKEN", self.slack_app_token if socket_mode else "n/a"),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
                "copy .env.example to .env and fill in the values from your Slack app's settings"
            )


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name}={value} is out of range ({lo} to {hi})")
    return value


def _token(env: Mapping[str, str], name: str, prefix: str, what: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(prefix):
        raise SettingsError(f"{name} is malformed: a {what} starts with {prefix}")
    return raw


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Build settings from `env` (default: os.environ after loading `.env`)."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(Path.cwd() / ".env", override=False)
        env = os.environ

    url = env.get("DATABASE_URL", "").strip() or default_database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            "DATABASE_URL is malformed: expected e.g. sqlite:///lscb.sqlite3 or "
            "postgresql+psycopg://user:password@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"DATABASE_URL uses {backend}: only sqlite and postgresql are supported"
        )
    if backend == "postgresql" and parsed.drivername not in ("postgresql+psycopg", "postgresql"):
        raise SettingsError(
            "DATABASE_URL should start postgresql+psycopg:// (psycopg 3 is installed)"
        )
    if parsed.drivername == "postgresql":
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)

    tzname = env.get("LSCB_TIMEZONE", "").strip() or "Europe/London"
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"LSCB_TIMEZONE={tzname!r} is not a known time zone (e.g. Europe/London)"
        ) from None

    api = env.get("SLACK_API_BASE_URL", "").strip() or None
    if api is not None:
        u = urlparse(api)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise SettingsError(f"SLACK_API_BASE_URL={api!r} is not an http(s) URL")
        if not api.endswith("/"):
            api += "/"

    secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
    if secret is not None and len(secret) < 16:
        raise SettingsError("SLACK_SIGNING_SECRET is malformed: too short to be a signing secret")

    level = (env.get("LSCB_LOG_LEVEL", "").strip() or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"LSCB_LOG_LEVEL={level!r} should be DEBUG, INFO, WARNING or ERROR")

    return Settings(
        database_url=url,
        slack_bot_token=_token(env, "SLACK_BOT_TOKEN", "xoxb-", "bot token"),
        slack_signing_secret=secret,
        slack_app_token=_token(env, "SLACK_APP_TOKEN", "xapp-", "app-level token"),
        slack_api_base_url=api,
        timezone=tzname,
        amber_days=_int(env, "LSCB_AMBER_DAYS", 14, 1, 90),
        drift_days=_int(env, "LSCB_DRIFT_DAYS", 30, 1, 365),
        log_level=level,
    )
