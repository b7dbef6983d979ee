"""Quarters as public bodies name them: the financial year runs April to March, so April–June
2026 is Q1 2026/27 and January–March 2027 is Q4 2026/27."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from models.errors import InvalidInput

_FORMS = '"2026/27 Q3" or "Q3 2026/27"'
_YEAR = r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})"
_PATTERNS = (
    re.compile(rf"^{_YEAR}\s*,?\s*q\s*([1-4])$"),
    re.compile(rf"^q\s*([1-4])\s*,?\s*{_YEAR}$"),
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in (2026 for 2026/27)
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: date) -> Quarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026/27 Q3", "Q3 2026/27", "2026-27 Q3" (case and spacing forgiven)."""
        s = re.sub(r"\s+", " ", (text or "").strip().lower())
        for i, pattern in enumerate(_PATTERNS):
            m = pattern.match(s)
            if not m:
                continue
            first, second, number = (m[1], m[2], m[3]) if i == 0 else (m[2], m[3], m[1])
            year = int(first)
            if int(second[-2:]) != (year + 1) % 100:
                raise InvalidInput(
                    f"“{text[:30]}”: a financial year runs from one year into the next "
                    f"({year}/{(year + 1) % 100:02d}). Give a quarter as {_FORMS}.",
                    field="quarter",
                )
            return cls(year, int(number))
        raise InvalidInput(
            f"“{(text or '')[:30]}” is not a quarter: give it as {_FORMS} (Q1 is April to June).",
            field="quarter",
        )

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        return self.next.start - timedelta(days=1)

    @property
    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def financial_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """Q3 2026/27"""
        return f"Q{self.number} {self.financial_year}"

    @property
    def months(self) -> str:
        """October to December 2026"""
        return f"{self.start:%B} to {self.end:%B %Y}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end
