"""Domain operations on actions. Each checks permission, changes state and writes an event.

Nothing here knows about Slack. Every function takes the session of the caller's unit of work
and the time `now` (timezone-aware); none commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.bulk import insert_plain, insert_rows
from models.calendar import local_date
from models.dates import DateError, read_due_date
from models.errors import ConcurrentChange, InvalidInput, NotFound, Refused, clean_text, typed
from models.org_settings import owners_set_dates
from models.people import person_by_slack_id
from models.permissions import (
    FROM_STATUSES,
    Actor,
    Op,
    can_file_under,
    check,
    sets_dates_directly,
)
from models.schema import (
    Action,
    ActionEvent,
    Committee,
    Finding,
    Person,
    Rating,
    Review,
    Status,
    action_findings,
    action_ref,
)

REF_RE = re.compile(r"^\s*a\s*-?\s*(\d{1,9})\s*$", re.IGNORECASE)
MAX_TEXT = 4000

UPDATE_WORDS: dict[str, Status | Rating] = {
    "not-started": Status.NOT_STARTED,
    "in-progress": Status.IN_PROGRESS,
    "on-track": Rating.ON_TRACK,
    "at-risk": Rating.AT_RISK,
    "off-track": Rating.OFF_TRACK,
}


def normalise_update_word(word: str) -> str:
    return re.sub(r"[\s_]+", "-", word.strip().lower())


def parse_ref(ref: str) -> int:
    m = REF_RE.match(ref or "")
    if not m:
        raise InvalidInput(f"“{typed(ref)}” is not an action reference: they look like A-12.")
    return int(m[1])


def get_ref(ref: str) -> str:
    """`ref` as the app writes it (a12 → A-12)."""
    return action_ref(parse_ref(ref))


def get_action(s: Session, ref: str) -> Action:
    number = parse_ref(ref)
    stmt = select(Action).where(Action.number == number)
    action = s.scalars(stmt).unique().one_or_none()
    if action is None:
        raise NotFound(
            f"There is no action A-{number}. `/lscb actions` lists the actions you can see."
        )
    return action


def get_visible_action(s: Session, actor: Actor, ref: str) -> Action:
    # A refusal says no more than that it cannot be shown: a confidential review's name is
    # itself sensitive.
    return _load(s, actor, Op.VIEW, ref)


def actor_for_slack_id(s: Session, slack_id: str) -> Actor:
    person = person_by_slack_id(s, slack_id)
    return Actor.of(person) if person is not None else Actor.stranger(slack_id)


def _text(
    value: str | None, what: str, *, required: bool = True, field: str | None = None
) -> str | None:
    value = clean_text(value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{what} is needed.", field=field)
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(
            f"{what} is too long ({len(value)} characters; at most {MAX_TEXT}).", field=field
        )
    return value


def _require(actor: Actor, op: Op, action: Action) -> None:
    decision = check(actor, op, action)
    if not decision:
        raise Refused(decision.reason)


def _load(s: Session, actor: Actor, op: Op, ref: str) -> Action:
    """The action `ref`, if `actor` may do `op` to it; else NotFound or Refused saying why."""
    action = get_action(s, ref)
    _require(actor, op, action)
    return action


def _move(
    s: Session, action: Action, actor: Actor, now: datetime, kind: str, to: Status, note: str | None
) -> Action:
    """Change the status, record it as an event of `kind`, and save."""
    before = action.status.value
    action.status = to
    record_event(s, action, actor, now, kind, before, to.value, note)
    return _save(s, action)


def _check_version(action: Action, expected_version: int | None) -> None:
    if expected_version is not None and action.version != expected_version:
        raise ConcurrentChange(action.ref)


def record_event(
    s: Session,
    action: Action,
    actor: Actor,
    now: datetime,
    kind: str,
    before: str | None = None,
    after: str | None = None,
    note: str | None = None,
) -> ActionEvent:
    event = ActionEvent(
        action=action,
        at=now,
        actor_id=actor.person_id,
        actor_label=actor.slack_id or actor.label,
        kind=kind,
        before=before,
        after=after,
        note=note,
    )
    s.add(event)
    action.last_update_at = now
    if kind != "reopen":
        action.reopen_reason = None  # the card shows why it was reopened until the next change
    return event


def _save(s: Session, action: Action) -> Action:
    ref = action.ref  # read before the flush: a failed flush expires the object
    try:
        s.flush()
    except StaleDataError:
        raise ConcurrentChange(ref) from None
    return action


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def next_action_number(s: Session) -> int:
    return (s.scalar(select(func.max(Action.number))) or 0) + 1


def next_review_number(s: Session) -> int:
    return (s.scalar(select(func.max(Review.number))) or 0) + 1


EventDraft = tuple[str, str | None, str | None, str | None]  # kind, before, after, note


@dataclass(frozen=True)
class ActionDraft:
    """A new action, checked and worked out but not yet stored: its columns (all but its
    number and the ids of what it belongs to), what it belongs to, and its first events."""

    columns: dict[str, Any]
    review: Review | None
    owner: Person | None
    committee: Committee | None
    findings: tuple[Finding, ...]
    events: tuple[EventDraft, ...]


def draft_action(
    actor: Actor,
    *,
    text: str,
    now: datetime,
    review: Review | None = None,
    owner: Person | None = None,
    committee: Committee | None = None,
    due_date: date | None = None,
    lead_agency: str | None = None,
    findings: Iterable[Finding] = (),
    evidence_of_completion: str | None = None,
    source_key: str | None = None,
    note: str | None = None,
    allow_past: bool = False,
    source_url: str | None = None,
    rating: Rating | None = None,
    started: bool = False,
    progress: str | None = None,
    measure: str | None = None,
) -> ActionDraft:
    """A new action, refused as `create_action` refuses it. `allow_past`: a document being
    imported may state a due date already past; a person giving one is refused. `rating` (the
    owner's, which puts it in progress), `started` and `progress` (a first note) are what an
    imported tracker row states."""
    decision = check(actor, Op.CREATE, committee_id=committee.id if committee else None)
    if not decision:
        raise Refused(decision.reason)
    if review is not None:
        require_review_reach(actor, review)
    body = _text(text, "The action's text", field="text")
    assert body is not None
    if due_date is not None and due_date < local_date(now) and not allow_past:
        raise InvalidInput(
            f"{due_date:%d/%m/%Y} is in the past; a due date must be today or later.",
            field="due_date",
        )
    planned = _text(measure, "How we will know it worked", required=False, field="measure")
    created = Status.COMPLETE if evidence_of_completion else Status.NOT_STARTED
    status = created
    events: list[EventDraft] = [("created", None, created.value, note)]
    if owner is not None or committee is not None:
        events.append(("assigned", None, owner_label(owner, committee), None))
    if due_date is not None:
        events.append(("due", None, _iso(due_date), None))
    if (rating is not None or started) and status == Status.NOT_STARTED:
        status = Status.IN_PROGRESS
        events.append(("status", created.value, status.value, None))
    owner_rating = rating if rating is not None and status == Status.IN_PROGRESS else None
    if owner_rating is not None:
        events.append(("rating", None, owner_rating.value, None))
    if progress:
        events.append(("note", None, None, progress))
    if planned is not None:
        events.append(("measure", None, planned, None))
    columns = {
        "text": body,
        "lead_agency": lead_agency or (owner.agency if owner else None),
        "due_date": due_date,
        "original_due_date": due_date,
        "status": status,
        "owner_rating": owner_rating,
        "latest_progress": progress or None,
        "evidence_of_completion": evidence_of_completion,
        "completed_at": now if evidence_of_completion else None,
        "created_at": now,
        "last_update_at": now,
        "source_key": source_key,
        "source_url": _link(source_url, "The source") if source_url else None,
        "measure": planned,
    }
    return ActionDraft(columns, review, owner, committee, tuple(findings), tuple(events))


def create_action(s: Session, actor: Actor, *, now: datetime, **kw: Any) -> Action:
    """A new action, with its first events, saved in the session (`draft_action`'s arguments)."""
    draft = draft_action(actor, now=now, **kw)
    action = Action(
        number=next_action_number(s),
        review=draft.review,
        owner=draft.owner,
        committee=draft.committee,
        **draft.columns,
    )
    action.findings = list(draft.findings)
    s.add(action)
    for kind, before, after, note in draft.events:
        record_event(s, action, actor, now, kind, before, after, note)
    return _save(s, action)


def insert_actions(
    s: Session, actor: Actor, now: datetime, drafts: Sequence[ActionDraft]
) -> list[tuple[int, int]]:
    """Store many new actions at once, past the session (an import's): numbered in order after
    the last, with their events and findings. Returns each one's (id, number), in order."""
    if not drafts:
        return []
    first = next_action_number(s)  # flushes the session: the reviews, findings and people
    rows = [
        {
            **d.columns,
            "number": first + i,
            "review_id": d.review.id if d.review is not None else None,
            "owner_id": d.owner.id if d.owner is not None else None,
            "committee_id": d.committee.id if d.committee is not None else None,
            "version": 1,
        }
        for i, d in enumerate(drafts)
    ]
    ids = insert_rows(s, Action, rows)
    who = {"at": now, "actor_id": actor.person_id, "actor_label": actor.slack_id or actor.label}
    events = [
        {**who, "action_id": aid, "kind": kind, "before": before, "after": after, "note": note}
        for aid, d in zip(ids, drafts, strict=True)
        for kind, before, after, note in d.events
    ]
    insert_rows(s, ActionEvent, events)
    links = [
        {"action_id": aid, "finding_id": f.id}
        for aid, d in zip(ids, drafts, strict=True)
        for f in dict.fromkeys(d.findings)
    ]
    insert_plain(s, action_findings, links)
    return [(aid, first + i) for i, aid in enumerate(ids)]


def require_review_reach(actor: Actor, review: Review) -> None:
    """Refuse to put an action into a review `actor` may not see (create, move or link: every
    route, form, command, shortcut or import), without saying whether the review exists."""
    decision = can_file_under(actor, review)
    if not decision:
        raise NotFound(decision.reason)


def owner_label(owner: Person | None, committee: Committee | None) -> str:
    parts = []
    if owner is not None:
        parts.append(owner.slack_id or owner.name)
    if committee is not None:
        parts.append(committee.code)
    return " / ".join(parts)


def assign(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    owner: Person | None,
    now: datetime,
    committee: Committee | None = None,
    expected_version: int | None = None,
) -> Action:
    action = _load(s, actor, Op.ASSIGN, ref)
    if (
        committee is not None
        and committee.id != action.committee_id
        and not actor.is_admin
        and action.committee_id is not None
        and committee.id not in actor.chairs
    ):
        raise Refused(f"Moving {action.ref} to {committee.code} needs its chair or an admin.")
    _require_status(
        action, Op.ASSIGN, f"{action.ref} is {action.status.label}; it cannot be reassigned."
    )
    _check_version(action, expected_version)
    before = owner_label(action.owner, action.committee)
    if owner is not None:
        action.owner = owner
        if owner.agency:
            action.lead_agency = owner.agency
    if committee is not None:
        action.committee = committee
    after = owner_label(action.owner, action.committee)
    if before == after:
        return action
    record_event(s, action, actor, now, "assigned", before or None, after)
    return _save(s, action)


def _require_status(action: Action, op: Op, refusal: str) -> None:
    """Refuse, with `refusal`, an operation its action's status does not allow."""
    if action.status not in FROM_STATUSES[op]:
        raise InvalidInput(refusal)


def _require_open(action: Action, op: Op, what: str) -> None:
    if action.status == Status.COMPLETE:
        refusal = (
            f"{action.ref} is complete and awaiting sign-off, so it cannot be {what}. "
            f"The chair can `/lscb reopen {action.ref} <reason>` if more work is needed."
        )
    else:
        refusal = f"{action.ref} is {action.status.label}, so it cannot be {what}."
    _require_status(action, op, refusal)


def update(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    word: str,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> Action:
    key = normalise_update_word(word)
    target = UPDATE_WORDS.get(key)
    if target is None:
        raise InvalidInput(
            f"“{typed(word, 30)}” is not a status. Use one of: {', '.join(UPDATE_WORDS)}.",
            field="word",
        )
    action = _load(s, actor, Op.UPDATE, ref)
    _require_open(action, Op.UPDATE, "updated")
    _check_version(action, expected_version)
    note = _text(note, "The note", required=False, field="note")
    if isinstance(target, Status):
        before = action.status.value
        action.status = target
        record_event(s, action, actor, now, "status", before, target.value, note)
    else:
        before_rating = action.owner_rating.value if action.owner_rating else None
        action.owner_rating = target
        if action.status == Status.NOT_STARTED:
            record_event(
                s, action, actor, now, "status", Status.NOT_STARTED.value, Status.IN_PROGRESS.value
            )
            action.status = Status.IN_PROGRESS
        record_event(s, action, actor, now, "rating", before_rating, target.value, note)
    if note:
        action.latest_progress = note
    return _save(s, action)


def add_note(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    text: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    action = _load(s, actor, Op.NOTE, ref)
    _require_status(action, Op.NOTE, f"{action.ref} is cancelled; notes can no longer be added.")
    body = _text(text, "A progress note", field="text")
    _check_version(action, expected_version)
    action.latest_progress = body
    record_event(s, action, actor, now, "note", None, None, body)
    return _save(s, action)


def mark_done(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    evidence: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    action = _load(s, actor, Op.DONE, ref)
    _require_open(action, Op.DONE, "marked done again")
    body = _text(
        evidence,
        f"Evidence of completion (what was done, and where it can be seen) for {action.ref}",
        field="evidence",
    )
    _check_version(action, expected_version)
    action.evidence_of_completion = body
    action.completed_at = now
    return _move(s, action, actor, now, "done", Status.COMPLETE, body)


def sign_off(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    now: datetime,
    impact: str | None = None,
    review_on: str | date | None = None,
    expected_version: int | None = None,
) -> Action:
    """Sign off a complete action, with its evidence of impact or, where the impact cannot be
    seen yet, the day to check it (`review_on`: a date, or text the date reader takes)."""
    action = _load(s, actor, Op.SIGNOFF, ref)
    _require_status(
        action,
        Op.SIGNOFF,
        f"{action.ref} is {action.status.label}: only a complete action can be signed off. "
        f"Its owner marks it done first with `/lscb done {action.ref} <evidence>`.",
    )
    body = _text(impact, "Evidence of impact", required=False, field="impact")
    review_day = _review_day(review_on, now, field="review_on") if review_on else None
    _check_version(action, expected_version)
    action.signed_off_at = now
    action.signed_off_by_id = actor.person_id
    if body:
        action.evidence_of_impact = body
    _move(s, action, actor, now, "signoff", Status.SIGNED_OFF, body)
    if review_day is not None and not body:
        _set_review_day(s, action, actor, now, review_day, None)
    return _save(s, action)


def _review_day(when: str | date, now: datetime, *, field: str) -> date:
    today = local_date(now)
    try:
        day = read_due_date(when, today) if isinstance(when, str) else when
    except DateError as e:
        raise InvalidInput(
            str(e).replace("a due date must", "an impact review date must"), field=field
        ) from None
    if day <= today:
        raise InvalidInput(
            f"{day:%d/%m/%Y} is not after today: an impact review date is a day to come, "
            "e.g. in 6 months or 31/03/2027.",
            field=field,
        )
    return day


def _set_review_day(
    s: Session, action: Action, actor: Actor, now: datetime, day: date, note: str | None
) -> None:
    before = _iso(action.impact_review_on)
    action.impact_review_on = day
    record_event(s, action, actor, now, "impact_review", before, _iso(day), note)


def set_measure(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    text: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    """How the board will know the action worked: planned from the start, kept in the history."""
    action = _load(s, actor, Op.MEASURE, ref)
    _require_status(
        action, Op.MEASURE, f"{action.ref} is cancelled; its measure can no longer change."
    )
    body = _text(
        text,
        f"How we will know {action.ref} worked (e.g. re-audit 20 referrals in six months)",
        field="measure",
    )
    _check_version(action, expected_version)
    if body == action.measure:
        return action
    before = action.measure
    action.measure = body
    record_event(s, action, actor, now, "measure", before, body)
    return _save(s, action)


def record_impact(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    evidence: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    """Evidence of impact for a signed-off action (at its impact review, or any time after)."""
    action = _load(s, actor, Op.IMPACT, ref)
    _require_status(
        action,
        Op.IMPACT,
        f"{action.ref} is {action.status.label}: impact is recorded once it is signed off. "
        f"Sign it off with `/lscb signoff {action.ref} <evidence of impact>`.",
    )
    body = _text(evidence, f"Evidence of impact for {action.ref}", field="impact")
    _check_version(action, expected_version)
    # `before` holds the review date this settles, so a replay can put it back.
    before = _iso(action.impact_review_on)
    action.evidence_of_impact = body
    action.impact_review_on = None
    record_event(s, action, actor, now, "impact", before, None, body)
    return _save(s, action)


def set_impact_review(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    when: str | date,
    now: datetime,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Action:
    """A (new) day to check the impact of a signed-off action."""
    action = _load(s, actor, Op.IMPACT, ref)
    _require_status(
        action,
        Op.IMPACT,
        f"{action.ref} is {action.status.label}: an impact review is set when it is signed off.",
    )
    day = _review_day(when, now, field="when")
    note = _text(reason, "The reason", required=False, field="reason")
    _check_version(action, expected_version)
    if action.impact_review_on == day:
        raise InvalidInput(
            f"The impact of {action.ref} is already to be reviewed on {day:%d/%m/%Y}.",
            field="when",
        )
    _set_review_day(s, action, actor, now, day, note)
    return _save(s, action)


def reopen(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    action = _load(s, actor, Op.REOPEN, ref)
    _require_status(
        action,
        Op.REOPEN,
        f"{action.ref} is {action.status.label}; only a complete action can be reopened.",
    )
    body = _text(reason, f"A reason for reopening {action.ref}", field="reason")
    _check_version(action, expected_version)
    action.signed_off_at = None
    action.signed_off_by_id = None
    action.completed_at = None
    action.impact_review_on = None  # its impact is reviewed after the next sign-off
    _move(s, action, actor, now, "reopen", Status.IN_PROGRESS, body)
    # The rejected evidence goes into the history, and off the action: what the owner gives
    # next is judged afresh.
    for label, value in (
        ("Evidence of completion", action.evidence_of_completion),
        ("Evidence of impact", action.evidence_of_impact),
        ("Evidence links", action.evidence_links),
    ):
        if value:
            record_event(s, action, actor, now, "rejected", None, None, f"{label}: {value}")
    action.evidence_of_completion = None
    action.evidence_of_impact = None
    action.evidence_links = None
    action.reopen_reason = body
    return _save(s, action)


def change_due(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    when: str | date,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
    allow_past: bool = False,
) -> Action:
    """A new due date, with the reason (needed once the action has one). `allow_past`: as for
    `create_action`, a date an imported document states may be past."""
    action = _load(s, actor, Op.DUE, ref)
    _require_status(
        action, Op.DUE, f"{action.ref} is {action.status.label}; its due date can no longer change."
    )
    today = local_date(now)
    try:
        new_date = read_due_date(when, today) if isinstance(when, str) else when
    except DateError as e:
        raise InvalidInput(str(e), field="when") from None
    if new_date < today and not allow_past:
        raise InvalidInput(
            f"{new_date:%d/%m/%Y} is in the past; a due date must be today or later.",
            field="when",
        )
    body = _text(
        reason,
        f"A reason for changing the due date of {action.ref}",
        required=action.due_date is not None,
        field="reason",
    )
    _check_version(action, expected_version)
    if action.due_date == new_date:
        raise InvalidInput(f"{action.ref} is already due on {new_date:%d/%m/%Y}.", field="when")
    asks = action.due_date is not None and not sets_dates_directly(actor, action)
    if asks and not owners_set_dates(s):
        return _request_due(s, action, actor, now, new_date, body)
    return _set_due(s, action, actor, now, new_date, body)


def _set_due(
    s: Session, action: Action, actor: Actor, now: datetime, new_date: date, reason: str | None
) -> Action:
    before = _iso(action.due_date)
    if action.original_due_date is None:
        action.original_due_date = new_date
    action.due_date = new_date
    _clear_request(action)
    record_event(s, action, actor, now, "due", before, _iso(new_date), reason)
    return _save(s, action)


def _clear_request(action: Action) -> None:
    action.requested_due_date = None
    action.requested_due_reason = None
    action.requested_due_by_id = None
    action.requested_due_at = None


def _request_due(
    s: Session, action: Action, actor: Actor, now: datetime, new_date: date, reason: str | None
) -> Action:
    """An owner's new date waits for the chair: the date in force stays until it is approved."""
    action.requested_due_date = new_date
    action.requested_due_reason = reason
    action.requested_due_by_id = actor.person_id
    action.requested_due_at = now
    record_event(
        s, action, actor, now, "due_request", _iso(action.due_date), _iso(new_date), reason
    )
    return _save(s, action)


def date_requested(action: Action) -> bool:
    """The last change_due made a request rather than moving the date."""
    return action.requested_due_date is not None


def _pending_request(s: Session, actor: Actor, ref: str) -> Action:
    action = _load(s, actor, Op.DECIDE_DUE, ref)
    if action.requested_due_date is None or not action.is_open:
        raise InvalidInput(f"{action.ref} has no new date waiting for a decision.")
    return action


def approve_due(
    s: Session, actor: Actor, ref: str, *, now: datetime, expected_version: int | None = None
) -> Action:
    """The chair (or an admin) accepts the owner's requested date: it is now the date in force."""
    action = _pending_request(s, actor, ref)
    _check_version(action, expected_version)
    new_date = action.requested_due_date
    assert new_date is not None
    return _set_due(s, action, actor, now, new_date, action.requested_due_reason)


def decline_due(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    """The chair (or an admin) keeps the date in force; the owner is told why."""
    action = _pending_request(s, actor, ref)
    body = _text(reason, f"A reason for declining the new date of {action.ref}", field="reason")
    _check_version(action, expected_version)
    requested = _iso(action.requested_due_date)
    _clear_request(action)
    record_event(s, action, actor, now, "due_declined", _iso(action.due_date), requested, body)
    return _save(s, action)


def cancel(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    action = _load(s, actor, Op.CANCEL, ref)
    _require_status(action, Op.CANCEL, f"{action.ref} is already {action.status.label}.")
    body = _text(reason, f"A reason for cancelling {action.ref} (superseded, merged, ...)")
    _check_version(action, expected_version)
    return _move(s, action, actor, now, "cancel", Status.CANCELLED, body)


def edit(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    text: str,
    now: datetime,
    expected_version: int | None = None,
) -> Action:
    """New wording for an action; the old text is kept in the history."""
    action = _load(s, actor, Op.EDIT, ref)
    _require_status(
        action, Op.EDIT, f"{action.ref} is cancelled; its wording can no longer change."
    )
    body = _text(text, f"The new wording of {action.ref}", field="text")
    assert body is not None
    _check_version(action, expected_version)
    if body == action.text:
        raise InvalidInput(f"{action.ref} already reads exactly that.", field="text")
    before = action.text
    action.text = body
    record_event(s, action, actor, now, "edited", before, body)
    return _save(s, action)


def merge(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    into: str,
    reason: str,
    now: datetime,
) -> tuple[Action, Action]:
    """`ref` is a duplicate of `into`: cancelled, and linked both ways. Its notes and history
    stay with it and are shown with `into`'s."""
    action = _load(s, actor, Op.MERGE, ref)
    target = _load(s, actor, Op.VIEW, into)
    if target.id == action.id:
        raise InvalidInput(f"{action.ref} cannot be merged into itself.")
    _require_status(action, Op.MERGE, f"{action.ref} is already {action.status.label}.")
    if target.status == Status.CANCELLED:
        raise InvalidInput(
            f"{target.ref} is cancelled: merge {action.ref} into the action that goes on."
        )
    body = _text(reason, f"A reason for merging {action.ref} into {target.ref}", field="reason")
    before = action.status.value
    action.status = Status.CANCELLED
    action.duplicate_of = target
    record_event(s, action, actor, now, "merged", before, target.ref, body)
    record_event(
        s,
        action,
        actor,
        now,
        "cancel",
        before,
        Status.CANCELLED.value,
        f"Duplicate of {target.ref}",
    )
    record_event(s, target, actor, now, "merged", action.ref, None, body)
    _save(s, action)
    return action, target


def duplicates_of(s: Session, action: Action) -> Sequence[Action]:
    """The actions merged into `action` as duplicates, oldest first."""
    return (
        s.scalars(select(Action).where(Action.duplicate_of_id == action.id).order_by(Action.number))
        .unique()
        .all()
    )


def add_evidence(
    s: Session,
    actor: Actor,
    ref: str,
    *,
    link: str,
    note: str | None,
    now: datetime,
) -> Action:
    """A link to a message or document, kept as evidence on the action (by its owner, chair or
    an admin), shown with its evidence of completion until sign-off or reopen."""
    action = _load(s, actor, Op.EVIDENCE, ref)
    _require_status(
        action,
        Op.EVIDENCE,
        f"{action.ref} is {action.status.label}; evidence can no longer be added.",
    )
    url = _link(link, "The evidence link")
    assert url is not None
    links = action.evidence_link_list
    if url in links:
        raise InvalidInput(f"That link is already evidence on {action.ref}.")
    body = _text(note, "The note", required=False, field="note")
    action.evidence_links = "\n".join([*links, url])
    record_event(s, action, actor, now, "evidence", None, url, body)
    return _save(s, action)


_URL = re.compile(r"^https?://[^\s<>|]{1,990}$")


def _link(value: str | None, what: str) -> str | None:
    url = (value or "").strip()
    if not _URL.match(url):
        raise InvalidInput(f"{what} must be a web link (https://…).")
    return url


def last_changed_by(s: Session, ref: str) -> str | None:
    """Name of whoever wrote the latest event on an action (for "changed by X just now")."""
    found = last_change(s, ref)
    return found[0] if found else None


def last_change(s: Session, ref: str) -> tuple[str, int | None, str] | None:
    """Who wrote the latest event on an action (name, person id) and what it was."""
    number = parse_ref(ref)
    row = s.execute(
        select(ActionEvent.actor_label, Person.name, ActionEvent.actor_id, ActionEvent.kind)
        .join(Action, Action.id == ActionEvent.action_id)
        .outerjoin(Person, Person.id == ActionEvent.actor_id)
        .where(Action.number == number)
        .order_by(ActionEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row[1] or row[0], row[2], row[3]
