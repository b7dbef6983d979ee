"""Running one job once as of a time: work out what is owed, enqueue it, deliver it.

Re-running is harmless: notices are keyed by (kind, recipient, period) and subjects already told
are not told again. A job that was not run for a while (the app was down) catches up from where
it last finished, once, and the notices it sends late are marked late.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobs.attachments import Attachments
from jobs.outbox import Dispatcher, DispatchResult, enqueue
from jobs.owed import JOB_KINDS, JOB_NAMES, load_snapshot, owed_at
from jobs.snapshot import Snapshot
from models.brag import BragRules
from models.clock import Clock
from models.outbox import JobRun

log = logging.getLogger("lscb.jobs")


@dataclass
class JobResult:
    job: str
    now: datetime
    owed: int = 0
    queued: int = 0
    owed_by_kind: dict[str, int] = field(default_factory=dict)
    delivery: DispatchResult = field(default_factory=DispatchResult)
    error: Exception | None = None  # the job failed; its next run catches it up

    @property
    def ok(self) -> bool:
        """Everything owed was delivered or safely left for the next run."""
        return (
            self.error is None
            and self.delivery.configuration_error is None
            and self.delivery.undeliverable == 0
        )

    def to_dict(self) -> dict[str, object]:
        d = self.delivery
        return {
            "job": self.job,
            "now": self.now.isoformat(),
            "owed": self.owed,
            "queued": self.queued,
            "owed_by_kind": self.owed_by_kind,
            "sent": d.sent,
            "late": d.late,
            "undeliverable": d.undeliverable,
            "left_for_next_run": d.left,
            "errors": dict(d.errors),
            "configuration_error": d.configuration_error,
            "error": type(self.error).__name__ if self.error else None,
            "ok": self.ok,
        }


def _set_cursor(s: Session, job: str, now: datetime) -> None:
    row = s.get(JobRun, job)
    if row is None:
        s.add(JobRun(job=job, last_run_at=now))
    elif row.last_run_at < now:
        row.last_run_at = now


def plan_job(
    session_factory: sessionmaker[Session],
    job: str,
    now: datetime,
    rules: BragRules,
    snapshot: Snapshot | None = None,
) -> JobResult:
    """Work out what `job` owes at `now` and enqueue it, in one transaction (reading the actions
    again unless given a snapshot of them taken for this moment)."""
    if job not in JOB_KINDS:
        raise ValueError(f"unknown job {job!r}; expected one of {', '.join(JOB_NAMES)}")
    result = JobResult(job, now)
    with session_factory.begin() as s:
        owed = owed_at(s, job, now, rules, snapshot)
        result.owed = len(owed)
        result.owed_by_kind = dict(Counter(n.kind for n in owed))
        result.queued = enqueue(s, owed, now)
        _set_cursor(s, job, now)
    return result


def run_jobs(
    jobs: Sequence[str],
    session_factory: sessionmaker[Session],
    client: WebClient,
    clock: Clock,
    rules: BragRules,
    *,
    dispatcher: Dispatcher | None = None,
) -> list[JobResult]:
    """Run several jobs at one moment: the actions are read once, every job's notices are
    enqueued (each job in its own transaction), then each job's are delivered in turn.

    A job that fails is logged and kept in its result (`error`); the others still run, and its
    next run catches up what it owed.
    """
    unknown = [job for job in jobs if job not in JOB_KINDS]
    if unknown:
        raise ValueError(f"unknown job {unknown[0]!r}; expected one of {', '.join(JOB_NAMES)}")
    now = clock.now()
    with session_factory() as s:
        snapshot = load_snapshot(s, now, rules)
    results: list[JobResult] = []
    for job in jobs:
        try:
            results.append(plan_job(session_factory, job, now, rules, snapshot))
        except Exception as e:
            log.exception("job %s failed working out what is owed; its next run catches up", job)
            results.append(JobResult(job, now, error=e))
    dispatcher = dispatcher or Dispatcher(
        session_factory, client, make_file=Attachments(session_factory, rules)
    )
    for result in results:
        if result.error is not None:
            continue
        try:
            result.delivery = dispatcher.deliver_due(now, JOB_KINDS[result.job])
        except Exception as e:
            log.exception("job %s failed delivering; its notices wait for the next run", result.job)
            result.error = e
            continue
        log.info(
            "job %s: owed=%d queued=%d sent=%d late=%d undeliverable=%d left=%d",
            result.job,
            result.owed,
            result.queued,
            result.delivery.sent,
            result.delivery.late,
            result.delivery.undeliverable,
            result.delivery.left,
        )
    return results


def run_job(
    job: str,
    session_factory: sessionmaker[Session],
    client: WebClient,
    clock: Clock,
    rules: BragRules,
    *,
    dispatcher: Dispatcher | None = None,
) -> JobResult:
    """Run one job at `clock.now()`; a failure is raised, not only logged."""
    [result] = run_jobs([job], session_factory, client, clock, rules, dispatcher=dispatcher)
    if result.error is not None:
        raise result.error
    return result


def last_run(session_factory: sessionmaker[Session], job: str) -> datetime | None:
    with session_factory() as s:
        return s.scalar(select(JobRun.last_run_at).where(JobRun.job == job))
