"""The one error a bad file raises: its message is a single line naming the file and the problem."""

from __future__ import annotations

import zipfile
from pathlib import Path


class ImportFileError(Exception):
    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem.replace("\n", " ").strip()
        super().__init__(f"{Path(self.path).name}: {self.problem}")

    @property
    def message(self) -> str:
        return str(self)


def require_zip_package(path: Path, kind: str) -> None:
    """An Office file (.docx, .xlsx) is a zip package: say so plainly when this one is not."""
    if path.stat().st_size == 0:
        raise ImportFileError(path, "the file is empty")
    if not zipfile.is_zipfile(path):
        raise ImportFileError(path, f"this is not {kind} or it is damaged")
