"""An action's history in people's words: names, not Slack ids; "in progress", not in_progress;
dates day first. Pure: what each event holds is turned into a line a person reads (Slack, the
command line, the workbook). `--json` keeps the stored, machine values.

Event kinds and what `before`/`after` hold are described in `reports.history`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from models.schema import Rating, Status

KIND_WORDS = {
    "created": "created",
    "assigned": "assigned",
    "status": "status",
    "rating": "owner's rating",
    "note": "progress note",
    "due": "due date",
    "done": "marked done",
    "signoff": "signed off",
    "reopen": "reopened",
    "cancel": "cancelled",
    "edited": "wording changed",
    "agency": "lead agency",
    "merged": "merged",
    "evidence": "evidence added",
    "rejected": "evidence set aside",
    "source": "source",
    "due_request": "new due date requested",
    "due_declined": "new due date declined",
    "measure": "how we will know it worked",
    "impact_review": "impact review date",
    "impact": "evidence of impact recorded",
}

_STATUS_WORDS = {s.value: s.label for s in Status}
_RATING_WORDS = {r.value: r.label for r in Rating}
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def day_first(iso: str) -> str:
    """An ISO date as people write it (31/03/2027); anything else as it is."""
    try:
        return f"{date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso


def person_words(label: str, names: Mapping[str, str]) -> str:
    """A person recorded by Slack id (or name) as their name."""
    return names.get(label, label)


def value_words(kind: str, value: str | None, names: Mapping[str, str]) -> str | None:
    """A stored before/after value in people's words."""
    if value is None or value == "":
        return None
    if kind in ("due", "due_request", "due_declined", "impact_review", "impact"):  # ISO dates
        return day_first(value)
    if kind == "assigned":
        return " / ".join(person_words(p.strip(), names) for p in value.split(" / "))
    if kind == "rating":
        return _RATING_WORDS.get(value, value)
    if value in _STATUS_WORDS:
        return _STATUS_WORDS[value]
    return value


def slack_ids_in(events: Iterable[EventLike]) -> set[str]:
    """Slack ids an event list refers to (owners in `assigned`, actors with no person record):
    what must be looked up to name them."""
    found: set[str] = set()
    for e in events:
        if _SLACK_ID.match(e.actor_label or ""):
            found.add(e.actor_label)
        if e.kind == "assigned":
            for value in (e.before, e.after):
                for part in (value or "").split(" / "):
                    if _SLACK_ID.match(part.strip()):
                        found.add(part.strip())
    return found


class EventLike(Protocol):
    """What `slack_ids_in` reads of an event."""

    @property
    def kind(self) -> str: ...
    @property
    def before(self) -> str | None: ...
    @property
    def after(self) -> str | None: ...
    @property
    def actor_label(self) -> str: ...


@dataclass(frozen=True)
class Described:
    what: str  # "status", "due date", "assigned"...
    before: str | None
    after: str | None

    @property
    def change(self) -> str:
        """`not started → in progress`, or `31/03/2027` when there was nothing before."""
        if self.before is None and self.after is None:
            return ""
        if self.before is None:
            return self.after or ""
        return f"{self.before} → {self.after or 'none'}"


def describe(
    kind: str, before: str | None, after: str | None, names: Mapping[str, str]
) -> Described:
    b, a = value_words(kind, before, names), value_words(kind, after, names)
    if kind in ("created", "done", "signoff", "reopen", "cancel"):
        # The status is in the word itself ("reopened"); say it only where it is news.
        return Described(kind_words(kind), None, a if kind == "created" else None)
    if kind == "measure":  # the new measure, not an arrow of two texts
        return Described(kind_words(kind), None, a)
    if kind in ("edited", "rejected", "evidence", "source", "merged", "impact"):
        # Texts and links: the note or the line itself says them; no arrow of two long texts.
        return Described(kind_words(kind), None, None)
    return Described(kind_words(kind), b, a)


def event_words(
    kind: str,
    before: str | None,
    after: str | None,
    note: str | None,
    names: Mapping[str, str],
) -> str:
    """One event as a phrase: `status not started → in progress: lead left`."""
    d = describe(kind, before, after, names)
    text = d.what
    if d.change:
        text += f" {d.change}"
    if kind == "merged":
        # On the duplicate: after is the action kept; on the action kept: before is the duplicate.
        text = f"merged into {after}" if after else f"{before} merged in as a duplicate"
    if kind == "evidence" and after:
        text += f" {after}"
    if kind == "edited" and before:
        text += f" (was: {_short(before)})"
    if note:
        text += f": {note}"
    return text


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
