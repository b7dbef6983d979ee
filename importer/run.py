"""An import as the Slack app runs it: a preview that writes nothing, then the import itself,
stored only if it would do exactly what the preview showed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from importer.model import ParsedIndex
from importer.parse import parse_file
from importer.store import ImportSummary, Progress, store_index
from models.calendar import local_date


@dataclass(frozen=True)
class Outcome:
    index: ParsedIndex
    summary: ImportSummary
    stored: bool  # False: a preview, or the database changed since the preview


def preview(
    sf: sessionmaker[Session],
    path: Path,
    *,
    name: str,
    now: datetime,
    progress: Progress | None = None,
) -> Outcome:
    """What importing `path` would do now; nothing is written. Raises ImportFileError."""
    index = parse_file(path, today=local_date(now))
    with sf() as s:
        try:
            summary = store_index(s, index, now=now, source_name=name, progress=progress)
        finally:
            s.rollback()
    return Outcome(index, summary, stored=False)


def store_as_previewed(
    sf: sessionmaker[Session],
    path: Path,
    *,
    name: str,
    now: datetime,
    digest: str,
    progress: Progress | None = None,
) -> Outcome:
    """Import `path` if it does what the preview with `digest` showed (`ImportSummary.digest`,
    or at least its first 16 characters); otherwise write nothing and return the new preview
    (`stored` False)."""
    index = parse_file(path, today=local_date(now))
    s = sf()
    try:
        summary = store_index(s, index, now=now, source_name=name, progress=progress)
        if len(digest) < 16 or not summary.digest().startswith(digest):
            s.rollback()
            return Outcome(index, summary, stored=False)
        s.commit()
        return Outcome(index, summary, stored=True)
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
