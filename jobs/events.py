"""Notices on events: who hears about a change to an action, and the message they get.

Every change is an `ActionEvent`; this job reads the recent ones (a fixed number of statements,
whatever the number of actions) and owes each person a direct message about the events that
concern them, through the same outbox as every other notice. Each event is told to each person
once: a notice's subjects are its events' ids (`ev-<id>`), and an event already in a notice to
that person is never owed again.

- To the owner: assigned or reassigned to them (the card's buttons), signed off, reopened (with
  the reason), a new date decided by the chair (approved, declined with the reason, or set).
- To the committee's chair(s), or the admins where it has none in Slack: marked done (Sign off /
  Reopen), rated at risk or off track, due date moved, a date requested (Approve / Decline).

Nobody is told of their own change. Events for one person within a few minutes go in one
message: as-it-happens notices wait until nothing new has come for `QUIET`, or at most
`GATHER`; once-a-day ones go at 09:00 on working days. Each message states the action as it
stands when it is sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import false, func, select, true
from sqlalchemy.orm import Session, aliased

from bot.ids import (
    BUTTON_APPROVE_DUE,
    BUTTON_DECLINE_DUE,
    BUTTON_DONE,
    BUTTON_DUE,
    BUTTON_REOPEN,
    BUTTON_SHOW,
    BUTTON_SIGNOFF,
    BUTTON_UPDATE,
)
from jobs.render import context, esc, paginate, section, short
from jobs.snapshot import OwedNotice
from models.calendar import LONDON, is_working_day, local_date
from models.notices import AS_IT_HAPPENS, delivery
from models.schema import (
    OPEN_STATUSES,
    Action,
    ActionEvent,
    Person,
    Rating,
    Review,
    Status,
    action_ref,
)

EVENT = "event"  # outbox kind: a direct message about events
QUIET = timedelta(minutes=2)  # as it happens: sent once nothing new has come for this long
GATHER = timedelta(minutes=10)  # ... or once the first event has waited this long
EVENT_LOOKBACK = timedelta(days=7)
DAILY_TIME = time(9, 0)
LATE_AFTER = timedelta(minutes=30)
OWNER_KINDS = frozenset({"assigned", "signoff", "reopen", "due_declined", "due"})
CHAIR_KINDS = frozenset({"done", "rating", "due", "due_request"})
EVENT_KINDS = tuple(sorted(OWNER_KINDS | CHAIR_KINDS))
CONCERNING = frozenset({Rating.AT_RISK.value, Rating.OFF_TRACK.value})

Block = dict[str, Any]
Part = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event with the action as it stands now (what the message says is as of sending)."""

    id: int
    at: datetime
    kind: str
    before: str | None
    after: str | None
    note: str | None
    actor_id: int | None
    actor_name: str | None
    actor_slack_id: str | None
    action_number: int
    text: str
    status: Status
    due_date: date | None
    owner_id: int | None
    owner_slack_id: str | None
    owner_active: bool
    committee_id: int | None
    requested_due_date: date | None
    requested_due_reason: str | None
    owner_name: str | None = None
    confidential: bool = False

    @property
    def ref(self) -> str:
        return action_ref(self.action_number)

    @property
    def subject(self) -> str:
        return f"ev-{self.id}"


