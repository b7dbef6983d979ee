"""The fields an import sets on an action, said once: what the document says, what the app holds,
how the import makes them agree, and which events of the history set the field.

A re-import compares each field's document value with the one the document gave at the last
import (`ImportedValue`): only a field whose document value changed is touched, and a field a
person changed in the app since is kept and reported as a conflict. Adding a field the parsers
read (a plain text attribute of both `ParsedActivity` and `Action`) is one `text_field(...)` line
in `FIELDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from importer.model import ParsedActivity
from models import actions as ops
from models.actions import record_event
from models.errors import InvalidInput
from models.permissions import FROM_STATUSES, Actor, Op
from models.schema import OPEN_STATUSES, Action, ActionEvent, Status

if TYPE_CHECKING:
    from importer.store import CommitteeMatcher, PersonMatcher

STATUS_KINDS = frozenset({"status", "done", "signoff", "reopen", "cancel"})
SIGN_OFF_REFUSED = "sign-off (given by the committee's chair, not by an import)"


@dataclass
class Merge:
    """What applying a field needs: the caller's session, who imports, when, and the matchers."""

    s: Session
    actor: Actor
    now: datetime
    note: str  # the reason each change records, e.g. "changed in the imported document"
    committees: CommitteeMatcher
    people: PersonMatcher
    codes: Collection[str]  # committee codes, to read `assigned` labels
    # Set by a field's `apply` when the import did part of what the document says.
    refused: list[str]


def norm_words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _plain(value: str | None) -> str:
    return value if value else "none"


def _same(a: str | None, b: str | None) -> bool:
    return a == b


def _never(action: Action, value: str) -> str | None:
    return None


def _not_yet(action: Action, value: str) -> bool:
    return False


@dataclass(frozen=True)
class Field:
    name: str  # the key kept in `ImportedValue.field`
    label: str  # as people read it: "due date"
    # What the document says, in the stored form; None when it says nothing (a blank cell).
    document: Callable[[ParsedActivity, Merge], str | None]
    current: Callable[[Action], str | None]  # what the app holds, in the same form
    # Make the app hold the document's value, with its event; InvalidInput/Refused when it may not.
    apply: Callable[[Merge, Action, ParsedActivity, str], None]
    # Whether an event of the action's history set this field.
    touched: Callable[[ActionEvent, Merge], bool]
    show: Callable[[str | None], str] = _plain
    same: Callable[[str | None, str | None], bool] = _same
    # Why an import may never set the document's value on this action now (its status), as
    # reported: "what (why)".
    refusal: Callable[[Action, str], str | None] = _never
    # Whether the action already holds the document's value in another form (a note in its
    # history), so there is nothing to do.
    already: Callable[[Action, str], bool] = _not_yet
    # A new value adds to the action (a progress note) rather than replacing what a person set.
    additive: bool = False


def _kinds(*kinds: str) -> Callable[[ActionEvent, Merge], bool]:
    wanted = frozenset(kinds)
    return lambda e, m: e.kind in wanted


