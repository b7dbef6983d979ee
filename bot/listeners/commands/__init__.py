"""The `/lscb` slash command: ack at once, then answer on the response_url."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond

from bot import commands as cmd
from bot.listeners.answers import Answer, Where, answer_text
from bot.listeners.deps import Deps
from bot.listeners.replies import SORRY, log_failure, respond_with, upload

log = logging.getLogger(__name__)
COMMAND = "/lscb"


def register(app: App, deps: Deps) -> None:
    def answer_lscb_command(ack: Ack, command: dict, respond: Respond) -> None:
        ack()  # Slack waits 3 seconds at most; everything else happens after.
        # Only a known verb is logged: never anything a person typed.
        verb = (command.get("text") or "").split(" ", 1)[0].lower()[:20]
        verb = verb if verb in cmd.USAGE else "other"
        log.info("command %s from %s", verb, command.get("user_id"))
        where = Where(
            user_id=command["user_id"],
            channel_id=command.get("channel_id") or "",
            channel_name=command.get("channel_name"),
            text=command.get("text") or "",
            response_url=command.get("response_url"),
        )
        try:
            answer = answer_text(deps, where)
            if answer.modal is not None:
                deps.client.views_open(trigger_id=command["trigger_id"], view=answer.modal)
            elif answer.upload is not None:
                upload(deps.client, where.user_id, answer)
                respond_with(respond, Answer.say("The report is in your direct messages with me."))
            else:
                respond_with(respond, answer)
        except Exception as e:
            log_failure(f"command {verb}", e)
            respond(text=SORRY, response_type="ephemeral")

    app.command(COMMAND)(answer_lscb_command)
