"""Storage for one process: the engine and session factory for a database URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory


class SchemaMissing(RuntimeError):
    pass


@dataclass
class Store:
    engine: Engine
    session_factory: sessionmaker[Session]

    @classmethod
    def open(cls, database_url: str) -> Store:
        engine = make_engine(database_url)
        return cls(engine, make_session_factory(engine))

    def require_schema(self) -> None:
        url = self.engine.url
        file_db = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        # Don't create an empty database file just by looking for tables in it.
        if file_db and not Path(str(url.database)).exists():
            raise SchemaMissing(
                f"there is no database at {url.database} yet: run `lscb db upgrade` first"
            )
        if not inspect(self.engine).has_table("action"):
            raise SchemaMissing("the database has no tables yet: run `lscb db upgrade` first")

    def close(self) -> None:
        self.engine.dispose()
