"""An action's history in people's words: what each kind of event reads as."""

from __future__ import annotations

import pytest

from models.history import event_words, slack_ids_in

NAMES = {"U0DESNURS": "Priya Shah", "U0POLICE1": "DS Kevin Doyle"}


@pytest.mark.parametrize(
    ("kind", "before", "after", "note", "said"),
    [
        ("created", None, "not_started", None, "created not started"),
        (
            "status",
            "not_started",
            "in_progress",
            "lead left",
            "status not started → in progress: lead left",
        ),
        ("rating", None, "at_risk", None, "owner's rating at risk"),
        ("rating", "at_risk", "off_track", None, "owner's rating at risk → off track"),
        ("due", None, "2026-12-07", None, "due date 07/12/2026"),
        ("due", "2026-12-07", "2027-03-31", "panel", "due date 07/12/2026 → 31/03/2027: panel"),
        ("assigned", None, "U0DESNURS / QAEC", None, "assigned Priya Shah / QAEC"),
        (
            "assigned",
            "U0DESNURS / QAEC",
            "U0POLICE1 / QAEC",
            None,
            "assigned Priya Shah / QAEC → DS Kevin Doyle / QAEC",
        ),
        (
            "assigned",
            "Bernadette Quinn / QAEC",
            "QAEC",
            None,
            "assigned Bernadette Quinn / QAEC → QAEC",
        ),
        ("done", "in_progress", "complete", "trained", "marked done: trained"),
        ("reopen", "complete", "in_progress", "too small", "reopened: too small"),
        ("signoff", "complete", "signed_off", None, "signed off"),
        ("cancel", "in_progress", "cancelled", "gone", "cancelled: gone"),
        ("edited", "Old words", "New words", None, "wording changed (was: Old words)"),
        ("merged", "not_started", "A-28", "same", "merged into A-28: same"),
        ("merged", "A-24", None, "same", "A-24 merged in as a duplicate: same"),
        (
            "evidence",
            None,
            "https://x.slack.com/archives/C1/p1",
            None,
            "evidence added https://x.slack.com/archives/C1/p1",
        ),
        (
            "rejected",
            None,
            None,
            "Evidence of completion: old",
            "evidence set aside: Evidence of completion: old",
        ),
    ],
)
def test_each_event_reads_as_people_say_it(kind, before, after, note, said) -> None:
    assert event_words(kind, before, after, note, NAMES) == said


def test_the_slack_ids_a_history_mentions_are_found_to_be_named() -> None:
    class E:
        def __init__(self, kind, before, after, actor_label):
            self.kind, self.before, self.after, self.actor_label = kind, before, after, actor_label

    events = [
        E("assigned", "U0DESNURS / QAEC", "U0POLICE1 / QAEC", "U0BUSMGR1"),
        E("note", None, None, "command line"),
        E("assigned", None, "Bernadette Quinn / QAEC", "U0STRANGR"),
    ]
    assert slack_ids_in(events) == {"U0DESNURS", "U0POLICE1", "U0BUSMGR1", "U0STRANGR"}
