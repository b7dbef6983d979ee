"""A confidential review stays closed by every way in: the Add form, typed commands, the domain
itself. Nobody can put an action into a review they may not see, and the refusal reads the same
as a wrong guess, so it does not confirm which names exist. The digest preview is for the
committee's chairs and admins."""

from __future__ import annotations

import json
from datetime import date

import pytest

from models import actions as ops
from models.errors import NotFound, Refused
from models.schema import Action, Committee, Person, Review
from tests.bot.slackapp import SlackDriver
from tests.factories import SYSTEM

ADMIN = "U0BUSMGR1"
QAEC_CHAIR = "U0QAECCH1"  # chairs QAEC, which has nothing in "Child C"
CSE_CHAIR = "U0CSECHR1"  # chairs CSE, which owns the review's action
OWNER = "U0PROBATN"  # owns the review's action
PDC_CHAIR = "U0PDCCHR1"
STRANGER = "U0STRANGR"  # in the workspace, not in the organisation file
PLAIN = "U0SCHOOLS"  # in the organisation file, no role


def _confidential_review(sf, now) -> str:
    """R-1 "Child C", confidential, with one CSE action owned by the probation lead."""
    with sf.begin() as s:
        review = Review(
            number=ops.next_review_number(s),
            type="Serious Case Review",
            name="Child C",
            overview="Cannot be shared at this time due to ongoing investigations.",
            confidential=True,
            created_at=now,
        )
        s.add(review)
        owner = s.query(Person).filter_by(slack_id=OWNER).one()
        cse = s.query(Committee).filter_by(code="CSE").one()
        ops.create_action(
            s,
            SYSTEM,
            text="Probation to share risk assessments",
            now=now,
            review=review,
            owner=owner,
            committee=cse,
            due_date=date(2027, 3, 31),
        )
        return review.ref


def _count(sf) -> int:
    with sf() as s:
        return s.query(Action).count()


def _add_by_form(driver: SlackDriver, user: str, review: str, committee: str) -> dict:
    opened = driver.command(user, f"add committee {committee}")
    assert not opened.responses, opened.text  # the form opened, nothing was said
    return driver.submit(
        user,
        {"text": "Audit the risk assessments", "review": review, "committee": committee},
        view=driver.open_form(user),
    ).ack


@pytest.mark.parametrize("user,committee", [(QAEC_CHAIR, "QAEC"), (PDC_CHAIR, "PDC")])
def test_the_add_form_does_not_let_a_chair_into_a_review_they_may_not_see(
    driver: SlackDriver, session_factory, now, user, committee
):
    ref = _confidential_review(session_factory, now)
    before = _count(session_factory)
    for typed in (ref, "Child C", "child c"):
        ack = _add_by_form(driver, user, typed, committee)
        assert ack["response_action"] == "errors"
        assert ack["errors"]["review"].startswith("No review you can see matches")
    # A wrong guess is answered in the same words: the form confirms no names.
    wrong = _add_by_form(driver, user, "Child Z", committee)
    right = _add_by_form(driver, user, "Child C", committee)
    assert wrong["errors"]["review"].replace("Child Z", "?") == right["errors"]["review"].replace(
        "Child C", "?"
    )
    assert _count(session_factory) == before
    shown = driver.command(user, f"review {ref}").text
    assert "No review you can see matches" in shown and "Cannot be shared" not in shown
    assert "Child C" not in driver.command(user, "reviews").text


def test_typed_add_and_the_form_opening_refuse_alike(driver: SlackDriver, session_factory, now):
    ref = _confidential_review(session_factory, now)
    typed = driver.command(QAEC_CHAIR, f"add review {ref} committee QAEC Audit it").text
    wrong = driver.command(QAEC_CHAIR, "add review R-99 committee QAEC Audit it").text
    assert "No review you can see matches" in typed
    assert typed.replace(ref, "?") == wrong.replace("R-99", "?")
    # `/lscb add review R-1` without text would open a form on the review: it does not.
    out = driver.command(QAEC_CHAIR, f"add review {ref} committee QAEC")
    assert "No review you can see matches" in out.text
    assert driver.slack.open_modal(QAEC_CHAIR) is None
    assert _count(session_factory) == 1


