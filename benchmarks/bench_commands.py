"""Signed `/lscb actions` and `/lscb actions overdue` over HTTP, against a bare Bolt app that only acks.

Both apps are served by the same production server (waitress) on loopback, in the same run. The
data: 20,000 actions, 1,000 people, 30 committees (bulk inserts). Latency is what the person waits
for: from sending the request until the reply is in Slack's hands (the HTTP answer, or the
response_url post when the app answers after ack). Also printed: SQL statements per command at two
data sizes, which must not grow with the number of actions.

Run: make bench   (or .venv/bin/python benchmarks/bench_commands.py [--requests N])
Target: p50 within 1.5x the bare app, p99 under 150 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from workload import StatementCounter, load_board  # noqa: E402

import models.all  # noqa: E402,F401
from bot.server import HttpServer, database_health, make_wsgi_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.clock import FixedClock  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.store import Store  # noqa: E402
from sandbox.repl import _track_background_work  # noqa: E402
from sandbox.slack import SlackStandIn, SlackUser, signed_headers  # noqa: E402

SECRET = "bench-signing-secret-0123456789ab"
TOKEN = "xoxb-0-lscb-bench"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
COMMANDS = ("actions", "actions overdue")
USER = "U00000001"  # an admin who also owns some actions
WARMUP = 10


# -------------------------------------------------------------------- data


# -------------------------------------------------------------------- apps and requests


def bare_app(slack: SlackStandIn) -> App:
    app = App(
        client=WebClient(token=TOKEN, base_url=slack.base_url),
        signing_secret=SECRET,
    )

    @app.command("/lscb")
    def only_ack(ack: Any) -> None:
        ack()

    return app


def real_app(slack: SlackStandIn, store: Store) -> App:
    from bot.app import create_app

    settings = Settings(
        database_url=str(store.engine.url),
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_base_url=slack.base_url,
    )
    app: App = create_app(settings, session_factory=store.session_factory, clock=FixedClock(NOW))
    return app


@dataclass
class Sample:
    total_ms: float  # until the reply reached Slack
    http_ms: float  # until the HTTP answer
    statements: int


def send(server_url: str, slack: SlackStandIn, text: str) -> tuple[float, float, int, str, str]:
    """Send one signed /lscb; return start, HTTP-answer time, status, body and response_url."""
    response_url = slack.new_response_url(channel="C0BENCH", user=USER)
    body = urllib.parse.urlencode(
        {
            "token": "bench",
            "team_id": slack.team_id,
            "team_domain": slack.team_domain,
            "channel_id": "C0BENCH",
            "channel_name": "bench",
            "user_id": USER,
            "user_name": "person1",
            "command": "/lscb",
            "text": text,
            "api_app_id": slack.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": slack.new_trigger_id(USER),
        }
    ).encode()
    headers = signed_headers(SECRET, body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        server_url + "/slack/events", data=body, headers=headers, method="POST"
    )
    start = time.time()
    with urllib.request.urlopen(request, timeout=10) as r:
        data = r.read().decode()
        status = r.status
    return start, time.time(), status, data, response_url


def measure(
    server: HttpServer,
    slack: SlackStandIn,
    text: str,
    count: int,
    counter: StatementCounter | None,
    idle: Callable[[], None],
) -> list[Sample]:
    samples: list[Sample] = []
    for i in range(count + WARMUP):
        before = counter.count if counter else 0
        start, answered, status, body, url = send(server.url, slack, text)
        if status != 200:
            raise SystemExit(f"/lscb {text}: HTTP {status}")
        has_reply = bool(body.strip()) and json.loads(body).get("blocks") is not None
        end = answered
        if not has_reply and counter is not None:
            end = wait_for_response(slack, url)
        idle()
        if i >= WARMUP:
            samples.append(
                Sample(
                    (end - start) * 1000,
                    (answered - start) * 1000,
                    (counter.count - before) if counter else 0,
                )
            )
    return samples


def wait_for_response(slack: SlackStandIn, url: str, timeout: float = 10.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in reversed(slack.responses):
            if r.url == url:
                return r.at.timestamp()
        time.sleep(0.0005)
    raise SystemExit("no reply reached the response_url within 10 s")


@contextmanager
def database(actions: int, folder: Path) -> Iterator[Store]:
    path = folder / f"bench-{actions}.sqlite3"
    settings = Settings(database_url=f"sqlite:///{path}")
    upgrade(settings.database_url)
    store = Store.open(settings.database_url)
    # The person asking owns a page of actions at every data size.
    load_board(
        store.engine,
        actions,
        now=NOW,
        seed=4,
        owner_of=lambda n, rnd: 1 if n <= 25 else rnd.randint(1, 1000),
    )
    try:
        yield store
    finally:
        store.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_real(slack: SlackStandIn, store: Store, count: int) -> dict[str, list[Sample]]:
    app = real_app(slack, store)
    background = _track_background_work(app)
    counter = StatementCounter(store.engine)

    def idle() -> None:
        if background is not None:
            background.wait_idle(10)

    results: dict[str, list[Sample]] = {}
    with HttpServer(make_wsgi_app(app, database_health(store.session_factory))) as server:
        for text in COMMANDS:
            results[text] = measure(server, slack, text, count, counter, idle)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per command (100)")
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000, help="the smaller data size")
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory() as tmp,
        SlackStandIn(users=[SlackUser(USER, "person1")], token=TOKEN) as slack,
    ):
        folder = Path(tmp)
        t0 = time.perf_counter()
        with database(args.small, folder) as small:
            small_counts = {
                text: statistics.median(s.statements for s in samples)
                for text, samples in run_real(slack, small, 10).items()
            }
        with database(args.actions, folder) as big:
            load_s = time.perf_counter() - t0
            real = run_real(slack, big, args.requests)
        with HttpServer(make_wsgi_app(bare_app(slack), lambda: True)) as server:
            bare = {
                text: measure(server, slack, text, args.requests, None, lambda: None)
                for text in COMMANDS
            }

    print(
        f"/lscb over HTTP on waitress (loopback): {args.actions:,} actions, 1,000 people, "
        f"30 committees; {args.requests} requests per command after {WARMUP} warm-up "
        f"(setup {load_s:.1f} s)"
    )
    print(
        f"{'command':<24}{'p50 ms':>8}{'p99 ms':>8}{'bare p50':>10}{'bare p99':>10}"
        f"{'p50 ×bare':>11}{'ack p50':>9}   SQL per command ({args.small:,} | {args.actions:,})"
    )
    met = True
    for text in COMMANDS:
        totals = [s.total_ms for s in real[text]]
        acks = [s.http_ms for s in real[text]]
        bare_totals = [s.total_ms for s in bare[text]]
        p50, p99 = pct(totals, 50), pct(totals, 99)
        b50, b99 = pct(bare_totals, 50), pct(bare_totals, 99)
        ratio = p50 / b50 if b50 else float("inf")
        big_count = statistics.median(s.statements for s in real[text])
        same = "same" if big_count == small_counts[text] else "GROWS"
        print(
            f"{'/lscb ' + text:<24}{p50:>8.1f}{p99:>8.1f}{b50:>10.1f}{b99:>10.1f}"
            f"{ratio:>10.2f}×{pct(acks, 50):>9.1f}   {small_counts[text]:g} | {big_count:g} ({same})"
        )
        met = met and ratio <= 1.5 and p99 < 150 and same == "same"
    print(
        "target (p50 ≤ 1.5× bare, p99 < 150 ms, statements flat): " + ("met" if met else "MISSED")
    )
    return 0 if met else 1


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
