"""An action as it stood at an earlier moment, replayed from its append-only event history.

Pure: takes the action as it is now and its events, returns the action as it was (or None when
it did not exist yet). Changes recorded after the moment are undone newest first using each
event's `before`; what events carry only as notes (progress, evidence, sign-off) is read forward
from the events up to the moment.

Event kinds and what `before`/`after` hold:
  created                          after = first status
  status, done, signoff, reopen,
  cancel                           status values
  rating                           the owner's rating (None when there was none)
  due                              ISO dates (before None when first set)
  assigned                         "OWNER / CODE", "OWNER" or "CODE" (OWNER: Slack id, else name)
  edited                           the action's text
  note                             neither; the note is the progress text
  rejected                         neither; the note is the evidence a reopen set aside
  evidence                         after = a link kept as evidence
  merged                           on the duplicate: before = status, after = the action kept;
                                   on the action kept: before = the duplicate's reference
  measure                          how the board will know it worked (text)
  impact_review                    ISO dates of the impact review (before None when first set)
  impact                           before = the impact review date it settled; note = evidence

The lead agency is not in the events (it follows the owner's agency silently), so it is shown
as it is now.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.calendar import LONDON
from models.schema import Rating, Status
from reports.rows import ActionRow, EventRow, PersonRef

STATUS_KINDS = frozenset({"status", "done", "signoff", "reopen", "cancel"})
PROGRESS_KINDS = frozenset({"note", "status", "rating"})
# Stands in for an owner recorded by a label that no longer names anyone: still "has an owner".
UNKNOWN_PERSON_ID = 0


def end_of_day(day: date, tz: ZoneInfo = LONDON) -> datetime:
    """The last moment of `day` in `tz`: "as it stood on that date" includes the whole day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) - timedelta(microseconds=1)


@dataclass(frozen=True)
class Directory:
    """What the labels in `assigned` events refer to: people by Slack id or name, committees."""

    people: Mapping[str, PersonRef]
    committees: Mapping[str, int]  # code -> committee id

    def split_label(self, label: str | None) -> tuple[str | None, str | None]:
        """(owner label, committee code) from an `assigned` label."""
        if not label:
            return None, None
        parts = [p.strip() for p in label.split(" / ") if p.strip()]
        if len(parts) >= 2:
            return " / ".join(parts[:-1]), parts[-1]
        only = parts[0] if parts else None
        if only is not None and only in self.committees and only not in self.people:
            return None, only
        return only, None


def _last_note(
    events: Sequence[EventRow],
    kinds: frozenset[str],
    cutoff: datetime,
    current: str | None,
    cleared_by: frozenset[str] = frozenset(),
) -> str | None:
    """The newest note of `kinds` up to `cutoff`; the current value when no event ever held one.
    An event of `cleared_by` (a reopen, for evidence) since that note means there was none."""
    bearing = [e for e in events if e.kind in kinds and e.note]
    if not bearing:
        return current
    upto = [
        e
        for e in events
        if e.at <= cutoff and (e.kind in cleared_by or (e.kind in kinds and e.note))
    ]
    if not upto or upto[-1].kind in cleared_by:
        return None
    return upto[-1].note


