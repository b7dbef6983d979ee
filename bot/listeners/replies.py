"""Delivering answers: by response_url, as a modal, or as a file; and failing politely."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import blocks as bk
from bot.listeners.answers import Answer

log = logging.getLogger("bot.listeners")

SORRY = (
    "Sorry, something went wrong on our side while answering that. "
    "`/lscb show A-<n>` shows whether a change was saved; please try again."
)


def log_failure(what: str, e: BaseException) -> None:
    """Log the kind of failure and where, never its message: it may quote case details."""
    where = "".join(traceback.format_tb(e.__traceback__, limit=-3)).strip().replace("\n", " | ")
    log.error("%s failed: %s at %s", what, type(e).__name__, where)


def respond_with(respond: Respond, answer: Answer, *, replace: bool = False) -> None:
    respond(
        text=answer.text,
        blocks=answer.blocks,
        response_type="in_channel" if answer.share else "ephemeral",
        replace_original=replace,
    )


def post_to_url(url: str, answer: Answer, *, replace: bool = False) -> None:
    """After a form is submitted, answer on the response_url of the message it came from
    (`replace`: in place of that message)."""
    response = WebhookClient(url).send(
        text=answer.text,
        blocks=answer.blocks,
        response_type="ephemeral",
        replace_original=replace,
    )
    if response.status_code != 200:
        log.warning("response_url answered %s", response.status_code)


def open_view(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a form; from inside a modal, push it on top instead."""
    trigger = body["trigger_id"]
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=trigger, view=view)
    else:
        client.views_open(trigger_id=trigger, view=view)


def tell(client: WebClient, body: dict[str, Any], answer: Answer, *, replace: bool = False) -> None:
    """Answer a button press: on the message's response_url, or in a modal (App Home)."""
    url = body.get("response_url")
    if url:
        post_to_url(url, answer, replace=replace)
    else:
        open_view(client, body, bk.notice_modal("LSCB Action Tracker", answer.text))


def upload(client: WebClient, user_id: str, answer: Answer) -> None:
    """A report goes to the person's direct messages: a file cannot be ephemeral."""
    assert answer.upload is not None
    filename, content = answer.upload
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    try:
        client.files_upload_v2(
            channel=dm,
            filename=filename,
            content=content,
            title=filename,
            initial_comment=answer.text,
        )
    except SlackApiError as e:
        log_failure("report upload", e)
        raise


def message_of(body: dict[str, Any]) -> dict[str, str] | None:
    """The app's own message a button was pressed on ({"c": channel, "ts": ts}), or None for an
    ephemeral answer or App Home (those are answered on their response_url or redrawn)."""
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return None
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts")
    return {"c": str(channel), "ts": str(ts)} if channel and ts else None


def _read_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message of a conversation, as Slack holds it now (a thread reply too)."""
    page = client.conversations_history(
        channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
    )
    for m in page.get("messages") or []:
        if m.get("ts") == ts:
            return dict(m)
    page = client.conversations_replies(channel=channel, ts=ts, limit=1)
    for m in page.get("messages") or []:
        if m.get("ts") == ts:
            return dict(m)
    return None


def settle_in_place(
    client: WebClient,
    body_or_meta: dict[str, Any],
    ref: str,
    what: str,
    action: Any,
    viewer: Any,
) -> bool:
    """Update the app's message a button was used on (chat.update): a line saying what happened
    beside the action, and only the buttons that still apply. False if there is none to update."""
    where = body_or_meta.get("msg") or message_of(body_or_meta)
    if not where:
        return False
    try:
        original = _read_message(client, where["c"], where["ts"])
        if original is None:
            return False
        blocks = bk.settle_message(original.get("blocks") or [], ref, what, action, viewer)
        client.chat_update(
            channel=where["c"], ts=where["ts"], text=original.get("text") or what, blocks=blocks
        )
        return True
    except SlackApiError as e:
        log.warning("message not updated in place (%s)", e.response.get("error"))
        return False
