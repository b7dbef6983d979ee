"""Domain operations: state changes, events, reasons, and what each role may do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import actions as ops
from models.errors import InvalidInput, NotFound, Refused
from models.permissions import Actor
from models.queries import ActionFilter, list_actions, load_events
from models.schema import Action, Committee, Person, Status
from tests.conftest import actor
from tests.factories import make_action

SYSTEM = Actor.system("test")


def test_actions_are_numbered_from_one_in_creation_order(session_factory, org, now) -> None:
    assert make_action(session_factory, now) == "A-1"
    assert make_action(session_factory, now) == "A-2"


def test_create_writes_created_assigned_and_due_events(session_factory, org, now) -> None:
    ref = make_action(session_factory, now)
    with session_factory() as s:
        kinds = [e.kind for e in load_events(s, ops.get_action(s, ref))]
    assert kinds == ["created", "assigned", "due"]


def test_full_lifecycle_records_every_change(session_factory, org, now) -> None:
    ref = make_action(session_factory, now)
    owner = actor(session_factory, "U0DESNURS")
    chair = actor(session_factory, "U0QAECCH1")
    later = now + timedelta(days=1)
    with session_factory.begin() as s:
        ops.update(
            s, owner, ref, word="at-risk", note="Waiting for sign-off of the draft", now=later
        )
        ops.add_note(s, owner, ref, text="Draft at the health board", now=later)
        ops.change_due(
            s, owner, ref, when="30/06/2027", reason="Health board meets in June", now=later
        )
        ops.approve_due(s, chair, ref, now=later)
        ops.mark_done(s, owner, ref, evidence="Guidance on the website", now=later)
        ops.reopen(s, chair, ref, reason="Link is broken", now=later)
        ops.mark_done(s, owner, ref, evidence="Link fixed", now=later)
        ops.sign_off(s, chair, ref, impact="Referrals for bruising up 20%", now=later)
    with session_factory() as s:
        a = ops.get_action(s, ref)
        events = load_events(s, a)
        assert a.status == Status.SIGNED_OFF
        assert a.due_date == date(2027, 6, 30) and a.original_due_date == date(2027, 3, 31)
        assert a.evidence_of_impact == "Referrals for bruising up 20%"
        assert a.signed_off_by_id == org["U0QAECCH1"].id
        kinds = [e.kind for e in events]
        assert kinds == [
            "created",
            "assigned",
            "due",
            "status",
            "rating",
            "note",
            "due_request",
            "due",
            "done",
            "reopen",
            "rejected",
            "done",
            "signoff",
        ]
        due_changes = [(e.before, e.after, e.note) for e in events if e.kind == "due"]
        assert due_changes[-1] == ("2027-03-31", "2027-06-30", "Health board meets in June")
        assert [e.actor_label for e in events][-1] == "U0QAECCH1"


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda s, a, r, n: ops.change_due(s, a, r, when="30/06/2027", reason="", now=n), "reason"),
        (
            lambda s, a, r, n: ops.change_due(s, a, r, when="31/02/2027", reason="x", now=n),
            "not a real date",
        ),
        (
            lambda s, a, r, n: ops.change_due(s, a, r, when="01/01/2020", reason="x", now=n),
            "in the past",
        ),
        (lambda s, a, r, n: ops.mark_done(s, a, r, evidence="  ", now=n), "Evidence of completion"),
        (lambda s, a, r, n: ops.update(s, a, r, word="finished", now=n), "not a status"),
        (lambda s, a, r, n: ops.sign_off(s, a, r, now=n), "only a complete action"),
        (lambda s, a, r, n: ops.reopen(s, a, r, reason="x", now=n), "only a complete action"),
        (lambda s, a, r, n: ops.add_note(s, a, r, text="", now=n), "note is needed"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    session_factory, org, now, call, message
) -> None:
    ref = make_action(session_factory, now)
    with session_factory() as s:
        before = [e.id for e in load_events(s, ops.get_action(s, ref))]
    with pytest.raises(InvalidInput, match=message), session_factory.begin() as s:
        call(s, SYSTEM, ref, now)
    with session_factory() as s:
        a = ops.get_action(s, ref)
        assert [e.id for e in load_events(s, a)] == before
        assert a.status == Status.NOT_STARTED and a.due_date == date(2027, 3, 31)


def test_unknown_reference_says_so(session_factory, org) -> None:
    with session_factory() as s, pytest.raises(NotFound, match="no action A-99"):
        ops.get_action(s, "A-99")
    with session_factory() as s, pytest.raises(InvalidInput, match="look like A-12"):
        ops.get_action(s, "B12")


def test_references_are_forgiving_of_case_and_spacing(session_factory, org, now) -> None:
    make_action(session_factory, now)
    with session_factory() as s:
        assert ops.get_action(s, " a-1 ").ref == "A-1"
        assert ops.get_action(s, "a1").ref == "A-1"


def test_setting_a_first_due_date_needs_no_reason(session_factory, org, now) -> None:
    ref = make_action(session_factory, now, due=None)
    with session_factory.begin() as s:
        ops.change_due(s, SYSTEM, ref, when="end of March", reason=None, now=now)
    with session_factory() as s:
        assert ops.get_action(s, ref).original_due_date == date(2027, 3, 31)


def test_unassigned_filter_lists_actions_without_owner_or_date(session_factory, org, now) -> None:
    make_action(session_factory, now)
    a2 = make_action(session_factory, now, owner=None)
    a3 = make_action(session_factory, now, due=None)
    with session_factory() as s:
        rows = list_actions(s, ActionFilter(status="unassigned"), now)
        assert [a.ref for a, _ in rows] == [a2, a3]


def test_cancel_needs_admin_and_reason(session_factory, org, now) -> None:
    ref = make_action(session_factory, now)
    admin = actor(session_factory, "U0BUSMGR1")
    with pytest.raises(InvalidInput, match="reason"), session_factory.begin() as s:
        ops.cancel(s, admin, ref, reason="", now=now)
    with session_factory.begin() as s:
        ops.cancel(s, admin, ref, reason="Merged into A-2", now=now)
    with session_factory() as s:
        assert ops.get_action(s, ref).status == Status.CANCELLED


# --- The permission matrix: every role against every operation ----------------------------

ROLES = {
    "admin": "U0BUSMGR1",
    "chair": "U0QAECCH1",  # chair of QAEC, the action's committee
    "other chair": "U0CSECHR1",  # chair of another committee
    "owner": "U0DESNURS",
    "stranger": "U0POLICE1",  # in the organisation, no role on this action
}

OPERATIONS = {
    "view": (Status.NOT_STARTED, lambda s, a, r, n: ops.get_visible_action(s, a, r)),
    "update": (Status.NOT_STARTED, lambda s, a, r, n: ops.update(s, a, r, word="on-track", now=n)),
    "note": (Status.NOT_STARTED, lambda s, a, r, n: ops.add_note(s, a, r, text="Progress", now=n)),
    "done": (
        Status.NOT_STARTED,
        lambda s, a, r, n: ops.mark_done(s, a, r, evidence="Done it", now=n),
    ),
    "due": (
        Status.NOT_STARTED,
        lambda s, a, r, n: ops.change_due(s, a, r, when="30/06/2027", reason="Slipped", now=n),
    ),
    "assign": (
        Status.NOT_STARTED,
        lambda s, a, r, n: ops.assign(
            s,
            a,
            r,
            owner=s.scalars(select(Person).where(Person.slack_id == "U0SCHOOLS")).one(),
            now=n,
        ),
    ),
    "signoff": (Status.COMPLETE, lambda s, a, r, n: ops.sign_off(s, a, r, now=n)),
    "reopen": (
        Status.COMPLETE,
        lambda s, a, r, n: ops.reopen(s, a, r, reason="Not finished", now=n),
    ),
    "cancel": (
        Status.NOT_STARTED,
        lambda s, a, r, n: ops.cancel(s, a, r, reason="Superseded", now=n),
    ),
}

ALLOWED = {
    "admin": set(OPERATIONS),
    "chair": set(OPERATIONS) - {"cancel"},
    "other chair": {"view"},
    "owner": {"view", "update", "note", "done", "due"},
    "stranger": {"view"},
}

REFUSAL_WORDS = {
    "signoff": "sign off",
    "cancel": "Only an admin can cancel",
    "reopen": "can reopen",
    "assign": "can reassign",
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("op", list(OPERATIONS))
def test_permission_matrix(session_factory, org, now, role: str, op: str) -> None:
    status, call = OPERATIONS[op]
    ref = make_action(session_factory, now, status=status)
    who = actor(session_factory, ROLES[role])
    if op in ALLOWED[role]:
        with session_factory.begin() as s:
            call(s, who, ref, now)
        return
    with pytest.raises(Refused) as e, session_factory.begin() as s:
        call(s, who, ref, now)
    reason = str(e.value)
    assert ref in reason, reason  # every refusal names the action and says why
    assert REFUSAL_WORDS.get(op, "only its owner") in reason


@pytest.mark.parametrize("role", list(ROLES))
def test_confidential_review_visible_only_to_admin_chair_and_owner(
    session_factory, org, now, role
) -> None:
    ref = make_action(session_factory, now, confidential=True)
    who = actor(session_factory, ROLES[role])
    with session_factory() as s:
        if role in ("admin", "chair", "owner"):
            assert ops.get_visible_action(s, who, ref).ref == ref
            assert [a.ref for a, _ in list_actions(s, ActionFilter(), now, viewer=who)] == [ref]
        else:
            with pytest.raises(Refused, match="confidential") as e:
                ops.get_visible_action(s, who, ref)
            assert "Alex" not in str(e.value)
            assert list_actions(s, ActionFilter(), now, viewer=who) == []


def test_chair_who_owns_an_action_cannot_sign_it_off(session_factory, org, now) -> None:
    ref = make_action(session_factory, now, owner="U0QAECCH1", status=Status.COMPLETE)
    with pytest.raises(Refused, match="another chair or an admin"), session_factory.begin() as s:
        ops.sign_off(s, actor(session_factory, "U0QAECCH1"), ref, now=now)


def test_only_admins_and_chairs_create(session_factory, org, now) -> None:
    with session_factory.begin() as s:
        qaec = s.scalars(select(Committee).where(Committee.code == "QAEC")).one()
        ops.create_action(s, actor(session_factory, "U0QAECCH1"), text="x", now=now, committee=qaec)
        with pytest.raises(Refused, match="own committee"):
            ops.create_action(
                s, actor(session_factory, "U0CSECHR1"), text="x", now=now, committee=qaec
            )
        with pytest.raises(Refused, match="admins"):
            ops.create_action(s, actor(session_factory, "U0DESNURS"), text="x", now=now)
    with session_factory() as s:
        assert len(s.scalars(select(Action)).all()) == 1


# ---------------------------------------------------------------- date changes by owners


def _set_date_changes(sf, value: str) -> None:
    from models.schema import OrgSetting

    with sf.begin() as s:
        row = s.get(OrgSetting, "date_changes")
        if row is None:
            s.add(OrgSetting(key="date_changes", value=value))
        else:
            row.value = value


def test_an_owners_new_date_is_a_request_until_the_chair_approves(session_factory, org, now):
    ref = make_action(session_factory, now)
    owner = actor(session_factory, "U0DESNURS")
    chair = actor(session_factory, "U0QAECCH1")
    with session_factory.begin() as s:
        a = ops.change_due(s, owner, ref, when="30/06/2027", reason="board moved", now=now)
        assert ops.date_requested(a)
        assert a.due_date == date(2027, 3, 31)  # the date in force is unchanged
        assert a.requested_due_date == date(2027, 6, 30)
    with session_factory.begin() as s, pytest.raises(Refused, match="chair"):
        ops.approve_due(s, owner, ref, now=now)
    with session_factory.begin() as s:
        a = ops.approve_due(s, chair, ref, now=now)
        assert a.due_date == date(2027, 6, 30) and a.requested_due_date is None
        last = load_events(s, a)[-1]
        assert (last.kind, last.before, last.after, last.note) == (
            "due",
            "2027-03-31",
            "2027-06-30",
            "board moved",
        )


def test_a_declined_date_keeps_the_date_in_force_and_says_why(session_factory, org, now):
    ref = make_action(session_factory, now)
    owner = actor(session_factory, "U0DESNURS")
    chair = actor(session_factory, "U0QAECCH1")
    with session_factory.begin() as s:
        ops.change_due(s, owner, ref, when="30/06/2027", reason="hols", now=now)
    with session_factory.begin() as s, pytest.raises(InvalidInput, match="reason"):
        ops.decline_due(s, chair, ref, reason=" ", now=now)
    with session_factory.begin() as s:
        a = ops.decline_due(s, chair, ref, reason="The board needs it by March", now=now)
        assert a.due_date == date(2027, 3, 31) and a.requested_due_date is None
        last = load_events(s, a)[-1]
        assert (last.kind, last.after, last.note) == (
            "due_declined",
            "2027-06-30",
            "The board needs it by March",
        )
    with session_factory.begin() as s, pytest.raises(InvalidInput, match="no new date waiting"):
        ops.approve_due(s, chair, ref, now=now)


def test_chairs_and_admins_set_dates_directly_and_owner_sets_lets_owners(session_factory, org, now):
    ref = make_action(session_factory, now)
    chair = actor(session_factory, "U0QAECCH1")
    admin = actor(session_factory, "U0BUSMGR1")
    owner = actor(session_factory, "U0DESNURS")
    with session_factory.begin() as s:
        a = ops.change_due(s, chair, ref, when="30/04/2027", reason="agreed", now=now)
        assert a.due_date == date(2027, 4, 30) and not ops.date_requested(a)
        a = ops.change_due(s, admin, ref, when="31/05/2027", reason="agreed", now=now)
        assert a.due_date == date(2027, 5, 31)
    _set_date_changes(session_factory, "owner-sets")
    with session_factory.begin() as s:
        a = ops.change_due(s, owner, ref, when="30/06/2027", reason="mine to set", now=now)
        assert a.due_date == date(2027, 6, 30) and not ops.date_requested(a)


def test_measure_sign_off_with_a_review_date_then_impact(session_factory, org, now) -> None:
    from datetime import date, timedelta

    from models.errors import InvalidInput, Refused
    from tests.factories import make_action

    ref = make_action(session_factory, now, status=Status.COMPLETE)
    chair = actor(session_factory, "U0QAECCH1")
    owner = actor(session_factory, "U0DESNURS")
    with session_factory.begin() as s:
        ops.set_measure(s, owner, ref, text="Re-audit 20 referrals", now=now)
    with session_factory.begin() as s, pytest.raises(InvalidInput, match="not after today"):
        ops.sign_off(s, chair, ref, review_on="today", now=now)
    with session_factory.begin() as s:
        ops.sign_off(s, chair, ref, review_on="in 6 months", now=now)
    later = now + timedelta(days=200)
    with session_factory.begin() as s, pytest.raises(Refused, match="Only the chair"):
        ops.record_impact(s, owner, ref, evidence="It worked", now=later)
    with session_factory.begin() as s:
        ops.set_impact_review(s, chair, ref, when="31/07/2027", reason="audit late", now=later)
    with session_factory.begin() as s:
        ops.record_impact(s, chair, ref, evidence="19 of 20 referrals met the threshold", now=later)
    with session_factory() as s:
        a = ops.get_action(s, ref)
        assert a.measure == "Re-audit 20 referrals" and a.impact_review_on is None
        assert a.evidence_of_impact == "19 of 20 referrals met the threshold"
        got = [(e.kind, e.before, e.after) for e in a.events if "impact" in e.kind]
    assert got == [
        ("impact_review", None, "2027-05-25"),
        ("impact_review", "2027-05-25", "2027-07-31"),
        ("impact", "2027-07-31", None),
    ]
    assert date(2027, 5, 25) == date.fromisoformat(got[0][2] or "")
