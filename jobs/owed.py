"""What is owed at time T: pure functions from a snapshot of the database to notices.

The snapshot is read in a fixed number of SQL statements whatever the number of actions
(`load_snapshot`, `load_history`); everything after that is plain Python over rows.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import false, func, or_, select, true
from sqlalchemy.orm import Session

from jobs import events, render
from jobs.snapshot import (
    ActionRow,
    CommitteeRow,
    Move,
    OwedNotice,
    PastNotice,
    ReminderItem,
    Snapshot,
)
from models.brag import Brag, BragResult, BragRules, effective_deadline
from models.calendar import (
    LONDON,
    add_working_days,
    first_working_day_of_quarter,
    is_working_day,
    local_date,
)
from models.org import BRAG_SETTING, DAYS, brag_rules_from
from models.outbox import JobRun, Notice, NoticeState
from models.schema import (
    Action,
    ActionEvent,
    Committee,
    OrgSetting,
    Person,
    Review,
    RoleAssignment,
    RoleKind,
    Status,
)

log = logging.getLogger(__name__)

REMINDER = "reminder"  # direct message to an owner
REMINDER_CHANNEL = "reminder_channel"  # owners not in Slack, named in their committee's channel
DIGEST = "digest"
ADMIN_DIGEST = "admin_digest"
ESCALATION_CHAIR = "escalation_chair"
ESCALATION_BOARD = "escalation_board"
BOARD_SUMMARY = "board_summary"
IMPACT_REVIEW = "impact_review"  # direct message to a chair on an action's impact review day

JOB_KINDS: dict[str, tuple[str, ...]] = {
    "events": (events.EVENT,),
    "reminders": (REMINDER, REMINDER_CHANNEL, IMPACT_REVIEW),
    "digests": (DIGEST, ADMIN_DIGEST),
    "escalations": (ESCALATION_CHAIR, ESCALATION_BOARD),
    "board-summary": (BOARD_SUMMARY,),
}
JOB_NAMES = tuple(JOB_KINDS)

REMINDER_TIME = time(9, 0)
REMINDER_DAYS_BEFORE = (14, 7, 0)
CHAIR_ESCALATION_WD = 10  # overdue more than this many working days: the chair hears
BOARD_ESCALATION_WD = 30  # more than this: the board channel
LOOKBACK = timedelta(days=7)  # catch-up never reaches further back than this
FIRST_RUN_WINDOW = timedelta(hours=12)  # a job that never ran looks back this far
LATE_AFTER = timedelta(minutes=30)  # sent later than its time by more than this: marked late
ESCALATION_MEMORY = timedelta(days=366)
RECENT_BLUE = timedelta(days=60)  # signed off more recently: listed in digests, not only counted


# ---------------------------------------------------------------- reading (fixed statements)


def load_snapshot(s: Session, now: datetime, rules: BragRules) -> Snapshot:
    """Five statements: actions (with owner, review flag), roles, committees, the organisation's
    settings, and counts of actions signed off long ago.

    `rules` are the environment's windows; the snapshot rates with the board's [brag] key on
    top of them, as `lscb actions list` and the app's answers do (`models.org.org_brag_rules`)."""
    # Core, not ORM, execution: plain rows in, one dataclass per row out.
    rows: Sequence[Any] = (
        s.connection()
        .execute(
            select(
                Action.id,
                Action.number,
                Action.text,
                Action.status,
                Action.owner_rating,
                Action.due_date,
                Action.owner_id,
                Action.last_update_at,
                Action.signed_off_at,
                Action.committee_id,
                Person.slack_id,
                Person.name,
                func.coalesce(Person.active, true()),
                func.coalesce(Review.confidential, false()),
                Action.latest_progress,
                Action.requested_due_date,
                Action.impact_review_on,
                Action.measure,
                Action.evidence_of_impact.is_not(None),
            )
            .select_from(Action)
            .outerjoin(Person, Action.owner_id == Person.id)
            .outerjoin(Review, Action.review_id == Review.id)
            .where(
                Action.status != Status.CANCELLED,
                or_(
                    Action.status != Status.SIGNED_OFF,
                    Action.signed_off_at >= now - RECENT_BLUE,
                    Action.impact_review_on.is_not(None),  # its impact review is still to do
                ),
            )
            .order_by(Action.number)
        )
        .all()
    )
    actions = [ActionRow(*r) for r in rows]
    chairs: dict[int, list[str]] = defaultdict(list)
    admins: list[str] = []
    for role, committee_id, slack_id, active in s.execute(
        select(RoleAssignment.role, RoleAssignment.committee_id, Person.slack_id, Person.active)
        .join(Person, RoleAssignment.person_id == Person.id)
        .order_by(Person.id)
    ):
        if not slack_id or active is False:
            continue
        if role == RoleKind.CHAIR and committee_id is not None:
            chairs[committee_id].append(slack_id)
        elif role == RoleKind.ADMIN:
            admins.append(slack_id)
    committees = {
        c.id: CommitteeRow(
            c.id,
            c.code,
            c.name,
            c.channel,
            c.digest_day,
            c.digest_time,
            tuple(chairs.get(c.id, ())),
        )
        for c in s.execute(
            select(
                Committee.id,
                Committee.code,
                Committee.name,
                Committee.channel,
                Committee.digest_day,
                Committee.digest_time,
            ).order_by(Committee.code)
        )
    }
    settings = {k: v for k, v in s.execute(select(OrgSetting.key, OrgSetting.value))}
    board = settings.get("board_channel")
    # The board's own [brag] key (what Blue means, its labels), read with the other settings.
    rules = brag_rules_from(settings.get(BRAG_SETTING), rules)
    old: dict[int | None, Counter[Brag]] = defaultdict(Counter)
    for committee_id, evidenced, n in s.execute(
        select(Action.committee_id, Action.evidence_of_impact.is_not(None), func.count())
        .where(
            Action.status == Status.SIGNED_OFF,
            Action.signed_off_at < now - RECENT_BLUE,
            Action.impact_review_on.is_(None),  # those with one are in `actions`
        )
        .group_by(Action.committee_id, Action.evidence_of_impact.is_not(None))
    ):
        pending = rules.blue_needs_impact and not evidenced
        old[committee_id][Brag.GREEN if pending else Brag.BLUE] += n
    snap = Snapshot(now, rules, actions, committees, admins, board, dict(old), settings)
    snap.impact_reviews = sorted(
        (a for a in actions if a.status == Status.SIGNED_OFF and a.impact_review_on is not None),
        key=lambda a: (a.impact_review_on, a.number),
    )
    return snap