def as_of(
    action: ActionRow,
    events: Sequence[EventRow],
    moment: datetime,
    directory: Directory,
) -> ActionRow | None:
    """`action` as it stood at `moment`, or None if it had not been created by then.

    `events` are the action's events oldest first (by id).
    """
    if action.created_at > moment:
        return None
    later = [e for e in events if e.at > moment]
    if not later:
        return action  # every change writes an event, so nothing later means nothing changed
    upto = [e for e in events if e.at <= moment]

    changes: dict[str, Any] = {}
    for e in reversed(later):
        if e.kind in STATUS_KINDS and e.before:
            changes["status"] = Status(e.before)
        elif e.kind == "rating":
            changes["owner_rating"] = Rating(e.before) if e.before else None
        elif e.kind == "due":
            changes["due_date"] = date.fromisoformat(e.before) if e.before else None
        elif e.kind == "edited" and e.before:
            changes["text"] = e.before
        elif e.kind == "measure":
            changes["measure"] = e.before
        elif e.kind in ("impact_review", "impact"):
            changes["impact_review_on"] = date.fromisoformat(e.before) if e.before else None
        elif e.kind == "reopen" and "impact_review_on" not in changes:
            # Reopening cleared the review date; the last one set before it stands again.
            set_before = [x for x in upto if x.kind in ("impact_review", "impact")]
            if set_before and set_before[-1].kind == "impact_review" and set_before[-1].after:
                changes["impact_review_on"] = date.fromisoformat(set_before[-1].after)
        elif e.kind == "assigned":
            owner_label, code = directory.split_label(e.before)
            if owner_label is None:
                changes["owner_id"] = changes["owner_name"] = None
            else:
                person = directory.people.get(owner_label)
                changes["owner_id"] = person.id if person else UNKNOWN_PERSON_ID
                changes["owner_name"] = person.name if person else owner_label
            changes["committee_id"] = directory.committees.get(code) if code else None
            changes["committee_code"] = code

    status = changes.get("status", action.status)
    dues = [e for e in events if e.kind == "due" and e.after]
    if dues:
        firsts = [e for e in dues if e.at <= moment]
        changes["original_due_date"] = date.fromisoformat(firsts[0].after or "") if firsts else None

    changes["latest_progress"] = _last_note(events, PROGRESS_KINDS, moment, action.latest_progress)
    reopened = frozenset({"reopen"})  # a reopen sets the evidence aside
    changes["evidence_of_completion"] = _last_note(
        events, frozenset({"done"}), moment, action.evidence_of_completion, reopened
    )
    changes["evidence_of_impact"] = _last_note(
        events, frozenset({"signoff", "impact"}), moment, action.evidence_of_impact, reopened
    )
    signoffs = [e for e in upto if e.kind == "signoff"]
    if status == Status.SIGNED_OFF and signoffs:
        changes["signed_off_at"] = signoffs[-1].at
        changes["signed_off_by"] = signoffs[-1].actor
    elif status != Status.SIGNED_OFF:
        changes["signed_off_at"] = changes["signed_off_by"] = None

    # Every recorded change is also an update: drift is measured from the last one.
    changes["last_update_at"] = upto[-1].at if upto else action.created_at
    return dataclasses.replace(action, **changes)


def replay(
    actions: Sequence[ActionRow],
    events: Mapping[int, Sequence[EventRow]],
    moment: datetime,
    directory: Directory,
) -> list[ActionRow]:
    """Every action that existed at `moment`, as it stood then."""
    out: list[ActionRow] = []
    for a in actions:
        then = as_of(a, events.get(a.id, ()), moment, directory)
        if then is not None:
            out.append(then)
    return out


DONE_STATUSES = frozenset({Status.COMPLETE.value, Status.SIGNED_OFF.value})


def statuses_at(
    actions: Sequence[ActionRow],
    events: Mapping[int, Sequence[EventRow]],
    moments: Sequence[datetime],
) -> list[Counter[str]]:
    """At each of `moments` (ascending): how many actions existed in each status, from the
    status events alone: one pass over each action's history rather than a replay per moment."""
    out: list[Counter[str]] = [Counter() for _ in moments]
    for a in actions:
        # (when, status after) in order; the first is the status the action was created with.
        changes: list[tuple[datetime, str]] = []
        for e in events.get(a.id, ()):
            if e.kind == "created":
                changes.append((e.at, e.after or Status.NOT_STARTED.value))
            elif e.kind in STATUS_KINDS and e.after:
                changes.append((e.at, e.after))
        if not changes:
            changes = [(a.created_at, a.status.value)]
        i, status = 0, changes[0][1]
        for m, moment in enumerate(moments):
            if a.created_at > moment:
                continue
            while i < len(changes) and changes[i][0] <= moment:
                status = changes[i][1]
                i += 1
            out[m][status] += 1
    return out


def completion_at(
    actions: Sequence[ActionRow],
    events: Mapping[int, Sequence[EventRow]],
    moments: Sequence[datetime],
) -> list[tuple[int, int]]:
    """At each of `moments` (ascending): (actions existing and not cancelled, of them complete
    or signed off)."""
    return [
        (
            sum(n for st, n in c.items() if st != Status.CANCELLED.value),
            sum(c[st] for st in DONE_STATUSES),
        )
        for c in statuses_at(actions, events, moments)
    ]
