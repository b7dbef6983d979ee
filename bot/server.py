"""Serving the app: Socket Mode, or HTTP on waitress (a production WSGI server), with /healthz.

HTTP routes: ``POST /slack/events`` (slash commands, buttons, modals and events, signature
checked by Bolt) and ``GET /healthz`` (the database answers ``SELECT 1``: 200, else 503).

Waitress is a multi-threaded production server written in pure Python: it runs the same on the
Linux and Windows servers councils use, and it can run inside one process beside the scheduler,
the tests, the sandbox and the benchmark without forking.
"""

from __future__ import annotations

import http
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from waitress import wasyncore  # type: ignore[import-untyped,unused-ignore]
from waitress.server import create_server  # type: ignore[import-untyped,unused-ignore]

from bot.inbound import Malformed, bolt_request, parse_body, shape_problem, signature_problem
from bot.settings import Settings, SettingsError
from models.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.socket_mode import SocketModeConnection
    from jobs.scheduler import SchedulerHandle

log = logging.getLogger("lscb.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_THREADS = 8
# Slack's payloads are a few kilobytes; a large body is not from Slack.
MAX_BODY_BYTES = 1024 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
HealthCheck = Callable[[], bool]


def database_health(session_factory: sessionmaker[Session]) -> HealthCheck:
    """A check that the database answers ``SELECT 1``."""

    def check() -> bool:
        try:
            with session_factory() as s:
                s.execute(text("SELECT 1"))
            return True
        except Exception as e:  # any failure means "not healthy"; say which kind, not details
            log.warning("health check: database unreachable (%s)", type(e).__name__)
            return False

    return check


def make_wsgi_app(
    bolt_app: App,
    health: HealthCheck,
    *,
    signing_secret: str | None = None,
    verifier: SignatureVerifier | None = None,
) -> WsgiApp:
    """The WSGI application: Slack's requests on /slack/events, and /healthz.

    Each request to /slack/events is checked before Bolt sees it (bot.inbound): 401 unless
    Slack signed it within five minutes, 400 if it is not a body Slack sends; one log line for
    each refusal, without its content. Then Bolt dispatches it.
    """
    if verifier is None:
        # The app's own secret, which Bolt checks again (create_app's settings).
        verifier = SignatureVerifier(signing_secret or bolt_app._signing_secret)
    slack = _slack_events(bolt_app, verifier)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                return _json(start_response, "405 Method Not Allowed", {"ok": False})
            ok = health()
            status = "200 OK" if ok else "503 Service Unavailable"
            body = {"ok": ok, "database": "ok" if ok else "unreachable"}
            return _json(start_response, status, body)
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return application


def _slack_events(bolt_app: App, verifier: SignatureVerifier) -> WsgiApp:
    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raw = _read_body(environ)
        if raw is None:
            log.warning("request refused (400): body unreadable or too large")
            return _plain(start_response, "400 Bad Request")
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        problem = signature_problem(verifier, raw, headers)
        if problem is not None:
            log.warning("request refused (401): %s, %d bytes", problem, len(raw))
            return _plain(start_response, "401 Unauthorized")
        try:
            inbound = parse_body(raw, headers.get("content-type"))
        except Malformed as e:
            log.warning("request refused (400): %s", e)
            return _plain(start_response, "400 Bad Request")
        problem = shape_problem(inbound.body)
        if problem is not None:
            log.warning("request refused (400): %s", problem)
            return _plain(start_response, "400 Bad Request")
        try:
            response = bolt_app.dispatch(
                bolt_request(inbound, headers, str(environ.get("QUERY_STRING") or ""))
            )
        except Exception as e:  # nothing a request carries may cost a traceback
            log.error("request failed (500): %s", type(e).__name__)
            return _plain(start_response, "500 Internal Server Error")
        out_headers = [
            (name, value) for name, values in response.headers.items() for value in values
        ]
        data = (response.body or "").encode("utf-8")
        if not any(name.lower() == "content-length" for name, _ in out_headers):
            out_headers.append(("Content-Length", str(len(data))))
        start_response(f"{response.status} {_reason(response.status)}", out_headers)
        return [data]

    return handle


def _read_body(environ: dict[str, Any]) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY_BYTES:
        return None
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length else b""


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _plain(start_response: StartResponse, status: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")])
    return []


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


class HttpServer:
    """Waitress serving one WSGI app; run in the foreground (``serve``) or a thread (tests)."""

    def __init__(
        self,
        wsgi_app: WsgiApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self._map: dict[Any, Any] = {}
        self._server: Any = create_server(
            wsgi_app,
            map=self._map,
            host=host,
            port=port,
            threads=threads,
            ident="lscb",
            max_request_body_size=MAX_BODY_BYTES,
            # Bolt answers within Slack's 3 seconds; a client that sends nothing is cut off.
            channel_timeout=30,
            clear_untrusted_proxy_headers=True,
        )
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        """Serve until stopped (or interrupted, when in the foreground)."""
        try:
            self._server.run()
        except (OSError, ValueError):
            # Closing sockets under a running loop, from stop(), can surface here.
            if not self._stopping:
                raise

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.run, name="lscb-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        done = threading.Event()

        def close_everything() -> None:
            # Runs inside the server's loop thread, so nothing is closed under its feet.
            self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            wasyncore.close_all(self._map)
            done.set()

        if self._thread is not None and self._thread.is_alive():
            self._server.trigger.pull_trigger(close_everything)
            done.wait(10)
            self._thread.join(10)
        else:
            close_everything()

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -------------------------------------------------------------------- Socket Mode


def socket_mode_client(settings: Settings) -> WebClient:
    """The Web API client the Socket Mode connection uses for ``apps.connections.open``."""
    return WebClient(base_url=settings.slack_api_base_url or WebClient.BASE_URL)


def socket_mode_connection(app: App, settings: Settings, **timing: float) -> SocketModeConnection:
    from bot.socket_mode import SocketModeConnection

    assert settings.slack_app_token
    return SocketModeConnection(
        app, settings.slack_app_token, socket_mode_client(settings), **timing
    )


def make_health_app(health: HealthCheck, socket_connected: Callable[[], bool]) -> WsgiApp:
    """GET /healthz in Socket Mode: 200 when the database answers and the socket is connected
    (Slack's hello received on a live connection), else 503 saying which is not."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != HEALTH_PATH:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _json(start_response, "405 Method Not Allowed", {"ok": False})
        database = health()
        socket = socket_connected()
        ok = database and socket
        body = {
            "ok": ok,
            "database": "ok" if database else "unreachable",
            "socket": "connected" if socket else "disconnected",
        }
        return _json(start_response, "200 OK" if ok else "503 Service Unavailable", body)

    return application


def _serve_socket_mode(
    app: App,
    settings: Settings,
    session_factory: sessionmaker[Session],
    health_port: int | None,
    ready: Callable[[HttpServer], None] | None,
    stop: threading.Event | None,
) -> None:
    connection = socket_mode_connection(app, settings)
    log.info("connecting to Slack over Socket Mode")
    try:
        connection.connect()  # apps.connections.open: the app-level token is checked here
    except SlackApiError as e:
        connection.close()
        error = e.response.get("error") if e.response is not None else None
        if error in ("invalid_auth", "not_authed", "token_revoked", "not_allowed_token_type"):
            raise StartupError(
                f"Slack refused SLACK_APP_TOKEN ({error}): make an app-level token (xapp-…) with "
                "the connections:write scope under Basic Information → App-Level Tokens",
                code=2,
            ) from None
        raise StartupError(
            f"Slack answered {error or 'an error'} when opening Socket Mode"
        ) from None
    except OSError as e:
        connection.close()
        base = settings.slack_api_base_url or WebClient.BASE_URL
        raise StartupError(f"cannot reach Slack at {base} ({type(e).__name__})") from None
    health_server = None
    try:
        if health_port is not None:
            health_server = HttpServer(
                make_health_app(database_health(session_factory), connection.is_connected),
                host="127.0.0.1",
                port=health_port,
                threads=2,
            ).start()
            log.info("health on %s%s (Socket Mode)", health_server.url, HEALTH_PATH)
            if ready is not None:
                ready(health_server)
        connection.run_forever(stop)
    finally:
        connection.close()
        if health_server is not None:
            health_server.stop()


# -------------------------------------------------------------------- the scheduler


def start_scheduler_in_process(
    settings: Settings, session_factory: sessionmaker[Session], client: WebClient, clock: Clock
) -> SchedulerHandle:
    """The scheduler inside `lscb serve`: active if this process holds the database's lock,
    else standing by to take over."""
    from jobs.scheduler import start_scheduler

    return start_scheduler(settings, session_factory, client, clock)


def stop_scheduler(handle: SchedulerHandle | None) -> None:
    if handle is None:
        return
    try:
        handle.stop()
    except Exception:  # stopping must not hide why we stopped
        log.exception("scheduler: error while stopping")


# -------------------------------------------------------------------- lscb serve


class StartupError(RuntimeError):
    """The app cannot start; said in one line. ``code`` 2 for a setting to fix."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _create_app_or_explain(
    create_app: Callable[..., App],
    settings: Settings,
    session_factory: sessionmaker[Session],
    clock: Clock,
) -> App:
    # Bolt checks the token with auth.test as the app is built: say what failed in one line.
    base = settings.slack_api_base_url or WebClient.BASE_URL
    try:
        try:
            return create_app(settings, session_factory=session_factory, clock=clock)
        except BoltError as e:
            # Bolt wraps auth.test's refusal in a BoltError; the Slack answer is its context.
            slack_answer = e.__cause__ or e.__context__
            if isinstance(slack_answer, SlackApiError):
                raise slack_answer from None
            raise
    except SlackApiError as e:
        error = e.response.get("error") if e.response is not None else None
        if error in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
            raise StartupError(
                f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again "
                "from your Slack app's settings",
                code=2,
            ) from None
        raise StartupError(
            f"Slack answered {error or 'an error'} when checking the token"
        ) from None
    except (OSError, BoltError) as e:
        raise StartupError(f"cannot reach Slack at {base} ({type(e).__name__})") from None


def describe_database(url: str) -> str:
    """The database for a log line: backend, host and name, never the password."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"sqlite ({u.database or ':memory:'})"
    return f"{u.get_backend_name()} ({u.host or 'local'}:{u.port or 5432}/{u.database or ''})"


def _terminate_on_sigterm() -> None:
    # Service managers stop us with SIGTERM: leave through the same path as Ctrl-C.
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def serve(
    settings: Settings,
    *,
    http: bool,
    host: str = "0.0.0.0",
    port: int = 3000,
    threads: int = DEFAULT_THREADS,
    scheduler: bool = True,
    ready: Callable[[HttpServer], None] | None = None,
    health_port: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the app until interrupted: over HTTP when ``http``, else over Socket Mode (with
    ``GET /healthz`` on 127.0.0.1:``health_port`` when given)."""
    from models.store import Store

    if not http and not settings.slack_app_token:
        raise SettingsError(
            "SLACK_APP_TOKEN is not set: set it to use Socket Mode, "
            "or serve over HTTP with `lscb serve --http --port N`"
        )
    settings.require_slack(socket_mode=not http)
    from bot.app import create_app  # type: ignore[import-not-found,unused-ignore]

    store = Store.open(settings.database_url)
    try:
        store.require_schema()
        clock = SystemClock()
        app = _create_app_or_explain(create_app, settings, store.session_factory, clock)
        log.info(
            "starting: %s; database %s; Slack API %s; scheduler %s",
            "HTTP" if http else "Socket Mode",
            describe_database(settings.database_url),
            settings.slack_api_base_url or WebClient.BASE_URL,
            "on" if scheduler else "off (--no-scheduler)",
        )
        running = (
            start_scheduler_in_process(settings, store.session_factory, app.client, clock)
            if scheduler
            else None
        )
        _terminate_on_sigterm()
        try:
            if http:
                server = HttpServer(
                    make_wsgi_app(
                        app,
                        database_health(store.session_factory),
                        signing_secret=settings.slack_signing_secret,
                    ),
                    host=host,
                    port=port,
                    threads=threads,
                )
                log.info(
                    "listening on %s (waitress, %d threads): POST %s, GET %s",
                    server.url,
                    threads,
                    EVENTS_PATH,
                    HEALTH_PATH,
                )
                if ready is not None:
                    ready(server)
                try:
                    server.run()
                finally:
                    server.stop()
            else:
                _serve_socket_mode(app, settings, store.session_factory, health_port, ready, stop)
        except KeyboardInterrupt:
            log.info("stopping")
        finally:
            stop_scheduler(running)
    finally:
        store.close()
    return 0
