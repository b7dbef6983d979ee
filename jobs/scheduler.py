"""The scheduler: APScheduler 3, jobs kept in the app's own database, one active per database.

Jobs (explicit ids, cron in Europe/London, so 09:00 stays 09:00 across clock changes), one per
time of day, so the jobs falling due together read the actions once:

- ``at@09:00``: weekdays, ``reminders``, ``escalations``, ``board-summary`` (each job decides
  whether anything is owed: bank holidays, the first working day of a quarter) and ``digests``
  (the admins' digest, and committees whose digest time is 09:00);
- ``at@HH:MM``: weekdays at each other time a committee's digest is set for, ``digests`` (a
  digest whose day is a bank holiday goes on the next working day at the same time);
- ``events``: every minute, event notices that have settled (see jobs.events);
- ``sweep``: every 15 minutes and once at start: every job catches up on what it missed while the
  app was down, and notices left pending (Slack busy, 5xx) are retried.

Job functions are module-level and take only job names; the live session factory, client and
clock are held here for the process that holds the database's scheduler lock.
"""

from __future__ import annotations

import logging
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from jobs.attachments import Attachments
from jobs.outbox import Dispatcher
from jobs.owed import JOB_NAMES, REMINDER_TIME
from jobs.runner import run_jobs
from jobs.slack import notice_retry_handlers
from models.brag import BragRules
from models.clock import Clock
from models.schema import Committee

log = logging.getLogger("lscb.jobs.scheduler")

LOCK_KEY = zlib.crc32(b"lscb-scheduler")  # PostgreSQL advisory lock id for "the scheduler"
SWEEP_MINUTES = "*/15"
STANDBY_RETRY_SECONDS = 30.0
JOBSTORE_TABLE = "apscheduler_jobs"


@dataclass
class _Runtime:
    session_factory: sessionmaker[Session]
    client: WebClient
    clock: Clock
    rules: BragRules
    dispatcher: Dispatcher
    lock: threading.Lock = field(default_factory=threading.Lock)


_runtime: _Runtime | None = None  # the active scheduler's collaborators, in this process


def scheduled_jobs(jobs: list[str]) -> None:
    """Jobs run by APScheduler at one moment (module-level, arguments serialisable)."""
    rt = _runtime
    if rt is None:
        log.warning("jobs %s fired with no active scheduler in this process", ", ".join(jobs))
        return
    with rt.lock:  # one run at a time: jobs of one scheduler never race each other
        try:
            run_jobs(
                jobs, rt.session_factory, rt.client, rt.clock, rt.rules, dispatcher=rt.dispatcher
            )
        except Exception:
            log.exception(
                "jobs %s failed; they will be caught up on the next sweep", ", ".join(jobs)
            )


def scheduled_job(job: str) -> None:
    """One job: what jobs stored by earlier versions (ids ``reminders``, ``digests@HH:MM``) call
    until the scheduler, starting, replaces them with the jobs above."""
    scheduled_jobs([job])


def sweep() -> None:
    """Catch up every job, then deliver anything still pending."""
    rt = _runtime
    if rt is None:
        return
    scheduled_jobs(list(JOB_NAMES))
    with rt.lock:
        try:
            rt.dispatcher.deliver_due(rt.clock.now())
        except Exception:
            log.exception("sweep delivery failed")


