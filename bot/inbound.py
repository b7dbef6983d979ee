"""What Slack sends, checked before any listener sees it.

Over HTTP the signature is checked first (401, and nothing read from the body), then the body is
decoded and its shape checked (400 for anything Slack would never send: not UTF-8, JSON that
does not parse or is not an object, a payload without the fields its type always has). A
listener therefore never meets a body it would stumble on, and no malformed request costs a
traceback in the log. Each refusal is one log line naming the reason, never the content.

Bolt's own parser reads any form body with the letters "payload" anywhere in it (a command whose
text mentions a payload) as an interactive payload; `parse_body` reads the fields instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.parse
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("lscb.inbound")


class Malformed(ValueError):
    """The body is not something Slack sends; the message names why, never the content."""


@dataclass(frozen=True)
class Inbound:
    text: str  # the body as UTF-8 text (what Bolt takes)
    body: dict[str, Any]  # the body read as Slack means it


def signature_problem(
    verifier: SignatureVerifier, raw: bytes, headers: dict[str, str]
) -> str | None:
    """Why the request is not Slack's, or None when its signature and timestamp check out."""
    signature = headers.get("x-slack-signature")
    timestamp = headers.get("x-slack-request-timestamp")
    if not signature or not timestamp:
        return "unsigned"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "bad timestamp"
    if abs(verifier.clock.now() - int(timestamp)) > 60 * 5:
        return "stale timestamp"
    # Over the bytes as sent (slack_sdk's check decodes them first, and fails on non-UTF-8).
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(verifier.signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "bad signature"
    return None


def parse_body(raw: bytes, content_type: str | None) -> Inbound:
    """The body as Slack means it: JSON (events), a form with a JSON `payload` (interactions) or
    a plain form (slash commands)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json" or text.lstrip().startswith("{"):
        return Inbound(text, _json_object(text, "JSON body"))
    try:
        fields = urllib.parse.parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise Malformed("form body does not parse") from None
    if "payload" in fields:
        if len(fields["payload"]) != 1:
            raise Malformed("more than one payload")
        return Inbound(text, _json_object(fields["payload"][0], "payload"))
    return Inbound(text, {k: v[-1] for k, v in fields.items()})


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a JSON {type(value).__name__}, not an object")
    return value


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


def _user_id(body: dict[str, Any]) -> bool:
    user = body.get("user")
    return isinstance(user, dict) and _is_id(user.get("id"))


def shape_problem(body: dict[str, Any]) -> str | None:
    """What a body lacks that its kind always carries, or None. Kinds the app does not handle
    pass: Bolt answers them 404."""
    kind = body.get("type")
    if "command" in body and kind is None:
        if not _is_id(body.get("user_id")):
            return "command without user_id"
        if not isinstance(body.get("text", ""), str):
            return "command text is not text"
        return None
    if kind is not None and not isinstance(kind, str):
        return "type is not text"
    if kind == "block_actions":
        if not _user_id(body):
            return "block_actions without user"
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and _is_id(a.get("action_id")) for a in actions):
            return "block_actions action without action_id"
        for key in ("view", "channel", "container", "message"):
            if key in body and not isinstance(body[key], dict):
                return f"block_actions {key} is not an object"
        return None
    if kind in ("view_submission", "view_closed"):
        if not _user_id(body):
            return f"{kind} without user"
        view = body.get("view")
        if not isinstance(view, dict) or not _is_id(view.get("callback_id")):
            return f"{kind} without view"
        state = view.get("state", {})
        if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
            return f"{kind} state.values is not an object"
        if not all(isinstance(v, dict) for v in state.get("values", {}).values()):
            return f"{kind} state value is not an object"
        return None
    if kind in ("shortcut", "message_action"):
        if not _user_id(body) or not _is_id(body.get("callback_id")):
            return f"{kind} without user or callback_id"
        return None
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _is_id(event.get("type")):
            return "event_callback without event"
        return None
    return None


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery, the same on each of Slack's retries of it: the event's id,
    or the interaction's trigger (one per press or submission)."""
    if body.get("type") == "event_callback" and _is_id(body.get("event_id")):
        return f"event:{body['event_id']}"
    if body.get("type") in ("block_actions", "view_submission", "shortcut", "message_action"):
        trigger = body.get("trigger_id")
        if _is_id(trigger):
            return f"{body['type']}:{trigger}"
    return None


def bolt_request(inbound: Inbound, headers: dict[str, Any], query: str | None = None) -> Any:
    """A BoltRequest carrying the body as `parse_body` read it (and the exact text, which the
    signature covers), so Bolt's own parser, which mistakes any body mentioning "payload", is
    never used."""
    from slack_bolt import BoltRequest
    from slack_bolt.context import BoltContext
    from slack_bolt.request.internals import build_context

    req = BoltRequest(body="", headers=headers, query=query)
    req.raw_body = inbound.text
    req.body = inbound.body
    req.context = build_context(BoltContext({}), inbound.body)
    return req
