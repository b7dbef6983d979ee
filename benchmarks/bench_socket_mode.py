"""Socket Mode clients side by side, against the stand-in's real websocket on loopback.

Candidates, each run through the same cases in one run:
- ``builtin``: slack_sdk's built-in client (what Bolt's default SocketModeHandler uses);
- ``websocket-client``: slack_sdk's websocket-client client as Bolt's
  ``adapter.socket_mode.websocket_client`` adapter builds it (ping every 10 s, no pong deadline);
- ``lscb``: the app's own (bot.socket_mode): that client with a pong deadline, a watchdog, a
  pause after refusals and "connected" only on Slack's hello.

Cases: the envelope acknowledged after a refresh (Slack's limit is 3 s); a drop without a close
frame (a reset): seconds until a new connection, and CPU seconds spent in the 15 s after it;
a connection gone silent (nothing arrives, not even pongs): seconds until a new connection
(given up after 20 s); a refused handshake: connection attempts in 5 s, and whether the client
claimed a session anyway.

Bolt's aiohttp adapter is not a candidate: it needs an AsyncApp, every listener rewritten async.

Run: make bench   (or .venv/bin/python benchmarks/bench_socket_mode.py [--only NAME])
Target (the app's client): ack after refresh < 3 s, drop noticed and mended < 10 s with < 1 CPU
second, silence noticed < 10 s, at most 5 attempts in 5 s of refusals, no claimed session.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_sdk import WebClient  # noqa: E402

from sandbox.slack import SlackStandIn  # noqa: E402
from sandbox.slack.socket_mode import SocketModeStandIn  # noqa: E402

APP_TOKEN = "xapp-1-bench"
GIVE_UP = 20.0


class Claimed(logging.Handler):
    """Counts the lines that claim a session is established."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.claims = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "new session has been established" in record.getMessage():
            self.claims += 1


class Candidate:
    def __init__(self, name: str, make: Callable[[str, WebClient, logging.Logger], Any]) -> None:
        self.name = name
        self.make = make


def _ack_listener(client: Any, req: Any) -> None:
    from slack_sdk.socket_mode.response import SocketModeResponse

    client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def _builtin(token: str, web: WebClient, logger: logging.Logger) -> Any:
    from slack_sdk.socket_mode.builtin import SocketModeClient

    c = SocketModeClient(app_token=token, web_client=web, logger=logger)
    c.socket_mode_request_listeners.append(_ack_listener)
    return c


def _websocket_client(token: str, web: WebClient, logger: logging.Logger) -> Any:
    from slack_sdk.socket_mode.websocket_client import SocketModeClient

    c = SocketModeClient(app_token=token, web_client=web, logger=logger)
    c.socket_mode_request_listeners.append(_ack_listener)
    return c


class _Lscb:
    """bot.socket_mode's connection around a bare app that acks every envelope."""

    def __init__(self, token: str, web: WebClient, logger: logging.Logger) -> None:
        from slack_bolt import App

        from bot.socket_mode import SocketModeConnection

        app = App(
            client=WebClient(token="xoxb-bench", base_url=web.base_url),
            signing_secret="bench",
            token_verification_enabled=False,
        )
        app.event("app_mention")(lambda: None)
        self.conn = SocketModeConnection(app, token, web)

    def connect(self) -> None:
        self.conn.connect()

    def close(self) -> None:
        self.conn.close()


CANDIDATES = [
    Candidate("builtin", _builtin),
    Candidate("websocket-client", _websocket_client),
    Candidate("lscb", lambda t, w, lg: _Lscb(t, w, lg)),
]