def load_moves(s: Session, since: datetime) -> dict[int, list[Move]]:
    """One statement: every change of a due date since `since` (not first dates), by action."""
    out: dict[int, list[Move]] = defaultdict(list)
    for action_id, at, before, after, note, who in s.execute(
        select(
            ActionEvent.action_id,
            ActionEvent.at,
            ActionEvent.before,
            ActionEvent.after,
            ActionEvent.note,
            func.coalesce(Person.name, ActionEvent.actor_label),
        )
        .outerjoin(Person, Person.id == ActionEvent.actor_id)
        .where(ActionEvent.kind == "due", ActionEvent.before.is_not(None), ActionEvent.at >= since)
        .order_by(ActionEvent.id)
    ):
        out[action_id].append(Move(at, before, after, note, who))
    return out


def load_history(s: Session, kinds: Iterable[str], since: datetime) -> list[PastNotice]:
    """One statement: notices of these kinds due since `since`, whatever their state."""
    return [
        PastNotice(k, r, p, tuple(json.loads(subj or "[]")), st, due, err)
        for k, r, p, subj, st, due, err in s.execute(
            select(
                Notice.kind,
                Notice.recipient,
                Notice.period,
                Notice.subjects,
                Notice.state,
                Notice.due_at,
                Notice.last_error,
            ).where(Notice.kind.in_(list(kinds)), Notice.due_at >= since)
        )
    ]


