"""Many new rows in one import: on SQLite their ids are given here, so that a flush inserts them
in batches. SQLite cannot say which generated id belongs to which row of a batched INSERT, so
without this SQLAlchemy inserts one row a statement (PostgreSQL batches either way)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from models.schema import Action, ActionEvent, Finding

_NUMBERED: tuple[type[Any], ...] = (Action, ActionEvent, Finding)


@contextmanager
def batched_inserts(s: Session) -> Iterator[None]:
    if s.get_bind().dialect.name != "sqlite":
        yield
        return
    next_id: dict[type[Any], int] = {}

    def number_new_rows(session: Session, _context: Any, _instances: Any) -> None:
        for obj in session.new:
            cls = type(obj)
            if cls not in _NUMBERED or obj.id is not None:
                continue
            if cls not in next_id:
                # Read in this transaction, which writes next: SQLite lets one writer at a time.
                top = session.connection().scalar(select(func.max(cls.id)))
                next_id[cls] = (top or 0) + 1
            obj.id = next_id[cls]
            next_id[cls] += 1

    event.listen(s, "before_flush", number_new_rows)
    try:
        yield
    finally:
        event.remove(s, "before_flush", number_new_rows)
