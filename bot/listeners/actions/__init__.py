"""Buttons on action messages and App Home: open a card, open a form, show the next page.

The reminders and digests carry the same buttons (ids in `bot.ids`), so these answer them too.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import commands as cmd
from bot import ids
from bot.listeners.answers import Answer, Where, answer, answer_text, card_answer
from bot.listeners.deps import Deps
from bot.listeners.events import publish_home
from bot.listeners.replies import (
    SORRY,
    log_failure,
    message_of,
    open_view,
    respond_with,
    settle_in_place,
    tell,
)
from models import actions as ops
from models import notices, themes
from models.errors import DomainError, Refused
from models.permissions import Actor, Op, available_ops, check
from models.schema import Action

log = logging.getLogger(__name__)

FORMS: dict[str, tuple[Op, Callable[[Action, str], dict[str, Any]]]] = {
    ids.BUTTON_UPDATE: (Op.UPDATE, bk.update_modal),
    ids.BUTTON_NOTE: (Op.NOTE, bk.note_modal),
    ids.BUTTON_DONE: (Op.DONE, bk.done_modal),
    ids.BUTTON_DUE: (Op.DUE, bk.due_modal),
    ids.BUTTON_SIGNOFF: (Op.SIGNOFF, bk.signoff_modal),
    ids.BUTTON_REOPEN: (Op.REOPEN, bk.reopen_modal),
    ids.BUTTON_DECLINE_DUE: (Op.DECIDE_DUE, bk.decline_due_modal),
    ids.BUTTON_IMPACT: (Op.IMPACT, bk.impact_modal),
    ids.BUTTON_IMPACT_REVIEW: (Op.IMPACT, bk.impact_review_modal),
}
# Further than any list goes: a larger offset in a Next button was not made by the app.
MAX_OFFSET = 1_000_000
FORM_BUTTON = re.compile("^(" + "|".join(re.escape(k) for k in FORMS) + ")$")
MENU_FORMS: dict[str, tuple[Op, Callable[[Action, str], dict[str, Any]]]] = {
    "cancel": (Op.CANCEL, bk.cancel_modal),
    "edit": (Op.EDIT, bk.edit_modal),
}


def _pressed(body: dict[str, Any]) -> dict[str, Any]:
    acts = body.get("actions") or [{}]
    return acts[0] if isinstance(acts[0], dict) else {}


def register(app: App, deps: Deps) -> None:
    def open_change_form(ack: Ack, body: dict) -> None:
        ack()
        pressed = _pressed(body)
        op, build = FORMS[pressed["action_id"]]
        open_form_for(body, op, build, str(pressed.get("value") or ""), pressed.get("action_id"))

    def open_menu_form(ack: Ack, body: dict) -> None:
        ack()
        option = _pressed(body).get("selected_option") or {}
        what, _, ref = str(option.get("value") or "").partition(":")
        if what not in MENU_FORMS:
            tell(deps.client, body, Answer.say("That menu has expired: show the action again."))
            return
        op, build = MENU_FORMS[what]
        open_form_for(body, op, build, ref, f"menu {what}")

    def open_form_for(
        body: dict,
        op: Op,
        build: Callable[[Action, str], dict[str, Any]],
        ref: str,
        what: object,
    ) -> None:
        user = body["user"]["id"]
        from_home = (body.get("view") or {}).get("type") == "home"

        def prepare(s: Session) -> dict[str, Any]:
            actor = ops.actor_for_slack_id(s, user)
            action = ops.get_visible_action(s, actor, ref)
            if op not in available_ops(actor, action):
                decision = check(actor, op, action)
                raise Refused(
                    decision.reason
                    if not decision
                    else f"{action.ref} is {action.status.label}, so that cannot be done now."
                )
            meta = bk.metadata(
                ref=action.ref,
                version=action.version,
                home=from_home,
                msg=message_of(body),
                response_url=body.get("response_url"),
            )
            return build(action, meta)

        try:
            view = deps.run(prepare)
            open_view(deps.client, body, view)
        except DomainError as e:
            tell(deps.client, body, Answer.say(e.message))
        except Exception as e:
            log_failure(f"button {what}", e)
            tell(deps.client, body, Answer.say(SORRY))

    def open_action_card(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        ref = str(_pressed(body).get("value") or "")
        user = body["user"]["id"]
        try:
            result = answer(deps, cmd.Show(ref), Where(user_id=user))
            if body.get("response_url"):
                respond_with(respond, result)
            else:
                view = bk.modal("lscb_card", ref or "Action", result.blocks, "{}", submit=None)
                open_view(deps.client, body, view)
        except Exception as e:
            log_failure("button show", e)
            tell(deps.client, body, Answer.say(SORRY))

    def open_themes_form(ack: Ack, body: dict) -> None:
        ack()
        ref = str(_pressed(body).get("value") or "")
        user = body["user"]["id"]

        def prepare(s: Session) -> dict[str, Any]:
            actor = ops.actor_for_slack_id(s, user)
            choices, item = themes.theme_form(s, actor, ref)
            meta = bk.metadata(ref=item.ref, response_url=body.get("response_url"))
            return bk.themes_modal(choices, item, meta)

        try:
            open_view(deps.client, body, deps.run(prepare))
        except DomainError as e:
            tell(deps.client, body, Answer.say(e.message))
        except Exception as e:
            log_failure("button themes", e)
            tell(deps.client, body, Answer.say(SORRY))

    def show_next_page(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        try:
            value = json.loads(str(_pressed(body).get("value") or "{}"))
            text, offset = str(value.get("q", "")), int(value.get("o", 0))
            if not 0 <= offset <= MAX_OFFSET:
                raise ValueError("offset out of range")
        except (ValueError, TypeError, AttributeError, OverflowError):
            # A value Slack did not get from us (forged, or from an older version): no list.
            respond_with(respond, Answer.say("That list has expired: run the command again."))
            return
        channel = body.get("channel") or {}
        where = Where(
            user_id=body["user"]["id"],
            channel_id=channel.get("id") or "",
            channel_name=channel.get("name"),
            text=text,
        )
        try:
            respond_with(respond, answer_text(deps, where, offset=offset), replace=True)
        except Exception as e:
            log_failure("button next page", e)
            respond_with(respond, Answer.say(SORRY))

    def approve_new_date(ack: Ack, body: dict) -> None:
        """Approve an owner's requested date straight from the message; the message then says so
        and keeps only the buttons that still apply."""
        ack()
        ref = str(_pressed(body).get("value") or "")
        user = body["user"]["id"]
        now = deps.now()

        def approve(s: Session) -> tuple[Answer, str, Action, Actor]:
            actor = ops.actor_for_slack_id(s, user)
            action = ops.approve_due(s, actor, ref, now=now)
            done = f"New date approved: {action.ref} is due {bk.uk_date(action.due_date)}."
            return card_answer(action, actor, now, deps.rules, done), done, action, actor

        try:
            result, done, action, actor = deps.run(approve)
            # Slack is told after the unit of work: never a call inside a transaction.
            if not settle_in_place(deps.client, body, ref, done, action, actor):
                tell(deps.client, body, result, replace=True)
        except DomainError as e:
            tell(deps.client, body, Answer.say(e.message))
        except Exception as e:
            log_failure("button approve date", e)
            tell(deps.client, body, Answer.say(SORRY))

    def choose_notice_mode(ack: Ack, body: dict) -> None:
        ack()
        option = _pressed(body).get("selected_option") or {}
        user = body["user"]["id"]

        def choose(s: Session) -> str:
            return notices.set_notice_mode(
                s, ops.actor_for_slack_id(s, user), str(option.get("value") or "")
            )

        try:
            deps.run(choose)
            publish_home(deps, deps.client, user)
        except DomainError as e:
            tell(deps.client, body, Answer.say(e.message))
        except Exception as e:
            log_failure("notice choice", e)
            tell(deps.client, body, Answer.say(SORRY))

    app.action(ids.BUTTON_APPROVE_DUE)(approve_new_date)
    app.action(ids.SELECT_NOTICE_MODE)(choose_notice_mode)
    app.action(FORM_BUTTON)(open_change_form)
    app.action(ids.OVERFLOW_CARD)(open_menu_form)
    app.action(ids.BUTTON_SHOW)(open_action_card)
    app.action(ids.BUTTON_NEXT_PAGE)(show_next_page)
    app.action(ids.BUTTON_THEMES)(open_themes_form)
