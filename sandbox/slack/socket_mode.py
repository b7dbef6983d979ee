"""Slack's side of Socket Mode, on loopback: a real websocket the app connects to.

``SocketModeStandIn(slack, app_token=...)`` joins a ``SlackStandIn``: its ``apps.connections.open``
(with the app-level token; any other token is ``invalid_auth``) hands out a one-use
``ws://127.0.0.1:…/link/?ticket=…`` URL, and the connection made to it speaks the protocol:

- ``hello`` first, then envelopes (``send_envelope``: events_api, slash_commands, interactive)
  that the app acknowledges with ``{"envelope_id": …}``; ``acks`` records each with when it came;
- ``disconnect(reason="refresh_requested")``, as Slack sends every few hours: the app should
  open a new connection, which is then read at once (an envelope sent on it must be acked within
  Slack's 3 seconds);
- ``drop()``: the connection goes away without a close frame (TCP closed under it, as when a
  proxy gives up; ``reset=True`` for a reset); ``go_silent()``: it stays open but nothing more arrives, not even a pong (a
  network that swallows packets): only the app's own timers can notice;
- ``refuse_handshakes(n, status)``: the next websocket upgrades are refused with that status.

Faults are made by a small TCP relay in front of the websocket server, so the app's client sees
them exactly as it would on a real network.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from sandbox.slack.records import SlackError


@dataclass
class Ack:
    envelope_id: str
    at: float  # time.monotonic() when it arrived
    payload: dict[str, Any] | None


@dataclass
class Link:
    """One websocket connection the app made."""

    number: int
    connection: ServerConnection
    relay: _Relay | None = None
    opened_at: float = field(default_factory=time.monotonic)
    closed: threading.Event = field(default_factory=threading.Event)


class _Relay:
    """Bytes between the app's socket and the websocket server's, both ways, until told to
    drop (reset the app's side, no close frame) or go silent (stop passing anything)."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.silent = threading.Event()
        self.done = threading.Event()

    def start(self) -> None:
        for a, b in ((self.client, self.upstream), (self.upstream, self.client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self.done.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if self.silent.is_set():
                    continue  # swallowed: the other side hears nothing
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self.close()

    def drop(self, *, reset: bool = False) -> None:
        """Close the app's side without a close frame: the TCP connection just ends (FIN), or
        with `reset` is torn down (RST)."""
        with contextlib.suppress(OSError):
            if reset:
                self.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.client.shutdown(socket.SHUT_RDWR)
        self.close()

    def close(self) -> None:
        if self.done.is_set():
            return
        self.done.set()
        for s in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                s.close()


class SocketModeStandIn:
    def __init__(self, slack: Any, *, app_token: str = "xapp-1-lscb-test") -> None:
        self.slack = slack
        self.app_token = app_token
        self.acks: list[Ack] = []
        self.links: list[Link] = []
        self.handshakes = 0  # upgrade requests seen, refused ones too
        self._tickets: set[str] = set()
        self._refuse: list[int] = []
        self._relays: dict[int, _Relay] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._acked = threading.Condition(self._lock)
        self._linked = threading.Condition(self._lock)
        self._server: Server | None = None
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SocketModeStandIn:
        self._server = serve(
            self._serve_link, "127.0.0.1", 0, process_request=self._check_handshake
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()
        self.slack.socket_mode = self
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        for link in list(self.links):
            if link.relay is not None:
                link.relay.close()
        if self._server is not None:
            self._server.shutdown()
        self.slack.socket_mode = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    # ---------------------------------------------------------------- apps.connections.open

    def open_connection(self, token: str | None) -> dict[str, Any]:
        if token != self.app_token:
            raise SlackError("invalid_auth")
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"}

    # ---------------------------------------------------------------- the relay and server

    def _accept(self) -> None:
        assert self._server is not None and self._listener is not None
        host, port = self._server.socket.getsockname()[:2]
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((host, port))
            except OSError:
                client.close()
                continue
            relay = _Relay(client, upstream)
            with self._lock:
                self._relays[upstream.getsockname()[1]] = relay
            relay.start()  # only now can the handshake reach the server

    def _check_handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        with self._lock:
            self.handshakes += 1
            if self._refuse:
                status = self._refuse.pop(0)
                return connection.respond(status, "refused by the stand-in\n")
            ticket = request.path.partition("ticket=")[2]
            if ticket not in self._tickets:
                return connection.respond(401, "unknown or used ticket\n")
            self._tickets.discard(ticket)
        return None

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._lock:
            relay = self._relays.pop(connection.remote_address[1], None)
            link = Link(next(self._numbers), connection, relay)
            self.links.append(link)
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "standin", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.slack.app_id},
                }
            )
        )
        with self._linked:
            self._linked.notify_all()
        try:
            for message in connection:
                try:
                    data = json.loads(message)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("envelope_id"):
                    with self._acked:
                        self.acks.append(
                            Ack(str(data["envelope_id"]), time.monotonic(), data.get("payload"))
                        )
                        self._acked.notify_all()
        except Exception:
            pass
        finally:
            link.closed.set()

    # ---------------------------------------------------------------- what Slack does

    def wait_for_link(self, number: int, timeout: float = 10) -> Link:
        """The `number`-th connection (1 is the first), once its hello is sent."""
        deadline = time.monotonic() + timeout
        with self._linked:
            while len(self.links) < number:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"connection {number} was not made within {timeout}s")
                self._linked.wait(left)
            return self.links[number - 1]

    @property
    def current(self) -> Link:
        assert self.links, "the app has not connected"
        return self.links[-1]

    def send_envelope(
        self, kind: str, payload: dict[str, Any], *, link: Link | None = None
    ) -> tuple[str, float]:
        """Send an envelope (events_api, slash_commands, interactive); its id and when sent."""
        envelope_id = uuid.uuid4().hex
        message = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": payload,
        }
        sent = time.monotonic()
        (link or self.current).connection.send(json.dumps(message))
        return envelope_id, sent

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> Ack:
        deadline = time.monotonic() + timeout
        with self._acked:
            while True:
                for ack in self.acks:
                    if ack.envelope_id == envelope_id:
                        return ack
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"envelope {envelope_id} was not acknowledged")
                self._acked.wait(left)

    def disconnect(self, reason: str = "refresh_requested", *, link: Link | None = None) -> None:
        (link or self.current).connection.send(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "standin"}})
        )

    def drop(self, link: Link | None = None, *, reset: bool = False) -> None:
        """The connection ends without a close frame (a proxy or network going away)."""
        link = link or self.current
        assert link.relay is not None
        link.relay.drop(reset=reset)

    def go_silent(self, link: Link | None = None) -> None:
        link = link or self.current
        assert link.relay is not None
        link.relay.silent.set()

    def refuse_handshakes(self, times: int = 1, status: int = 403) -> None:
        with self._lock:
            self._refuse.extend([status] * times)

    def iter_links(self) -> Iterator[Link]:
        return iter(list(self.links))
