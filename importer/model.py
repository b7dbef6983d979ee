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
    # Trackers only. The action's public reference ("A-12") when the row carries one: such a
    # row is matched to that action rather than by its review and wording.
    ref: str | None = None
    # Trackers only: the Status column read as one of the app's statuses ("not_started",
    # "in_progress", "complete", "signed_off", "cancelled"), or None when absent or not read.
    status: str | None = None
    # Trackers only: the texts of the review's findings this row answers, so that rows matched
    # by Ref can leave their review's findings alone.
    findings: list[str] = field(default_factory=list)
    # Trackers only: the review the row names, as written (None when blank or no such column).
    review: str | None = None
    # Trackers only: the owner's own rating a RAG column or a tick column gives on the first
    # import ("on_track", "at_risk", "off_track").
    rating: str | None = None
    # How the board will know the action worked ("How it will be measured", "Success criteria",
    # "Outcome expected"): never evidence of completion.
    measure: str | None = None
    line: int = 0  # the row or line it was read from, for messages
    # Trackers only: where the row stands, as messages name it ("sheet “Mary”, row 12").
    at: str = ""


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
    # Read from a tracker's rows: such a review is known again by its name alone, whatever
    # type its rows give (trackers imported before they gave one are matched as before).
    from_tracker: bool = False
    # Names the review was read under before ("plan" from plan.xlsx, before its one sheet's own
    # name was used): a re-import finds it, and its actions, under any of them.
    aliases: list[str] = field(default_factory=list)


@dataclass
class ColumnReport:
    mapped: dict[str, str] = field(default_factory=dict)  # header as written -> field
    ignored: list[str] = field(default_factory=list)
    # BRAG / RAG columns: read on a row's first import only (the app derives BRAG after that).
    derived: list[str] = field(default_factory=list)
    # Where the rows' review came from when no column names one ("sheet", or the file's name).
    review_from: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)  # "Key (no actions)"
    sheets: list[str] = field(default_factory=list)  # sheets read
    # A workbook's sheets each with their own headers: sheet -> (header -> field, ignored).
    by_sheet: dict[str, tuple[dict[str, str], list[str]]] = field(default_factory=dict)


@dataclass
class ParsedIndex:
    reviews: list[ParsedReview] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: ColumnReport | None = None  # spreadsheets only

    @property
    def activity_count(self) -> int:
        return sum(len(r.activities) for r in self.reviews)