def load_events(s: Session, now: datetime) -> list[EventRow]:
    """One statement: the events of the last week that anyone may be told about."""
    actor = aliased(Person)
    owner = aliased(Person)
    rows = s.execute(
        select(
            ActionEvent.id,
            ActionEvent.at,
            ActionEvent.kind,
            ActionEvent.before,
            ActionEvent.after,
            ActionEvent.note,
            ActionEvent.actor_id,
            func.coalesce(actor.name, ActionEvent.actor_label),
            actor.slack_id,
            Action.number,
            Action.text,
            Action.status,
            Action.due_date,
            Action.owner_id,
            owner.slack_id,
            func.coalesce(owner.active, true()),
            Action.committee_id,
            Action.requested_due_date,
            Action.requested_due_reason,
            owner.name,
            func.coalesce(Review.confidential, false()),
        )
        .join(Action, Action.id == ActionEvent.action_id)
        .outerjoin(actor, actor.id == ActionEvent.actor_id)
        .outerjoin(owner, owner.id == Action.owner_id)
        .outerjoin(Review, Review.id == Action.review_id)
        .where(
            ActionEvent.at >= now - EVENT_LOOKBACK,
            ActionEvent.at <= now,
            ActionEvent.kind.in_(EVENT_KINDS),
            # Every recipient (owner, accountable chair, admins) may see a confidential one.
            Action.status != Status.CANCELLED,
        )
        .order_by(ActionEvent.id)
    ).all()
    return [EventRow(*r) for r in rows]  # type: ignore[call-arg]


def load_modes(s: Session) -> dict[str, str]:
    """One statement: the people who chose how event notices reach them."""
    return {
        sid: mode
        for sid, mode in s.execute(
            select(Person.slack_id, Person.notice_mode).where(
                Person.slack_id.is_not(None), Person.notice_mode.is_not(None)
            )
        )
        if sid and mode
    }


def _owner_part(label: str | None) -> str | None:
    """The owner in an "assigned" event's label ("U123 / QAEC", "Name / QAEC" or "U123")."""
    if not label:
        return None
    first = label.split(" / ")[0].strip()
    return first or None


@dataclass(frozen=True)
class Told:
    event: EventRow
    # "owner", "chair", or NAMED: the committee's channel, for an owner not in Slack
    role: str


NAMED = "named"


def recipients(
    e: EventRow,
    chairs: dict[int, tuple[str, ...]],
    admins: Sequence[str],
    actor_slack: str | None,
    channels: dict[int, str | None] | None = None,
) -> list[tuple[str, str]]:
    """(Slack id, role) of everyone to be told of `e`: never the person who made the change.
    An owner not in Slack is told through the committee's channel, by name (`NAMED`)."""
    out: list[tuple[str, str]] = []
    owner: str | None = e.owner_slack_id if e.owner_active else None
    if owner is None and e.owner_id is not None and e.owner_active and e.committee_id is not None:
        channel = (channels or {}).get(e.committee_id)
        if channel:
            out.extend((who, NAMED) for who, _ in _owner_news(e, channel))
    elif owner is not None:
        out.extend(_owner_news(e, owner))
    return _and_chairs(e, chairs, admins, actor_slack, out)


def _owner_news(e: EventRow, owner: str) -> list[tuple[str, str]]:
    """`owner` (a person's Slack id, or the channel that stands for them), if `e` is news for
    the action's owner."""
    out: list[tuple[str, str]] = []
    if e.kind == "assigned":
        # The label names the owner by Slack id, or by name for one not in Slack.
        now_owner = _owner_part(e.after)
        them = (e.owner_slack_id or e.owner_name) if now_owner else None
        if them and now_owner == them and _owner_part(e.before) != now_owner:
            out.append((owner, "owner"))
    elif (
        e.kind in ("signoff", "reopen", "due_declined")
        or e.kind == "due"
        and e.before is not None
        and e.actor_id != e.owner_id
    ):
        out.append((owner, "owner"))
    return out


