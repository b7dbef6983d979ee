"""A local stand-in for Slack's side, for end-to-end tests, fault injection and the sandbox.

``SlackStandIn`` serves the Web API on 127.0.0.1 and checks every call against Slack's published
OpenAPI description (``spec.check_call``); ``signing`` signs requests as Slack does; ``render``
shows Block Kit as terminal text. What it keeps and answers with is in ``records``, the Web API
methods it carries out in ``methods/``, one module a method family.
"""

from sandbox.slack.records import (
    PostedMessage,
    RecordedCall,
    RecordedResponse,
    SlackChannel,
    SlackUser,
    UploadedFile,
)
from sandbox.slack.render import (
    InputField,
    Interactive,
    Rendered,
    mrkdwn_to_text,
    render_blocks,
    render_message,
    render_view,
    view_state,
)
from sandbox.slack.server import SlackStandIn
from sandbox.slack.signing import sign, signed_headers
from sandbox.slack.spec import check_call

__all__ = [
    "InputField",
    "Interactive",
    "Rendered",
    "mrkdwn_to_text",
    "render_blocks",
    "render_message",
    "render_view",
    "view_state",
    "PostedMessage",
    "RecordedCall",
    "RecordedResponse",
    "SlackChannel",
    "SlackStandIn",
    "SlackUser",
    "UploadedFile",
    "check_call",
    "sign",
    "signed_headers",
]
