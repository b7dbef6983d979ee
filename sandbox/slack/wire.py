"""The Slack stand-in's HTTP side: a threaded server on 127.0.0.1 that reads a request's body
(form, JSON or multipart) and routes ``/api/<method>``, ``/upload/v1/<file>``,
``/files-pri/<team>-<file>/download/<name>`` and ``/response/<id>`` to the stand-in, then writes its reply."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

Reply = tuple[int, Any, dict[str, str]]  # status, JSON body (None: drop the connection), headers
DROPPED = 0  # the status of a Reply that drops the connection without an answer


class Endpoints(Protocol):
    """What the server answers requests with (``SlackStandIn``)."""

    def _handle_api(self, method: str, raw_args: dict[str, Any], token: str | None) -> Reply: ...

    def _handle_upload(self, file_id: str, data: bytes) -> Reply: ...

    def _handle_response_url(self, rid: str, payload: Any) -> Reply: ...

    def _handle_download(self, file_id: str, token: str | None) -> Reply: ...


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        return parsed if isinstance(parsed, dict) else {}
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                out[name] = payload if part.get_filename() else payload.decode("utf-8")
        return out
    return dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: Endpoints


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "SlackStandIn/1"

    def log_message(self, format: str, *args: Any) -> None:
        # The default logs request lines, whose query strings can hold personal data.
        pass

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        standin = self.server.standin
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = [p for p in url.path.split("/") if p]
        try:
            if len(parts) == 2 and parts[0] == "api":
                args: dict[str, Any] = dict(urllib.parse.parse_qsl(url.query))
                args.update(parse_body(self.headers.get("Content-Type", ""), body))
                auth = self.headers.get("Authorization", "")
                token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
                token = token or (str(args["token"]) if args.get("token") else None)
                reply = standin._handle_api(parts[1], args, token)
            elif len(parts) == 3 and parts[:2] == ["upload", "v1"]:
                reply = standin._handle_upload(parts[2], body)
            elif len(parts) == 4 and parts[0] == "files-pri" and parts[2] == "download":
                auth = self.headers.get("Authorization", "")
                token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
                reply = standin._handle_download(parts[1].split("-", 1)[-1], token)
            elif len(parts) == 2 and parts[0] == "response":
                reply = standin._handle_response_url(parts[1], json.loads(body or b"null"))
            else:
                reply = (404, {"ok": False, "error": "not_found"}, {})
        except ValueError:
            reply = (400, {"ok": False, "error": "invalid_form_data"}, {})
        self._send(*reply)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if status == DROPPED:  # a held "timeout": drop the connection without an answer
            self.close_connection = True
            return
        if isinstance(body, bytes):
            data, ctype = body, "application/octet-stream"
        elif isinstance(body, str):
            data, ctype = body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        # A client that gave up (timed out, say) has nothing more to be told.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)