def window_start(s: Session, job: str, now: datetime) -> datetime:
    """Catch-up starts where the job last finished, never further back than LOOKBACK."""
    last = s.scalar(select(JobRun.last_run_at).where(JobRun.job == job))
    if last is None or last > now:
        return now - FIRST_RUN_WINDOW
    return max(last, now - LOOKBACK)


# ---------------------------------------------------------------- calendar helpers


# The next working day from a day (itself when it is one), memoised.
_nwd = effective_deadline


@lru_cache(maxsize=4096)
def _plus_working_days(day: date, n: int) -> date:
    return add_working_days(day, n)


def at_local(day: date, t: time) -> datetime:
    """`day` at wall-clock time `t` in London, as an aware datetime (right across clock changes)."""
    return datetime.combine(day, t, tzinfo=LONDON)


def parse_hhmm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def reminder_slots(start: datetime, now: datetime) -> list[date]:
    """Working days whose 09:00 London falls in [start, now]."""
    out = []
    day = local_date(start) - timedelta(days=1)
    last = local_date(now)
    while day <= last:
        if is_working_day(day) and start <= at_local(day, REMINDER_TIME) <= now:
            out.append(day)
        day += timedelta(days=1)
    return out


def weekly_day(day: date, weekday: str) -> date:
    """The week's reminder day (the organisation file's weekday, moved to the next working day
    when it is not one) of the ISO week holding `day`."""
    index = DAYS.index(weekday) if weekday in DAYS else 0
    return _nwd(day - timedelta(days=day.weekday()) + timedelta(days=index))


@lru_cache(maxsize=65536)
def reminder_reason(due: date, day: date, weekly: bool = True, amber_days: int = 14) -> str | None:
    """Why an open action with this due date is reminded on `day`, or None.

    On the week's reminder day everything due within `amber_days` or overdue; on any working day
    what falls due that day (a due date that is not a working day counts from the next one).
    """
    deadline = _nwd(due)
    if deadline == day:
        return "due today"
    if weekly and (day > deadline or (deadline - day).days <= amber_days):
        return "overdue" if day > deadline else "due soon"
    return None


@lru_cache(maxsize=65536)
def as_of(due: date, today: date) -> str:
    """An action's due date in words as of the day a message is sent."""
    deadline = _nwd(due)
    left = (deadline - today).days
    if left == 0:
        return "due today"
    if left > 0:
        return f"due in {left} day{'s' if left != 1 else ''}"
    # A due date on a weekend or bank holiday is met by the next working day: overdue counts
    # from there, as BRAG and the digests count it.
    late = (today - deadline).days
    return f"overdue by {late} day{'s' if late != 1 else ''}"


def digest_slot(c: CommitteeRow, now: datetime) -> tuple[datetime, str] | None:
    """The latest digest time of a committee at or before `now`, and its period (ISO week).

    A digest whose day is not a working day goes at the same time on the next working day.
    """
    weekday = DAYS.index(c.digest_day[:3].lower()) if c.digest_day[:3].lower() in DAYS else 0
    t = parse_hhmm(c.digest_time)
    today = local_date(now)
    monday = today - timedelta(days=today.weekday())
    best: tuple[datetime, str] | None = None
    for weeks_back in (0, 1, 2):
        nominal = monday - timedelta(days=7 * weeks_back) + timedelta(days=weekday)
        when = at_local(_nwd(nominal), t)
        if when <= now and (best is None or when > best[0]):
            y, w, _ = nominal.isocalendar()
            best = (when, f"{y}-W{w:02d}")
    return best


def board_summary_slot(now: datetime) -> tuple[datetime, str]:
    today = local_date(now)
    first = first_working_day_of_quarter(today)
    when = at_local(first, REMINDER_TIME)
    if when > now:  # before 09:00 on the first working day: the previous quarter's is latest
        prev = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
        first = first_working_day_of_quarter(prev)
        when = at_local(first, REMINDER_TIME)
    q = (first.month - 1) // 3 + 1
    return when, f"{first.year}-Q{q}"