def _and_chairs(
    e: EventRow,
    chairs: dict[int, tuple[str, ...]],
    admins: Sequence[str],
    actor_slack: str | None,
    out: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    tell_chairs = e.kind in ("done", "due_request") or (
        e.kind == "rating" and e.after in CONCERNING
    )
    tell_chairs |= e.kind == "due" and e.before is not None
    if tell_chairs:
        found = chairs.get(e.committee_id, ()) if e.committee_id is not None else ()
        for chair in found or admins:
            out.append((chair, "chair"))
    return [(who, role) for who, role in out if who != actor_slack]


def daily_slot(now: datetime) -> datetime | None:
    """The latest 09:00 London on a working day at or before `now` (within a week)."""
    day = local_date(now)
    for _ in range(8):
        if is_working_day(day):
            when = datetime.combine(day, DAILY_TIME, tzinfo=LONDON)
            if when <= now:
                return when
        day -= timedelta(days=1)
    return None


def owed_events(
    events: Sequence[EventRow],
    covered: dict[str, set[str]],
    modes: dict[str, str],
    chairs: dict[int, tuple[str, ...]],
    admins: Sequence[str],
    now: datetime,
    channels: dict[int, str | None] | None = None,
) -> list[OwedNotice]:
    """The event notices owed at `now`, one per person (or channel) and batch."""
    immediate: dict[str, list[Told]] = defaultdict(list)
    daily: dict[str, list[Told]] = defaultdict(list)
    for e in events:
        for who, role in recipients(e, chairs, admins, e.actor_slack_id, channels):
            if e.subject in covered.get(who, ()):
                continue
            if delivery(modes.get(who), e.kind) == AS_IT_HAPPENS:
                immediate[who].append(Told(e, role))
            else:
                daily[who].append(Told(e, role))
    out: list[OwedNotice] = []
    for who, items in sorted(immediate.items()):
        newest = max(t.event.at for t in items)
        oldest = min(t.event.at for t in items)
        if now - newest < QUIET and now - oldest < GATHER:
            continue  # more may follow: wait a little, so they go in one message
        due_at = min(now, newest + QUIET)
        out.append(
            OwedNotice(
                EVENT,
                who,
                f"ev-{min(t.event.id for t in items)}",
                due_at,
                now - due_at > LATE_AFTER,
                sorted({t.event.subject for t in items}),
                event_notice(items, now),
            )
        )
    slot = daily_slot(now)
    if slot is not None:
        for who, items in sorted(daily.items()):
            ready = [t for t in items if t.event.at < slot]
            if not ready:
                continue
            out.append(
                OwedNotice(
                    EVENT,
                    who,
                    f"daily-{local_date(slot).isoformat()}-ev-{min(t.event.id for t in ready)}",
                    slot,
                    now - slot > LATE_AFTER,
                    sorted({t.event.subject for t in ready}),
                    event_notice(ready, now, daily=True),
                )
            )
    return out


# ---------------------------------------------------------------- the message


def _esc(text: str | None) -> str:
    return esc(text or "")


def _d(value: str | date | None) -> str:
    if value is None:
        return "no date"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%d/%m/%Y}"


def _quote(note: str | None) -> str:
    return f": “{_esc(short(note, 500))}”" if note else ""


def event_line(t: Told) -> str:
    """What happened, in a line, as the recipient reads it."""
    e = t.event
    who = _esc(e.actor_name or "someone")
    if e.kind == "assigned":
        if t.role == NAMED:
            return f"Assigned to {_esc(e.owner_name)} by {who}."
        return f"Assigned to you by {who}."
    if e.kind == "signoff":
        return f"Signed off by {who}{_quote(e.note)}."
    if e.kind == "reopen":
        return f"Reopened by {who}{_quote(e.note)}"
    if e.kind == "due_declined":
        return (
            f"{who} declined the new date {_d(e.after)}{_quote(e.note)}. The date in force stays."
        )
    if e.kind == "done":
        return f"Marked done by {who} and waiting for your sign-off. Evidence{_quote(e.note) or ': none given'}"
    if e.kind == "rating":
        label = (e.after or "").replace("_", " ")
        return f"Rated *{label}* by {who}{_quote(e.note)}"
    if e.kind == "due_request":
        return (
            f"{who} asks to move the due date from {_d(e.before)} to {_d(e.after)}{_quote(e.note)}"
        )
    if e.kind == "due":
        return f"Due date moved from {_d(e.before)} to {_d(e.after)} by {who}{_quote(e.note)}"
    return f"{_esc(e.kind)} by {who}"  # pragma: no cover - only EVENT_KINDS are read


