"""The composition root: settings in, a Bolt app out, with storage, Slack client and clock.

Everything is replaceable in tests: `create_app(settings, session_factory=..., client=...,
clock=...)`. Listeners ack at once and do their work afterwards (Slack waits 3 seconds at most).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot import logsafe
from bot.inbound import delivery_key, shape_problem
from bot.listeners import register_all
from bot.listeners.deps import Deps
from bot.settings import Settings
from models.clock import Clock, SystemClock
from models.deliveries import forget_old_deliveries, take_delivery
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
    logsafe.install()
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
    app.use(_refuse_malformed)
    app.use(_skip_retried_deliveries(deps))
    register_all(app, deps)
    log.info("slack app ready")
    return app


def _refuse_malformed(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
    """400 for a body that lacks what its kind always carries (HTTP checks it before Bolt too;
    this covers Socket Mode and direct dispatch). One line, the reason only."""
    problem = shape_problem(req.body)
    if problem is not None:
        log.warning("malformed request refused: %s", problem)
        return BoltResponse(status=400, body="")
    return next()


def _skip_retried_deliveries(deps: Deps) -> Callable[..., BoltResponse]:
    """A delivery Slack retries (`X-Slack-Retry-Num`) that was already taken is acknowledged and
    not done again: a form saves once, a button acts once."""
    taken = 0

    def middleware(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
        nonlocal taken
        key = delivery_key(req.body)
        if key is None:
            return next()
        now = deps.now()

        def take(s: Session) -> bool:
            first = take_delivery(s, key, now)
            if first and taken % 500 == 0:
                forget_old_deliveries(s, now)
            return first

        try:
            first = deps.run(take)
        except Exception as e:  # the store being down must not stop Slack's requests
            log.warning("delivery not recorded (%s)", type(e).__name__)
            return next()
        taken += 1
        retry = (req.headers.get("x-slack-retry-num") or [""])[0]
        # An interaction's trigger is never sent twice except as a retry or a replay; an event
        # seen again without the header is Slack's own resend of a fresh event.
        if not first and (retry or not key.startswith("event:")):
            log.info(
                "delivery already taken, skipped: %s (retry %s)",
                key.split(":", 1)[0],
                retry[:4] or "none",
            )
            return BoltResponse(status=200, body="")
        return next()

    return middleware
