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
from bot.listeners.answers import (
    Answer,
    card_answer,
    slack_person,
    slack_profile,
    visible_review,
)
from bot.listeners.deps import Deps
from bot.listeners.events import publish_home
from bot.listeners.replies import log_failure, post_to_url, settle_in_place
from models import actions as ops
from models import themes
from models.calendar import local_date
from models.dates import DateError, read_due_date
from models.errors import ConcurrentChange, DomainError, InvalidInput, NotFound, typed
from models.permissions import Actor
from models.queries import committee_by_code
from models.schema import Person

log = logging.getLogger(__name__)

Values = dict[str, str | None]
# A form's change: (session, actor, ref, values, expected version, now); what it returns is unused.
Change = Callable[[Session, Actor, str, Values, int | None, datetime], object]


class Form(NamedTuple):
    fields: tuple[str, ...]  # the first takes any message that names none
    change: Change
    done: str  # what to say once it is made; {ref} is the action's reference
    asked: str | None = None  # what to say when the change became a request to the chair


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
        "New date for {ref} requested: its chair approves or declines it, and you are told.",
    ),
    ids.MODAL_REOPEN: Form(
        ("reason",),
        lambda s, a, ref, v, ver, now: ops.reopen(
            s, a, ref, reason=v["reason"] or "", now=now, expected_version=ver
        ),
        "{ref} reopened; its owner is told why.",
    ),
    ids.MODAL_DECLINE_DUE: Form(
        ("reason",),
        lambda s, a, ref, v, ver, now: ops.decline_due(
            s, a, ref, reason=v["reason"] or "", now=now, expected_version=ver
        ),
        "New date for {ref} declined; its owner is told why.",
    ),
    ids.MODAL_SIGNOFF: Form(
        ("impact", "review_on"),
        lambda s, a, ref, v, ver, now: _sign_off(s, a, ref, v, ver, now),
        "{ref} signed off.",
    ),
    ids.MODAL_CANCEL: Form(
        ("reason",),
        lambda s, a, ref, v, ver, now: ops.cancel(
            s, a, ref, reason=v["reason"] or "", now=now, expected_version=ver
        ),
        "{ref} cancelled.",
    ),
    ids.MODAL_EDIT: Form(
        ("text",),
        lambda s, a, ref, v, ver, now: ops.edit(
            s, a, ref, text=v["text"] or "", now=now, expected_version=ver
        ),
        "{ref} reworded; the old wording is kept in its history.",
    ),
    ids.MODAL_IMPACT: Form(
        ("impact",),
        lambda s, a, ref, v, ver, now: ops.record_impact(
            s, a, ref, evidence=v["impact"] or "", now=now, expected_version=ver
        ),
        "Evidence of impact recorded for {ref}.",
    ),
    ids.MODAL_IMPACT_REVIEW: Form(
        ("when", "reason"),
        lambda s, a, ref, v, ver, now: ops.set_impact_review(
            s, a, ref, when=v["when"] or "", reason=v["reason"], now=now, expected_version=ver
        ),
        "{ref} has a new impact review date.",
    ),
}


FIELD_WORDS = {
    "word": "Progress",
    "note": "Note",
    "text": "Text",
    "evidence": "Evidence of completion",
    "when": "New due date",
    "reason": "Reason",
    "impact": "Evidence of impact",
    "review_on": "Impact review date",
}


def _sign_off(s: Session, a: Actor, ref: str, v: Values, ver: int | None, now: datetime) -> object:
    """The sign-off form asks for evidence of impact or a date to review it: one of the two."""
    if not v["impact"] and not v["review_on"]:
        raise InvalidInput(
            "Give the evidence of impact, or a date to review it (in 6 months, 31/03/2027).",
            field="impact",
        )
    if v["impact"] and v["review_on"]:
        raise InvalidInput(
            "With evidence of impact there is nothing to review later: leave the date empty.",
            field="review_on",
        )
    return ops.sign_off(
        s, a, ref, impact=v["impact"], review_on=v["review_on"], now=now, expected_version=ver
    )


class Settled(NamedTuple):
    """A change a form made: the message it came from is updated to say so."""

    ref: str
    done: str
    action: Any
    actor: Actor


def _errors(ack: Ack, fields: tuple[str, ...], e: InvalidInput) -> None:
    where = e.field if e.field in fields else fields[0]
    ack(response_action="errors", errors={where: bk.clip(e.message, 300)})


