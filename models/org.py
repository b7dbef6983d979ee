"""The organisation file: committees, people, admins, the board channel and themes (TOML).

Loading is idempotent: committees are matched by code and people by Slack id (or, for those
not in Slack, by e-mail, then by name), and roles are made to match the file exactly.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions import owner_label, record_event
from models.brag import BLUE_MEANINGS, BLUE_SIGNED_OFF, BragRules
from models.org_settings import DATE_CHANGES
from models.permissions import Actor
from models.schema import Action, Committee, OrgSetting, Person, RoleAssignment, RoleKind, Status
from models.themes import ThemeSpec, apply_themes, read_theme_tables

TOP_KEYS = {
    "committee",
    "person",
    "admins",
    "board_channel",
    "organisation",
    "name",
    "date_changes",
    "reminder_day",
    "theme",
    "brag",
}

BRAG_KEYS = {"blue", "labels"}
BRAG_LABEL_KEYS = ("red", "amber", "green", "blue", "unassigned", "cancelled")
COMMITTEE_KEYS = {"code", "name", "channel", "chairs", "aliases", "digest_day", "digest_time"}
PERSON_KEYS = {"slack_id", "name", "agency", "email"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLACK_USER_RE = re.compile(r"^[UW][A-Z0-9]{2,30}$")
CHANNEL_RE = re.compile(r"^(#[a-z0-9][a-z0-9_\-]{0,79}|[CG][A-Z0-9]{2,30})$")


class OrgFileError(ValueError):
    """One line naming the file, the line and the problem."""


@dataclass
class OrgSummary:
    committees_added: int = 0
    committees_updated: int = 0
    people_added: int = 0
    people_updated: int = 0
    roles_added: int = 0
    roles_removed: int = 0
    changes: list[str] = field(default_factory=list)
    # People the file no longer names who owned current actions: (name, the actions' refs).
    # Those actions are left without an owner, for the business unit to triage.
    dropped_owners: list[tuple[str, list[str]]] = field(default_factory=list)
    people_dropped: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.changes
            or self.committees_added
            or self.committees_updated
            or self.people_added
            or self.people_updated
            or self.roles_added
            or self.roles_removed
            or self.people_dropped
        )


class _Locator:
    """Finds the line of a table or key in the raw text, so errors can name it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, name: str, index: int) -> int:
        seen = -1
        for i, line in enumerate(self.lines):
            if re.match(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]", line):
                seen += 1
                if seen == index:
                    return i + 1
        return 0

    def key(self, name: str, index: int, key: str, needle: str | None = None) -> int:
        start = self.table(name, index)
        if not start:
            return self.top_key(key, needle)
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if re.match(r"^\s*\[", line):
                break
            if re.match(rf"^\s*{re.escape(key)}\s*=", line) and (needle is None or needle in line):
                return i + 1
        if needle is not None:
            for i in range(start, len(self.lines)):
                if re.match(r"^\s*\[", self.lines[i]):
                    break
                if needle in self.lines[i]:
                    return i + 1
        return start

    def table_key(self, table: str, key: str) -> int:
        """The line of `key` in the single table `[table]` (or of the table's header)."""
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
        for i, line in enumerate(self.lines):
            if header.match(line):
                for j in range(i + 1, len(self.lines)):
                    if re.match(r"^\s*\[", self.lines[j]):
                        break
                    if re.match(rf"^\s*{re.escape(key)}\s*=", self.lines[j]):
                        return j + 1
                return i + 1
        return self.top_key(table)

    def top_key(self, key: str, needle: str | None = None) -> int:
        for i, line in enumerate(self.lines):
            if re.match(r"^\s*\[", line):
                break
            if re.match(rf"^\s*{re.escape(key)}\s*=", line):
                if needle is None or needle in line:
                    return i + 1
                for j in range(i, len(self.lines)):
                    if needle in self.lines[j]:
                        return j + 1
                return i + 1
        return 0


