"""No request body or message text reaches a log, at any level, whatever Slack's libraries say.

Bolt writes whole request bodies into some of its lines ("Invalid request signature detected
(… body: text=note+A-9+…)" at INFO, "Unhandled request (…)" at WARNING, a skipped middleware at
ERROR), and slack_sdk writes every Web API call's arguments and answer at DEBUG. Each log record
those libraries make is rewritten as it is made (a record factory, so every handler, file or
console, sees only the rewritten line): the line keeps what happened and drops what was sent.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

# Loggers whose records may carry bodies: Bolt's own, the app's Bolt logger and its per-class
# children ("bot.bolt", "bot.bolt:…"), slack_sdk's.
_SLACK_LOGGERS = re.compile(r"^(slack_bolt|slack_sdk|bot\.bolt)(\b|[.:])")
# Where a line starts quoting a body, arguments or an answer: everything from there is dropped.
_CONTENT_STARTS = re.compile(
    r"\s*(\(|:\s*\{|\{|- url:|body|payload|headers|query_params|json_body|text=|\bargs\b)",
    re.IGNORECASE,
)
_MAX = 120

_installed = False
_lock = threading.Lock()


def content_free(message: str) -> str:
    """The line without anything it quotes: "Invalid request signature detected (signature: …,
    body: …)" becomes "Invalid request signature detected (content not logged)"."""
    first = message.split("\n", 1)[0]
    m = _CONTENT_STARTS.search(first)
    kept = first[: m.start()] if m else first
    kept = kept.strip().rstrip(":-,")[:_MAX]
    if m or len(first) > _MAX or first != message:
        return f"{kept} (content not logged)"
    return kept


def install() -> None:
    """Rewrite every record Slack's libraries make from now on (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _SLACK_LOGGERS.match(record.name or ""):
                try:
                    text = record.getMessage()
                except Exception:  # a line that does not even format: say only where it was
                    text = str(record.msg)
                record.msg = content_free(text)
                record.args = None
                record.exc_info = None  # a traceback can quote the request too
                record.exc_text = None
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