def _fresh(name: str) -> tuple[SlackStandIn, SocketModeStandIn, Any, Claimed]:
    slack = SlackStandIn().__enter__()
    sm = SocketModeStandIn(slack, app_token=APP_TOKEN).start()
    logger = logging.getLogger(f"bench.{name}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    claimed = Claimed()
    logger.handlers = [claimed]
    candidate = next(c for c in CANDIDATES if c.name == name)
    client = candidate.make(APP_TOKEN, WebClient(base_url=slack.base_url), logger)
    return slack, sm, client, claimed


def _close(slack: SlackStandIn, sm: SocketModeStandIn, client: Any) -> None:
    closer = threading.Thread(target=client.close, daemon=True)
    closer.start()
    closer.join(5)
    sm.stop()
    slack.__exit__(None, None, None)


def _envelope() -> dict[str, Any]:
    return {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}


def measure(name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # refresh, then an envelope on the new connection as soon as it is open
    slack, sm, client, claimed = _fresh(name)
    try:
        client.connect()
        sm.wait_for_link(1, 10)
        time.sleep(0.5)
        sm.disconnect("refresh_requested")
        link = sm.wait_for_link(2, 10)
        envelope, sent = sm.send_envelope("events_api", _envelope(), link=link)
        try:
            out["refresh_ack_s"] = sm.wait_for_ack(envelope, 10).at - sent
        except TimeoutError:
            out["refresh_ack_s"] = float("inf")
        # a reset: no close frame
        time.sleep(0.5)
        cpu, started = time.process_time(), time.monotonic()
        sm.drop()
        try:
            sm.wait_for_link(3, GIVE_UP)
            out["drop_reconnect_s"] = time.monotonic() - started
        except TimeoutError:
            out["drop_reconnect_s"] = float("inf")
        rest = 15 - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)
        out["drop_cpu_s"] = time.process_time() - cpu
        # silence: open, nothing arrives
        links = len(sm.links)
        started = time.monotonic()
        sm.go_silent()
        try:
            sm.wait_for_link(links + 1, GIVE_UP)
            out["silent_reconnect_s"] = time.monotonic() - started
        except TimeoutError:
            out["silent_reconnect_s"] = float("inf")
    finally:
        _close(slack, sm, client)
    # refused handshakes
    slack, sm, client, claimed = _fresh(name)
    try:
        sm.refuse_handshakes(1000)
        threading.Thread(target=client.connect, daemon=True).start()
        time.sleep(5)
        out["refused_attempts_5s"] = sm.handshakes
        out["refused_claimed_session"] = claimed.claims > 0
    finally:
        _close(slack, sm, client)
    return out


def _s(v: float) -> str:
    return f">{GIVE_UP:.0f} s" if v == float("inf") else f"{v:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=[c.name for c in CANDIDATES])
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    results = {c.name: measure(c.name) for c in CANDIDATES if args.only in (None, c.name)}
    print(
        f"{'client':18} {'ack after refresh':>18} {'drop: reconnect':>16} {'drop: CPU/15 s':>15} "
        f"{'silent: reconnect':>18} {'refused: tries/5 s':>19} {'claims session':>15}"
    )
    for name, r in results.items():
        print(
            f"{name:18} {_s(r['refresh_ack_s']):>18} {_s(r['drop_reconnect_s']):>16} "
            f"{r['drop_cpu_s']:>13.2f} s {_s(r['silent_reconnect_s']):>18} "
            f"{r['refused_attempts_5s']:>19} {'yes' if r['refused_claimed_session'] else 'no':>15}"
        )
    ours = results.get("lscb")
    if ours is None:
        return 0
    missed = [
        what
        for what, ok in (
            ("ack after refresh < 3 s", ours["refresh_ack_s"] < 3),
            ("drop mended < 10 s", ours["drop_reconnect_s"] < 10),
            ("drop CPU < 1 s", ours["drop_cpu_s"] < 1),
            ("silence noticed < 10 s", ours["silent_reconnect_s"] < 10),
            ("refusals: at most 5 tries in 5 s", ours["refused_attempts_5s"] <= 5),
            ("no session claimed on refusal", not ours["refused_claimed_session"]),
        )
        if not ok
    ]
    if missed:
        print("target missed: " + ", ".join(missed))
        return 1
    print("target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