class SingleSchedulerLock:
    """One scheduler per database. PostgreSQL: a session advisory lock held on its own
    connection. SQLite file: an exclusive lock on a file beside the database (`flock`), released
    by the operating system if the process dies. An in-memory database needs none."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._conn is not None
        return self._file is not None or self._lock_path() is None

    def _lock_path(self) -> Path | None:
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
            return None
        return Path(f"{database}.scheduler-lock")

    def try_acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._try_advisory_lock()
        return self._try_file_lock()

    def _try_advisory_lock(self) -> bool:
        if self._conn is not None:
            return True
        conn = self.engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def _try_file_lock(self) -> bool:
        path = self._lock_path()
        if path is None or self._file is not None:
            return True
        try:
            import fcntl
        except ImportError:  # Windows: run one scheduler per database file
            return True
        handle = open(path, "ab")  # noqa: SIM115  (held open for as long as the lock is)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None


def jobs_by_time(session_factory: sessionmaker[Session]) -> dict[str, list[str]]:
    """The jobs falling due at each time of day ("HH:MM")."""
    with session_factory() as s:
        digest_times = set(s.scalars(select(Committee.digest_time)).all())
    nine = REMINDER_TIME.strftime("%H:%M")
    out: dict[str, list[str]] = {
        nine: ["events", "reminders", "escalations", "board-summary", "digests"]
    }
    for hhmm in sorted(digest_times - {nine}):  # the admins' digest is always at 09:00
        out[hhmm] = ["digests"]
    return out


class SchedulerHandle:
    """What `start_scheduler` returns: `active` when this process holds the lock; `stop()`."""

    def __init__(
        self,
        settings: Settings,
        runtime: _Runtime,
        engine: Engine,
        *,
        standby_retry: float,
        run_sweep_at_start: bool,
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        self.engine = engine
        self.lock = SingleSchedulerLock(engine)
        self.scheduler: BackgroundScheduler | None = None
        self.run_sweep_at_start = run_sweep_at_start
        self._standby_retry = standby_retry
        self._stopping = threading.Event()
        self._standby: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.scheduler is not None

    def try_activate(self) -> bool:
        """Take the database's scheduler lock if free and start scheduling; True when active."""
        global _runtime
        if self.active:
            return True
        if not self.lock.try_acquire():
            return False
        _runtime = self.runtime
        tz = self.settings.tz
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBSTORE_TABLE)},
            executors={"default": {"type": "threadpool", "max_workers": 1}},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=tz,
        )
        scheduler.start(paused=True)
        wanted: set[str] = set()
        for hhmm, jobs in sorted(jobs_by_time(self.runtime.session_factory).items()):
            h, m = hhmm.split(":")
            job_id = f"at@{hhmm}"
            scheduler.add_job(
                "jobs.scheduler:scheduled_jobs",
                CronTrigger(day_of_week="mon-fri", hour=int(h), minute=int(m), timezone=tz),
                args=[jobs],
                id=job_id,
                name=f"{job_id}: {', '.join(jobs)}",
                replace_existing=True,
            )
            wanted.add(job_id)
        sweep_kwargs: dict[str, Any] = {}
        if self.run_sweep_at_start:
            sweep_kwargs["next_run_time"] = datetime.now(UTC)
        scheduler.add_job(
            "jobs.scheduler:sweep",
            CronTrigger(minute=SWEEP_MINUTES, timezone=tz),
            id="sweep",
            name="sweep",
            replace_existing=True,
            **sweep_kwargs,
        )
        wanted.add("sweep")
        # Event notices as they happen: each minute, sending what has settled for QUIET.
        scheduler.add_job(
            "jobs.scheduler:scheduled_jobs",
            CronTrigger(minute="*", timezone=tz),
            args=[["events"]],
            id="events",
            name="events: as they happen",
            replace_existing=True,
        )
        wanted.add("events")
        for job in scheduler.get_jobs():
            if job.id not in wanted:  # a digest time no committee uses any more
                scheduler.remove_job(job.id)
        scheduler.resume()
        self.scheduler = scheduler
        log.info("scheduler active: %d jobs", len(wanted))
        return True

    def start_standby(self) -> None:
        """Keep trying for the lock, so a second process takes over when the first stops."""

        def loop() -> None:
            while not self._stopping.wait(self._standby_retry):
                try:
                    if self.try_activate():
                        return
                except Exception:
                    log.exception("standby scheduler could not check the lock")

        self._standby = threading.Thread(target=loop, name="lscb-scheduler-standby", daemon=True)
        self._standby.start()

    def stop(self) -> None:
        global _runtime
        self._stopping.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
            if _runtime is self.runtime:
                _runtime = None
        self.lock.release()
        if self._standby is not None:
            self._standby.join(timeout=5)


def notices_client(client: WebClient) -> WebClient:
    """The same token and base URL, retrying only HTTP 429 inside slack_sdk.

    A client built for the Slack surface may retry connection errors itself, which could post a
    notice twice; the outbox checks the conversation before any such retry instead.
    """
    only_429 = [h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)]
    if len(only_429) == len(client.retry_handlers) and only_429:
        return client
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=notice_retry_handlers(),
    )


def start_scheduler(
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: WebClient,
    clock: Clock,
    *,
    dispatcher: Dispatcher | None = None,
    standby_retry: float = STANDBY_RETRY_SECONDS,
    run_sweep_at_start: bool = True,
) -> SchedulerHandle:
    """Start the scheduler if this process can take the database's lock, else stand by.

    Returns a handle: `handle.active` tells which; `handle.stop()` stops it (and frees the lock).
    """
    engine = session_factory.kw["bind"]
    client = notices_client(client)
    runtime = _Runtime(
        session_factory,
        client,
        clock,
        settings.brag_rules,
        dispatcher
        or Dispatcher(
            session_factory, client, make_file=Attachments(session_factory, settings.brag_rules)
        ),
    )
    handle = SchedulerHandle(
        settings,
        runtime,
        engine,
        standby_retry=standby_retry,
        run_sweep_at_start=run_sweep_at_start,
    )
    if not handle.try_activate():
        log.info("another scheduler holds this database; standing by")
        handle.start_standby()
    return handle
