"""Event notices: which changes to an action someone hears about, and when they hear.

Each person chooses in App Home whether event notices reach them as they happen or once a day
at 09:00; until they choose, what a chair acts on (a sign-off request, a date request) comes as
it happens and everything else once a day.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.errors import InvalidInput, Refused
from models.permissions import Actor
from models.schema import Person

AS_IT_HAPPENS = "now"
ONCE_A_DAY = "daily"
DEFAULT = "default"
MODES: dict[str, str] = {
    DEFAULT: "Sign-off and date requests as they happen, the rest once a day at 09:00",
    AS_IT_HAPPENS: "Everything as it happens",
    ONCE_A_DAY: "Everything once a day at 09:00",
}
# Event kinds a chair acts on: as they happen unless the person chose otherwise.
ACT_ON = frozenset({"done", "due_request"})


def delivery(mode: str | None, kind: str) -> str:
    """AS_IT_HAPPENS or ONCE_A_DAY for an event of `kind` to someone with `mode`."""
    if mode in (AS_IT_HAPPENS, ONCE_A_DAY):
        return mode
    return AS_IT_HAPPENS if kind in ACT_ON else ONCE_A_DAY


def mode_of(person: Person | None) -> str:
    return person.notice_mode if person is not None and person.notice_mode in MODES else DEFAULT


def set_notice_mode(s: Session, actor: Actor, mode: str) -> str:
    """Record how event notices reach `actor` (one of MODES); returns the mode kept."""
    if mode not in MODES:
        raise InvalidInput(f"“{mode[:30]}” is not a choice: use one of {', '.join(MODES)}.")
    if actor.person_id is None:
        raise Refused(
            "You are not in the organisation file, so the app sends you no notices to choose about."
        )
    person = s.get(Person, actor.person_id)
    assert person is not None
    person.notice_mode = None if mode == DEFAULT else mode
    s.flush()
    return mode
