"""The notice outbox: one row per notice owed, keyed by (kind, recipient, period).

A row is written before anything is sent, claimed with a lease while it is being sent, and
recorded as sent (with the Slack message's ts) after. See README "Notices" for the guarantee.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base, UTCDateTime, _enum


class NoticeState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # refused for good by Slack: never retried


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("kind", "recipient", "period"),
        Index("ix_notice_state_lease", "state", "lease_until"),
        Index("ix_notice_kind_due", "kind", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(80))  # Slack user id or channel
    period: Mapped[str] = mapped_column(String(64))
    # What the notice covers, as ids only (e.g. "A-12@2026-12-07"), JSON list: used to avoid
    # telling anyone the same thing twice when notices are caught up.
    subjects: Mapped[str] = mapped_column(Text, default="[]")
    # The message parts (JSON list of {text, blocks}), fixed when the notice is owed so a retry
    # sends exactly what the first attempt would have.
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[NoticeState] = mapped_column(
        _enum(NoticeState, "notice_state"), default=NoticeState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64))  # a Slack error code, never text
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it should have gone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(40))
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))  # resolved conversation id
    message_ts: Mapped[str | None] = mapped_column(String(32))  # the first part's ts
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.recipient, self.period)

    def __repr__(self) -> str:
        return f"Notice({self.kind}, {self.recipient}, {self.period}, {self.state.value})"


class JobRun(Base):
    """The last time each job finished working out what was owed: catch-up starts from here."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
