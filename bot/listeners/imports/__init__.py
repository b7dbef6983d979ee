"""Importing from Slack: `/lscb import`'s form, or a file an admin sends the app in a direct
message. The file is fetched (files.info, then its private download URL), read, and previewed in
the admin's direct messages with Import / Cancel; Import stores exactly what was previewed, or,
when the actions changed meanwhile, previews again."""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App

from bot import blocks as bk
from bot import ids
from bot.listeners.answers import IMPORT_REFUSED
from bot.listeners.deps import Deps
from bot.listeners.replies import log_failure
from bot.slackfiles import FileRefused, SharedFile, fetch
from importer.errors import ImportFileError
from importer.run import Outcome, preview, store_as_previewed
from importer.store import ImportSummary
from models import actions as ops

log = logging.getLogger(__name__)

LARGE = 500  # activities: a document this long shows its progress as it is read
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ \-()]+")


def counts_line(summary: ImportSummary) -> str:
    return (
        f"Reviews: {summary.reviews_created} new, {summary.reviews_updated} updated. Actions: "
        f"{summary.actions_created} new, {summary.actions_updated} updated, "
        f"{summary.actions_unchanged} unchanged; {len(summary.conflicts)} kept as people set "
        f"them; {len(summary.not_in_document)} no longer in the document."
    )


def _lines(outcome: Outcome) -> list[str]:
    return outcome.summary.preview_lines() + [f"warning: {w}" for w in outcome.index.warnings]


def _learning(outcome: Outcome) -> list[str]:
    """The themes the import suggests and the earlier items alike, as `lscb import` lists them."""
    learning = outcome.summary.learning
    return [line.strip() for line in learning.lines()] if learning is not None else []


def _worth_importing(summary: ImportSummary) -> bool:
    return bool(summary.changed or summary.conflicts or summary.not_applied)


class _Message:
    """The one message in the admin's direct messages that says how the import goes."""

    def __init__(self, deps: Deps, channel: str, ts: str) -> None:
        self.deps, self.channel, self.ts = deps, channel, ts
        self.last = -1

    @classmethod
    def post(cls, deps: Deps, where: str, blocks: list[bk.Block]) -> _Message:
        posted = deps.client.chat_postMessage(
            channel=where, text=bk.fallback_text(blocks), blocks=blocks
        )
        return cls(deps, str(posted["channel"]), str(posted["ts"]))

    def show(self, blocks: list[bk.Block]) -> None:
        self.deps.client.chat_update(
            channel=self.channel, ts=self.ts, text=bk.fallback_text(blocks), blocks=blocks
        )

    def say(self, text: str) -> None:
        self.show(bk.reply(text))

    def progress(self, name: str) -> Any:
        def tell(done: int, total: int) -> None:
            quarter = 4 * done // total if total else 4
            if total >= LARGE and done < total and quarter > self.last:
                self.last = quarter
                self.show(bk.import_progress(name, done, total))

        return tell


def _local_copy(folder: str, shared: SharedFile) -> Path:
    name = _SAFE_NAME.sub("_", Path(shared.name).name).strip() or "document"
    path = Path(folder) / name
    path.write_bytes(shared.content)
    return path


def _is_admin(deps: Deps, user_id: str) -> bool:
    with deps.session_factory() as s:
        return ops.actor_for_slack_id(s, user_id).is_admin


def _read_file(
    deps: Deps,
    file_id: str,
    message: _Message,
    read: Callable[[Path, SharedFile], Outcome],
) -> tuple[SharedFile, Outcome] | None:
    """The admin's file fetched from Slack and read by `read`, from a folder of its own that is
    removed after; None when Slack refused it or it could not be read, which `message` says as
    the command line says it."""
    try:
        shared = fetch(deps.client, file_id)
    except FileRefused as e:
        message.say(str(e))
        return None
    with tempfile.TemporaryDirectory() as folder:
        try:
            return shared, read(_local_copy(folder, shared), shared)
        except ImportFileError as e:
            message.say(str(e))  # the command line's one-line refusal
            return None


