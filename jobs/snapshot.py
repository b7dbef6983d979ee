"""What the notices read and make: a snapshot of the database at one moment, as plain rows, and
the notices owed from it. `jobs.owed` builds these; `jobs.render` turns them into Block Kit;
`jobs.outbox` sends `OwedNotice`s."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from models.brag import Brag, BragResult, BragRules, rate
from models.outbox import NoticeState
from models.schema import OPEN_STATUSES, Rating, Status, action_ref


@dataclass(slots=True)
class ActionRow:
    """The columns of an action the notices need (satisfies models.brag.Ratable).

    `ref` and `is_open` are worked out once when the row is read; `rating` holds the action's
    BRAG result once a snapshot has rated it (a snapshot is for one moment, so it never goes stale).
    """

    id: int
    number: int
    text: str
    status: Status
    owner_rating: Rating | None
    due_date: date | None
    owner_id: int | None
    last_update_at: datetime
    signed_off_at: datetime | None
    committee_id: int | None
    owner_slack_id: str | None
    owner_name: str | None
    owner_active: bool
    confidential: bool
    latest_progress: str | None
    requested_due_date: date | None
    # Signed off with the impact still to check: the day to check it, and how (else None).
    impact_review_on: date | None = None
    measure: str | None = None
    # Signed off with evidence of impact: what Blue needs under `[brag] blue = "impact-evidenced"`
    # (the evidence itself is not read: the notices never show it).
    evidence_of_impact: bool = False
    ref: str = ""
    is_open: bool = False
    rating: BragResult | None = None

    def __post_init__(self) -> None:
        self.ref = action_ref(self.number)
        self.is_open = self.status in OPEN_STATUSES


@dataclass(frozen=True)
class CommitteeRow:
    id: int
    code: str
    name: str
    channel: str | None
    digest_day: str
    digest_time: str
    chairs: tuple[str, ...]  # Slack ids of chairs who are in Slack


@dataclass
class _Probe:
    status: Status
    owner_rating: Rating | None
    due_date: date | None
    owner_id: int | None
    last_update_at: datetime
    evidence_of_impact: bool


@dataclass
class Snapshot:
    now: datetime
    rules: BragRules
    # Open and complete actions, and those signed off recently; older signed-off ones are only
    # counted, in `old_signed_off` by committee id and rating (Blue; Green without evidence of
    # impact when Blue needs it).
    actions: list[ActionRow]
    committees: dict[int, CommitteeRow]
    admins: list[str]
    board_channel: str | None
    old_signed_off: dict[int | None, Counter[Brag]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)  # the organisation file's values
    # Due dates moved (not first set) recently, by action id: read for digests only.
    moves: dict[int, list[Move]] = field(default_factory=dict)
    # Signed-off actions whose impact review is still to do, soonest first.
    impact_reviews: list[ActionRow] = field(default_factory=list)
    _brags: dict[tuple[Any, ...], BragResult] = field(default_factory=dict)

    def brag(self, a: ActionRow) -> BragResult:
        """`models.brag.rate`, memoised on everything it reads (most actions share a result)
        and kept on the row, as several notices rate the same action."""
        if a.rating is not None:
            return a.rating
        drift = timedelta(days=self.rules.drift_days)
        drifting = self.now - a.last_update_at >= drift
        key = (
            a.status,
            a.owner_rating,
            a.due_date,
            a.owner_id is None,
            drifting,
            a.evidence_of_impact,
        )
        r = self._brags.get(key)
        if r is None:
            probe = _Probe(
                a.status,
                a.owner_rating,
                a.due_date,
                None if a.owner_id is None else 0,
                self.now - drift if drifting else self.now,
                a.evidence_of_impact,
            )
            r = self._brags[key] = rate(probe, self.now, self.rules)
        a.rating = r
        return r


@dataclass(frozen=True)
class Move:
    """A change of an action's due date: from, to, why, by whom, when."""

    at: datetime
    before: str | None
    after: str | None
    note: str | None
    by: str


@dataclass(frozen=True)
class PastNotice:
    kind: str
    recipient: str
    period: str
    subjects: tuple[str, ...]
    state: NoticeState
    due_at: datetime
    last_error: str | None


@dataclass
class OwedNotice:
    kind: str
    recipient: str
    period: str
    due_at: datetime
    late: bool
    subjects: list[str]
    parts: list[dict[str, Any]]  # each {"text": str, "blocks": [...]}

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.recipient, self.period)


@dataclass(frozen=True)
class ReminderItem:
    action: ActionRow
    day: date
    reason: str
