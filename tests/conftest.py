"""Shared fixtures. The whole suite runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.

Each test gets an empty database: tables are created once per run and emptied after each test.
On PostgreSQL each run makes a database of its own on the server TEST_DATABASE_URL names.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import models.all  # noqa: F401
from models.db import make_engine, make_session_factory
from models.org import apply_org, read_org_file
from models.permissions import Actor
from models.schema import Base, Person

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ORG = ROOT / "examples" / "org.toml"
SEED = ROOT / "examples" / "learning-and-improvement-index.txt"


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's database. On PostgreSQL a database of its own, made on TEST_DATABASE_URL's
    server and dropped at the end, so that two runs at once (two checkouts, CI beside a
    developer) never empty each other's tables; the given database itself where one cannot be
    made."""
    url = test_database_url(tmp_path_factory)
    if not url.startswith("postgresql"):
        yield url
        return
    with private_database(url, "lscb_test") as own:
        yield own or url


@contextmanager
def private_database(url: str, prefix: str) -> Iterator[str | None]:
    """A database of its own on `url`'s PostgreSQL server, dropped afterwards, as a URL; None
    where the user may not create one."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError:
        admin.dispose()
        yield None
        return
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    _drop_everything(eng)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _drop_everything(eng: Engine) -> None:
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            for name in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    else:
        Base.metadata.drop_all(eng)


def _empty_tables(eng: Engine) -> None:
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    present = set(inspect(eng).get_table_names())
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            tables = ", ".join(
                f'"{n}"' for n in names + sorted(present - set(names)) if n in present
            )
            if tables:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for n in names:
                conn.execute(text(f'DELETE FROM "{n}"'))
            for n in present - set(names):
                conn.execute(text(f'DELETE FROM "{n}"'))


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    _empty_tables(engine)
    yield make_session_factory(engine)
    _empty_tables(engine)


@pytest.fixture
def now() -> datetime:
    # A Wednesday in term time, no bank holiday near.
    return datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def org(session_factory: sessionmaker[Session]) -> dict[str, Person]:
    """The example organisation, loaded; people by Slack id (and by name for those without)."""
    with session_factory.begin() as s:
        apply_org(s, read_org_file(EXAMPLE_ORG))
    with session_factory() as s:
        people = s.query(Person).all()
        return {p.slack_id or p.name: p for p in people}


def actor(session_factory: sessionmaker[Session], key: str) -> Actor:
    with session_factory() as s:
        person = s.query(Person).filter((Person.slack_id == key) | (Person.name == key)).one()
        return Actor.of(person)


@pytest.fixture(autouse=True)
def _logging_levels_restored() -> Iterator[None]:
    """The command line sets logging levels for the whole process (`lscb` runs in-process in
    many tests): each test starts from the levels the run began with."""
    import logging

    from bot.cli import CHATTY_LOGGERS

    names = ["", *CHATTY_LOGGERS]
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