def register(app: App, deps: Deps) -> None:
    def after_success(
        body: dict, meta: dict[str, Any], answer: Answer, settled: Settled | None = None
    ) -> None:
        """The message the form came from is updated in place: the app's own message (a notice)
        by chat.update, keeping the rest of it; an ephemeral answer replaced on its response_url."""
        try:
            in_place = settled is not None and settle_in_place(
                deps.client, meta, settled.ref, settled.done, settled.action, settled.actor
            )
            if meta.get("response_url") and not in_place:
                post_to_url(str(meta["response_url"]), answer, replace=settled is not None)
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
        typed: Values | None = None,
        settled: dict[str, Settled] | None = None,
    ) -> None:
        """Run the form's unit of work and answer the submission: a bad value beside its field,
        a refusal (titled `refused`) or a failure (logged as `what`, titled `failed`) in place of
        the form, or close it and confirm."""
        try:
            result = deps.run(work)
        except InvalidInput as e:
            _errors(ack, fields, e)
            return
        except ConcurrentChange as e:
            # Name who really changed it (never blame you for your own change), and give back
            # what was typed so it is not lost.
            with deps.session_factory() as s:
                me = ops.actor_for_slack_id(s, body["user"]["id"]).person_id
            told = e.for_actor(me)
            ack(response_action="update", view=bk.clash_modal(refused, told.message, typed or {}))
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
        settled = settled if settled is not None else {}
        ack()
        after_success(body, meta, result, settled.get("it"))

    def save_action_form(ack: Ack, body: dict, view: dict) -> None:
        form = FORMS[view["callback_id"]]
        meta = bk.read_metadata(view.get("private_metadata"))
        ref = str(meta.get("ref") or "")
        version = meta.get("version") if isinstance(meta.get("version"), int) else None
        values: Values = {f: bk.modal_value(view, f) for f in form.fields}
        user = body["user"]["id"]
        now = deps.now()

        settled: dict[str, Settled] = {}

        def apply(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            form.change(s, actor, ref, values, version, now)
            action = ops.get_visible_action(s, actor, ref)
            asked = form.asked is not None and ops.date_requested(action)
            done = (form.asked if asked and form.asked else form.done).format(ref=ref)
            settled["it"] = Settled(ref, done, action, actor)
            return card_answer(action, actor, now, deps.rules, done)

        save(
            ack,
            body,
            meta,
            form.fields,
            apply,
            what=f"form {view.get('callback_id')}",
            refused=f"{ref} not changed",
            failed="Not saved",
            typed={FIELD_WORDS.get(f, f): values[f] for f in form.fields},
            settled=settled,
        )

    def save_new_action(ack: Ack, body: dict, view: dict) -> None:
        fields = ("text", "review", "owner", "owner_name", "committee", "due_date", "measure")
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

        if v["owner"] and v["owner_name"]:
            ack(
                response_action="errors",
                errors={"owner_name": "Choose one owner: in Slack, or not in Slack."},
            )
            return

        def add(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            review = visible_review(s, actor, v["review"], field="review") if v["review"] else None
            committee = committee_by_code(s, v["committee"]) if v["committee"] else None
            if v["committee"] and committee is None:
                raise InvalidInput(
                    f"There is no committee {typed(v['committee'])}.", field="committee"
                )
            owner = slack_person(s, v["owner"], profile) if v["owner"] else None
            if v["owner_name"]:
                owner = _chosen_person(s, v["owner_name"])
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
                    source_url=meta.get("source") if isinstance(meta.get("source"), str) else None,
                    measure=v["measure"],
                )
            except NotFound as e:
                raise InvalidInput(e.message, field="review") from None
            except DomainError as e:
                if isinstance(e, InvalidInput):
                    raise
                # A chair adding outside their committee: say so beside the committee.
                raise InvalidInput(e.message, field="committee") from None
            return card_answer(action, actor, now, deps.rules, f"Added {action.ref}.")

        save(ack, body, meta, fields, add, what="form add", refused="Not added", failed="Not added")

    def save_evidence(ack: Ack, body: dict, view: dict) -> None:
        fields = ("ref", "note")
        meta = bk.read_metadata(view.get("private_metadata"))
        v = {f: bk.modal_value(view, f) for f in fields}
        link = str(meta.get("link") or "")
        user = body["user"]["id"]
        now = deps.now()

        def add(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            ref = v["ref"] or ""
            ops.add_evidence(s, actor, ref, link=link, note=v["note"], now=now)
            action = ops.get_visible_action(s, actor, ref)
            return card_answer(action, actor, now, deps.rules, f"Evidence added to {action.ref}.")

        save(
            ack,
            body,
            meta,
            fields,
            add,
            what="form evidence",
            refused="Not added",
            failed="Not added",
            typed={"Note": v["note"]},
        )

    def save_themes(ack: Ack, body: dict, view: dict) -> None:
        meta = bk.read_metadata(view.get("private_metadata"))
        ref = str(meta.get("ref") or "")
        chosen = bk.modal_values(view, "themes")
        user = body["user"]["id"]
        now = deps.now()

        def apply(s: Session) -> Answer:
            actor = ops.actor_for_slack_id(s, user)
            before = themes.item_themes(s, actor, ref)
            # What was kept is confirmed (the person saw it and agreed); what was taken off, removed.
            dropped = [m.code for m in before.current if m.code not in chosen]
            themes.change_themes(s, actor, ref, add=chosen, remove=dropped, now=now)
            action = ops.get_visible_action(s, actor, ref)
            listed = ", ".join(chosen) or "none"
            return card_answer(action, actor, now, deps.rules, f"Themes of {ref}: {listed}.")

        save(
            ack,
            body,
            meta,
            ("themes",),
            apply,
            what="form themes",
            refused=f"{ref} not changed",
            failed="Not saved",
        )

    app.view(ids.MODAL_THEMES)(save_themes)
    for callback_id in FORMS:
        app.view(callback_id)(save_action_form)
    app.view(ids.MODAL_ADD)(save_new_action)
    app.view(ids.MODAL_EVIDENCE)(save_evidence)


def _chosen_person(s: Session, value: str) -> Person:
    """The person an add form's "not in Slack" picker names (`person:<id>`)."""
    try:
        person = s.get(Person, int(value.removeprefix("person:")))
    except ValueError:
        person = None
    if person is None:
        raise InvalidInput("That person is no longer in the organisation file.", field="owner_name")
    return person
