"""`lscb sandbox`: the whole app on one machine, without a Slack workspace.

The real app is served on a loopback port exactly as in production (waitress, signed requests on
``POST /slack/events``); a local stand-in plays Slack's side (Web API and response_urls); a prompt
lets a person act as anyone in the organisation file, type ``/lscb …``, press buttons, fill and
submit modals, open App Home, and move a fixed clock to see the reminders and digests that fall due.
Works with a script on standard input as well as at a terminal.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.server import HttpServer, database_health, make_wsgi_app
from bot.settings import Settings, load_settings
from jobs.events import QUIET
from models.clock import Clock, FixedClock
from models.migrate import upgrade
from models.org import OrgFile, apply_org, read_org_file
from models.schema import Committee, Person, Review
from models.store import Store
from sandbox.slack import (
    InputField,
    Interactive,
    PostedMessage,
    SlackChannel,
    SlackStandIn,
    SlackUser,
    render_message,
    render_view,
    signed_headers,
    view_state,
)

log = logging.getLogger("lscb.sandbox")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ORG = ROOT / "examples" / "org.toml"
DEFAULT_SEED = ROOT / "examples" / "learning-and-improvement-index.txt"
# Fixed, fake credentials: the sandbox talks only to its own stand-in on loopback.
SANDBOX_BOT_TOKEN = "xoxb-0-lscb-sandbox"
SANDBOX_SIGNING_SECRET = "sandbox-signing-secret-0123456789"
SANDBOX_CHANNEL = SlackChannel("C0SANDBOX", "lscb-sandbox")
JOBS = ("events", "reminders", "digests", "escalations", "board-summary")
REQUEST_TIMEOUT = 30.0
SETTLE_TIMEOUT = 15.0
QUIET_SECONDS = 0.05
WIDTH = 80

AppFactory = Callable[[Settings, sessionmaker[Session], Clock], App]

HELP = """\
Commands:
  people                     everyone in the organisation file, with their Slack ids
  as U0DESNURS               act as that person (an id, or part of a name)
  in #lscb-qaec              type commands in that channel (default #lscb-sandbox)
  /lscb help                 any /lscb command, sent to the app as Slack would send it
  press N [choice]           press button N of what was shown last (a menu takes a choice)
  fill a <text>              fill input (a) of the open modal (a letter, or the start of its label)
  submit | cancel            submit or close the open modal
  home                       open your App Home tab
  upload FILE                share a file: into the open form's file field, or, with no form
                             open, in a direct message to the app (an index or tracker to import)
  clock                      show the sandbox's date and time
  clock +7d | +2w | +3h      move time forward and run the reminders and digests that fall due
  clock 2026-12-07 09:00     move to that moment (Europe/London)
  help | quit"""


def give_demo_owners(s: Session, now: datetime) -> int:
    """As the business unit would after an import: give each open, unassigned action an owner
    (people of the organisation file who chair nothing) and a due date, through the domain."""
    from models import actions as ops
    from models.calendar import local_date
    from models.permissions import Actor
    from models.queries import ActionFilter, list_actions
    from models.schema import Person

    owners = [
        p for p in s.scalars(select(Person).order_by(Person.id)) if p.slack_id and not p.roles
    ]
    if not owners:
        return 0
    business_unit = Actor.system("business unit (sandbox set-up)")
    today = local_date(now)
    rows = list_actions(s, ActionFilter(status="unassigned"), now)
    for i, (action, _) in enumerate(rows):
        ref = action.ref
        if action.owner_id is None:
            ops.assign(s, business_unit, ref, owner=owners[i % len(owners)], now=now)
        if action.due_date is None:
            due = today + timedelta(days=7 * (1 + i % 8) - 1)
            ops.change_due(s, business_unit, ref, when=due, reason=None, now=now)
    return len(rows)


@dataclass
class SandboxOptions:
    db: Path = Path("sandbox.sqlite3")
    fresh: bool = False
    org: Path | None = None
    seed: Path | None = None
    import_seed: bool = True
    now: datetime | None = None


class _CountingExecutor(Executor):
    """Wraps Bolt's listener executor to know when work after ack() has finished."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._cond:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

        return self._inner.submit(run)

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _track_background_work(app: App) -> _CountingExecutor | None:
    runner = getattr(app, "_listener_runner", None)
    inner = getattr(runner, "listener_executor", None)
    if runner is None or not isinstance(inner, Executor):
        return None
    counting = _CountingExecutor(inner)
    runner.listener_executor = counting
    lazy = getattr(runner, "lazy_listener_runner", None)
    if lazy is not None and hasattr(lazy, "executor"):
        lazy.executor = counting
    return counting


