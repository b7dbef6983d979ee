"""The Web API methods the stand-in carries out, one module a method family.

Each module's ``METHODS`` maps a method's name to a function of the workspace and the call's
decoded arguments that returns Slack's answer or raises ``SlackError``. Methods Slack's
description knows but none of these carry out answer ``{"ok": true}``.
"""

from sandbox.slack.methods import auth, chat, conversations, files, users, views
from sandbox.slack.workspace import Method

METHODS: dict[str, Method] = {
    **auth.METHODS,
    **chat.METHODS,
    **views.METHODS,
    **users.METHODS,
    **conversations.METHODS,
    **files.METHODS,
}
