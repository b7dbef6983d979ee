"""Message shortcuts: "Make an LSCB action" and "Add as evidence", from any message.

Each asks Slack for the message's permalink, then opens a form: the add form filled in with
the message's text (the link kept as the action's source), or a choice of the person's own
actions to keep the link as evidence on. The forms' submissions are in `views`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot import ids
from bot.listeners.answers import people_not_in_slack
from bot.listeners.deps import Deps
from bot.listeners.replies import SORRY, log_failure, open_view
from models import actions as ops
from models.errors import DomainError, Refused
from models.permissions import Op, available_ops, check
from models.queries import ActionFilter, all_committees, committee_for_channel, list_actions
from models.schema import Action

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def permalink(body: dict[str, Any]) -> str:
        channel = (body.get("channel") or {}).get("id")
        ts = (body.get("message") or {}).get("ts") or body.get("message_ts")
        answer = deps.client.chat_getPermalink(channel=str(channel), message_ts=str(ts))
        return str(answer["permalink"])

    def refuse(body: dict[str, Any], title: str, message: str) -> None:
        open_view(deps.client, body, bk.notice_modal(title, message))

    def make_action_from_message(ack: Ack, body: dict) -> None:
        ack()
        user = body["user"]["id"]
        channel = body.get("channel") or {}
        text = str((body.get("message") or {}).get("text") or "")
        try:
            link = permalink(body)

            def prepare(s: Session) -> dict[str, Any]:
                actor = ops.actor_for_slack_id(s, user)
                committee = (
                    committee_for_channel(s, channel.get("id") or "", channel.get("name"))
                    if channel.get("id")
                    else None
                )
                decision = check(
                    actor,
                    Op.CREATE,
                    committee_id=committee.id if committee else next(iter(actor.chairs), None),
                )
                if not decision:
                    raise Refused(decision.reason)
                meta = bk.metadata(source=link, response_url=body.get("response_url"))
                return bk.add_modal(
                    all_committees(s),
                    meta,
                    committee=committee.code if committee else None,
                    text=text[:3000] or None,
                    people=people_not_in_slack(s),
                    source_url=link,
                )

            open_view(deps.client, body, deps.run(prepare))
        except DomainError as e:
            refuse(body, "Make an LSCB action", e.message)
        except SlackApiError as e:
            log_failure("shortcut make action", e)
            refuse(body, "Make an LSCB action", _no_link(e))
        except Exception as e:
            log_failure("shortcut make action", e)
            refuse(body, "Make an LSCB action", SORRY)

    def add_message_as_evidence(ack: Ack, body: dict) -> None:
        ack()
        user = body["user"]["id"]
        try:
            link = permalink(body)

            def prepare(s: Session) -> dict[str, Any]:
                actor = ops.actor_for_slack_id(s, user)
                if actor.person_id is None:
                    raise Refused(
                        "You are not in the organisation file, so you have no actions to add "
                        "evidence to."
                    )
                candidates: dict[int, Action] = {}
                filters = [ActionFilter(status="current", owner_id=actor.person_id)]
                for c in all_committees(s):
                    if c.id in actor.chairs:
                        filters.append(ActionFilter(status="current", committee_code=c.code))
                for f in filters:
                    for a, _ in list_actions(s, f, deps.now(), deps.rules, viewer=actor):
                        if Op.EVIDENCE in available_ops(actor, a):
                            candidates.setdefault(a.number, a)
                chosen = [candidates[n] for n in sorted(candidates)]
                meta = bk.metadata(link=link, response_url=body.get("response_url"))
                return bk.evidence_modal(chosen[:100], meta, link, more=len(chosen) > 100)

            open_view(deps.client, body, deps.run(prepare))
        except DomainError as e:
            refuse(body, "Add as evidence", e.message)
        except SlackApiError as e:
            log_failure("shortcut add evidence", e)
            refuse(body, "Add as evidence", _no_link(e))
        except Exception as e:
            log_failure("shortcut add evidence", e)
            refuse(body, "Add as evidence", SORRY)

    app.shortcut(ids.SHORTCUT_MAKE_ACTION)(make_action_from_message)
    app.shortcut(ids.SHORTCUT_ADD_EVIDENCE)(add_message_as_evidence)


def _no_link(e: SlackApiError) -> str:
    error = e.response.get("error", "error") if e.response is not None else "error"
    return (
        f"Slack would not give me a link to that message ({error}). If it is in a private "
        "channel or a direct message, invite the app there first, or use `/lscb add`."
    )
