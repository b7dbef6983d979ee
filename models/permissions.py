"""Who may do what. Every refusal says why."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from models.schema import OPEN_STATUSES, Action, Person, Review, Status


class Op(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    ASSIGN = "assign"
    UPDATE = "update"
    NOTE = "note"
    DONE = "done"
    DUE = "due"
    SIGNOFF = "signoff"
    REOPEN = "reopen"
    CANCEL = "cancel"
    EDIT = "edit"
    MERGE = "merge"
    EVIDENCE = "evidence"
    DECIDE_DUE = "decide_due"  # approve or decline an owner's request for a new due date
    MEASURE = "measure"  # say how the board will know the action worked
    IMPACT = "impact"  # record evidence of impact after sign-off, or set its review date


OWNER_OPS = {Op.VIEW, Op.UPDATE, Op.NOTE, Op.DONE, Op.DUE, Op.EVIDENCE, Op.MEASURE}


@dataclass(frozen=True)
class Actor:
    """Someone (or the system itself, for imports and jobs) acting on actions."""

    person_id: int | None
    label: str
    slack_id: str | None = None
    is_admin: bool = False
    chairs: frozenset[int] = field(default_factory=frozenset)
    is_system: bool = False

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(
            person_id=person.id,
            label=person.name,
            slack_id=person.slack_id,
            is_admin=person.is_admin,
            chairs=frozenset(person.chaired_committee_ids),
        )

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(person_id=None, label=label, is_admin=True, is_system=True)

    @classmethod
    def stranger(cls, slack_id: str, label: str | None = None) -> Actor:
        return cls(person_id=None, label=label or slack_id, slack_id=slack_id)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def can_see(actor: Actor, action: Action) -> Decision:
    if not action.confidential:
        return ALLOW
    if actor.is_admin or (action.committee_id in actor.chairs) or _owns(actor, action):
        return ALLOW
    return Decision(
        False,
        f"{action.ref} belongs to a confidential review: only admins, the accountable "
        "chair and the owner can see it.",
    )


def _owns(actor: Actor, action: Action) -> bool:
    return actor.person_id is not None and action.owner_id == actor.person_id


def check(
    actor: Actor, op: Op, action: Action | None = None, *, committee_id: int | None = None
) -> Decision:
    """May `actor` perform `op` on `action` (or, for CREATE, in `committee_id`)?"""
    if op == Op.CREATE:
        if actor.is_admin:
            return ALLOW
        if committee_id is not None and committee_id in actor.chairs:
            return ALLOW
        if actor.chairs:
            return Decision(
                False,
                "Chairs can add actions only to their own committee: name it with `committee CODE`.",
            )
        return Decision(
            False, "Only the business unit (admins) and committee chairs can add actions."
        )
    assert action is not None
    seen = can_see(actor, action)
    if not seen:
        return seen
    if op == Op.VIEW:
        return ALLOW
    if actor.is_admin:
        return ALLOW
    chair = action.committee_id is not None and action.committee_id in actor.chairs
    owner = _owns(actor, action)
    if op == Op.CANCEL:
        return Decision(False, f"Only an admin can cancel {action.ref}.")
    if op == Op.MERGE:
        return Decision(False, f"Only an admin can merge {action.ref} into another action.")
    if op == Op.EDIT and not chair:
        return Decision(
            False,
            f"Only the chair of {_committee(action)} or an admin can change the wording of "
            f"{action.ref}.",
        )
    if op == Op.IMPACT:
        if chair:
            return ALLOW
        return Decision(
            False,
            f"Only the chair of {_committee(action)} or an admin can record the impact of {action.ref}.",
        )
    if op == Op.SIGNOFF:
        if chair and owner:
            return Decision(
                False, f"You own {action.ref}, so another chair or an admin must sign it off."
            )
        if chair:
            return ALLOW
        if owner:
            return Decision(
                False,
                f"Owners cannot sign off their own actions: the chair of {_committee(action)} or an admin signs off {action.ref}.",
            )
        return Decision(
            False, f"Only the chair of {_committee(action)} or an admin can sign off {action.ref}."
        )
    if chair:
        return ALLOW
    if op == Op.DECIDE_DUE:
        return Decision(
            False,
            f"Only the chair of {_committee(action)} or an admin can decide a new date for {action.ref}.",
        )
    if op in OWNER_OPS and owner:
        return ALLOW
    if op in (Op.REOPEN, Op.ASSIGN):
        return Decision(
            False,
            f"Only the chair of {_committee(action)} or an admin can {'reopen' if op == Op.REOPEN else 'reassign'} {action.ref}.",
        )
    who = action.owner.name if action.owner is not None else "nobody yet"
    return Decision(
        False,
        f"{action.ref} is owned by {who}: only its owner, the chair of {_committee(action)} or an admin can change it.",
    )


def _committee(action: Action) -> str:
    return action.committee.code if action.committee is not None else "its committee"


# The statuses each change can start from. The operations refuse any other (each saying why in
# its own words); messages offer a button only where the status fits.
FROM_STATUSES: dict[Op, frozenset[Status]] = {
    Op.UPDATE: OPEN_STATUSES,
    Op.NOTE: frozenset(Status) - {Status.CANCELLED},
    Op.DONE: OPEN_STATUSES,
    Op.DUE: OPEN_STATUSES,
    Op.SIGNOFF: frozenset({Status.COMPLETE}),
    Op.REOPEN: frozenset({Status.COMPLETE, Status.SIGNED_OFF}),
    Op.ASSIGN: OPEN_STATUSES | {Status.COMPLETE},
    Op.CANCEL: frozenset(Status) - {Status.SIGNED_OFF, Status.CANCELLED},
    Op.EDIT: frozenset(Status) - {Status.CANCELLED},
    Op.MERGE: frozenset(Status) - {Status.SIGNED_OFF, Status.CANCELLED},
    Op.EVIDENCE: OPEN_STATUSES | {Status.COMPLETE},
    Op.DECIDE_DUE: OPEN_STATUSES,
    Op.MEASURE: frozenset(Status) - {Status.CANCELLED},
    Op.IMPACT: frozenset({Status.SIGNED_OFF}),
}


def available_ops(actor: Actor, action: Action) -> frozenset[Op]:
    """What `actor` could do to `action` now: allowed for them and fitting its status.

    Messages show a button only for these; the operations themselves check again.
    """
    return frozenset(
        op
        for op, statuses in FROM_STATUSES.items()
        if action.status in statuses and check(actor, op, action)
    )


def can_see_review(actor: Actor, review: Review) -> Decision:
    """A confidential review is visible to admins and to the chairs and owners of its actions."""
    if not review.confidential or actor.is_admin:
        return ALLOW
    for a in review.actions:
        if a.committee_id is not None and a.committee_id in actor.chairs:
            return ALLOW
        if _owns(actor, a):
            return ALLOW
    return Decision(
        False,
        f"{review.ref} is confidential: only admins, the accountable chair and the owners of "
        "its actions can see it.",
    )


# Said the same whether the review does not exist or may not be seen: a confidential review's
# name and reference are themselves sensitive.
REVIEW_OUT_OF_REACH = "No review you can see matches that reference. `/lscb reviews` lists them."


def can_file_under(actor: Actor, review: Review) -> Decision:
    """May `actor` create, move or link an action into `review`? Only one they may see."""
    if can_see_review(actor, review):
        return ALLOW
    return Decision(False, REVIEW_OUT_OF_REACH)


def can_preview_digest(actor: Actor, committee_id: int) -> Decision:
    """A committee's digest preview (its channel's content) is for its chairs and admins."""
    if actor.is_admin or committee_id in actor.chairs:
        return ALLOW
    return Decision(
        False, "A committee's digest preview is for its chairs and the business unit (admins)."
    )


def sets_dates_directly(actor: Actor, action: Action) -> bool:
    """Chairs of the action's committee, admins and the system set due dates without asking."""
    return actor.is_admin or (
        action.committee_id is not None and action.committee_id in actor.chairs
    )
