"""The one error a bad file raises: its message is a single line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class ImportFileError(Exception):
    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem.replace("\n", " ").strip()
        super().__init__(f"{Path(self.path).name}: {self.problem}")

    @property
    def message(self) -> str:
        return str(self)
