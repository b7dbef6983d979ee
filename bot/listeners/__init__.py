"""Slack listeners, one package per kind; each has `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, imports, shortcuts, views
from bot.listeners.deps import Deps


def register_all(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    imports.register(app, deps)
    shortcuts.register(app, deps)
