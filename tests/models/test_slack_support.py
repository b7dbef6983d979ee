"""Domain pieces the Slack app relies on: what a person could do now, who sees a review,
dates at the start of a reason, people added from Slack, and which field an error is about."""

from __future__ import annotations

from datetime import date

import pytest

from models import actions as ops
from models.dates import DateError, split_leading_date
from models.errors import InvalidInput
from models.people import add_slack_person
from models.permissions import Actor, Op, available_ops, can_see_review
from models.queries import list_reviews
from models.schema import Status
from tests.conftest import actor
from tests.factories import make_action

TODAY = date(2026, 11, 25)


def test_available_ops_fit_role_and_status(session_factory, org, now) -> None:
    ref = make_action(session_factory, now)
    done = make_action(session_factory, now, status=Status.COMPLETE)
    owner, chair = actor(session_factory, "U0DESNURS"), actor(session_factory, "U0QAECCH1")
    with session_factory() as s:
        a, d = ops.get_action(s, ref), ops.get_action(s, done)
        assert {Op.UPDATE, Op.NOTE, Op.DONE, Op.DUE} <= available_ops(owner, a)
        assert Op.SIGNOFF not in available_ops(owner, d)
        assert Op.SIGNOFF in available_ops(chair, d) and Op.DONE not in available_ops(chair, d)
        assert available_ops(Actor.stranger("U0X"), a) == frozenset()


def test_confidential_review_is_seen_only_by_those_it_concerns(session_factory, org, now) -> None:
    make_action(session_factory, now, confidential=True)
    with session_factory() as s:
        assert list_reviews(s, Actor.stranger("U0X")) == []
        [row] = list_reviews(s, actor(session_factory, "U0DESNURS"))
        review = row.review
        assert row.open_actions == 1
        assert [r.review.id for r in list_reviews(s, actor(session_factory, "U0QAECCH1"))] == [
            review.id
        ]
        assert list_reviews(s, actor(session_factory, "U0POLICE1")) == []
        assert can_see_review(actor(session_factory, "U0QAECCH1"), review)
        assert not can_see_review(actor(session_factory, "U0POLICE1"), review)


@pytest.mark.parametrize(
    ("text", "when", "rest"),
    [
        ("31/03/2027 panel moved", date(2027, 3, 31), "panel moved"),
        ("next Friday waiting", date(2026, 11, 27), "waiting"),
        ("end of March 2027", date(2027, 3, 31), ""),
        ("in 2 weeks staff away", date(2026, 12, 9), "staff away"),
    ],
)
def test_split_leading_date_reads_the_longest_date(text, when, rest) -> None:
    assert split_leading_date(text, TODAY) == (when, rest)


def test_split_leading_date_explains_an_unreadable_date() -> None:
    with pytest.raises(DateError, match="couldn't read"):
        split_leading_date("someday soon", TODAY)


def test_people_are_added_once_from_slack(session_factory, org) -> None:
    with session_factory.begin() as s:
        p = add_slack_person(s, "U0NEW", name="Nia", tz="Europe/London")
        assert add_slack_person(s, "U0NEW", name="Other") is p


def test_invalid_input_names_its_field(session_factory, org, now) -> None:
    ref = make_action(session_factory, now)
    with session_factory() as s, pytest.raises(InvalidInput) as raised:
        ops.change_due(
            s, actor(session_factory, "U0DESNURS"), ref, when="1/1/2020", reason="x", now=now
        )
    assert raised.value.field == "when"
