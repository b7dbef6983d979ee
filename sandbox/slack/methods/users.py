"""users.*: looking a person up by ID or by email."""

from __future__ import annotations

from typing import Any

from sandbox.slack.records import SlackError
from sandbox.slack.workspace import Method, Workspace


def _users_info(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = s._users.get(str(args.get("user", "")))
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": s._user_json(user)}


def _users_lookup_by_email(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    email = str(args["email"]).strip().lower()
    for user in s._users.values():
        if user.email and user.email.lower() == email:
            return {"ok": True, "user": s._user_json(user)}
    raise SlackError("users_not_found")


METHODS: dict[str, Method] = {
    "users.info": _users_info,
    "users.lookupByEmail": _users_lookup_by_email,
}
