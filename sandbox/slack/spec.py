"""Check Web API calls against Slack's published OpenAPI description of the Web API.

The description (``specs/slack_web_openapi_v2_without_examples.json``, Swagger 2.0, 2020, MIT)
lists each method's arguments as ``formData`` or ``query`` parameters, whatever the HTTP verb:
Slack takes any method's arguments as a form body, a query string or (for most methods) JSON.
``token`` appears as a header, query or form parameter; slack_sdk sends it as an
``Authorization: Bearer`` header, so it is never a missing argument here and is accepted if sent
in the body. Whether a token came at all is the caller's affair (see ``token_required``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sandbox.slack import blockkit

SPEC_FILE = "slack_web_openapi_v2_without_examples.json"


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: Mapping[str, bool]  # argument name -> required (token excluded)
    token_required: bool
    source: str  # "openapi" or "hand-written"

    @property
    def required(self) -> frozenset[str]:
        return frozenset(n for n, req in self.params.items() if req)


# HAND-WRITTEN, NOT FROM THE OPENAPI DESCRIPTION: methods Slack added after the 2020 description.
# Taken from Slack's method reference pages; keep to what the app sends.
HAND_WRITTEN: dict[str, MethodSpec] = {
    "files.getUploadURLExternal": MethodSpec(
        name="files.getUploadURLExternal",
        params={"filename": True, "length": True, "alt_txt": False, "snippet_type": False},
        token_required=True,
        source="hand-written",
    ),
    "files.completeUploadExternal": MethodSpec(
        name="files.completeUploadExternal",
        params={
            "files": True,
            "channel_id": False,
            "channels": False,
            "initial_comment": False,
            "thread_ts": False,
            "blocks": False,
        },
        token_required=True,
        source="hand-written",
    ),
    # Socket Mode: takes the app-level token (xapp-…), no arguments.
    "apps.connections.open": MethodSpec(
        name="apps.connections.open",
        params={},
        token_required=True,
        source="hand-written",
    ),
}

# Arguments that carry Block Kit, and the surface their blocks are shown on.
_MESSAGE_BLOCK_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "chat.scheduleMessage",
        "files.completeUploadExternal",
    }
)
_MESSAGE_TEXT_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)


@lru_cache(maxsize=1)
def load_spec() -> dict[str, MethodSpec]:
    """Every method the stand-in knows: the OpenAPI description plus the hand-written table."""
    raw = resources.files("sandbox.slack.specs").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    doc = json.loads(raw)
    methods: dict[str, MethodSpec] = {}
    for path, operations in doc["paths"].items():
        name = path.lstrip("/")
        params: dict[str, bool] = {}
        token_required = False
        for operation in operations.values():
            for param in operation.get("parameters", []):
                required = bool(param.get("required", False))
                if param["name"] == "token":
                    token_required = token_required or required
                elif param.get("in") in ("formData", "query"):
                    params[param["name"]] = params.get(param["name"], False) or required
        methods[name] = MethodSpec(name, params, token_required, "openapi")
    for name, method in HAND_WRITTEN.items():
        methods.setdefault(name, method)
    return methods


def method_spec(method: str) -> MethodSpec | None:
    return load_spec().get(method)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


# Accepted by every method: the token, and `team_id`, which Slack takes on any call (it names the
# workspace for org-wide apps) and which Bolt's per-request client adds to every call it makes.
UNIVERSAL_ARGS = frozenset({"token", "team_id"})


def check_call(method: str, args: Mapping[str, Any]) -> list[str]:
    """Problems with one Web API call; an empty list means Slack would accept its shape."""
    spec = method_spec(method)
    if spec is None:
        near = difflib.get_close_matches(method, list(load_spec()), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        return [f"unknown method {method!r}{hint}"]
    problems: list[str] = []
    for name in args:
        if name not in UNIVERSAL_ARGS and name not in spec.params:
            problems.append(f"{method}: unknown argument {name!r}")
    for name in sorted(spec.required):
        if _blank(args.get(name)):
            problems.append(f"{method}: missing required argument {name!r}")
    if method in _MESSAGE_BLOCK_METHODS and not _blank(args.get("blocks")):
        problems += [f"{method}: {p}" for p in blockkit.check_blocks_arg(args["blocks"], "message")]
    if method in _MESSAGE_TEXT_METHODS:
        problems += [f"{method}: {p}" for p in blockkit.check_message_text(args.get("text"))]
    if method.startswith("views.") and not _blank(args.get("view")):
        problems += [f"{method}: {p}" for p in blockkit.check_view_arg(args["view"])]
    return problems
