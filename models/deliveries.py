"""Deliveries from Slack already taken: Slack retries what it thinks was not acknowledged
(`X-Slack-Retry-Num`), and a retry must not do the work twice.

One row per delivery key (an event's id, an interaction's trigger), written when the delivery
is first taken, in its own short transaction; every web process shares it through the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.schema import Base, UTCDateTime

# Slack retries within minutes (three times: at once, after 1 minute, after 5); a day is ample.
KEPT_FOR = timedelta(days=1)


class SlackDelivery(Base):
    __tablename__ = "slack_delivery"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)


def take_delivery(s: Session, key: str, now: datetime) -> bool:
    """Record `key` as taken; False if it already was (a retry of a delivery already taken)."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(SlackDelivery)
        .values(key=key[:200], taken_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SlackDelivery.key)
    )
    return s.execute(stmt).first() is not None


def forget_old_deliveries(s: Session, now: datetime) -> int:
    """Drop keys older than any retry Slack would send."""
    result = s.execute(delete(SlackDelivery).where(SlackDelivery.taken_at < now - KEPT_FOR))
    return int(getattr(result, "rowcount", 0) or 0)
