"""A small board's year of actions, with a history to replay (times 10:00 UTC, 2026).

ref  review                     owner / committee      what happens                        BRAG 25/11
A-1  R-1 Child C (SCR)          Priya Shah / QAEC      in progress 01/03; due 30/06 moved  Blue
                                                       to 30/09 on 20/06; done 15/09;
                                                       signed off 01/10
A-2  R-1                        DS Kevin Doyle / CSE   off track 01/04; due 29/05          Red
A-3  R-2 neglect audit          nobody / PDC, no date  Claire Hughes, due 31/03/2027, 01/08 Amber (drift)
A-4  R-3 Child D (confidential) Gary Lloyd / LIG       progress note 20/11; due 29/01/2027 Green
A-5  R-2                        Priya Shah / QAEC      cancelled 01/05                     Cancelled
A-6  R-2                        Claire Hughes / PMSG   created 01/10; due 04/12            Amber (due soon)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import actions as ops
from models.permissions import Actor
from models.schema import Committee, Finding, Person, Review
from tests.conftest import actor

ADMIN = Actor.system("test")


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Board:
    sf: sessionmaker[Session]
    now: datetime


def _person(s: Session, slack_id: str) -> Person:
    return s.scalars(select(Person).where(Person.slack_id == slack_id)).one()


def _committee(s: Session, code: str) -> Committee:
    return s.scalars(select(Committee).where(Committee.code == code)).one()


@pytest.fixture
def board(session_factory: sessionmaker[Session], org: dict[str, Person], now: datetime) -> Board:
    sf = session_factory
    t0 = at(2026, 1, 15)
    with sf.begin() as s:
        r1 = Review(number=1, type="Serious Case Review", name="Child C (Chris)", created_at=t0)
        r1.findings = [
            Finding(position=1, number="1", text="Referrals were not escalated"),
            Finding(position=2, number="2", text="Bruising protocol not followed"),
        ]
        r2 = Review(
            number=2, type="Multi-Agency Audit", name="Multi-agency audit of neglect", created_at=t0
        )
        r3 = Review(
            number=3,
            type="Serious Case Review",
            name="Child D",
            confidential=True,
            created_at=t0,
        )
        s.add_all([r1, r2, r3])
        s.flush()
        ops.create_action(
            s,
            ADMIN,
            text="Issue bruising guidance to all health visitors",
            now=t0,
            review=r1,
            owner=_person(s, "U0DESNURS"),
            committee=_committee(s, "QAEC"),
            due_date=date(2026, 6, 30),
            findings=[r1.findings[0]],
        )
        ops.create_action(
            s,
            ADMIN,
            text="Escalation training for custody officers",
            now=t0,
            review=r1,
            owner=_person(s, "U0POLICE1"),
            committee=_committee(s, "CSE"),
            due_date=date(2026, 5, 29),
        )
        ops.create_action(
            s,
            ADMIN,
            text="Audit neglect referrals from schools",
            now=t0,
            review=r2,
            committee=_committee(s, "PDC"),
        )
        ops.create_action(
            s,
            ADMIN,
            text="Review supervision of the probation case",
            now=t0,
            review=r3,
            owner=_person(s, "U0PROBATN"),
            committee=_committee(s, "LIG"),
            due_date=date(2027, 1, 29),
        )
        ops.create_action(
            s,
            ADMIN,
            text="Neglect toolkit briefing for governors",
            now=t0,
            review=r2,
            owner=_person(s, "U0DESNURS"),
            committee=_committee(s, "QAEC"),
            due_date=date(2026, 12, 31),
        )
    nurse = actor(sf, "U0DESNURS")
    police = actor(sf, "U0POLICE1")
    chair = actor(sf, "U0QAECCH1")
    probation = actor(sf, "U0PROBATN")
    with sf.begin() as s:
        ops.update(
            s,
            nurse,
            "A-1",
            word="in-progress",
            note="Draft with the health board",
            now=at(2026, 3, 1),
        )
    with sf.begin() as s:
        ops.update(s, police, "A-2", word="off-track", note="Staffing gaps", now=at(2026, 4, 1))
    with sf.begin() as s:
        ops.cancel(s, ADMIN, "A-5", reason="Merged into A-1", now=at(2026, 5, 1))
    with sf.begin() as s:
        ops.change_due(
            s,
            nurse,
            "A-1",
            when=date(2026, 9, 30),
            reason="Awaiting health board approval",
            now=at(2026, 6, 20),
        )
        ops.approve_due(s, chair, "A-1", now=at(2026, 6, 20))  # the owner asked; the chair agrees
    with sf.begin() as s:
        ops.assign(s, ADMIN, "A-3", owner=_person(s, "U0SCHOOLS"), now=at(2026, 8, 1))
        ops.change_due(s, ADMIN, "A-3", when=date(2027, 3, 31), reason=None, now=at(2026, 8, 1))
    with sf.begin() as s:
        ops.mark_done(
            s, nurse, "A-1", evidence="Guidance published on the website", now=at(2026, 9, 15)
        )
    with sf.begin() as s:
        ops.sign_off(
            s, chair, "A-1", impact="Bruising referrals up by a fifth", now=at(2026, 10, 1)
        )
    with sf.begin() as s:
        ops.create_action(
            s,
            ADMIN,
            text="Share the audit findings with governors",
            now=at(2026, 10, 1),
            review=s.scalars(select(Review).where(Review.number == 2)).one(),
            owner=_person(s, "U0SCHOOLS"),
            committee=_committee(s, "PMSG"),
            due_date=date(2026, 12, 4),
        )
    with sf.begin() as s:
        ops.add_note(
            s, probation, "A-4", text="Sensitive progress on the case", now=at(2026, 11, 20)
        )
    return Board(sf, now)