@dataclass
class _Button:
    """A pressable thing on screen and where it was, so its payload says so."""

    item: Interactive
    kind: str  # "message", "view"
    channel: str | None = None
    message_ts: str | None = None
    ephemeral: bool = False
    message: dict[str, Any] | None = None
    view: dict[str, Any] | None = None


@dataclass
class _Modal:
    view: dict[str, Any]
    fields: list[InputField]
    answers: dict[str, str] = field(default_factory=dict)


def _default_app_factory(settings: Settings, sf: sessionmaker[Session], clock: Clock) -> App:
    from bot.app import create_app  # type: ignore[import-not-found,unused-ignore]

    app: App = create_app(settings, session_factory=sf, clock=clock)
    return app


def _channel_id_for(ref: str, used: set[str]) -> str:
    base = "C0" + re.sub(r"[^A-Z0-9]", "", ref.upper())[:9]
    cid, n = base, 1
    while cid in used:
        n += 1
        cid = f"{base[:9]}{n}"
    used.add(cid)
    return cid


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


class Sandbox:
    def __init__(
        self,
        options: SandboxOptions,
        *,
        app_factory: AppFactory | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.options = options
        self.app_factory = app_factory or _default_app_factory
        self.extra_env = dict(env or {})
        self.org_path = options.org or DEFAULT_ORG
        self.seed_path = options.seed if options.seed is not None else DEFAULT_SEED
        self.slack: SlackStandIn | None = None
        self.server: HttpServer | None = None
        self.store: Store | None = None
        self.clock = FixedClock(
            options.now or datetime.now(ZoneInfo("Europe/London")).replace(second=0, microsecond=0)
        )
        self.user: str | None = None
        self.channel: SlackChannel = SANDBOX_CHANNEL
        self.buttons: list[_Button] = []
        self.modal: _Modal | None = None
        self._seen: dict[tuple[str, str], int] = {}
        self._home_hash: str | None = None
        self._background: _CountingExecutor | None = None
        self._channels: dict[str, SlackChannel] = {}
        self._names: dict[str, str] = {}
        self._jobs_client: WebClient | None = None  # the jobs' Slack client, built on first use
        self.out: IO[str] = io.StringIO()

    # ---------------------------------------------------------------- start and stop

    def __enter__(self) -> Sandbox:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        org = read_org_file(self.org_path)
        db = self.options.db
        if self.options.fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        self.slack = SlackStandIn(
            users=self._users_of(org),
            channels=self._channels_of(org),
            token=SANDBOX_BOT_TOKEN,
        ).start()
        self.env = {
            "DATABASE_URL": _sqlite_url(db),
            "SLACK_BOT_TOKEN": SANDBOX_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
            "SLACK_API_BASE_URL": self.slack.base_url,
            **{k: v for k, v in os.environ.items() if k.startswith("LSCB_")},
            **self.extra_env,
        }
        self.settings = load_settings(self.env, dotenv=False)
        upgrade(self.settings.database_url)
        self.store = Store.open(self.settings.database_url)
        with self.store.session_factory.begin() as s:
            apply_org(s, org)
        self.import_note = self._import_seed()
        app = self.app_factory(self.settings, self.store.session_factory, self.clock)
        self._background = _track_background_work(app)
        self.server = HttpServer(
            make_wsgi_app(app, database_health(self.store.session_factory)), threads=4
        ).start()
        admins = org.admins
        self.user = admins[0] if admins else next(iter(self._names), None)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.slack is not None:
            self.slack.stop()
            self.slack = None
        if self.store is not None:
            self.store.close()
            self.store = None
        self._jobs_client = None  # it talked to this run's stand-in

    def _users_of(self, org: OrgFile) -> list[SlackUser]:
        users = []
        for p in org.people:
            if p.get("slack_id"):
                sid, name = str(p["slack_id"]), str(p.get("name") or p["slack_id"])
                self._names[sid] = name
                users.append(
                    SlackUser(
                        sid,
                        name.lower().replace(" ", "."),
                        real_name=name,
                        email=p.get("email"),
                    )
                )
        return users

    def _channels_of(self, org: OrgFile) -> list[SlackChannel]:
        refs = [str(c["channel"]) for c in org.committees if c.get("channel")]
        if org.board_channel:
            refs.append(org.board_channel)
        used = {SANDBOX_CHANNEL.id}
        channels = [SANDBOX_CHANNEL]
        for ref in dict.fromkeys(refs):
            if ref.startswith("#"):
                channel = SlackChannel(_channel_id_for(ref, used), ref[1:])
            else:
                channel = SlackChannel(ref, ref.lower())
            channels.append(channel)
        self._channels = {c.id: c for c in channels}
        return channels

    def _import_seed(self) -> str:
        if not self.options.import_seed:
            return "no review document imported"
        if not Path(self.seed_path).is_file():
            raise SandboxError(f"{self.seed_path}: no such review document")
        from importer.errors import ImportFileError
        from importer.parse import parse_file
        from importer.store import store_index

        assert self.store is not None
        name = Path(self.seed_path).name
        try:
            index = parse_file(Path(self.seed_path))
        except ImportFileError as e:
            return f"importing {name} failed: {e}"
        now = self.clock.now()
        with self.store.session_factory.begin() as s:
            if s.scalar(select(Review.id).where(Review.source_key.is_not(None)).limit(1)):
                # Imported on an earlier start: what people did since stays as they left it.
                return f"{name} already imported (--fresh starts from an empty database)"
            summary = store_index(s, index, now=now, source_name=name)
            if not summary.actions_created:
                return f"{name} already imported"
            given = give_demo_owners(s, now)
        note = f"imported {name}"
        if given:
            note += (
                f"; {given} of its open actions were given example owners and due dates over the "
                "next eight weeks, so reminders and digests have something to say"
            )
        return note

    # ---------------------------------------------------------------- the prompt

    def repl(self, inp: IO[str], out: IO[str]) -> int:
        self.out = out
        tty = inp.isatty()
        if tty:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history at a terminal)
        assert self.server is not None and self.slack is not None
        self._print(
            f"LSCB sandbox: the app on {self.server.url}, Slack's side on {self.slack.root_url}."
        )
        self._print(f"Database {self.options.db}; {self.import_note}.")
        self._print(f"Clock: {self._when(self.clock.now())}. Type `help` for the commands.")
        if self.user:
            self._print(f"You are {self._who(self.user)}.")
        while True:
            if tty:
                out.write(f"{self._names.get(self.user or '', '?')}> ")
                out.flush()
            line = inp.readline()
            if not line:
                break
            line = line.strip()
            if not line or line.startswith("#!"):
                continue
            if not tty:
                self._print(f"> {line}")
            try:
                if not self.handle(line):
                    break
            except SandboxError as e:
                self._print(f"! {e}")
        return 0

    def handle(self, line: str) -> bool:
        """Carry out one line; False to stop."""
        word, _, rest = line.partition(" ")
        word = word.lower()
        rest = rest.strip()
        if word in ("quit", "exit", "q"):
            return False
        if word in ("help", "?"):
            self._print(HELP)
        elif word == "people":
            self.cmd_people()
        elif word == "as":
            self.cmd_as(rest)
        elif word == "in":
            self.cmd_in(rest)
        elif word.startswith("/"):
            self.cmd_slash(word, rest)
        elif word == "press":
            self.cmd_press(rest)
        elif word == "fill":
            self.cmd_fill(rest)
        elif word == "submit":
            self.cmd_submit()
        elif word in ("cancel", "close"):
            self.cmd_cancel()
        elif word == "home":
            self.cmd_home()
        elif word == "upload":
            self.cmd_upload(rest)
        elif word == "clock":
            self.cmd_clock(rest)
        else:
            raise SandboxError(f"unknown command {word!r}; type `help`")
        return True

    # ---------------------------------------------------------------- commands

    def cmd_people(self) -> None:
        assert self.store is not None
        with self.store.session_factory() as s:
            people = s.scalars(select(Person).order_by(Person.name)).all()
            codes = {c.id: c.code for c in s.scalars(select(Committee)).all()}
            for p in people:
                roles = (["admin"] if p.is_admin else []) + [
                    f"chair {codes.get(cid, '?')}" for cid in sorted(p.chaired_committee_ids)
                ]
                self._print(
                    f"  {p.slack_id or '(not in Slack)':<14} {p.name:<28} "
                    f"{(p.agency or '')[:24]:<24} {', '.join(roles)}"
                )

    def cmd_as(self, who: str) -> None:
        if not who:
            raise SandboxError("say who: `as U0DESNURS` (type `people` for the ids)")
        if who in self._names:
            self.user = who
        else:
            found = [sid for sid, name in self._names.items() if who.lower() in name.lower()]
            if len(found) != 1:
                raise SandboxError(
                    f"no one in Slack matches {who!r}"
                    if not found
                    else f"{who!r} matches {len(found)} people; use their Slack id"
                )
            self.user = found[0]
        self.modal = None
        self._print(f"You are {self._who(self.user)}.")

    def cmd_in(self, ref: str) -> None:
        name = ref.lstrip("#")
        channel = next(
            (c for c in self._channels.values() if c.name == name or c.id == ref),
            None,
        )
        if channel is None:
            names = ", ".join(f"#{c.name}" for c in self._channels.values())
            raise SandboxError(f"no channel {ref!r}; the channels are {names}")
        self.channel = channel
        self._print(f"You are typing in #{channel.name}.")

    def cmd_slash(self, command: str, text: str) -> None:
        user = self._require_user()
        slack = self._slack()
        fields = {
            "token": "sandbox-verification-token",
            "team_id": slack.team_id,
            "team_domain": slack.team_domain,
            "channel_id": self.channel.id,
            "channel_name": self.channel.name,
            "user_id": user,
            "user_name": self._username(user),
            "command": command,
            "text": text,
            "api_app_id": slack.app_id,
            "is_enterprise_install": "false",
            "response_url": slack.new_response_url(channel=self.channel.id, user=user),
            "trigger_id": slack.new_trigger_id(user),
        }
        status, body = self._send(urllib.parse.urlencode(fields))
        self._after(status, body, ack_channel=self.channel.id)

    def cmd_press(self, rest: str) -> None:
        user = self._require_user()
        slack = self._slack()
        number_text, _, choice = rest.partition(" ")
        try:
            number = int(number_text)
        except ValueError:
            raise SandboxError("press takes a button's number: `press 2`") from None
        button = next((b for b in self.buttons if b.item.number == number), None)
        if button is None:
            raise SandboxError(
                f"there is no button [{number}]"
                + (f"; the buttons are 1 to {len(self.buttons)}" if self.buttons else "")
            )
        if button.item.url:
            self._print(f"(opens {button.item.url} in the browser)")
            if button.item.action_id is None:
                return
        try:
            entry = button.item.action(choice.strip() or None)
        except ValueError as e:
            raise SandboxError(str(e)) from None
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_json(user),
            "api_app_id": slack.app_id,
            "token": "sandbox-verification-token",
            "trigger_id": slack.new_trigger_id(user),
            "team": {"id": slack.team_id, "domain": slack.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [entry],
        }
        if button.kind == "message":
            assert button.channel is not None
            payload["container"] = {
                "type": "message",
                "message_ts": button.message_ts,
                "channel_id": button.channel,
                "is_ephemeral": button.ephemeral,
            }
            channel = self._channels.get(button.channel)
            payload["channel"] = {
                "id": button.channel,
                "name": channel.name if channel else "directmessage",
            }
            if not button.ephemeral and button.message is not None:
                payload["message"] = button.message
            payload["state"] = {"values": {}}
            payload["response_url"] = slack.new_response_url(
                channel=button.channel,
                user=user,
                message_ts=None if button.ephemeral else button.message_ts,
            )
        else:
            view = dict(button.view or {})
            if self.modal is not None and view.get("id") == self.modal.view.get("id"):
                view["state"] = view_state(self.modal.fields, self.modal.answers)
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        status, body = self._send(urllib.parse.urlencode({"payload": json.dumps(payload)}))
        self._after(status, body, ack_channel=None)

    def cmd_fill(self, rest: str) -> None:
        modal = self._require_modal()
        key, _, value = rest.partition(" ")
        if not key:
            raise SandboxError("fill takes an input and a value: `fill a Spoke to the school`")
        key_folded = key.lower()
        match = [f for f in modal.fields if f.letter == key_folded] or [
            f for f in modal.fields if f.label.lower().startswith(key_folded)
        ]
        if len(match) != 1:
            letters = ", ".join(f"({f.letter}) {f.label}" for f in modal.fields)
            raise SandboxError(f"no single input {key!r}; the inputs are {letters}")
        target = match[0]
        try:
            target.state_value(value)  # refuses a choice that is not an option
        except ValueError as e:
            raise SandboxError(str(e)) from None
        modal.answers[target.letter] = value
        self._print(f"({target.letter}) {target.label}: {value}")

    def cmd_submit(self) -> None:
        user = self._require_user()
        modal = self._require_modal()
        slack = self._slack()
        missing = [
            f"({f.letter}) {f.label}"
            for f in modal.fields
            if not f.optional and f.letter not in modal.answers and not f.initial
        ]
        if missing:
            raise SandboxError(f"fill in {', '.join(missing)} first (Slack would insist too)")
        answers = dict(modal.answers)
        for f in modal.fields:
            if f.letter not in answers and f.initial:
                answers[f.letter] = f.initial
        view = dict(modal.view)
        view["state"] = view_state(modal.fields, answers)
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": {"id": slack.team_id, "domain": slack.team_domain},
            "user": self._user_json(user),
            "api_app_id": slack.app_id,
            "token": "sandbox-verification-token",
            "trigger_id": slack.new_trigger_id(user),
            "view": view,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        status, body = self._send(urllib.parse.urlencode({"payload": json.dumps(payload)}))
        if status != 200:
            raise SandboxError(f"the app answered HTTP {status}")
        answer = _json_or_none(body) or {}
        action = answer.get("response_action")
        if action == "errors":
            self._settle()
            for block_id, message in answer.get("errors", {}).items():
                label = next(
                    (f"({f.letter}) {f.label}" for f in modal.fields if f.block_id == block_id),
                    block_id,
                )
                self._print(f"! {label}: {message}")
            self._print("The modal is still open: `fill` again and `submit`, or `cancel`.")
            return
        if action in ("update", "push") and isinstance(answer.get("view"), dict):
            self._settle()
            new_view = dict(answer["view"])
            new_view.setdefault("id", modal.view.get("id"))
            self._show_new()
            self._show_modal(new_view)
            return
        slack.close_modal(user)
        self.modal = None
        self._settle()
        self._print("(modal closed)")
        # What the app sent after the form (a preview with buttons, say) can be pressed.
        self._remember(self._show_new())

    def cmd_cancel(self) -> None:
        user = self._require_user()
        modal = self._require_modal()
        slack = self._slack()
        if modal.view.get("notify_on_close"):
            payload = {
                "type": "view_closed",
                "team": {"id": slack.team_id, "domain": slack.team_domain},
                "user": self._user_json(user),
                "api_app_id": slack.app_id,
                "token": "sandbox-verification-token",
                "view": modal.view,
                "is_cleared": True,
            }
            self._send(urllib.parse.urlencode({"payload": json.dumps(payload)}))
        slack.close_modal(user)
        self.modal = None
        self._settle()
        self._print("(modal closed)")
        self._show_new()

    def cmd_upload(self, rest: str) -> None:
        user = self._require_user()
        slack = self._slack()
        if not rest:
            raise SandboxError(
                "upload takes a file: `upload examples/learning-and-improvement-index.txt`"
            )
        path = Path(rest).expanduser()
        if not path.is_file():
            raise SandboxError(f"{rest}: no such file")
        shared = slack.share_file(user, path.name, path.read_bytes())
        files = [f for f in (self.modal.fields if self.modal else []) if f.type == "file_input"]
        if self.modal is not None and files:
            self.modal.answers[files[0].letter] = json.dumps([shared])
            self._print(f"({files[0].letter}) {files[0].label}: {path.name}")
            return
        channel = slack.dm_channel_for(user)
        ts = f"{time.time():.6f}"
        event = {
            "token": "sandbox-verification-token",
            "team_id": slack.team_id,
            "api_app_id": slack.app_id,
            "event": {
                "type": "message",
                "subtype": "file_share",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": "",
                "files": [shared],
                "ts": ts,
                "event_ts": ts,
            },
            "type": "event_callback",
            "event_id": f"Ev{int(time.time() * 1000)}",
            "event_time": int(time.time()),
        }
        self._print(f"(you sent {path.name} to the app in a direct message)")
        status, _ = self._send(json.dumps(event), content_type="application/json")
        if status != 200:
            raise SandboxError(f"the app answered HTTP {status}")
        self._settle()
        self._remember(self._show_new())

    def cmd_home(self) -> None:
        user = self._require_user()
        slack = self._slack()
        event = {
            "token": "sandbox-verification-token",
            "team_id": slack.team_id,
            "api_app_id": slack.app_id,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": slack.dm_channel_for(user),
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
            "type": "event_callback",
            "event_id": f"Ev{int(time.time() * 1000)}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": slack.team_id,
                    "user_id": slack.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        status, _ = self._send(json.dumps(event), content_type="application/json")
        if status != 200:
            raise SandboxError(f"the app answered HTTP {status}")
        self._settle()
        self._show_new()
        view = slack.home_view(user)
        if view is None:
            self._print("(the app published no Home tab)")
            return
        rendered = render_view(view, names=self._names.get, width=WIDTH)
        self._print(rendered.text)
        self._remember([_Button(i, "view", view=view) for i in rendered.actions])

    def cmd_clock(self, rest: str) -> None:
        if not rest:
            self._print(f"Clock: {self._when(self.clock.now())}.")
            return
        target = self._parse_clock(rest)
        start = self.clock.now()
        if target <= start:
            raise SandboxError(
                f"the clock only moves forward; it is {self._when(start)} (use `--fresh` to start over)"
            )
        ticks = self._ticks(start, target)
        self._print(
            f"Clock: {self._when(start)} → {self._when(target)}; "
            f"running {', '.join(JOBS)} as they fall due."
        )
        shown_before = len(self._seen)
        buttons: list[_Button] = []
        for tick in ticks:
            self.clock.set(tick)
            failures = self._run_jobs(tick)
            self._settle()
            # Number buttons across every tick, so `press N` means what was printed as [N].
            buttons += self._show_new(heading=f"── {self._when(tick)} ──", start=len(buttons) + 1)
            for failure in failures:
                self._print(f"! {failure}")
        self._remember(buttons)
        self.clock.set(target)
        if len(self._seen) == shown_before:
            self._print("(nothing fell due)")

    # ---------------------------------------------------------------- jobs and time

    def _parse_clock(self, rest: str) -> datetime:
        now = self.clock.now()
        m = re.fullmatch(r"\+\s*(\d+)\s*([dwhm])", rest.strip().lower())
        if m:
            n, unit = int(m.group(1)), m.group(2)
            delta = {
                "d": timedelta(days=n),
                "w": timedelta(weeks=n),
                "h": timedelta(hours=n),
                "m": timedelta(minutes=n),
            }[unit]
            return now + delta
        tz = self.settings.tz
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(rest.strip(), fmt)
            except ValueError:
                continue
            if fmt == "%Y-%m-%d":
                parsed = parsed.replace(hour=9)
            return parsed.replace(tzinfo=tz)
        raise SandboxError("clock takes +7d, +2w, +3h, +30m, or a moment: 2026-12-07 09:00")

    def _ticks(self, start: datetime, end: datetime) -> list[datetime]:
        """The moments jobs may fall due between start (excluded) and end (included)."""
        assert self.store is not None
        tz = self.settings.tz
        times = {"09:00"}
        with self.store.session_factory() as s:
            times |= {c.digest_time for c in s.scalars(select(Committee)).all() if c.digest_time}
        clock_times = sorted(times)
        ticks: set[datetime] = set()
        day: date = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        while day <= last:
            for hhmm in clock_times:
                h, m = (int(x) for x in hhmm.split(":"))
                moment = datetime(day.year, day.month, day.day, h, m, tzinfo=tz)
                if start < moment <= end:
                    ticks.add(moment)
            day += timedelta(days=1)
        # Event notices as they happen go once a change has settled for a few minutes.
        settled = start + QUIET + timedelta(minutes=1)
        if settled < end:
            ticks.add(settled)
        ticks.add(end)
        return sorted(ticks)

    def _jobs_slack(self) -> WebClient:
        """The client jobs post with, built once: settings do not change while running."""
        if self._jobs_client is None:
            from jobs.slack import make_client

            self._jobs_client = make_client(self.settings)
        return self._jobs_client

    def _run_jobs(self, moment: datetime) -> list[str]:
        """Run each job as of `moment`, in this process, as the scheduler would."""
        from jobs.runner import run_jobs

        assert self.store is not None
        failures = []
        results = run_jobs(
            list(JOBS),
            self.store.session_factory,
            self._jobs_slack(),
            FixedClock(moment),
            self.settings.brag_rules,
        )
        for result in results:
            if result.error is not None:
                failures.append(
                    f"{result.job}: failed ({type(result.error).__name__}, details above); "
                    "the next clock move catches it up"
                )
            elif not result.ok:
                d = result.delivery
                reason = d.configuration_error or ", ".join(sorted(d.errors)) or "not delivered"
                failures.append(f"{result.job}: {d.undeliverable} undeliverable ({reason})")
        return failures

    # ---------------------------------------------------------------- talking to the app

    def _send(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> tuple[int, str]:
        assert self.server is not None
        data = body.encode("utf-8")
        headers = signed_headers(SANDBOX_SIGNING_SECRET, data)
        headers["Content-Type"] = content_type
        request = urllib.request.Request(
            self.server.url + "/slack/events", data=data, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except OSError as e:
            raise SandboxError(f"the app did not answer ({type(e).__name__})") from None

    def _after(self, status: int, body: str, *, ack_channel: str | None) -> None:
        if status != 200:
            self._print(f"! the app answered HTTP {status}")
        shown: list[_Button] = []
        answer = _json_or_none(body)
        if answer is None and body.strip():
            self._print(body.strip())
        elif answer and (answer.get("text") or answer.get("blocks")) and ack_channel:
            self._print(f"── only visible to you, in #{self._channel_name(ack_channel)} ──")
            rendered = render_message(answer, names=self._names.get, width=WIDTH)
            self._print(rendered.text)
            ts = f"{time.time():.6f}"
            shown += [
                _Button(i, "message", channel=ack_channel, message_ts=ts, ephemeral=True)
                for i in rendered.actions
            ]
        self._settle()
        shown += self._show_new(start=len(shown) + 1)
        self._remember(shown)

    def _settle(self) -> None:
        """Wait for the app's work after ack() to finish and Slack's side to go quiet."""
        slack = self._slack()
        deadline = time.monotonic() + SETTLE_TIMEOUT
        if self._background is not None:
            self._background.wait_idle(SETTLE_TIMEOUT)
        last = -1
        while time.monotonic() < deadline:
            count = len(slack.calls) + len(slack.responses)
            if count == last:
                return
            last = count
            time.sleep(QUIET_SECONDS)

    def _show_new(self, heading: str | None = None, start: int = 1) -> list[_Button]:
        """Print what Slack would now show that was not shown before; return its buttons."""
        slack = self._slack()
        buttons: list[_Button] = []
        printed_heading = False
        for m in slack.messages():
            key = (m.channel, m.ts)
            if self._seen.get(key) == m.edits:
                continue
            updated = key in self._seen
            self._seen[key] = m.edits
            if heading and not printed_heading:
                self._print(heading)
                printed_heading = True
            self._print(self._message_heading(m, updated))
            message = {"type": "message", "ts": m.ts, "text": m.text or "", "blocks": m.blocks}
            rendered = render_message(
                message, names=self._names.get, width=WIDTH, start=start + len(buttons)
            )
            self._print(rendered.text)
            if m.files:
                self._print(f"[{len(m.files)} file(s) attached]")
            if m.user in (None, self.user) or not m.ephemeral:
                buttons += [
                    _Button(
                        i,
                        "message",
                        channel=m.channel,
                        message_ts=m.ts,
                        ephemeral=m.ephemeral,
                        message=None if m.ephemeral else message,
                    )
                    for i in rendered.actions
                ]
        if self.user:
            view = slack.open_modal(self.user)
            if view is not None and (
                self.modal is None or self.modal.view.get("hash") != view.get("hash")
            ):
                buttons += self._show_modal(view, start=start + len(buttons))
            elif view is None:
                self.modal = None
        return buttons

    def _show_modal(self, view: dict[str, Any], start: int = 1) -> list[_Button]:
        rendered = render_view(view, names=self._names.get, width=WIDTH, start=start)
        self._print(rendered.text)
        self.modal = _Modal(view, list(rendered.inputs))
        if rendered.inputs:
            self._print("Fill it with `fill <letter> <value>`, then `submit` (or `cancel`).")
        buttons = [_Button(i, "view", view=view) for i in rendered.actions]
        self._remember(buttons)
        return buttons

    def _remember(self, buttons: list[_Button]) -> None:
        if buttons:
            self.buttons = buttons

    def _message_heading(self, m: PostedMessage, updated: bool) -> str:
        suffix = " (updated)" if updated else ""
        channel = self._slack().channel(m.channel)
        if channel is not None and channel.is_im:
            return f"── direct message to {self._who(channel.user or '?')}{suffix} ──"
        where = f"#{self._channel_name(m.channel)}"
        if m.ephemeral:
            whom = "you" if m.user == self.user else self._who(m.user or "?")
            return f"── only visible to {whom}, in {where}{suffix} ──"
        thread = " (in a thread)" if m.thread_ts else ""
        return f"── {where}{thread}{suffix} ──"

    # ---------------------------------------------------------------- small helpers

    def _slack(self) -> SlackStandIn:
        if self.slack is None:
            raise SandboxError("the sandbox is not running")
        return self.slack

    def _require_user(self) -> str:
        if not self.user:
            raise SandboxError("say who you are first: `as U0DESNURS` (`people` lists them)")
        return self.user

    def _require_modal(self) -> _Modal:
        if self.modal is None:
            raise SandboxError("no modal is open")
        return self.modal

    def _username(self, user: str) -> str:
        u = self._slack().user(user)
        return u.name if u else user.lower()

    def _user_json(self, user: str) -> dict[str, Any]:
        name = self._username(user)
        return {"id": user, "username": name, "name": name, "team_id": self._slack().team_id}

    def _who(self, user: str) -> str:
        name = self._names.get(user)
        return f"{name} ({user})" if name else user

    def _channel_name(self, channel_id: str) -> str:
        c = self._channels.get(channel_id) or self._slack().channel(channel_id)
        return c.name if c else channel_id

    def _when(self, moment: datetime) -> str:
        return moment.astimezone(self.settings.tz).strftime("%a %d %b %Y %H:%M")

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


class SandboxError(Exception):
    """Something typed at the prompt that cannot be done; said in one line, and the prompt goes on."""


def _json_or_none(body: str) -> dict[str, Any] | None:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def run_script(
    options: SandboxOptions, script: str, *, app_factory: AppFactory | None = None
) -> str:
    """Run the sandbox on a script and return what it printed (for tests and demos)."""
    out = io.StringIO()
    with Sandbox(options, app_factory=app_factory) as sandbox:
        sandbox.repl(io.StringIO(script), out)
    return out.getvalue()


__all__ = ["Sandbox", "SandboxError", "SandboxOptions", "run_script"]
