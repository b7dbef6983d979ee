"""Sign requests the way Slack signs what it sends to an app (v0, HMAC-SHA256).

Slack computes ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` keyed by the app's
signing secret, and sends it with the timestamp in ``X-Slack-Signature`` and
``X-Slack-Request-Timestamp``. Tests and the sandbox use this to send requests the app accepts.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + _bytes(body)
    return "v0=" + hmac.new(_bytes(secret), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str | bytes, timestamp: int | str | None = None
) -> dict[str, str]:
    """Headers for a request Slack would have sent; the timestamp defaults to now."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
    }
