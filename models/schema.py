"""The tables: reviews, their findings, improvement actions, committees, people, roles, events."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite has no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SIGNED_OFF = "signed_off"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OPEN_STATUSES = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})


def action_ref(number: int) -> str:
    """The public reference of an action: A-<n>, numbered in creation order from 1."""
    return f"A-{number}"


def review_ref(number: int) -> str:
    return f"R-{number}"


class Rating(enum.StrEnum):
    """The owner's own view of progress."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class RoleKind(enum.StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


action_findings = Table(
    "action_finding",
    Base.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    tz: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Named in the organisation file when it was last loaded (people added from Slack are not):
    # a later file that leaves them out has dropped them.
    in_org_file: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # How event notices reach them (App Home): None keeps the defaults of models.notices.
    notice_mode: Mapped[str | None] = mapped_column(String(16))

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return any(r.role == RoleKind.ADMIN for r in self.roles)

    @property
    def chaired_committee_ids(self) -> set[int]:
        return {
            r.committee_id
            for r in self.roles
            if r.role == RoleKind.CHAIR and r.committee_id is not None
        }

    def __repr__(self) -> str:
        return f"Person(id={self.id}, slack_id={self.slack_id!r})"


class Committee(Base):
    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(80))
    aliases: Mapped[str | None] = mapped_column(Text)  # newline-separated other names
    digest_day: Mapped[str] = mapped_column(String(3), default="mon")
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00")

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="committee")

    @property
    def alias_list(self) -> list[str]:
        return [a for a in (self.aliases or "").split("\n") if a]

    @property
    def chairs(self) -> list[Person]:
        return [r.person for r in self.roles if r.role == RoleKind.CHAIR]

    def __repr__(self) -> str:
        return f"Committee({self.code!r})"


class RoleAssignment(Base):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "role", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"))

    person: Mapped[Person] = relationship(back_populates="roles")
    committee: Mapped[Committee | None] = relationship(back_populates="roles")


class OrgSetting(Base):
    """Organisation-wide values from the organisation file (board channel, ...)."""

    __tablename__ = "org_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    section: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    date_text: Mapped[str | None] = mapped_column(String(200))
    month: Mapped[date | None] = mapped_column(Date)
    overview: Mapped[str | None] = mapped_column(Text)
    publication_status: Mapped[str | None] = mapped_column(String(200))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    findings: Mapped[list[Finding]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        order_by="Finding.position",
    )
    actions: Mapped[list[Action]] = relationship(back_populates="review")

    @property
    def ref(self) -> str:
        return review_ref(self.number)


class Finding(Base):
    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="findings")


