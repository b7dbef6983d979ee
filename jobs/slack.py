"""The Web API client the jobs post with: retries 429 only (see jobs.outbox for why)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import Settings

# Used only when SLACK_API_BASE_URL points at a local stand-in and no token is configured.
STANDIN_TOKEN = "xoxb-local-standin"
DEFAULT_TIMEOUT = 30


class SlackNotConfigured(RuntimeError):
    pass


def notice_retry_handlers() -> list[RetryHandler]:
    """HTTP 429 only, honouring Retry-After: Slack did nothing with the request."""
    return [RateLimitErrorRetryHandler(max_retry_count=3)]


def make_client(settings: Settings, *, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    """A WebClient on settings' token and base URL.

    Only HTTP 429 is retried inside slack_sdk (honouring Retry-After): Slack did nothing with the
    request. A 5xx or a timeout may have posted the message, so the outbox looks before retrying.
    """
    token = settings.slack_bot_token
    if not token:
        if not settings.slack_api_base_url:
            raise SlackNotConfigured(
                "SLACK_BOT_TOKEN is not set: notices cannot be sent (set it, or set "
                "SLACK_API_BASE_URL to a local stand-in)"
            )
        token = STANDIN_TOKEN
    return WebClient(
        token=token,
        base_url=settings.slack_api_base_url or WebClient.BASE_URL,
        timeout=timeout,
        retry_handlers=notice_retry_handlers(),
    )
