"""The composition root: settings in, a Bolt app out, with storage, Slack client and clock.

Everything is replaceable in tests: `create_app(settings, session_factory=..., client=...,
clock=...)`. Listeners ack at once and do their work afterwards (Slack waits 3 seconds at most).
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners import register_all
from bot.listeners.deps import Deps
from bot.settings import Settings
from models.clock import Clock, SystemClock
from models.store import Store

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    """The Web API client every call goes through: SLACK_API_BASE_URL honoured, with retries."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url or WebClient.BASE_URL,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    client: WebClient | None = None,
    clock: Clock | None = None,
    process_before_response: bool = False,
    listener_executor: Executor | None = None,
    token_verification_enabled: bool = True,
) -> App:
    """The Slack app. `process_before_response=True` only where the platform stops work at the
    response (FaaS); `listener_executor` lets tests run listeners to completion before the reply.
    `token_verification_enabled` calls auth.test once at start, naming a bad token early."""
    settings.require_slack()
    if session_factory is None:
        session_factory = Store.open(settings.database_url).session_factory
    if client is None:
        client = make_client(settings)
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        client=client,
        clock=clock or SystemClock(),
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=token_verification_enabled,
        process_before_response=process_before_response,
        listener_executor=listener_executor,
        logger=logging.getLogger("bot.bolt"),
    )
    register_all(app, deps)
    log.info("slack app ready")
    return app
