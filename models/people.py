"""People the app learns about from Slack (someone assigned an action who is not yet known)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import InvalidInput
from models.schema import Person


def person_by_slack_id(s: Session, slack_id: str) -> Person | None:
    return s.scalars(select(Person).where(Person.slack_id == slack_id)).one_or_none()


def add_slack_person(
    s: Session, slack_id: str, *, name: str, tz: str | None = None, email: str | None = None
) -> Person:
    """The person with this Slack id, added from their Slack profile if not known yet."""
    existing = person_by_slack_id(s, slack_id)
    if existing is not None:
        return existing
    name = (name or "").strip()[:200]
    if not name:
        raise InvalidInput(f"Slack gave no name for <@{slack_id}>.")
    person = Person(slack_id=slack_id, name=name, tz=tz, email=email, active=True)
    s.add(person)
    s.flush()
    return person