class Action(Base):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    lead_agency: Mapped[str | None] = mapped_column(String(200))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[Status] = mapped_column(_enum(Status, "action_status"))
    owner_rating: Mapped[Rating | None] = mapped_column(_enum(Rating, "owner_rating"))
    latest_progress: Mapped[str | None] = mapped_column(Text)
    evidence_of_completion: Mapped[str | None] = mapped_column(Text)
    evidence_of_impact: Mapped[str | None] = mapped_column(Text)
    # How the board will know the action worked ("re-audit 20 referrals in six months"), and
    # the day that is checked when it was signed off without evidence of impact.
    measure: Mapped[str | None] = mapped_column(Text)
    impact_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Last time anyone said anything about the action: drift is measured from here.
    last_update_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Where the action came from when it was made from a Slack message (its permalink).
    source_url: Mapped[str | None] = mapped_column(String(1000))
    # Links to messages or documents given as evidence, one a line, until sign-off or reopen.
    evidence_links: Mapped[str | None] = mapped_column(Text)
    # Why a chair reopened it: shown on the card until the next change.
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    # Merged into another action as a duplicate (and cancelled).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # An owner's request for a new due date, waiting for the chair (date_changes = chair-approves).
    # Reminders and escalations keep counting from `due_date` until it is approved.
    requested_due_date: Mapped[date | None] = mapped_column(Date)
    requested_due_reason: Mapped[str | None] = mapped_column(Text)
    requested_due_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    requested_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Lists and their BRAG counts filter on these columns and read nothing else of the
        # rows they count or skip: the index covers them (and serves every `status` lookup).
        Index(
            "ix_action_list",
            "status",
            "due_date",
            "owner_id",
            "owner_rating",
            "last_update_at",
            "committee_id",
            "review_id",
            "number",
        ),
    )

    review: Mapped[Review | None] = relationship(back_populates="actions", lazy="joined")
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    committee: Mapped[Committee | None] = relationship(lazy="joined")
    signed_off_by: Mapped[Person | None] = relationship(foreign_keys=[signed_off_by_id])
    requested_due_by: Mapped[Person | None] = relationship(foreign_keys=[requested_due_by_id])
    findings: Mapped[list[Finding]] = relationship(secondary=action_findings)
    duplicate_of: Mapped[Action | None] = relationship(
        remote_side="Action.id", foreign_keys=[duplicate_of_id]
    )
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="ActionEvent.id", cascade="all, delete-orphan"
    )
    # What the action is about (models.themes); read when its card is shown.
    theme_links: Mapped[list[ActionTheme]] = relationship(viewonly=True, lazy="select")

    @property
    def ref(self) -> str:
        return action_ref(self.number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def confidential(self) -> bool:
        return bool(self.review is not None and self.review.confidential)

    @property
    def evidence_link_list(self) -> list[str]:
        return [u for u in (self.evidence_links or "").split("\n") if u]

    def __repr__(self) -> str:
        return f"Action({self.ref})"


class ActionEvent(Base):
    """Append-only history of an action: nothing here is ever updated or deleted."""

    __tablename__ = "action_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_label: Mapped[str] = mapped_column(String(200))  # who, as shown in history
    kind: Mapped[str] = mapped_column(String(32), index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()


class ImportedValue(Base):
    """What a document said about one field of an action when it was last imported.

    A re-import changes a field only where the document's value differs from this one, so what a
    person changed in the app since is never undone by a document that did not change."""

    __tablename__ = "imported_value"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)  # None: the document said nothing
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(200))


# ------------------------------------------------------------------ themes (recurring learning)


class ThemeState(enum.StrEnum):
    """How a theme came to be on a finding or action: suggested from the text by the app, or
    confirmed or removed by a person. A person's word is never undone by a later import."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REMOVED = "removed"


class Theme(Base):
    """A recurring lesson from the organisation file's taxonomy (`[[theme]] code, name, words`).

    A theme dropped from the file is kept inactive, with its links, so history stays readable."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    words: Mapped[str] = mapped_column(Text)  # newline-separated words and phrases
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def word_list(self) -> list[str]:
        return [w for w in self.words.split("\n") if w]


class FindingTheme(Base):
    __tablename__ = "finding_theme"

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[ThemeState] = mapped_column(_enum(ThemeState, "theme_state"))
    words: Mapped[str | None] = mapped_column(Text)  # what in the text suggested it, "; "-joined
    by_label: Mapped[str | None] = mapped_column(String(200))  # who confirmed or removed it
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    theme: Mapped[Theme] = relationship(lazy="joined")


class ActionTheme(Base):
    __tablename__ = "action_theme"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[ThemeState] = mapped_column(_enum(ThemeState, "theme_state"))
    words: Mapped[str | None] = mapped_column(Text)
    by_label: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    theme: Mapped[Theme] = relationship(lazy="joined")


class ThemeScan(Base):
    """Which text of a finding (`kind` "f") or action ("a") themes were last suggested for: an
    import suggests again only for what is new or changed since."""

    __tablename__ = "theme_scan"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(40))
    # The text's words as the similarity measure reads them (stems, space-separated), kept so
    # an import reads the words of the earlier findings instead of stemming them all again.
    terms: Mapped[str] = mapped_column(Text, default="")
