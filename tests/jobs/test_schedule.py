"""When notices are owed: reminders, escalations, catch-up, clock changes, bank holidays."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, timedelta

import docx
import pytest
from sqlalchemy import event, select

from bot.ids import BUTTON_DONE, BUTTON_DUE, BUTTON_UPDATE
from bot.settings import Settings
from jobs.runner import run_jobs
from jobs.scheduler import start_scheduler
from models.clock import FixedClock
from models.outbox import Notice
from models.schema import Person
from tests.factories import make_action
from tests.jobs.conftest import channel_id, make_client, posts

NURSE = "U0DESNURS"


def dm(slack, user: str) -> list:
    return [m for m in slack.messages(user=user) if not m.thread_ts]


def button_values(message) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_one_reminder_a_day_per_owner_groups_their_actions_with_buttons(
    runner, slack, session_factory
):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    a1 = make_action(session_factory, created, due=date(2026, 12, 21))  # 14 days on
    a2 = make_action(session_factory, created, due=date(2026, 12, 14))  # 7 days on
    make_action(session_factory, created, due=date(2026, 12, 22))  # nothing today
    result = runner.run("reminders", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert result.ok and result.owed_by_kind == {"reminder": 1}
    [message] = dm(slack, NURSE)
    assert button_values(message) == [
        (BUTTON_UPDATE, a2),
        (BUTTON_DONE, a2),
        (BUTTON_DUE, a2),
        (BUTTON_UPDATE, a1),
        (BUTTON_DONE, a1),
        (BUTTON_DUE, a1),
    ]
    assert "due in 7 days" in str(message.blocks) and "due in 14 days" in str(message.blocks)
    runner.run("reminders", datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    assert len(dm(slack, NURSE)) == 1


def test_reminders_on_the_due_day_then_weekly_while_overdue(runner, slack, session_factory):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 11, 30))
    days = {}
    for offset in range(0, 22):
        now = datetime(2026, 11, 30, 9, 5, tzinfo=UTC) + timedelta(days=offset)
        days[now.date()] = runner.run("reminders", now).delivery.sent
    sent_on = [d for d, n in days.items() if n]
    assert sent_on == [
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
    ]
    assert "overdue by 21 days" in str(dm(slack, NURSE)[-1].blocks)


def test_owners_not_in_slack_are_named_in_their_committee_channel(runner, slack, session_factory):
    ref = make_action(  # an owner who is not in Slack
        session_factory,
        datetime(2026, 11, 2, 9, tzinfo=UTC),
        due=date(2026, 12, 14),
        owner="Bernadette Quinn",
        committee="PDC",
    )
    make_action(
        session_factory,
        datetime(2026, 11, 2, 9, tzinfo=UTC),
        due=date(2026, 12, 14),
        confidential=True,
        committee="PDC",
        owner="U0POLICE1",
    )
    result = runner.run("reminders", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert result.owed_by_kind == {"reminder": 1, "reminder_channel": 1}
    [post] = posts(slack, channel_id(slack, "#lscb-pdc"))
    assert "Bernadette Quinn" in str(post.blocks) and ref in str(post.blocks)


def test_confidential_actions_appear_by_reference_only_in_channels(runner, slack, session_factory):
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ref = make_action(session_factory, created, due=date(2026, 11, 20), confidential=True)
    runner.run("digests", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    [digest] = posts(slack, channel_id(slack, "#lscb-qaec"))
    shown = str(digest.blocks)
    assert ref in shown and "Issue bruising guidance" not in shown


def test_escalations_reach_the_chair_in_the_digest_and_the_board_once_a_week_as_one_round_up(
    runner, slack, session_factory
):
    chair_only = make_action(
        session_factory, datetime(2026, 10, 1, 9, tzinfo=UTC), due=date(2026, 11, 2)
    )
    board_too = make_action(
        session_factory, datetime(2026, 9, 1, 9, tzinfo=UTC), due=date(2026, 10, 1)
    )
    make_action(
        session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 11, 30)
    )  # 5 days
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    result = runner.run("escalations", now)
    assert result.ok and result.owed_by_kind == {"escalation_board": 1}
    assert dm(slack, "U0QAECCH1") == []  # QAEC has a channel: its chair reads it in the digest
    runner.run("digests", now)
    [digest] = posts(slack, channel_id(slack, "#lscb-qaec"))
    assert f"*{chair_only}*" in str(digest.blocks) and "escalated" in str(digest.blocks)
    [to_board] = posts(slack, channel_id(slack, "#lscb-board"))
    assert board_too in str(to_board.blocks) and chair_only not in str(to_board.blocks)
    assert "new this week" in str(to_board.blocks)
    # Not daily: nothing more this week; next week's reminder day brings one more round-up.
    board_days = []
    for offset in range(1, 14):
        day = now + timedelta(days=offset)
        if runner.run("escalations", day).delivery.sent:
            board_days.append(day.date())
    assert board_days == [date(2026, 12, 14)]
    last = posts(slack, channel_id(slack, "#lscb-board"))[-1]
    assert board_too in str(last.blocks) and "new this week" not in str(last.blocks)


def test_with_no_chair_in_slack_the_admins_hear_the_chair_escalation_once_a_week(
    runner, slack, session_factory
):
    created = datetime(2026, 10, 1, 9, tzinfo=UTC)
    chairless = make_action(session_factory, created, due=date(2026, 11, 2))  # QAEC
    no_committee = make_action(session_factory, created, due=date(2026, 11, 2), committee=None)
    chaired = make_action(session_factory, created, due=date(2026, 11, 2), committee="PDC")
    with session_factory.begin() as s:  # the QAEC chair's account was deactivated
        s.scalars(select(Person).where(Person.slack_id == "U0QAECCH1")).one().active = False
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    result = runner.run("escalations", now)
    assert result.ok and result.owed_by_kind == {"escalation_chair": 2}
    assert dm(slack, "U0QAECCH1") == []
    assert dm(slack, "U0PDCCHR1") == []  # PDC's chair reads it in the PDC digest
    for admin in ("U0BUSMGR1", "U0BUSOFF2"):
        [message] = dm(slack, admin)
        texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
        assert any("QAEC" in x and "no chair in Slack" in x for x in texts)
        assert any("No committee" in x for x in texts)
        shown = str(message.blocks)
        assert chairless in shown and no_committee in shown and chaired not in shown
        # A chair's (or admin's) escalation carries their buttons, not the owner's.
        assert {a for a, _ in button_values(message)} == {"lscb_show"}
    for offset in range(1, 8):  # one direct message a week, and each action once
        assert runner.run("escalations", now + timedelta(days=offset)).owed == 0


def test_a_reminder_missed_while_the_app_was_down_is_sent_once_and_marked_late(
    runner, slack, session_factory
):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 12, 21))
    runner.run("reminders", datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # Friday: nothing owed
    assert dm(slack, NURSE) == []
    # Down all Monday 14 December (the 7-day reminder); back on Tuesday at 11:00.
    back = datetime(2026, 12, 15, 11, 0, tzinfo=UTC)
    first = runner.run("reminders", back)
    again = runner.run("reminders", back + timedelta(minutes=15))
    assert (first.delivery.sent, first.delivery.late, again.owed) == (1, 1, 0)
    assert len(dm(slack, NURSE)) == 1
    with session_factory() as s:
        [notice] = s.scalars(select(Notice)).all()
        assert (notice.period, notice.late) == ("2026-12-14", True)


def test_a_digest_missed_while_down_is_sent_once_late(runner, slack):
    runner.run("digests", datetime(2026, 12, 4, 9, 0, tzinfo=UTC))  # Friday
    back = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # down from Monday until Tuesday 10:00
    result = runner.run("digests", back)
    # The Monday committees' digests, late; CSE's (Tuesday 10:00) on time.
    assert result.delivery.sent == 5 and result.delivery.late == 4
    assert runner.run("digests", back + timedelta(hours=1)).owed == 0


def test_october_clock_change_keeps_reminders_at_nine_london(runner, slack, session_factory):
    # Clocks go back on Sunday 25 October 2026: 09:00 London is 08:00 UTC before, 09:00 after.
    make_action(session_factory, datetime(2026, 9, 1, 9, tzinfo=UTC), due=date(2026, 11, 2))
    make_action(session_factory, datetime(2026, 9, 1, 9, tzinfo=UTC), due=date(2026, 11, 9))
    assert runner.run("reminders", datetime(2026, 10, 19, 8, 0, tzinfo=UTC)).delivery.sent == 1
    assert runner.run("reminders", datetime(2026, 10, 26, 8, 30, tzinfo=UTC)).owed == 0
    assert runner.run("reminders", datetime(2026, 10, 26, 9, 0, tzinfo=UTC)).delivery.sent == 1


def test_jobs_due_together_read_the_actions_once_and_each_deliver(runner, slack, session_factory):
    created = datetime(2026, 9, 1, 9, tzinfo=UTC)
    make_action(session_factory, created, due=date(2026, 12, 21))  # reminder: 14 days on
    # Overdue, no committee: the admins' weekly escalation.
    make_action(session_factory, created, due=date(2026, 10, 30), committee=None)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    engine = session_factory.kw["bind"]
    snapshot_reads: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and "action.text" in statement:
            snapshot_reads.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        results = run_jobs(
            ["reminders", "escalations", "board-summary", "digests"],
            session_factory,
            runner.client,
            FixedClock(monday),
            runner.rules,
            dispatcher=runner.dispatcher(),
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(snapshot_reads) == 1
    by_job = {r.job: r for r in results}
    assert by_job["reminders"].owed_by_kind == {"reminder": 1}
    assert by_job["escalations"].owed_by_kind == {"escalation_chair": 2}
    assert by_job["board-summary"].owed == 0  # not the first working day of a quarter
    assert by_job["digests"].delivery.sent >= 4  # the committees digesting on Mondays
    assert all(r.ok and r.delivery.left == 0 for r in results)
    # Each job remembers its run: running them again one by one owes nothing more.
    for job in ("reminders", "escalations", "digests"):
        assert runner.run(job, monday + timedelta(minutes=5)).owed == 0


def test_the_scheduler_fires_at_nine_london_across_the_october_change(session_factory, slack):
    settings = Settings(database_url="sqlite://")
    handle = start_scheduler(
        settings,
        session_factory,
        make_client(slack),
        FixedClock(datetime.now(UTC)),
        run_sweep_at_start=False,
    )
    try:
        assert handle.active
        jobs = {j.id: j.args for j in handle.scheduler.get_jobs()}
        assert jobs == {
            "at@09:00": (["events", "reminders", "escalations", "board-summary", "digests"],),
            "at@10:00": (["digests"],),
            "events": (["events"],),
            "sweep": (),
        }
        trigger = handle.scheduler.get_job("at@09:00").trigger
        friday = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
        fire = trigger.get_next_fire_time(None, friday)
        assert fire.astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # GMT now
        before = trigger.get_next_fire_time(None, datetime(2026, 10, 16, 9, 0, tzinfo=UTC))
        assert before.astimezone(UTC) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # BST
    finally:
        handle.stop()


def test_a_job_that_fails_does_not_stop_the_others_due_with_it(
    runner, slack, session_factory, monkeypatch, caplog
):
    import jobs.owed

    make_action(session_factory, datetime(2026, 9, 1, 9, tzinfo=UTC), due=date(2026, 12, 21))
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def broken(snap, history, start):  # noqa: ANN001
        raise RuntimeError("reminders broke")

    monkeypatch.setattr(jobs.owed, "owed_reminders", broken)
    results = run_jobs(
        ["reminders", "digests"],
        session_factory,
        runner.client,
        FixedClock(monday),
        runner.rules,
        dispatcher=runner.dispatcher(),
    )
    failed, digests = results
    assert isinstance(failed.error, RuntimeError) and not failed.ok
    assert failed.to_dict()["error"] == "RuntimeError"
    assert digests.ok and digests.delivery.sent >= 4
    assert "job reminders failed" in caplog.text
    with pytest.raises(RuntimeError):  # one job run alone (the command line) raises
        runner.run("reminders", monday)
    monkeypatch.undo()
    # Nothing was recorded for the failed job: its next run sends what it owed.
    assert runner.run("reminders", monday + timedelta(minutes=15)).delivery.sent == 1
    assert len(dm(slack, NURSE)) == 1


def test_jobs_stored_by_an_earlier_layout_are_replaced_quietly(session_factory, slack, caplog):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    engine = session_factory.kw["bind"]
    old = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")}
    )
    old.start(paused=True)
    for job_id, job in (("reminders", "reminders"), ("digests@10:00", "digests")):
        old.add_job(
            "jobs.scheduler:scheduled_job",
            CronTrigger(day_of_week="mon-fri", hour=9, minute=0, timezone="Europe/London"),
            args=[job],
            id=job_id,
        )
    old.shutdown(wait=False)
    caplog.set_level("WARNING")
    handle = start_scheduler(
        Settings(database_url="sqlite://"),
        session_factory,
        make_client(slack),
        FixedClock(datetime.now(UTC)),
        run_sweep_at_start=False,
    )
    try:
        assert {j.id for j in handle.scheduler.get_jobs()} == {
            "at@09:00",
            "at@10:00",
            "events",
            "sweep",
        }
    finally:
        handle.stop()
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


def test_a_digest_due_on_a_bank_holiday_monday_goes_on_tuesday(runner, slack):
    # 31 August 2026 is the summer bank holiday.
    assert runner.run("digests", datetime(2026, 8, 31, 8, 0, tzinfo=UTC)).owed == 0
    tuesday = runner.run("digests", datetime(2026, 9, 1, 8, 0, tzinfo=UTC))  # 09:00 BST
    assert tuesday.delivery.sent == 4 and tuesday.delivery.late == 0
    for name in ("#lscb-qaec", "#lscb-pdc", "#lscb-lig", "#lscb-pmsg"):
        assert len(posts(slack, channel_id(slack, name))) == 1
    assert posts(slack, channel_id(slack, "#lscb-cse")) == []  # its own day: Tuesday 10:00


def test_board_summary_on_the_first_working_day_of_the_quarter(runner, slack, session_factory):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2027, 3, 1))
    # 1 January 2027 is a bank holiday (Friday): the quarter's first working day is Monday 4th.
    assert runner.run("board-summary", datetime(2027, 1, 1, 9, 0, tzinfo=UTC)).owed == 0
    result = runner.run("board-summary", datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    assert result.delivery.sent == 1
    [summary] = posts(slack, channel_id(slack, "#lscb-board"))
    assert "Q4 2026/27" in str(summary.blocks)
    chart, paper = [m for m in slack.messages(channel_id(slack, "#lscb-board")) if m.files]
    assert chart.thread_ts == summary.ts == paper.thread_ts
    [upload] = [slack.uploads[f] for f in chart.files]
    assert upload.completed and upload.content and upload.content.startswith(b"\x89PNG")
    # The board paper of the quarter just ended follows the chart, ready to table.
    [document] = [slack.uploads[f] for f in paper.files]
    assert document.completed and document.content
    assert document.filename == "lscb-board-paper-2026-27-q3.docx"
    opened = docx.Document(io.BytesIO(document.content))
    assert "Quarterly report to the board: Q3 2026/27" in [p.text for p in opened.paragraphs]
    assert runner.run("board-summary", datetime(2027, 1, 4, 9, 15, tzinfo=UTC)).owed == 0


def test_the_board_summarys_files_are_made_when_it_is_sent_and_it_goes_without_one_not_made(
    runner, slack, session_factory, monkeypatch
):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2027, 3, 1))
    import reports.paper

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no paper today")

    monkeypatch.setattr(reports.paper, "board_paper", broken)
    result = runner.run("board-summary", datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    assert result.delivery.sent == 1
    with session_factory() as s:
        [notice] = s.scalars(select(Notice).where(Notice.kind == "board_summary")).all()
        # What is owed says which files to make; their bytes are not kept in the outbox.
        assert "content_b64" not in notice.payload and '"make": "board-paper"' in notice.payload
    [summary] = posts(slack, channel_id(slack, "#lscb-board"))
    assert "Q4 2026/27" in str(summary.blocks)
    [chart] = [m for m in slack.messages(channel_id(slack, "#lscb-board")) if m.files]
    [upload] = [slack.uploads[f] for f in chart.files]
    assert upload.content and upload.content.startswith(b"\x89PNG")
    assert runner.run("board-summary", datetime(2027, 1, 4, 9, 15, tzinfo=UTC)).owed == 0


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the single-scheduler lock is a PostgreSQL advisory lock; SQLite runs one process",
)
def test_only_one_scheduler_is_active_per_postgresql_database(session_factory, slack):
    settings = Settings(database_url="postgresql+psycopg://")
    kwargs = {"run_sweep_at_start": False, "standby_retry": 3600}
    clock = FixedClock(datetime.now(UTC))
    first = start_scheduler(settings, session_factory, make_client(slack), clock, **kwargs)
    second = start_scheduler(settings, session_factory, make_client(slack), clock, **kwargs)
    try:
        assert first.active and not second.active
        assert not second.try_activate()
        first.stop()
        assert second.try_activate()  # the standby takes over when the first stops
    finally:
        first.stop()
        second.stop()


def test_one_scheduler_per_sqlite_file(tmp_path) -> None:
    from jobs.scheduler import SingleSchedulerLock
    from models.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'lscb.sqlite3'}")
    first, second = SingleSchedulerLock(engine), SingleSchedulerLock(engine)
    assert first.try_acquire() and first.held
    assert not second.try_acquire() and not second.held  # stands by
    first.release()
    assert second.try_acquire()  # takes over once the first stops
    second.release()
    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert SingleSchedulerLock(other).try_acquire()  # another database, another scheduler


def test_an_owner_with_60_actions_gets_one_reminder_a_week_plus_due_day_messages_over_8_weeks(
    runner, slack, session_factory
):
    from jobs.owed import weekly_day
    from models.calendar import is_working_day

    start = date(2026, 11, 30)  # a Monday
    created = datetime(2026, 11, 2, 9, tzinfo=UTC)
    dues = [start + timedelta(days=1 + (i * 47) % 60) for i in range(60)]
    for due in dues:
        make_action(session_factory, created, due=due)
    deadlines = set()
    for due in dues:
        d = due
        while not is_working_day(d):
            d += timedelta(days=1)
        deadlines.add(d)
    sent_on: list[date] = []
    day = start
    while day < start + timedelta(weeks=8):
        if is_working_day(day):
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            if runner.run("reminders", moment).delivery.sent:
                sent_on.append(day)
        day += timedelta(days=1)
    messages = dm(slack, NURSE)
    assert len(messages) == len(sent_on) == len(set(sent_on))  # at most one a day
    # The week's reminder day: Monday, or the next working day after a bank holiday Monday.
    reminder_days = [d for d in sent_on if weekly_day(d, "mon") == d]
    assert len(reminder_days) == 8  # one each week: something is always due soon or overdue
    assert date(2026, 12, 29) in reminder_days  # Monday 28 December is a bank holiday
    assert all(d in reminder_days or d in deadlines for d in sent_on)  # nothing else
    # A due-day message names only what falls due that day, as of that day.
    tuesday = next(d for d in sent_on if d.weekday() == 1)
    said = str(messages[sent_on.index(tuesday)].blocks)
    assert "due today" in said and "overdue" not in said


def test_a_caught_up_reminder_states_each_action_as_it_stands_when_sent(
    runner, slack, session_factory
):
    make_action(session_factory, datetime(2026, 11, 2, 9, tzinfo=UTC), due=date(2026, 12, 14))
    runner.run("reminders", datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # Friday
    runner.run("reminders", datetime(2026, 12, 16, 11, 0, tzinfo=UTC))  # back on Wednesday
    [message] = dm(slack, NURSE)
    said = str(message.blocks)
    assert "overdue by 2 days" in said and "due today" not in said


def test_the_board_summary_names_quarters_as_public_bodies_do(runner, slack, session_factory):
    make_action(session_factory, datetime(2026, 9, 1, 9, tzinfo=UTC), due=date(2027, 3, 31))
    runner.run("board-summary", datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    [post] = posts(slack, channel_id(slack, "#lscb-board"))
    assert "Board summary — Q3 2026/27" in str(post.blocks)
