"""files.*: the two-step external upload (an upload URL, then completing it into a channel), and
files.info, whose ``url_private_download`` the stand-in serves to a request bearing the bot token."""

from __future__ import annotations

import urllib.parse
from typing import Any

from sandbox.slack.methods.chat import post
from sandbox.slack.records import SlackError, UploadedFile
from sandbox.slack.workspace import Method, Workspace


def _files_get_upload_url(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(args["length"])
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    file_id = s._next_id("F")
    s._uploads[file_id] = UploadedFile(
        file_id, str(args["filename"]), length, alt_txt=args.get("alt_txt")
    )
    return {"ok": True, "upload_url": f"{s.root_url}/upload/v1/{file_id}", "file_id": file_id}


def _files_complete_upload(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    uploads: list[tuple[UploadedFile, str | None]] = []
    for entry in entries:
        upload = s._uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if upload is None or upload.content is None:
            raise SlackError("file_not_found")
        uploads.append((upload, entry.get("title")))
    channel_ref = args.get("channel_id") or (str(args.get("channels") or "").split(",")[0])
    channel = s._postable_channel(channel_ref) if channel_ref else None
    for upload, title in uploads:
        upload.title = title or upload.filename
        upload.completed = True
        upload.channel_id = channel.id if channel else None
    if channel is not None:
        # No attachments: the method takes none (check_call refuses the call before this).
        post(s, channel, args, text=args.get("initial_comment"), files=[u.id for u, _ in uploads])
    return {
        "ok": True,
        "files": [
            {
                "id": u.id,
                "name": u.filename,
                "title": u.title,
                "size": len(u.content or b""),
                "permalink": f"https://{s.team_domain}.slack.com/files/{s.bot_user_id}/{u.id}",
            }
            for u, _ in uploads
        ],
    }


FILETYPES = {
    "docx": "docx",
    "pdf": "pdf",
    "txt": "text",
    "xlsx": "xlsx",
    "csv": "csv",
}


def download_path(file_id: str, filename: str) -> str:
    return f"/files-pri/T0-{file_id}/download/{urllib.parse.quote(filename)}"


def file_json(s: Workspace, upload: UploadedFile) -> dict[str, Any]:
    """A file object as Slack gives it: ids, name, type, size and the private URLs."""
    ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    path = download_path(upload.id, upload.filename)
    return {
        "id": upload.id,
        "name": upload.filename,
        "title": upload.title or upload.filename,
        "filetype": FILETYPES.get(ext, ext or "binary"),
        "size": len(upload.content or b""),
        "user": upload.user or s.bot_user_id,
        "url_private": s.root_url + path.replace("/download/", "/"),
        "url_private_download": s.root_url + path,
        "permalink": f"https://{s.team_domain}.slack.com/files/{upload.user}/{upload.id}",
    }


def _files_info(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    upload = s._uploads.get(str(args.get("file") or ""))
    if upload is None or upload.content is None:
        raise SlackError("file_not_found")
    return {"ok": True, "file": file_json(s, upload)}


METHODS: dict[str, Method] = {
    "files.info": _files_info,
    "files.getUploadURLExternal": _files_get_upload_url,
    "files.completeUploadExternal": _files_complete_upload,
}
