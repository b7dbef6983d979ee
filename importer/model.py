"""What the parsers read out of a document, before anything touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class ParsedFinding:
    number: str | None
    text: str
    # The sub-heading the finding sat under ("Quality and timeliness of the referral:"),
    # kept so the words are not lost, but never counted as a finding itself.
    heading: str | None = None


@dataclass
class ParsedActivity:
    text: str
    due_date: date | None = None
    owner: str | None = None
    committee: str | None = None  # the committee as the document names it
    lead_agency: str | None = None
    delivered: bool = False
    progress: str | None = None  # trackers only: the latest progress note
    evidence: str | None = None  # trackers only: evidence of completion


@dataclass
class ParsedReview:
    section: str | None
    type: str
    name: str
    date_text: str
    month: date | None
    overview: str
    confidential: bool
    findings: list[ParsedFinding] = field(default_factory=list)
    activities: list[ParsedActivity] = field(default_factory=list)
    line: int = 0  # where the entry starts in the source, for messages


@dataclass
class ColumnReport:
    mapped: dict[str, str] = field(default_factory=dict)  # header as written -> field
    ignored: list[str] = field(default_factory=list)


@dataclass
class ParsedIndex:
    reviews: list[ParsedReview] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: ColumnReport | None = None  # spreadsheets only

    @property
    def activity_count(self) -> int:
        return sum(len(r.activities) for r in self.reviews)
