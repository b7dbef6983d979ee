"""chat.*: posting, updating and deleting messages, and their permalinks."""

from __future__ import annotations

from typing import Any

from sandbox.slack.records import PostedMessage, SlackChannel, SlackError, as_list, truthy
from sandbox.slack.workspace import Method, Workspace


def _require_content(args: dict[str, Any]) -> None:
    if not any(args.get(k) for k in ("text", "blocks", "attachments")):
        raise SlackError("no_text")


def post(
    s: Workspace, channel: SlackChannel, args: dict[str, Any], *, text: Any, **fields: Any
) -> PostedMessage:
    """Keep a message posted by a Web API call: its blocks, attachments and thread from the
    call's arguments, its text and any other ``fields`` as given."""
    message = PostedMessage(
        channel=channel.id,
        ts=s._new_ts(),
        text=text,
        blocks=as_list(args.get("blocks")),
        thread_ts=args.get("thread_ts") or None,
        attachments=as_list(args.get("attachments")),
        **fields,
    )
    s._messages.append(message)
    return message


def _chat_post_message(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _require_content(args)
    channel = s._postable_channel(args["channel"])
    message = post(
        s,
        channel,
        args,
        text=args.get("text"),
        broadcast=bool(args.get("thread_ts")) and truthy(args.get("reply_broadcast")),
    )
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "message": s._message_json(message),
    }


def _chat_post_ephemeral(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _require_content(args)
    channel = s._postable_channel(args["channel"])
    user = s._users.get(str(args["user"]))
    if user is None:
        raise SlackError("user_not_found")
    message = post(s, channel, args, text=args.get("text"), ephemeral=True, user=user.id)
    return {"ok": True, "message_ts": message.ts}


def _chat_update(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args["channel"])
    if channel.is_archived:
        raise SlackError("is_archived")
    message = s._find_message(channel.id, str(args["ts"]))
    if message is None:
        raise SlackError("message_not_found")
    # Fields left out keep their old value, as Slack does.
    if "text" in args:
        message.text = args["text"]
    if "blocks" in args:
        message.blocks = as_list(args["blocks"])
    if "attachments" in args:
        message.attachments = as_list(args["attachments"])
    message.edits += 1
    message.edited_ts = s._new_ts()
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text or "",
        "message": s._message_json(message),
    }


def _chat_delete(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args.get("channel"))
    message = s._find_message(channel.id, str(args.get("ts")))
    if message is None:
        raise SlackError("message_not_found")
    message.deleted = True
    return {"ok": True, "channel": channel.id, "ts": message.ts}


def _chat_get_permalink(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = s._resolve_channel(args["channel"])
    message = s._find_message(channel.id, str(args["message_ts"]))
    if message is None:
        raise SlackError("message_not_found")
    return {
        "ok": True,
        "channel": channel.id,
        "permalink": (
            f"https://{s.team_domain}.slack.com/archives/{channel.id}/p"
            + message.ts.replace(".", "")
        ),
    }


METHODS: dict[str, Method] = {
    "chat.postMessage": _chat_post_message,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.update": _chat_update,
    "chat.delete": _chat_delete,
    "chat.getPermalink": _chat_get_permalink,
}
