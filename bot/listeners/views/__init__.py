"""Form submissions. A bad value is shown beside its field and nothing changes; a form that
went stale (someone else changed the action meanwhile) is refused with who changed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import ids
from bot.listeners.answers import Answer, slack_profile
from bot.listeners.deps import Deps
from bot.listeners.events import publish_home
from bot.listeners.replies import log_failure, post_to_url
from models import actions as ops
from models.brag import rate
from models.calendar import local_date
from models.dates import DateError, read_due_date
from models.errors import DomainError, InvalidInput, NotFound
from models.people import add_slack_person, person_by_slack_id
from models.permissions import Actor
from models.queries import committee_by_code, find_review

log = logging.getLogger(__name__)

Values = dict[str, str | None]
Change = Callable[[Session, Actor, str, Values, int | None], str]

# Each form: its fields (the first takes any message that names none) and the change it makes.
FORMS: dict[str, tuple[tuple[str, ...], Change]] = {
    ids.MODAL_UPDATE: (
        ("word", "note"),
        lambda s, a, ref, v, ver: (
            ops.update(
                s, a, ref, word=v["word"] or "", note=v["note"], now=_now(s), expected_version=ver
            ),
            f"{ref} updated.",
        )[1],
    ),
    ids.MODAL_NOTE: (
        ("text",),
        lambda s, a, ref, v, ver: (
            ops.add_note(s, a, ref, text=v["text"] or "", now=_now(s), expected_version=ver),
            f"Note added to {ref}.",
        )[1],
    ),
    ids.MODAL_DONE: (
        ("evidence",),
        lambda s, a, ref, v, ver: (
            ops.mark_done(
                s, a, ref, evidence=v["evidence"] or "", now=_now(s), expected_version=ver
            ),
            f"{ref} is complete and awaits sign-off.",
        )[1],
    ),
    ids.MODAL_DUE: (
        ("when", "reason"),
        lambda s, a, ref, v, ver: (
            ops.change_due(
                s,
                a,
                ref,
                when=v["when"] or "",
                reason=v["reason"],
                now=_now(s),
                expected_version=ver,
            ),
            f"{ref} has a new due date.",
        )[1],
    ),
    ids.MODAL_SIGNOFF: (
        ("impact",),
        lambda s, a, ref, v, ver: (
            ops.sign_off(s, a, ref, impact=v["impact"], now=_now(s), expected_version=ver),
            f"{ref} signed off.",
        )[1],
    ),
}

_NOW_KEY = "lscb_now"


def _now(s: Session) -> Any:
    # The unit of work carries the request's time, read once from the app's clock.
    return s.info[_NOW_KEY]


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

    def save_action_form(ack: Ack, body: dict, view: dict) -> None:
        fields, change = FORMS[view["callback_id"]]
        meta = bk.read_metadata(view.get("private_metadata"))
        ref = str(meta.get("ref") or "")
        version = meta.get("version") if isinstance(meta.get("version"), int) else None
        values: Values = {f: bk.modal_value(view, f) for f in fields}
        user = body["user"]["id"]
        now = deps.now()

        def apply(s: Session) -> Answer:
            s.info[_NOW_KEY] = now
            actor = ops.actor_for_slack_id(s, user)
            done = change(s, actor, ref, values, version)
            action = ops.get_visible_action(s, actor, ref)
            card = bk.render_action_card(action, rate(action, now, deps.rules), actor)
            return Answer.of([bk.section(f":white_check_mark: {done}"), *card])

        try:
            result = deps.run(apply)
        except InvalidInput as e:
            _errors(ack, fields, e)
            return
        except DomainError as e:
            ack(response_action="update", view=bk.notice_modal(f"{ref} not changed", e.message))
            return
        except Exception as e:
            log_failure(f"form {view.get('callback_id')}", e)
            ack(
                response_action="update",
                view=bk.notice_modal(
                    "Not saved", "Sorry, something went wrong; nothing was changed."
                ),
            )
            return
        ack()
        after_success(body, meta, result)

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
            owner = None
            if v["owner"]:
                owner = person_by_slack_id(s, v["owner"])
                if owner is None and profile is not None:
                    owner = add_slack_person(s, v["owner"], **profile)
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
            card = bk.render_action_card(action, rate(action, now, deps.rules), actor)
            return Answer.of([bk.section(f":white_check_mark: Added {action.ref}."), *card])

        try:
            result = deps.run(add)
        except InvalidInput as e:
            _errors(ack, fields, e)
            return
        except (DomainError, NotFound) as e:
            ack(response_action="update", view=bk.notice_modal("Not added", e.message))
            return
        except Exception as e:
            log_failure("form add", e)
            ack(
                response_action="update",
                view=bk.notice_modal(
                    "Not added", "Sorry, something went wrong; nothing was changed."
                ),
            )
            return
        ack()
        after_success(body, meta, result)

    for callback_id in FORMS:
        app.view(callback_id)(save_action_form)
    app.view(ids.MODAL_ADD)(save_new_action)
