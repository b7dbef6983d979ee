"""Form submissions. A bad value is shown beside its field and nothing changes; a form that
went stale (someone else changed the action meanwhile) is refused with who changed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import ids
from bot.listeners.answers import Answer, card_answer, slack_person, slack_profile
from bot.listeners.deps import Deps
from bot.listeners.events import publish_home
from bot.listeners.replies import log_failure, post_to_url
from models import actions as ops
from models.calendar import local_date
from models.dates import DateError, read_due_date
from models.errors import DomainError, InvalidInput
from models.permissions import Actor
from models.queries import committee_by_code, find_review

log = logging.getLogger(__name__)

Values = dict[str, str | None]
# A form's change: (session, actor, ref, values, expected version, now); what it returns is unused.
Change = Callable[[Session, Actor, str, Values, int | None, datetime], object]


class Form(NamedTuple):
    fields: tuple[str, ...]  # the first takes any message that names none
    change: Change
    done: str  # what to say once it is made; {ref} is the action's reference


FORMS: dict[str, Form] = {
    ids.MODAL_UPDATE: Form(
        ("word", "note"),
        lambda s, a, ref, v, ver, now: ops.update(
            s, a, ref, word=v["word"] or "", note=v["note"], now=now, expected_version=ver
        ),
        "{ref} updated.",
    ),
    ids.MODAL_NOTE: Form(
        ("text",),
        lambda s, a, ref, v, ver, now: ops.add_note(
            s, a, ref, text=v["text"] or "", now=now, expected_version=ver
        ),
        "Note added to {ref}.",
    ),
    ids.MODAL_DONE: Form(
        ("evidence",),
        lambda s, a, ref, v, ver, now: ops.mark_done(
            s, a, ref, evidence=v["evidence"] or "", now=now, expected_version=ver
        ),
        "{ref} is complete and awaits sign-off.",
    ),
    ids.MODAL_DUE: Form(
        ("when", "reason"),
        lambda s, a, ref, v, ver, now: ops.change_due(
            s, a, ref, when=v["when"] or "", reason=v["reason"], now=now, expected_version=ver
        ),
        "{ref} has a new due date.",
    ),
    ids.MODAL_SIGNOFF: Form(
        ("impact",),
        lambda s, a, ref, v, ver, now: ops.sign_off(
            s, a, ref, impact=v["impact"], now=now, expected_version=ver
        ),
        "{ref} signed off.",
    ),
}


def _errors(ack: Ack, fields: tuple[str, ...], e: InvalidInput) -> None:
    where = e.field if e.field in fields else fields[0]
    ack(response_action="errors", errors={where: bk.clip(e.message, 300)})


def register(app: App, deps: Deps) -> None:
    def after_success(body: dict, meta: dict[str, Any], answer: Answer) -> None:
        try:
            if meta.get("response_url"):
                post_to_url(str(meta["response_url"]), answer)
            if meta.get("home"):
                publish_home(deps, deps.client, body["user"]["id"])
        except Exception as e:
            log_failure("form confirmation", e)

    def save(
        ack: Ack,
        body: dict,
        meta: dict[str, Any],
        fields: tuple[str, ...],
        work: Callable[[Session], Answer],
        *,
        what: str,
        refused: str,
        failed: str,
    ) -> None:
        """Run the form's unit of work and answer the submission: a bad value beside its field,
        a refusal (titled `refused`) or a failure (logged as `what`, titled `failed`) in place of
        the form, or close it and confirm."""
        try:
            result = deps.run(work)
        except InvalidInput as e:
            _errors(ack, fields, e)
            return
        except DomainError as e:
            ack(response_action="update", view=bk.notice_modal(refused, e.message))
            return
        except Exception as e:
            log_failure(what, e)
            ack(
                response_action="update",
                view=bk.notice_modal(failed, "Sorry, something went wrong; nothing was changed."),
            )
            return
        ack()
        after_success(body, meta, result)

    def save_action_form(ack: Ack, body: dict, view: dict) -> None:
        form = FORMS[view["callback_id"]]
        meta = bk.read_metadata(view.get("private_metadata"))
        ref = str(meta.get("ref") or "")
        version = meta.get("version") if isinstance(meta.get("version"), int) else None
        values: Values = {f: bk.modal_value(view, f) for f in form.fields}
        user = body["user"]["id"]
        now = deps.now()

        def apply(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            form.change(s, actor, ref, values, version, now)
            action = ops.get_visible_action(s, actor, ref)
            return card_answer(action, actor, now, deps.rules, form.done.format(ref=ref))

        save(
            ack,
            body,
            meta,
            form.fields,
            apply,
            what=f"form {view.get('callback_id')}",
            refused=f"{ref} not changed",
            failed="Not saved",
        )

    def save_new_action(ack: Ack, body: dict, view: dict) -> None:
        fields = ("text", "review", "owner", "committee", "due_date")
        meta = bk.read_metadata(view.get("private_metadata"))
        v = {f: bk.modal_value(view, f) for f in fields}
        user = body["user"]["id"]
        now = deps.now()
        try:
            due = (
                read_due_date(v["due_date"], local_date(now, deps.rules.tz))
                if v["due_date"]
                else None
            )
        except DateError as e:
            ack(response_action="errors", errors={"due_date": bk.clip(str(e), 300)})
            return
        try:
            profile = slack_profile(deps, v["owner"]) if v["owner"] else None
        except InvalidInput as e:
            ack(response_action="errors", errors={"owner": e.message})
            return

        def add(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            review = None
            if v["review"]:
                review = find_review(s, v["review"])
                if review is None:
                    raise InvalidInput(
                        f"No review matches “{bk.clip(v['review'], 40)}”.", field="review"
                    )
            committee = committee_by_code(s, v["committee"]) if v["committee"] else None
            if v["committee"] and committee is None:
                raise InvalidInput(f"There is no committee {v['committee']}.", field="committee")
            owner = slack_person(s, v["owner"], profile) if v["owner"] else None
            try:
                action = ops.create_action(
                    s,
                    actor,
                    text=v["text"] or "",
                    now=now,
                    review=review,
                    owner=owner,
                    committee=committee,
                    due_date=due,
                )
            except DomainError as e:
                if isinstance(e, InvalidInput):
                    raise
                # A chair adding outside their committee: say so beside the committee.
                raise InvalidInput(e.message, field="committee") from None
            return card_answer(action, actor, now, deps.rules, f"Added {action.ref}.")

        save(ack, body, meta, fields, add, what="form add", refused="Not added", failed="Not added")

    for callback_id in FORMS:
        app.view(callback_id)(save_action_form)
    app.view(ids.MODAL_ADD)(save_new_action)
