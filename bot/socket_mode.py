"""Socket Mode that does not go deaf.

The connection is slack_sdk's websocket-client Socket Mode client (the one Bolt's
``slack_bolt.adapter.socket_mode.websocket_client`` adapter uses), chosen by measurement
(README "Socket Mode", ``benchmarks/bench_socket_mode.py``): it reads a new connection at once
after Slack asks for a refresh and reconnects at once after a reset, where slack_sdk's built-in
client spins on a dead socket and reconnects only after about a minute. What it lacks is added
here:

- pings every ``ping_interval`` seconds, and a connection whose pong does not come back within
  ``ping_timeout`` is given up;
- a connection being replaced is let go without waiting for its close handshake;
- a watchdog: when nothing at all (envelope, hello, pong) has arrived for ``watchdog_after``
  seconds, a new connection is opened, whatever the client thinks of the old one;
- "connected" is said only when Slack's ``hello`` arrives: a refused handshake is one warning
  and a retry after a growing pause (1 s, 2 s, … at most 30 s), never a spin;
- ``is_connected()`` for ``GET /healthz``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.socket_mode.websocket_client import SocketModeClient

log = logging.getLogger("lscb.socket_mode")

# A ping every 4 s, given up on 3 s later: a silent connection is noticed within 8 s.
PING_INTERVAL = 4.0
PING_TIMEOUT = 3.0
# Nothing at all (not even a pong, due every 4 s) for 7 s: the connection is dead.
WATCHDOG_AFTER = 7.0
MAX_PAUSE = 30.0
OPENING = 3.0  # seconds a new connection is given to complete its handshake


class _Client(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, with a pong deadline and a pause
    between failed connection attempts."""

    def __init__(self, *args: Any, ping_timeout: float, **kwargs: Any) -> None:
        self.ping_timeout = ping_timeout
        self.pause = 0.0
        super().__init__(*args, **kwargs)

    def _run_current_session(self) -> None:
        session = self.current_session
        if session is None:
            return
        try:
            session.run_forever(ping_interval=self.ping_interval, ping_timeout=self.ping_timeout)
        except Exception as e:  # the session is over; the monitor opens the next one
            if not self.closed:
                log.warning("Socket Mode connection ended (%s)", type(e).__name__)
            session.close()

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        if self.closed:
            return
        if self.pause:
            time.sleep(self.pause)  # after a refusal: wait, do not spin
        super().connect_to_new_endpoint(force=force)

    def connect(self) -> None:
        # slack_sdk closes the old connection politely, waiting up to 3 s for Slack's answer;
        # a dead one never answers, and the new connection would wait behind it. Let it go.
        old = self.current_session
        self.current_session = None
        super().connect()
        self._opened_at = time.monotonic()
        if old is not None:
            _let_go(old)

    def is_connected(self) -> bool:
        # A connection opened a moment ago counts as connected while its handshake runs, so
        # slack_sdk's own monitor does not open yet another one beside it.
        if super().is_connected():
            return True
        opening = time.monotonic() - getattr(self, "_opened_at", float("-inf")) < OPENING
        return self.current_session is not None and opening and not self.pause


def _let_go(session: Any) -> None:
    # No longer current: its end must not set off another reconnection.
    session.on_close = None
    session.on_error = None
    # Shut the socket first: that wakes the reader blocked on it at once (closing alone may
    # not), so the runner moves on to the new connection.
    raw = getattr(getattr(session, "sock", None), "sock", None)
    if raw is not None:
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):  # it is already gone
        session.close(timeout=0)


