"""Test data made through the domain operations, as the app makes it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import actions as ops
from models.permissions import Actor
from models.schema import Committee, Person, Review, Status

SYSTEM = Actor.system("test")


def make_action(
    sf: sessionmaker[Session],
    now: datetime,
    *,
    owner: str | None = "U0DESNURS",  # a Slack id, or the name of someone not in Slack
    committee: str | None = "QAEC",
    due: date | None = date(2027, 3, 31),
    confidential: bool = False,
    status: Status | None = None,
) -> str:
    with sf.begin() as s:
        review = Review(
            number=ops.next_review_number(s),
            type="Serious Case Review",
            name="Child A (Alex)",
            confidential=confidential,
            created_at=now,
        )
        s.add(review)
        person = (
            s.scalars(
                select(Person).where((Person.slack_id == owner) | (Person.name == owner))
            ).one()
            if owner
            else None
        )
        comm = (
            s.scalars(select(Committee).where(Committee.code == committee)).one()
            if committee
            else None
        )
        a = ops.create_action(
            s,
            SYSTEM,
            text="Issue bruising guidance",
            now=now,
            review=review,
            owner=person,
            committee=comm,
            due_date=due,
        )
        ref = a.ref
        if status in (Status.COMPLETE, Status.SIGNED_OFF):
            ops.mark_done(s, SYSTEM, ref, evidence="Guidance issued", now=now)
        if status == Status.SIGNED_OFF:
            ops.sign_off(s, SYSTEM, ref, now=now)
        if status == Status.IN_PROGRESS:
            ops.update(s, SYSTEM, ref, word="in-progress", now=now)
        return ref


def load_brag_key(
    sf: sessionmaker[Session],
    folder: Path,
    blue: str = "signed-off",
    labels: dict[str, str] | None = None,
) -> None:
    """The example organisation file with a `[brag]` table (what Blue means, the board's names
    for the ratings), loaded as `lscb org load` loads it."""
    from models.org import apply_org, read_org_file
    from tests.conftest import EXAMPLE_ORG

    table = f'\n[brag]\nblue = "{blue}"\n'
    if labels:
        table += "\n[brag.labels]\n" + "".join(f'{k} = "{v}"\n' for k, v in labels.items())
    path = folder / "org-with-brag.toml"
    path.write_text(EXAMPLE_ORG.read_text() + table)
    with sf.begin() as s:
        apply_org(s, read_org_file(path))
