"""Events: the App Home tab is drawn afresh each time it is opened."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners.answers import home_view
from bot.listeners.deps import Deps
from bot.listeners.replies import log_failure

log = logging.getLogger(__name__)


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=home_view(deps, user_id))


def register(app: App, deps: Deps) -> None:
    def show_app_home(event: dict) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            publish_home(deps, deps.client, event["user"])
        except Exception as e:
            log_failure("app home", e)

    app.event("app_home_opened")(show_app_home)
