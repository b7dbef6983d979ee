"""Migrations build the schema from empty on both databases, and match the models exactly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import models.all  # noqa: F401
from models.migrate import FOREIGN_TABLES, MIGRATIONS, alembic_config, current_heads, upgrade
from models.schema import Base
from tests.conftest import private_database


@pytest.fixture
def empty_db_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with private_database(base, "lscb_migr") as own:
        assert own is not None, "the migration tests need a database of their own"
        yield own


def test_upgrade_from_empty_reaches_head_and_models_match(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    head = ScriptDirectory.from_config(alembic_config(empty_db_url)).get_current_head()
    assert current_heads(empty_db_url) == {head}
    engine = create_engine(empty_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"action", "action_event", "review", "finding", "committee", "person"} <= tables
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": lambda obj, name, type_, reflected, compare_to: (
                        not (type_ == "table" and name in FOREIGN_TABLES)
                    ),
                },
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], (
            f"models and migrations differ; run alembic revision --autogenerate: {diff}"
        )
    finally:
        engine.dispose()


def test_upgrade_twice_is_harmless(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)


def test_migrations_form_one_line_of_history() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, "two migrations claim the same parent: merge them"