def _preview(deps: Deps, user_id: str, file_id: str, where: str) -> None:
    message = _Message.post(deps, where, bk.import_progress("your file", 0, 0))
    found = _read_file(
        deps,
        file_id,
        message,
        lambda path, shared: preview(
            deps.session_factory,
            path,
            name=shared.name,
            now=deps.now(),
            progress=message.progress(shared.name),
        ),
    )
    if found is None:
        return
    shared, outcome = found
    log.info("import previewed for %s: %d activities", user_id, outcome.index.activity_count)
    message.show(_preview_blocks(shared, outcome))


def _preview_blocks(
    shared: SharedFile, outcome: Outcome, note: str | None = None
) -> list[bk.Block]:
    summary = outcome.summary
    value = None
    if _worth_importing(summary):
        value = json.dumps({"f": shared.id, "d": summary.digest()[:32]})
    return bk.import_preview(
        shared.name,
        counts_line(summary),
        _lines(outcome),
        value,
        note=note,
        learning=_learning(outcome),
    )


def _pressed(body: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    pressed = (body.get("actions") or [{}])[0]
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
    try:
        value = json.loads(pressed.get("value") or "{}")
    except ValueError:
        value = {}
    return (value if isinstance(value, dict) else {}), channel, ts


def _store(deps: Deps, user_id: str, value: dict[str, Any], message: _Message) -> None:
    file_id, digest = str(value.get("f") or ""), str(value.get("d") or "")
    found = _read_file(
        deps,
        file_id,
        message,
        lambda path, shared: store_as_previewed(
            deps.session_factory,
            path,
            name=shared.name,
            now=deps.now(),
            digest=digest,
            progress=message.progress(shared.name),
        ),
    )
    if found is None:
        return
    shared, outcome = found
    if not outcome.stored:
        message.show(
            _preview_blocks(
                shared,
                outcome,
                note="The actions changed since that preview, so nothing was stored. This is "
                "what the import would do now.",
            )
        )
        return
    log.info("import stored for %s", user_id)
    summary = outcome.summary
    lines = [bk.escape(line) for line in _lines(outcome)[:200]]
    message.show(
        [
            bk.section(f":white_check_mark: Imported *{bk.escape(shared.name)}*."),
            bk.context(bk.escape(counts_line(summary))),
            *bk.text_sections(lines)[: bk.PREVIEW_SECTIONS],
            *bk.learning_blocks(_learning(outcome)),
        ]
    )


def register(app: App, deps: Deps) -> None:
    def preview_uploaded_file(ack: Ack, body: dict, view: dict) -> None:
        state = (view.get("state") or {}).get("values", {}).get("file", {}).get("value", {})
        files = state.get("files") if isinstance(state, dict) else None
        if not files:
            ack(response_action="errors", errors={"file": "Choose the file to import."})
            return
        ack()
        user = body["user"]["id"]
        try:
            if not _is_admin(deps, user):
                deps.client.chat_postMessage(channel=user, text=IMPORT_REFUSED)
                return
            _preview(deps, user, str(files[0].get("id") or ""), user)
        except Exception as e:
            log_failure("import preview", e)

    def preview_file_sent_to_me(event: dict) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("files"):
            return
        user = str(event.get("user") or "")
        try:
            if not _is_admin(deps, user):
                deps.client.chat_postMessage(channel=event["channel"], text=IMPORT_REFUSED)
                return
            _preview(deps, user, str(event["files"][0].get("id") or ""), str(event["channel"]))
        except Exception as e:
            log_failure("import preview", e)

    def import_previewed(ack: Ack, body: dict) -> None:
        ack()
        user = body["user"]["id"]
        value, channel, ts = _pressed(body)
        message = _Message(deps, channel, ts)
        try:
            if not _is_admin(deps, user):
                message.say(IMPORT_REFUSED)
                return
            message.show(bk.import_progress("the file", 0, 0))
            _store(deps, user, value, message)
        except Exception as e:
            log_failure("import", e)

    def cancel_import(ack: Ack, body: dict) -> None:
        ack()
        _, channel, ts = _pressed(body)
        try:
            _Message(deps, channel, ts).say("Import cancelled: nothing was stored.")
        except Exception as e:
            log_failure("import cancel", e)

    app.view(ids.MODAL_IMPORT)(preview_uploaded_file)
    app.event("message")(preview_file_sent_to_me)
    app.action(ids.BUTTON_IMPORT)(import_previewed)
    app.action(ids.BUTTON_IMPORT_CANCEL)(cancel_import)