def _late(due_at: datetime, now: datetime) -> bool:
    return now - due_at > LATE_AFTER


def _covered(history: Sequence[PastNotice], kinds: Iterable[str]) -> dict[str, set[str]]:
    wanted = set(kinds)
    out: dict[str, set[str]] = defaultdict(set)
    for p in history:
        if p.kind in wanted:
            out[p.recipient].update(p.subjects)
    return out


# ---------------------------------------------------------------- the notices


def owed_reminders(
    snap: Snapshot, history: Sequence[PastNotice], start: datetime
) -> list[OwedNotice]:
    """Owner reminders for every 09:00 working-day slot in [start, now] not yet covered."""
    now = snap.now
    days = reminder_slots(start, now)
    if not days:
        return []
    covered = _covered(history, (REMINDER, REMINDER_CHANNEL))
    by_owner: dict[str, list[ReminderItem]] = defaultdict(list)
    by_channel: dict[str, list[ReminderItem]] = defaultdict(list)
    weekday = snap.settings.get("reminder_day", "mon")
    weekly = {day: weekly_day(day, weekday) == day for day in days}
    amber = snap.rules.amber_days
    today = local_date(now)
    for a in snap.actions:
        if not a.is_open or a.due_date is None or a.owner_id is None:
            continue
        for day in days:
            if reminder_reason(a.due_date, day, weekly[day], amber) is None:
                continue
            reason = as_of(a.due_date, today)  # stated as things stand when it is sent
            subject = f"{a.ref}@{day.isoformat()}"
            if a.owner_slack_id and a.owner_active:
                if subject not in covered.get(a.owner_slack_id, ()):
                    by_owner[a.owner_slack_id].append(ReminderItem(a, day, reason))
            else:
                c = snap.committees.get(a.committee_id) if a.committee_id else None
                if c and c.channel and subject not in covered.get(c.channel, ()):
                    by_channel[c.channel].append(ReminderItem(a, day, reason))
    out: list[OwedNotice] = []
    for kind, groups in ((REMINDER, by_owner), (REMINDER_CHANNEL, by_channel)):
        for recipient, items in sorted(groups.items()):
            first, last = min(i.day for i in items), max(i.day for i in items)
            due_at = at_local(last, REMINDER_TIME)
            shown = _latest_reason_per_action(items)
            parts = (
                render.owner_reminder(shown) if kind == REMINDER else render.channel_reminder(shown)
            )
            out.append(
                OwedNotice(
                    kind,
                    recipient,
                    last.isoformat(),
                    due_at,
                    _late(at_local(first, REMINDER_TIME), now),
                    sorted({f"{i.action.ref}@{i.day.isoformat()}" for i in items}),
                    parts,
                )
            )
    return out


def _latest_reason_per_action(items: list[ReminderItem]) -> list[ReminderItem]:
    """Catching up several days shows each action once, with its latest reason."""
    best: dict[int, ReminderItem] = {}
    for i in items:
        if i.action.id not in best or i.day > best[i.action.id].day:
            best[i.action.id] = i
    return sorted(best.values(), key=lambda i: (i.action.due_date or i.day, i.action.number))


def escalation_week(snap: Snapshot) -> tuple[datetime, str] | None:
    """This week's escalation moment (the reminder day at 09:00) once it has come, and the week."""
    today = local_date(snap.now)
    day = weekly_day(today, snap.settings.get("reminder_day", "mon"))
    when = at_local(day, REMINDER_TIME)
    if when > snap.now:
        return None
    y, w, _ = (day - timedelta(days=day.weekday())).isocalendar()
    return when, f"{y}-W{w:02d}"


