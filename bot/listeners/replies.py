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


def post_to_url(url: str, answer: Answer) -> None:
    """After a form is submitted, answer on the response_url of the message it came from."""
    response = WebhookClient(url).send(
        text=answer.text,
        blocks=answer.blocks,
        response_type="ephemeral",
        replace_original=False,
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


def tell(client: WebClient, body: dict[str, Any], answer: Answer) -> None:
    """Answer a button press: on the message's response_url, or in a modal (App Home)."""
    url = body.get("response_url")
    if url:
        post_to_url(url, answer)
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
