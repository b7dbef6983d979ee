"""People the app learns about from Slack (someone assigned an action who is not yet known)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import InvalidInput
from models.schema import OPEN_STATUSES, Action, Person


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


def people_named(s: Session, name: str, *, limit: int = 10) -> list[Person]:
    """People whose name is `name` (any case), else whose name contains it: how someone not in
    Slack is named in a command ("Bernadette Quinn", "Quinn")."""
    wanted = " ".join((name or "").split()).lower()
    if not wanted:
        return []
    exact = list(s.scalars(select(Person).where(func.lower(Person.name) == wanted).limit(limit)))
    if exact:
        return exact
    like = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        s.scalars(
            select(Person)
            .where(func.lower(Person.name).like(f"%{like}%", escape="\\"))
            .order_by(Person.name)
            .limit(limit)
        )
    )


def person_by_name(s: Session, name: str) -> Person:
    """The one person `name` means; InvalidInput listing the candidates when it is unclear."""
    found = people_named(s, name)
    shown = " ".join(name.split())[:60]
    if not found:
        raise InvalidInput(
            f"Nobody called “{shown}” is in the organisation file. Mention a Slack user with @, "
            "or ask the business unit to add the person to the organisation file."
        )
    if len(found) > 1:
        names = ", ".join(f"{p.name}" + (f" ({p.agency})" if p.agency else "") for p in found)
        raise InvalidInput(f"“{shown}” could be {names}: give the whole name.")
    return found[0]


def person_by_slack_id_or_name(s: Session, who: str) -> Person:
    """The person a command line means by `--owner`: a Slack id, else a name."""
    person = person_by_slack_id(s, who.strip())
    return person if person is not None else person_by_name(s, who)


def names_of_slack_ids(s: Session, slack_ids: set[str]) -> dict[str, str]:
    """Names for the Slack ids a history mentions, so it can speak of people by name."""
    if not slack_ids:
        return {}
    rows = s.execute(select(Person.slack_id, Person.name).where(Person.slack_id.in_(slack_ids)))
    return {sid: name for sid, name in rows if sid}


def owners_kept_by_name(s: Session) -> list[tuple[str, list[int]]]:
    """Owners an import kept by the name a document gave, who are neither in the organisation
    file nor in Slack, with the numbers of their open actions: for the business unit to check
    the name or add the person to the organisation file. Names in order, numbers ascending."""
    rows = s.execute(
        select(Person.name, Action.number)
        .join(Action, Action.owner_id == Person.id)
        .where(
            Person.slack_id.is_(None),
            Person.in_org_file.is_(False),
            Action.status.in_(tuple(OPEN_STATUSES)),
        )
        .order_by(Person.name, Action.number)
    )
    out: dict[str, list[int]] = {}
    for name, number in rows:
        out.setdefault(name, []).append(number)
    return list(out.items())