def owed_impact_reviews(
    snap: Snapshot, history: Sequence[PastNotice], start: datetime
) -> list[OwedNotice]:
    """On an action's impact review day (09:00, the next working day when it is not one), each
    chair of its committee in Slack (the admins where it has none) gets it with Record impact and
    Set a new review date; the committee's digest lists it until the impact is recorded."""
    days = reminder_slots(start, snap.now)
    if not days or not snap.impact_reviews:
        return []
    covered = _covered(history, (IMPACT_REVIEW,))
    wanted = set(days)
    by_chair: dict[str, list[tuple[ActionRow, date]]] = defaultdict(list)
    for row in snap.impact_reviews:
        assert row.impact_review_on is not None
        day = _nwd(row.impact_review_on)
        if day not in wanted:
            continue
        c = snap.committees.get(row.committee_id) if row.committee_id else None
        subject = f"{row.ref}@{row.impact_review_on.isoformat()}"
        for chair in c.chairs if c and c.chairs else snap.admins:
            if subject not in covered.get(chair, set()):
                by_chair[chair].append((row, day))
    out = []
    for chair, items in sorted(by_chair.items()):
        first, last = min(d for _, d in items), max(d for _, d in items)
        out.append(
            OwedNotice(
                IMPACT_REVIEW,
                chair,
                last.isoformat(),
                at_local(last, REMINDER_TIME),
                _late(at_local(first, REMINDER_TIME), snap.now),
                sorted(f"{r.ref}@{r.impact_review_on}" for r, _ in items),
                render.impact_review_notice([r for r, _ in items], snap),
            )
        )
    return out


def owed_escalations(snap: Snapshot, history: Sequence[PastNotice]) -> list[OwedNotice]:
    """Once a week (the reminder day): actions overdue more than 10 working days to the chair,
    and more than 30 to the board channel as one round-up.

    A committee with a channel and a chair in Slack shows its chair's escalations in its weekly
    digest (flagged "escalated"); otherwise the chairs, or the admins standing in for a committee
    with no chair in Slack or an action with no committee, get one direct message a week with
    the actions newly escalated. The board's round-up lists every action past 30 working days.
    """
    week = escalation_week(snap)
    if week is None:
        return []
    when, period = week
    now = snap.now
    covered = _covered(history, (ESCALATION_CHAIR, ESCALATION_BOARD))
    sent = {(p.kind, p.recipient, p.period) for p in history}
    chair_items: dict[str, list[tuple[ActionRow, BragResult, date]]] = defaultdict(list)
    board_items: list[tuple[ActionRow, BragResult, date]] = []
    for a in snap.actions:
        if not a.is_open or a.due_date is None or a.owner_id is None:
            continue
        r = snap.brag(a)
        if r.working_days_overdue <= CHAIR_ESCALATION_WD:
            continue
        subject = f"{a.ref}@{a.due_date.isoformat()}"
        deadline = _nwd(a.due_date)
        c = snap.committees.get(a.committee_id) if a.committee_id else None
        crossed = _plus_working_days(deadline, CHAIR_ESCALATION_WD + 1)
        in_digest = c is not None and bool(c.channel) and bool(c.chairs)
        if not in_digest:
            for chair in c.chairs if c and c.chairs else snap.admins:
                if subject not in covered.get(chair, set()):
                    chair_items[chair].append((a, r, crossed))
        if r.working_days_overdue > BOARD_ESCALATION_WD and snap.board_channel:
            board_items.append((a, r, _plus_working_days(deadline, BOARD_ESCALATION_WD + 1)))
    out: list[OwedNotice] = []
    for chair, items in sorted(chair_items.items()):
        if (ESCALATION_CHAIR, chair, period) in sent:
            continue
        out.append(
            OwedNotice(
                ESCALATION_CHAIR,
                chair,
                period,
                when,
                _late(when, now),
                sorted(f"{a.ref}@{a.due_date.isoformat()}" for a, _, _ in items if a.due_date),
                render.chair_escalation(items, snap, now),
            )
        )
    board = snap.board_channel
    if board_items and board and (ESCALATION_BOARD, board, period) not in sent:
        told = covered.get(board, set())
        new = {a.ref for a, _, _ in board_items if f"{a.ref}@{a.due_date}" not in told}
        out.append(
            OwedNotice(
                ESCALATION_BOARD,
                board,
                period,
                when,
                _late(when, now),
                sorted(
                    f"{a.ref}@{a.due_date.isoformat()}" for a, _, _ in board_items if a.due_date
                ),
                render.board_escalation(board_items, snap, now, new),
            )
        )
    return out


