"""Units of work: one session per command, button or job step; rolled back unless it returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from models.actions import last_change
from models.errors import ConcurrentChange
from models.history import kind_words

T = TypeVar("T")


def run(session_factory: sessionmaker[Session], fn: Callable[[Session], T]) -> T:
    """Run `fn` in one transaction. A lost race is reported with who won it."""
    try:
        with session_factory.begin() as s:
            return fn(s)
    except ConcurrentChange as e:
        if e.by is None:
            with session_factory() as s:
                found = last_change(s, e.ref)
            if found is None:
                raise
            by, by_id, kind = found
            raise ConcurrentChange(e.ref, by, by_person_id=by_id, what=kind_words(kind)) from None
        raise
