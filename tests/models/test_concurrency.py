"""Two people changing one action at the same moment: one wins, the other is told, no event lost."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from models import actions as ops
from models.errors import ConcurrentChange
from models.queries import load_events
from models.uow import run
from tests.conftest import actor
from tests.factories import make_action


def test_second_writer_is_told_who_changed_it_and_nothing_is_lost(
    session_factory: sessionmaker[Session], org, now: datetime
) -> None:
    ref = make_action(session_factory, now)
    owner = actor(session_factory, "U0DESNURS")
    chair = actor(session_factory, "U0QAECCH1")

    first_flushed = threading.Event()
    second_read = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        # Reads, waits until the second has read the same version, then writes and commits.
        def work(s: Session) -> None:
            ops.get_action(s, ref)
            assert second_read.wait(10)
            ops.add_note(s, owner, ref, text="Owner's note", now=now)
            first_flushed.set()

        results["first"] = run(session_factory, work)

    def second() -> None:
        def work(s: Session) -> None:
            a = ops.get_action(s, ref)
            version = a.version
            second_read.set()
            assert first_flushed.wait(10)
            # The first transaction holds its row lock until it commits; this write then finds
            # the version it read is gone.
            ops.add_note(s, chair, ref, text="Chair's note", now=now, expected_version=None)
            results["second_version_read"] = version

        try:
            run(session_factory, work)
            results["second"] = "saved"
        except ConcurrentChange as e:
            results["second"] = e

    t1 = threading.Thread(target=first)
    t2 = threading.Thread(target=second)
    t1.start()
    t2.start()
    t1.join(30)
    t2.join(30)

    outcome = results["second"]
    assert isinstance(outcome, ConcurrentChange), outcome
    assert "changed by Priya Shah just now" in str(outcome)
    with session_factory() as s:
        a = ops.get_action(s, ref)
        notes = [e.note for e in load_events(s, a) if e.kind == "note"]
    assert notes == ["Owner's note"]  # the winner's event kept, the loser's not half-written


def test_a_stale_form_is_refused(session_factory, org, now) -> None:
    """A modal opened before someone else's change carries the version it showed."""
    ref = make_action(session_factory, now)
    owner = actor(session_factory, "U0DESNURS")
    with session_factory() as s:
        shown = ops.get_action(s, ref).version
    run(session_factory, lambda s: ops.add_note(s, owner, ref, text="first", now=now))
    with pytest.raises(ConcurrentChange, match="Priya Shah"):
        run(
            session_factory,
            lambda s: ops.add_note(s, owner, ref, text="second", now=now, expected_version=shown),
        )