def owed_digests(
    snap: Snapshot,
    history: Sequence[PastNotice],
    start: datetime,
    failed: Sequence[PastNotice] = (),
) -> list[OwedNotice]:
    """Each committee's latest weekly digest in [start, now], and the admins' weekly digest."""
    now = snap.now
    sent = {(p.kind, p.recipient, p.period) for p in history}
    last_digest: dict[str, datetime] = {}
    for p in history:
        if p.kind == DIGEST and p.state == NoticeState.SENT:
            last_digest[p.recipient] = max(p.due_at, last_digest.get(p.recipient, p.due_at))
    by_committee: dict[int, list[ActionRow]] = defaultdict(list)
    for a in snap.actions:
        if a.committee_id is not None:
            by_committee[a.committee_id].append(a)
    out: list[OwedNotice] = []
    for c in snap.committees.values():
        if not c.channel:
            continue
        slot = digest_slot(c, now)
        if slot is None or slot[0] < start or (DIGEST, c.channel, slot[1]) in sent:
            continue
        when, period = slot
        previous = last_digest.get(c.channel)
        since = previous if previous is not None and previous < when else when - timedelta(days=7)
        out.append(
            OwedNotice(
                DIGEST,
                c.channel,
                period,
                when,
                _late(when, now),
                [],
                render.committee_digest(c, by_committee.get(c.id, []), snap, since),
            )
        )
    admin = owed_admin_digest(snap, history, start, sent, failed)
    return out + admin


def owed_admin_digest(
    snap: Snapshot,
    history: Sequence[PastNotice],
    start: datetime,
    sent: set[tuple[str, str, str]],
    failed_history: Sequence[PastNotice],
) -> list[OwedNotice]:
    """Mondays (next working day) 09:00: notices Slack refused for good, and actions to triage."""
    now = snap.now
    slot = digest_slot(CommitteeRow(0, "", "", None, "mon", "09:00", ()), now)
    if slot is None or slot[0] < start:
        return []
    when, period = slot
    failed = [p for p in failed_history if p.kind != ADMIN_DIGEST]
    unassigned = [
        a for a in snap.actions if a.is_open and (a.owner_id is None or a.due_date is None)
    ]
    if not failed and not unassigned:
        return []
    parts = render.admin_digest(failed, unassigned)
    return [
        OwedNotice(ADMIN_DIGEST, admin, period, when, _late(when, now), [], parts)
        for admin in snap.admins
        if (ADMIN_DIGEST, admin, period) not in sent
    ]


def owed_board_summary(
    snap: Snapshot, history: Sequence[PastNotice], start: datetime
) -> list[OwedNotice]:
    if not snap.board_channel:
        return []
    when, period = board_summary_slot(snap.now)
    if when < start or any(
        p.kind == BOARD_SUMMARY and p.recipient == snap.board_channel and p.period == period
        for p in history
    ):
        return []
    return [
        OwedNotice(
            BOARD_SUMMARY,
            snap.board_channel,
            period,
            when,
            _late(when, snap.now),
            [],
            render.board_summary(snap, period),
        )
    ]


def history_since(job: str, now: datetime, start: datetime) -> datetime:
    if job == "events":
        return now - events.EVENT_LOOKBACK - timedelta(days=1)
    if job == "escalations":
        return now - ESCALATION_MEMORY
    if job == "board-summary":
        return now - timedelta(days=100)
    if job == "digests":
        return now - timedelta(days=60)
    return start - timedelta(days=2)


