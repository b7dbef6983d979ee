"""Fetching a file a person shared with the app: `files.info`, then its `url_private_download`
with the bot token. The token is only ever sent to Slack's file host or to the Web API's own host
(a local stand-in), never to whatever URL an answer names."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

IMPORT_TYPES = ("docx", "pdf", "txt", "xlsx", "csv")
MAX_BYTES = 20 * 1024 * 1024  # far above any index or tracker; a bound on what is held in memory
SLACK_FILE_HOSTS = frozenset({"files.slack.com"})


class FileRefused(Exception):
    """Why a shared file cannot be imported, in one line for the person who shared it."""


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    content: bytes


def _allowed(url: str, client: WebClient) -> bool:
    target = urllib.parse.urlsplit(url)
    api = urllib.parse.urlsplit(client.base_url)
    if target.scheme == "https" and target.hostname in SLACK_FILE_HOSTS:
        return True
    return (target.scheme, target.netloc) == (api.scheme, api.netloc)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the token to another address: Slack sends one only to a login page.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(client: WebClient, file_id: str, *, timeout: float = 30.0) -> SharedFile:
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as e:
        code = e.response.get("error", "error") if e.response is not None else "error"
        raise FileRefused(f"Slack would not give me the file ({code}).") from None
    name = str(info.get("name") or file_id)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in IMPORT_TYPES:
        raise FileRefused(
            f"{name}: only {', '.join('.' + t for t in IMPORT_TYPES)} files can be imported."
        )
    if int(info.get("size") or 0) > MAX_BYTES:
        raise FileRefused(f"{name}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    url = str(info.get("url_private_download") or "")
    if not url or not _allowed(url, client):
        raise FileRefused(f"{name}: Slack gave no download address I may use.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            content = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError:
        raise FileRefused(f"{name}: Slack refused the download.") from None
    except OSError:
        raise FileRefused(f"{name}: the download failed; try again.") from None
    if len(content) > MAX_BYTES:
        raise FileRefused(f"{name}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    return SharedFile(file_id, name, content)