def _as_it_stands(e: EventRow, today: date) -> str:
    """The action's state on the day the message is sent."""
    if e.status == Status.SIGNED_OFF:
        return "signed off"
    if e.status == Status.COMPLETE:
        return "complete, awaiting sign-off"
    if e.due_date is None:
        return f"{e.status.label}, no due date"
    left = (e.due_date - today).days
    if left < 0:
        state = f"due {_d(e.due_date)}, overdue by {-left} day{'s' if left != -1 else ''}"
    elif left == 0:
        state = f"due today ({_d(e.due_date)})"
    else:
        state = f"due {_d(e.due_date)}, in {left} day{'s' if left != 1 else ''}"
    if e.requested_due_date is not None:
        state += f"; new date {_d(e.requested_due_date)} requested"
    return state


def _button(label: str, action_id: str, ref: str, style: str | None = None) -> Block:
    b: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": ref,
    }
    if style:
        b["style"] = style
    return b


def notice_buttons(e: EventRow, roles: set[str], kinds: set[str]) -> list[Block]:
    """Each recipient's own buttons: an owner's Update / Done / Change date; a chair's Sign off /
    Reopen on a complete action, Approve / Decline on a date waiting for them."""
    ref = e.ref
    if "chair" in roles:
        if e.status == Status.COMPLETE:
            return [
                _button("Sign off", BUTTON_SIGNOFF, ref, "primary"),
                _button("Reopen", BUTTON_REOPEN, ref),
            ]
        if e.requested_due_date is not None and e.status in OPEN_STATUSES:
            return [
                _button("Approve", BUTTON_APPROVE_DUE, ref, "primary"),
                _button("Decline", BUTTON_DECLINE_DUE, ref),
            ]
        return [_button("Open", BUTTON_SHOW, ref)]
    if e.status in OPEN_STATUSES:
        return [
            _button("Update", BUTTON_UPDATE, ref),
            _button("Done", BUTTON_DONE, ref, "primary"),
            _button("Change date", BUTTON_DUE, ref),
        ]
    return []


def event_notice(items: Sequence[Told], now: datetime, *, daily: bool = False) -> list[Part]:
    """One message for a batch of events: one unit per action, its events oldest first."""
    today = local_date(now)
    by_action: dict[int, list[Told]] = defaultdict(list)
    for t in sorted(items, key=lambda t: t.event.id):
        by_action[t.event.action_number].append(t)
    n = len(by_action)
    title = (
        f"Today's news on {n} action{'s' if n != 1 else ''}"
        if daily
        else f"News on {n} action{'s' if n != 1 else ''}"
    )
    units: list[list[Block]] = [[section(f":bell: *{title}*")]]
    if any(t.role == NAMED for t in items):
        units[0].append(
            context(
                "For owners who are not in Slack: please pass each on to the owner named. "
                "Actions of confidential reviews are shown by reference only."
            )
        )
    for number in sorted(by_action):
        told = by_action[number]
        e = told[-1].event  # the action's columns are the same on every row: as it stands now
        if any(t.role == NAMED for t in told) and e.confidential:
            # A channel sees a confidential review's action by reference only: no text, no
            # owner's name, no note.
            units.append(
                [
                    section(
                        f"*{e.ref}* (a confidential review): news for its owner, on file with "
                        "the business unit."
                    )
                ]
            )
            continue
        lines = "\n".join(f"• {event_line(t)}" for t in told)
        if any(t.role == NAMED for t in told):
            lines = f"_For {_esc(e.owner_name)} (not in Slack)_\n{lines}"
        unit = [
            section(
                f"*{e.ref}* {_esc(short(e.text, 300))}\n{lines}\n_Now: {_as_it_stands(e, today)}_"
            )
        ]
        roles = {t.role for t in told}
        buttons = [] if NAMED in roles else notice_buttons(e, roles, {t.event.kind for t in told})
        if buttons:
            unit.append({"type": "actions", "elements": buttons})
        units.append(unit)
    return paginate(units, title)