@dataclass
class OrgFile:
    committees: list[dict[str, Any]]
    people: list[dict[str, Any]]
    admins: list[str]
    board_channel: str | None
    themes: list[ThemeSpec] = field(default_factory=list)  # the default taxonomy when none given
    date_changes: str = DATE_CHANGES[0]
    reminder_day: str = "mon"
    # [brag]: what Blue means and the board's own names for the ratings (None: the defaults).
    brag: dict[str, Any] | None = None
    name: str | None = None  # the board's name, as its papers are headed


def _read_brag(data: Any, loc: _Locator, fail: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise fail(loc.top_key("brag"), 'brag should be a table: [brag] blue = "signed-off"')
    for key in data:
        if key not in BRAG_KEYS:
            raise fail(
                loc.table_key("brag", key),
                f"unknown brag key “{key}” (expected: {', '.join(sorted(BRAG_KEYS))})",
            )
    blue = data.get("blue", BLUE_SIGNED_OFF)
    if blue not in BLUE_MEANINGS:
        raise fail(
            loc.table_key("brag", "blue"),
            f"brag blue “{blue}” should be one of: {', '.join(BLUE_MEANINGS)}",
        )
    labels = data.get("labels", {})
    if not isinstance(labels, dict):
        raise fail(
            loc.table_key("brag", "labels"), "brag labels should be a table: [brag.labels] red = …"
        )
    for key, value in labels.items():
        if key not in BRAG_LABEL_KEYS:
            raise fail(
                loc.table_key("brag.labels", key),
                f"unknown brag label “{key}” (expected: {', '.join(BRAG_LABEL_KEYS)})",
            )
        if not isinstance(value, str) or not value.strip() or len(value) > 40:
            raise fail(
                loc.table_key("brag.labels", key),
                f"brag label {key} should be text of 1 to 40 characters",
            )
    return {"blue": blue, "labels": {k: v.strip() for k, v in labels.items()}}


def read_org_file(path: Path) -> OrgFile:
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OrgFileError(f"{where}: no such file") from None
    except UnicodeDecodeError:
        raise OrgFileError(f"{where}: not UTF-8 text; save it as UTF-8 and try again") from None
    except OSError as e:
        raise OrgFileError(f"{where}: cannot be read ({e.strerror})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise OrgFileError(f"{where}: not valid TOML: {e}") from None
    loc = _Locator(raw)

    def fail(line: int, message: str) -> OrgFileError:
        return OrgFileError(f"{where}:{line}: {message}" if line else f"{where}: {message}")

    for key in data:
        if key not in TOP_KEYS:
            raise fail(
                loc.top_key(key) or loc.table(key, 0),
                f"unknown key “{key}” (expected one of: {', '.join(sorted(TOP_KEYS))})",
            )

    committees = data.get("committee", [])
    people = data.get("person", [])
    if not isinstance(committees, list) or not isinstance(people, list):
        raise fail(0, "use [[committee]] and [[person]] tables")

    for i, c in enumerate(committees):
        for key in c:
            if key not in COMMITTEE_KEYS:
                raise fail(
                    loc.key("committee", i, key),
                    f"unknown committee key “{key}” (expected: {', '.join(sorted(COMMITTEE_KEYS))})",
                )
        for key in ("code", "name"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                raise fail(loc.table("committee", i), f"committee {i + 1} has no {key}")
        if not re.fullmatch(r"[A-Za-z0-9&_\-]{1,32}", c["code"]):
            raise fail(
                loc.key("committee", i, "code"),
                f"committee code “{c['code']}” must be letters and digits, at most 32",
            )
        if "channel" in c and not CHANNEL_RE.match(str(c["channel"])):
            raise fail(
                loc.key("committee", i, "channel"),
                f"channel “{c['channel']}” should be a channel id (C0123ABC) or #name",
            )
        if "digest_day" in c and str(c["digest_day"]).lower()[:3] not in DAYS:
            raise fail(
                loc.key("committee", i, "digest_day"),
                f"digest_day “{c['digest_day']}” should be a day such as Monday",
            )
        if "digest_time" in c and not re.fullmatch(
            r"([01]\d|2[0-3]):[0-5]\d", str(c["digest_time"])
        ):
            raise fail(
                loc.key("committee", i, "digest_time"),
                f"digest_time “{c['digest_time']}” should be HH:MM (24-hour)",
            )
        for key in ("chairs", "aliases"):
            if key in c and (
                not isinstance(c[key], list) or not all(isinstance(x, str) for x in c[key])
            ):
                raise fail(loc.key("committee", i, key), f"{key} should be a list of strings")
    codes = [c["code"].upper() for c in committees]
    for code in codes:
        if codes.count(code) > 1:
            raise fail(
                loc.key("committee", codes.index(code), "code"),
                f"committee code {code} appears twice",
            )

    slack_ids: set[str] = set()
    for i, p in enumerate(people):
        for key in p:
            if key not in PERSON_KEYS:
                raise fail(
                    loc.key("person", i, key),
                    f"unknown person key “{key}” (expected: {', '.join(sorted(PERSON_KEYS))})",
                )
        if not isinstance(p.get("name"), str) or not p["name"].strip():
            raise fail(loc.table("person", i), f"person {i + 1} has no name")
        sid = p.get("slack_id")
        if sid is not None:
            if not isinstance(sid, str) or not SLACK_USER_RE.match(sid):
                raise fail(
                    loc.key("person", i, "slack_id"),
                    f"“{sid}” is not a Slack user id (they look like U0123ABCD)",
                )
            if sid in slack_ids:
                raise fail(
                    loc.key("person", i, "slack_id"), f"Slack id {sid} is given to two people"
                )
            slack_ids.add(sid)
        email = p.get("email")
        if email is not None and (not isinstance(email, str) or "@" not in email):
            raise fail(loc.key("person", i, "email"), f"“{email}” is not an e-mail address")

    for i, c in enumerate(committees):
        for chair in c.get("chairs", []):
            if chair not in slack_ids:
                raise fail(
                    loc.key("committee", i, "chairs", chair),
                    f"chair {chair} of {c['code']} is not a [[person]] in this file; add them as a person first",
                )
    admins = data.get("admins", [])
    if not isinstance(admins, list):
        raise fail(loc.top_key("admins"), "admins should be a list of Slack ids")
    for a in admins:
        if a not in slack_ids:
            raise fail(
                loc.top_key("admins", str(a)),
                f"admin {a} is not a [[person]] in this file; add them as a person first",
            )
    board = data.get("board_channel")
    if board is not None and not CHANNEL_RE.match(str(board)):
        raise fail(
            loc.top_key("board_channel"),
            f"board_channel “{board}” should be a channel id (C0123ABC) or #name",
        )
    themes = read_theme_tables(
        data.get("theme"),
        lambda i, key: loc.key("theme", i, key) if key else loc.table("theme", i),
        fail,
    )
    date_changes = data.get("date_changes", DATE_CHANGES[0])
    if date_changes not in DATE_CHANGES:
        raise fail(
            loc.top_key("date_changes"),
            f"date_changes “{date_changes}” should be one of: {', '.join(DATE_CHANGES)}",
        )
    reminder_day = str(data.get("reminder_day", "mon")).lower()[:3]
    if reminder_day not in DAYS[:5]:
        raise fail(
            loc.top_key("reminder_day"),
            f"reminder_day “{data.get('reminder_day')}” should be a weekday such as Monday",
        )
    brag = _read_brag(data.get("brag"), loc, fail)
    name = data.get("name", data.get("organisation"))
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise fail(loc.top_key("name"), "name should be the board's name, as text")
    return OrgFile(
        committees,
        people,
        [str(a) for a in admins],
        board,
        themes,
        date_changes,
        reminder_day,
        brag=brag,
        name=name.strip() if name else None,
    )


def _set(obj: Any, attr: str, value: Any, summary: OrgSummary, label: str) -> bool:
    if getattr(obj, attr) != value:
        setattr(obj, attr, value)
        summary.changes.append(f"{label}: {attr} changed")
        return True
    return False


def apply_org(s: Session, org: OrgFile, *, now: datetime | None = None) -> OrgSummary:
    summary = OrgSummary()
    committees = {c.code: c for c in s.scalars(select(Committee))}
    by_code: dict[str, Committee] = {}
    for c in org.committees:
        code = c["code"].upper()
        crow = committees.get(code)
        if crow is None:
            crow = Committee(code=code, name=c["name"].strip())
            s.add(crow)
            summary.committees_added += 1
        changed = False
        changed |= _set(crow, "name", c["name"].strip(), summary, code)
        changed |= _set(crow, "channel", c.get("channel"), summary, code)
        changed |= _set(crow, "aliases", "\n".join(c.get("aliases", [])) or None, summary, code)
        changed |= _set(
            crow, "digest_day", str(c.get("digest_day", "mon")).lower()[:3], summary, code
        )
        changed |= _set(crow, "digest_time", str(c.get("digest_time", "09:00")), summary, code)
        if changed and crow.id is not None:
            summary.committees_updated += 1
        by_code[code] = crow

    people = list(s.scalars(select(Person)))
    by_slack = {p.slack_id: p for p in people if p.slack_id}
    by_email = {p.email.lower(): p for p in people if p.email}
    by_name = {p.name.lower(): p for p in people if not p.slack_id}
    persons: dict[str, Person] = {}
    named: set[int] = set()
    for entry in org.people:
        sid = entry.get("slack_id")
        email = entry.get("email")
        row: Person | None = (
            (by_slack.get(sid) if sid else None)
            or (by_email.get(email.lower()) if email else None)
            or (by_name.get(entry["name"].strip().lower()) if not sid else None)
        )
        if row is None:
            row = Person(name=entry["name"].strip(), active=True)
            s.add(row)
            summary.people_added += 1
            new = True
        else:
            new = False
        label = sid or entry["name"]
        changed = False
        changed |= _set(row, "slack_id", sid, summary, label)
        changed |= _set(row, "name", entry["name"].strip(), summary, label)
        changed |= _set(row, "agency", entry.get("agency"), summary, label)
        changed |= _set(row, "email", email, summary, label)
        if changed and not new:
            summary.people_updated += 1
        if sid:
            persons[sid] = row
        row.in_org_file = True
        row.active = True
        s.flush()
        named.add(row.id)
    _drop_people(
        s,
        [p for p in people if p.in_org_file and p.id not in named],
        summary,
        now or datetime.now(UTC),
    )
    s.flush()

    wanted: set[tuple[int, RoleKind, int | None]] = set()
    for sid in org.admins:
        wanted.add((persons[sid].id, RoleKind.ADMIN, None))
    for c in org.committees:
        for sid in c.get("chairs", []):
            wanted.add((persons[sid].id, RoleKind.CHAIR, by_code[c["code"].upper()].id))
    existing = {(r.person_id, r.role, r.committee_id): r for r in s.scalars(select(RoleAssignment))}
    for key, role in existing.items():
        if key not in wanted:
            s.delete(role)
            summary.roles_removed += 1
    for key in wanted - existing.keys():
        s.add(RoleAssignment(person_id=key[0], role=key[1], committee_id=key[2]))
        summary.roles_added += 1

    current = s.get(OrgSetting, "board_channel")
    if org.board_channel is not None:
        if current is None:
            s.add(OrgSetting(key="board_channel", value=org.board_channel))
            summary.changes.append("board channel set")
        elif current.value != org.board_channel:
            current.value = org.board_channel
            summary.changes.append("board channel changed")
    apply_themes(s, org.themes, summary.changes)
    for name, value in (("date_changes", org.date_changes), ("reminder_day", org.reminder_day)):
        setting = s.get(OrgSetting, name)
        if setting is None:
            s.add(OrgSetting(key=name, value=value))
        elif setting.value != value:
            setting.value = value
            summary.changes.append(f"{name.replace('_', ' ')} changed")
    _apply_brag(s, org.brag, summary)
    _apply_setting(s, BOARD_NAME_SETTING, org.name, "board name", summary)
    s.flush()
    # Roles were changed through the table; refresh so `Person.roles` is current in this session.
    for person in persons.values():
        s.expire(person, ["roles"])
    return summary


def _drop_people(s: Session, gone: list[Person], summary: OrgSummary, now: datetime) -> None:
    """People a new file leaves out: no longer active, and their current actions left without
    an owner (recorded in each action's history), so they are triaged rather than orphaned."""
    if not gone:
        return
    actor = Actor.system("organisation file")
    current = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE)
    for person in gone:
        person.in_org_file = False
        person.active = False
        summary.people_dropped += 1
        owned = list(
            s.scalars(
                select(Action)
                .where(Action.owner_id == person.id, Action.status.in_(current))
                .order_by(Action.number)
            ).unique()
        )
        for action in owned:
            before = owner_label(action.owner, action.committee)
            action.owner = None
            record_event(
                s,
                action,
                actor,
                now,
                "assigned",
                before,
                owner_label(None, action.committee) or None,
                f"{person.name} is no longer in the organisation file",
            )
        if owned:
            summary.dropped_owners.append((person.name, [a.ref for a in owned]))


def board_channel(s: Session) -> str | None:
    row = s.get(OrgSetting, "board_channel")
    return row.value if row else None


BRAG_SETTING = "brag"


def _apply_brag(s: Session, brag: dict[str, Any] | None, summary: OrgSummary) -> None:
    """The file's [brag] table; a file without one is back to the defaults."""
    row = s.get(OrgSetting, BRAG_SETTING)
    if brag is None or brag == {"blue": BLUE_SIGNED_OFF, "labels": {}}:
        if row is not None:
            s.delete(row)
            summary.changes.append("BRAG key back to the default")
        return
    value = json.dumps(brag, sort_keys=True)
    if row is None:
        s.add(OrgSetting(key=BRAG_SETTING, value=value))
        summary.changes.append("BRAG key set")
    elif row.value != value:
        row.value = value
        summary.changes.append("BRAG key changed")


def org_brag_rules(s: Session, base: BragRules) -> BragRules:
    """`base` (the environment's windows) with the board's [brag] choices: one statement."""
    row = s.get(OrgSetting, BRAG_SETTING)
    return brag_rules_from(row.value if row else None, base)


def brag_rules_from(value: str | None, base: BragRules) -> BragRules:
    """`base` with the [brag] choices as stored (`org_setting` "brag"; None: the defaults).

    The one reading of the stored key: the app's answers (`org_brag_rules`) and the notices'
    snapshot (which reads every setting in one statement) both come here."""
    if value is None:
        return base
    try:
        brag = json.loads(value)
    except ValueError:
        return base
    if not isinstance(brag, dict):
        return base
    labels = tuple(sorted((str(k), str(v)) for k, v in (brag.get("labels") or {}).items()))
    blue = brag.get("blue", BLUE_SIGNED_OFF)
    return dataclasses.replace(
        base, blue=blue if blue in BLUE_MEANINGS else BLUE_SIGNED_OFF, labels=labels
    )


BOARD_NAME_SETTING = "board_name"


def _apply_setting(s: Session, key: str, value: str | None, what: str, summary: OrgSummary) -> None:
    row = s.get(OrgSetting, key)
    if value is None:
        if row is not None:
            s.delete(row)
            summary.changes.append(f"{what} removed")
    elif row is None:
        s.add(OrgSetting(key=key, value=value))
        summary.changes.append(f"{what} set")
    elif row.value != value:
        row.value = value
        summary.changes.append(f"{what} changed")


def board_name(s: Session) -> str | None:
    row = s.get(OrgSetting, BOARD_NAME_SETTING)
    return row.value if row else None