@pytest.mark.parametrize("user", [ADMIN, CSE_CHAIR])
def test_those_who_may_see_the_review_add_to_it_by_form(
    driver: SlackDriver, session_factory, now, user
):
    ref = _confidential_review(session_factory, now)
    ack = _add_by_form(driver, user, ref, "CSE")
    assert ack == {}
    with session_factory() as s:
        added = ops.get_action(s, "A-2")
        assert added.review is not None and added.review.ref == ref


@pytest.mark.parametrize("who", [QAEC_CHAIR, PDC_CHAIR, PLAIN, STRANGER])
def test_the_domain_refuses_filing_into_a_review_out_of_reach(session_factory, org, now, who):
    """Whatever the route (form, command, shortcut, import), creating goes through here."""
    _confidential_review(session_factory, now)
    with session_factory.begin() as s:
        actor = ops.actor_for_slack_id(s, who)
        review = s.query(Review).one()
        committee = s.query(Committee).filter_by(code="QAEC").one()
        # Even an actor allowed to create in the committee is stopped at the review.
        actor = type(actor)(**{**actor.__dict__, "chairs": actor.chairs | {committee.id}})
        with pytest.raises(NotFound) as refused:
            ops.create_action(s, actor, text="x", now=now, review=review, committee=committee)
        assert "Child C" not in refused.value.message and "R-1" not in refused.value.message


@pytest.mark.parametrize("user", [STRANGER, PLAIN, PDC_CHAIR, OWNER])
def test_a_digest_preview_is_only_for_the_committees_chairs_and_admins(
    driver: SlackDriver, session_factory, now, user
):
    _confidential_review(session_factory, now)
    out = driver.command(user, "digest committee CSE")
    assert "digest preview is for its chairs" in out.text
    assert "Preview" not in out.text


@pytest.mark.parametrize("user", [ADMIN, CSE_CHAIR])
def test_the_committees_chair_and_admins_see_the_preview(
    driver: SlackDriver, session_factory, now, user
):
    _confidential_review(session_factory, now)
    assert "Preview" in driver.command(user, "digest committee CSE").text


def test_refusals_quote_typed_markup_inert(driver: SlackDriver, session_factory, now):
    for text in (
        "show <!here>",
        "review <https://evil.example|click here>",
        "update A-1 <!channel> now",
        "actions <!everyone>",
        "due A-1 <https://evil.example|tomorrow> because",
        "<!here> frobnicate",
    ):
        out = driver.command(ADMIN, text)
        sent = json.dumps(out.payload)
        for live in ("<!here", "<https://evil", "<!channel", "<!everyone"):
            assert live not in sent, (text, sent)
        assert "&lt;" in sent, (text, sent)


def test_a_refused_review_lookup_is_no_leak_even_when_names_overlap(
    driver: SlackDriver, session_factory, now
):
    _confidential_review(session_factory, now)
    with session_factory.begin() as s:
        s.add(Review(number=2, type="Audit", name="Child Care audit", created_at=now))
    # "child c" fits the confidential "Child C" and the public "Child Care audit": for someone
    # who may not see the first, only the second fits.
    assert "Child Care audit" in driver.command(PLAIN, "review child c").text


def test_a_refused_digest_names_nothing_in_the_domain(session_factory, org, now):
    from models.permissions import can_preview_digest

    with session_factory() as s:
        cse = s.query(Committee).filter_by(code="CSE").one()
        assert not can_preview_digest(ops.actor_for_slack_id(s, QAEC_CHAIR), cse.id)
        assert can_preview_digest(ops.actor_for_slack_id(s, CSE_CHAIR), cse.id)
        assert can_preview_digest(ops.actor_for_slack_id(s, ADMIN), cse.id)
    assert Refused  # the listener turns a refusal into its answer