class SocketModeConnection:
    """The app over Socket Mode: connect, stay connected, say whether it is."""

    def __init__(
        self,
        app: App,
        app_token: str,
        web_client: WebClient,
        *,
        ping_interval: float = PING_INTERVAL,
        ping_timeout: float = PING_TIMEOUT,
        watchdog_after: float = WATCHDOG_AFTER,
    ) -> None:
        self.app = app
        self.watchdog_after = watchdog_after
        self._hello = threading.Event()
        self._last_heard = time.monotonic()
        self._connections = 0
        self._stop = threading.Event()
        quiet = logging.getLogger("lscb.socket_mode.sdk")
        quiet.setLevel(logging.CRITICAL)  # its lines are replaced by this module's
        self.client = _Client(
            app_token=app_token,
            web_client=web_client,
            logger=quiet,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            auto_reconnect_enabled=True,
            on_message_listeners=[self._heard],
            on_error_listeners=[self._failed],
            on_close_listeners=[self._closed],
        )
        self.client.message_listeners.append(self._on_message)
        self.client.socket_mode_request_listeners.append(self._handle)
        self._watchdog = threading.Thread(
            target=self._watch, name="lscb-socket-watchdog", daemon=True
        )

    # ------------------------------------------------------------ public

    def connect(self) -> None:
        """Open the first connection (apps.connections.open: a refused app token raises
        SlackApiError here) and start the watchdog."""
        self.client.connect()
        self._watchdog.start()

    def wait_until_connected(self, timeout: float) -> bool:
        return self._hello.wait(timeout)

    def is_connected(self) -> bool:
        session = self.client.current_session
        return self._hello.is_set() and session is not None and session.sock is not None

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Until interrupted (or `stop` is set)."""
        while not self._stop.wait(0.2):
            if stop is not None and stop.is_set():
                return

    def close(self) -> None:
        self._stop.set()
        self.client.close()

    # ------------------------------------------------------------ listeners

    def _heard(self, ws: Any, message: str) -> None:
        self._last_heard = time.monotonic()

    def _on_message(self, client: Any, message: dict[str, Any], raw: str | None) -> None:
        if message.get("type") == "hello":
            self._connections += 1
            self.client.pause = 0.0
            self._hello.set()
            log.info("Socket Mode connected (connection %d)", self._connections)
        elif message.get("type") == "disconnect":
            self._hello.clear()
            log.info("Socket Mode: Slack asked for a new connection (%s)", message.get("reason"))

    def _failed(self, ws: Any, error: Exception) -> None:
        status = getattr(error, "status_code", None)
        self._hello.clear()
        if self._stop.is_set() or ws is not self.client.current_session:
            return  # a connection being let go, or the app stopping
        if status is not None:
            self.client.pause = min(MAX_PAUSE, max(1.0, self.client.pause * 2))
            log.warning(
                "Socket Mode: Slack refused the connection (HTTP %s); trying again in %.0f s",
                status,
                self.client.pause,
            )
        else:
            log.warning("Socket Mode connection lost (%s); reconnecting", type(error).__name__)

    def _closed(self, ws: Any) -> None:
        self._hello.clear()

    def _handle(self, client: Any, req: SocketModeRequest) -> None:
        self._last_heard = time.monotonic()
        started = time.time()
        try:
            response = run_bolt_app(self.app, req)
        except Exception as e:  # a listener's failure must not stop the connection
            log.error("Socket Mode envelope failed: %s", type(e).__name__)
            return
        if response.status != 200:
            # Unhandled or malformed: still acknowledged, or Slack would send it again.
            log.info("Socket Mode envelope answered %s", response.status)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        send_response(client, req, response, started)

    # ------------------------------------------------------------ watchdog

    def _last_arrival(self) -> float:
        """When anything last arrived: a message, or a pong (websocket-client's clock)."""
        session = self.client.current_session
        pong = getattr(session, "last_pong_tm", 0.0) or 0.0
        pong_age = time.time() - pong if pong else float("inf")
        return max(self._last_heard, time.monotonic() - pong_age)

    def _watch(self) -> None:
        tick = min(1.0, self.watchdog_after / 4)
        while not self._stop.wait(tick):
            silent = time.monotonic() - self._last_arrival()
            if silent < self.watchdog_after or not self._hello.is_set():
                continue
            log.warning("Socket Mode: nothing from Slack for %.0f s; reconnecting", silent)
            self._hello.clear()
            self._last_heard = time.monotonic()
            try:
                self.client.connect_to_new_endpoint(force=True)
            except Exception as e:
                log.warning("Socket Mode: reconnecting failed (%s)", type(e).__name__)