def text_field(name: str, label: str, *, kind: str) -> Field:
    """A text attribute of the same name on `ParsedActivity` and `Action`, set with an event of
    `kind` (before and after: the texts)."""

    def apply(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
        before = getattr(action, name)
        setattr(action, name, value)
        record_event(m.s, action, m.actor, m.now, kind, before, value, m.note)

    return Field(
        name,
        label,
        document=lambda a, m: (getattr(a, name, None) or "").strip() or None,
        current=lambda x: getattr(x, name),
        apply=apply,
        touched=_kinds(kind),
    )


# ---------------------------------------------------------------- owner and committee


def split_assigned(label: str | None, codes: Collection[str]) -> tuple[str | None, str | None]:
    """(owner, committee code) from an `assigned` event's "OWNER / CODE", "OWNER" or "CODE"."""
    if not label:
        return None, None
    parts = [p.strip() for p in label.split(" / ") if p.strip()]
    if len(parts) >= 2:
        return " / ".join(parts[:-1]), parts[-1]
    if not parts:
        return None, None
    return (None, parts[0]) if parts[0] in codes else (parts[0], None)


def _owner_moved(e: ActionEvent, m: Merge) -> bool:
    return (
        e.kind == "assigned"
        and split_assigned(e.before, m.codes)[0] != split_assigned(e.after, m.codes)[0]
    )


def _committee_moved(e: ActionEvent, m: Merge) -> bool:
    return (
        e.kind == "assigned"
        and split_assigned(e.before, m.codes)[1] != split_assigned(e.after, m.codes)[1]
    )


def _doc_owner(a: ParsedActivity, m: Merge) -> str | None:
    if not a.owner:
        return None
    person = m.people.match(a.owner)
    return person.name if person is not None else a.owner.strip()


def _set_owner(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    person = m.people.match(value)
    if person is None:
        raise InvalidInput("no such person in the organisation")
    ops.assign(m.s, m.actor, action.ref, owner=person, now=m.now)


def _doc_committee(a: ParsedActivity, m: Merge) -> str | None:
    if not a.committee:
        return None
    committee = m.committees.match(a.committee)
    return committee.code if committee is not None else a.committee.strip()


def _set_committee(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    committee = m.committees.match(value)
    if committee is None:
        raise InvalidInput("no such committee")
    ops.assign(m.s, m.actor, action.ref, owner=None, committee=committee, now=m.now)


def _same_name(a: str | None, b: str | None) -> bool:
    return norm_words(a or "") == norm_words(b or "")


def _assign_refusal(action: Action, value: str) -> str | None:
    if action.status not in FROM_STATUSES[Op.ASSIGN]:
        return f"reassigning ({action.ref} is {action.status.label})"
    return None


# ---------------------------------------------------------------- lead agency


def _set_agency(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    before = action.lead_agency
    action.lead_agency = value
    record_event(m.s, action, m.actor, m.now, "agency", before, value, m.note)


# ---------------------------------------------------------------- due date


def _show_date(value: str | None) -> str:
    if not value:
        return "no date"
    try:
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


def _set_due(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    ops.change_due(
        m.s,
        m.actor,
        action.ref,
        when=date.fromisoformat(value),
        reason=m.note,
        now=m.now,
        allow_past=True,
    )


def _due_refusal(action: Action, value: str) -> str | None:
    if action.status not in FROM_STATUSES[Op.DUE]:
        return (
            f"due date ({action.ref} is {action.status.label}; its due date can no longer change)"
        )
    return None


# ---------------------------------------------------------------- status


def _doc_status(a: ParsedActivity, m: Merge) -> str | None:
    if a.status:
        return a.status
    return Status.COMPLETE.value if a.delivered else None


def _show_status(value: str | None) -> str:
    return value.replace("_", " ") if value else "no status"


def _same_status(doc: str | None, current: str | None) -> bool:
    # A document reporting the action delivered agrees with its being signed off since.
    return doc == current or (doc == Status.COMPLETE.value and current == Status.SIGNED_OFF.value)


def _status_refusal(action: Action, target: str) -> str | None:
    current = action.status
    if target in (Status.NOT_STARTED.value, Status.IN_PROGRESS.value) and current in OPEN_STATUSES:
        return None
    if target in (Status.COMPLETE.value, Status.SIGNED_OFF.value) and current in OPEN_STATUSES:
        return None
    if target == Status.SIGNED_OFF.value and current == Status.COMPLETE:
        return SIGN_OFF_REFUSED
    if target == Status.CANCELLED.value:
        return "cancelling (an admin cancels an action with a reason)"
    return f"status {target.replace('_', ' ')} (an import does not reopen actions)"


def _set_status(m: Merge, action: Action, activity: ParsedActivity, target: str) -> None:
    if target in (Status.NOT_STARTED.value, Status.IN_PROGRESS.value):
        ops.update(m.s, m.actor, action.ref, word=target.replace("_", "-"), now=m.now)
        return
    evidence = activity.evidence or activity.text
    ops.mark_done(m.s, m.actor, action.ref, evidence=evidence, now=m.now)
    if target == Status.SIGNED_OFF.value:
        m.refused.append(SIGN_OFF_REFUSED)


# ---------------------------------------------------------------- findings answered


def _doc_findings(a: ParsedActivity, m: Merge) -> str | None:
    return "\n".join(sorted({t.strip() for t in a.findings if t.strip()})) or None


def _current_findings(action: Action) -> str | None:
    return "\n".join(sorted({f.text for f in action.findings})) or None


def _show_findings(value: str | None) -> str:
    return "; ".join(value.split("\n")) if value else "none"


def _set_findings(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    wanted = value.split("\n")
    review = action.review
    by_text = {f.text: f for f in (review.findings if review is not None else [])}
    missing = [t for t in wanted if t not in by_text]
    if missing:
        where = review.ref if review is not None else "its review"
        raise InvalidInput(f"{len(missing)} of them not a finding of {where}")
    before = _current_findings(action)
    action.findings = [by_text[t] for t in wanted]
    record_event(
        m.s, action, m.actor, m.now, "findings", _show_findings(before), _show_findings(value)
    )


# ---------------------------------------------------------------- progress


def _noted(action: Action, value: str) -> bool:
    # A note already in the history (an export read back, a note a person wrote) is not new.
    return any(e.note == value for e in action.events)


def _add_progress(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    ops.add_note(m.s, m.actor, action.ref, text=value, now=m.now)


# ---------------------------------------------------------------- evidence of completion


def _evidence_refusal(action: Action, value: str) -> str | None:
    if action.is_open:
        return None
    return "evidence of completion (recorded when the action was marked done)"


def _keep_evidence(m: Merge, action: Action, activity: ParsedActivity, value: str) -> None:
    """Evidence is given when an action is marked done (the status above), never on its own."""


def _progress_refusal(action: Action, value: str) -> str | None:
    if action.status not in FROM_STATUSES[Op.NOTE]:
        return f"progress ({action.ref} is {action.status.label}; notes can no longer be added)"
    return None


FIELDS: tuple[Field, ...] = (
    text_field("text", "action text", kind="edited"),
    # How the board will know it worked: a tracker's "How it will be measured" column.
    text_field("measure", "measure", kind="measure"),
    Field(
        "owner",
        "owner",
        document=_doc_owner,
        current=lambda x: x.owner.name if x.owner is not None else None,
        apply=_set_owner,
        touched=_owner_moved,
        same=_same_name,
        refusal=_assign_refusal,
    ),
    Field(
        "committee",
        "committee",
        document=_doc_committee,
        current=lambda x: x.committee.code if x.committee is not None else None,
        apply=_set_committee,
        touched=_committee_moved,
        same=_same_name,
        refusal=_assign_refusal,
    ),
    # After the owner: assigning an owner sets the lead agency from theirs.
    Field(
        "lead_agency",
        "lead agency",
        document=lambda a, m: (a.lead_agency or "").strip() or None,
        current=lambda x: x.lead_agency,
        apply=_set_agency,
        touched=lambda e, m: e.kind == "agency" or _owner_moved(e, m),
    ),
    Field(
        "due_date",
        "due date",
        document=lambda a, m: a.due_date.isoformat() if a.due_date else None,
        current=lambda x: x.due_date.isoformat() if x.due_date else None,
        apply=_set_due,
        touched=_kinds("due"),
        show=_show_date,
        refusal=_due_refusal,
    ),
    Field(
        "status",
        "status",
        document=_doc_status,
        current=lambda x: x.status.value,
        apply=_set_status,
        touched=lambda e, m: e.kind in STATUS_KINDS,
        show=_show_status,
        same=_same_status,
        refusal=_status_refusal,
    ),
    # After the status: marking an action done records the document's evidence.
    Field(
        "evidence",
        "evidence of completion",
        document=lambda a, m: (a.evidence or "").strip() or None,
        current=lambda x: x.evidence_of_completion,
        apply=_keep_evidence,
        touched=_kinds("done"),
        refusal=_evidence_refusal,
        already=lambda x, v: x.is_open,  # kept for when the action is marked done
    ),
    Field(
        "findings",
        "findings answered",
        document=_doc_findings,
        current=_current_findings,
        apply=_set_findings,
        touched=_kinds("findings"),
        show=_show_findings,
    ),
    Field(
        "progress",
        "progress",
        document=lambda a, m: (a.progress or "").strip() or None,
        current=lambda x: x.latest_progress,
        apply=_add_progress,
        touched=_kinds("note"),
        refusal=_progress_refusal,
        already=_noted,
        additive=True,
    ),
)
