"""views.*: opening, pushing and updating modals, and publishing App Home."""

from __future__ import annotations

from typing import Any

from sandbox.slack.records import SlackError, as_dict
from sandbox.slack.workspace import Method, Workspace

MAX_MODAL_STACK = 3


def _views_open(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = s._triggers.get(str(args["trigger_id"]))
    stored = s._store_view(as_dict(args["view"]))
    if user:
        s._modal_stacks[user] = [stored["id"]]
    return {"ok": True, "view": stored}


def _views_push(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = s._triggers.get(str(args["trigger_id"]))
    stack = s._modal_stacks[user] if user else []
    if len(stack) >= MAX_MODAL_STACK:
        raise SlackError("push_limit_reached")
    root = stack[0] if stack else None
    stored = s._store_view(as_dict(args["view"]), root=root, previous=stack[-1] if stack else None)
    if user:
        stack.append(stored["id"])
    return {"ok": True, "view": stored}


def _views_update(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next(
            (v["id"] for v in s._views.values() if v.get("external_id") == args["external_id"]),
            None,
        )
        if view_id is None:
            raise SlackError("not_found")
    if not view_id:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["views.update needs view_id or external_id"]},
        )
    if not args.get("view"):
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["views.update needs view"]}
        )
    old = s._views.get(str(view_id))
    if old is None:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    stored = s._store_view(
        as_dict(args["view"]),
        view_id=old["id"],
        root=old["root_view_id"],
        previous=old["previous_view_id"],
    )
    return {"ok": True, "view": stored}


def _views_publish(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_id = str(args["user_id"])
    if user_id not in s._users:
        raise SlackError("user_not_found")
    old = s._home.get(user_id)
    if old and args.get("hash") and args["hash"] != s._views[old]["hash"]:
        raise SlackError("hash_conflict")
    stored = s._store_view(as_dict(args["view"]), view_id=old)
    s._home[user_id] = stored["id"]
    return {"ok": True, "view": stored}


METHODS: dict[str, Method] = {
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
}