def owed_for(
    job: str,
    snap: Snapshot,
    history: Sequence[PastNotice],
    start: datetime,
    failed: Sequence[PastNotice] = (),
    event_rows: Sequence[events.EventRow] = (),
    modes: dict[str, str] | None = None,
) -> list[OwedNotice]:
    if job == "events":
        chairs = {c.id: c.chairs for c in snap.committees.values()}
        covered = _covered(history, (events.EVENT,))
        channels = {c.id: c.channel for c in snap.committees.values()}
        return events.owed_events(
            event_rows, covered, modes or {}, chairs, snap.admins, snap.now, channels
        )
    if job == "reminders":
        return owed_reminders(snap, history, start) + owed_impact_reviews(snap, history, start)
    if job == "digests":
        return owed_digests(snap, history, start, failed)
    if job == "escalations":
        return owed_escalations(snap, history)
    if job == "board-summary":
        return owed_board_summary(snap, history, start)
    raise ValueError(f"unknown job {job!r}")


def owed_at(
    s: Session, job: str, now: datetime, rules: BragRules, snap: Snapshot | None = None
) -> list[OwedNotice]:
    """Everything `job` owes at `now`, in at most 8 SQL statements whatever the data (3 when
    given a snapshot already read for this tick)."""
    start = window_start(s, job, now)
    snap = snap or load_snapshot(s, now, rules)
    history = load_history(s, JOB_KINDS[job], history_since(job, now, start))
    failed = load_failed(s, now - LOOKBACK) if job == "digests" else []
    if job == "digests":
        snap.moves = load_moves(s, now - timedelta(days=60))
    if job == "events":
        rows, modes = events.load_events(s, now), events.load_modes(s)
        return owed_for(job, snap, history, start, event_rows=rows, modes=modes)
    owed = owed_for(job, snap, history, start, failed)
    if job == "board-summary":
        for notice in owed:
            attach_board_paper(notice)
    return owed


def attach_board_paper(notice: OwedNotice) -> None:
    """The board paper of the quarter just ended as the summary thread's last part: made when
    the summary is sent (`jobs.attachments`), as things stand then."""
    from models.quarters import Quarter

    quarter = Quarter.of(local_date(notice.due_at)).previous
    notice.parts.append(render.board_paper_part(notice.due_at, quarter.label))


def owed_at_tick(
    s: Session, now: datetime, rules: BragRules, jobs: Sequence[str] = JOB_NAMES
) -> dict[str, list[OwedNotice]]:
    """Every job's notices at one tick, from one snapshot."""
    snap = load_snapshot(s, now, rules)
    return {job: owed_at(s, job, now, rules, snap) for job in jobs}


def load_failed(s: Session, since: datetime) -> list[PastNotice]:
    """One statement: notices Slack refused for good, due since `since` (ids and codes only)."""
    return [
        PastNotice(k, r, p, (), NoticeState.UNDELIVERABLE, due, err)
        for k, r, p, due, err in s.execute(
            select(Notice.kind, Notice.recipient, Notice.period, Notice.due_at, Notice.last_error)
            .where(Notice.state == NoticeState.UNDELIVERABLE, Notice.due_at >= since)
            .order_by(Notice.due_at)
        )
    ]


def preview_digest(
    s: Session, committee_id: int, now: datetime, rules: BragRules
) -> list[render.Part]:
    """What the committee's weekly digest would say if it went now (`/lscb digest`): the same
    content as the scheduled one, covering sign-offs since the last digest actually sent."""
    snap = load_snapshot(s, now, rules)
    snap.moves = load_moves(s, now - timedelta(days=60))
    c = snap.committees[committee_id]
    history = load_history(s, (DIGEST,), history_since("digests", now, now))
    sent = [
        p.due_at
        for p in history
        if p.recipient == c.channel and p.state == NoticeState.SENT and p.due_at <= now
    ]
    since = max(sent) if sent else now - timedelta(days=7)
    actions = [a for a in snap.actions if a.committee_id == committee_id]
    return render.committee_digest(c, actions, snap, since)
