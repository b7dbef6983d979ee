"""The board's own BRAG key in the notices: what Blue means (`[brag] blue`) and the ratings'
names (`[brag.labels]`), as `lscb actions list --json` and the app rate and name them."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bot.cli import main
from models import actions as ops
from models.schema import Status
from tests.factories import SYSTEM, load_brag_key, make_action
from tests.jobs.conftest import channel_id, posts

# The first working day of 2027's first quarter, a Monday: the board summary and the Monday
# digests are both owed at 09:00.
MONDAY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 9, 1, 10, tzinfo=UTC)  # signed off then: counted, no longer listed
LAST_WEEK = datetime(2026, 12, 29, 10, tzinfo=UTC)  # signed off since the last digest
EMOJI = {
    "red_circle": "red",
    "large_orange_circle": "amber",
    "large_green_circle": "green",
    "large_blue_circle": "blue",
    "white_circle": "unassigned",
}
COUNT = re.compile(r":(\w+): ([^*]+?) \*(\d+)\*")


def _signed_off(sf, at: datetime, *, impact: str | None = None, review: str | None = None) -> str:
    ref = make_action(sf, at, status=Status.COMPLETE)
    with sf.begin() as s:
        ops.sign_off(s, SYSTEM, ref, impact=impact, review_on=review, now=at)
    return ref


def _the_actions(sf) -> dict[str, str]:
    """One of each kind of signed-off action, and one open on course (all QAEC's)."""
    return {
        "open": make_action(sf, LAST_WEEK, due=date(2027, 6, 30)),
        "recent, no impact": _signed_off(sf, LAST_WEEK),
        "recent, impact": _signed_off(sf, LAST_WEEK, impact="Referrals up a fifth"),
        "long ago, no impact": _signed_off(sf, LONG_AGO),
        "long ago, impact": _signed_off(sf, LONG_AGO, impact="Re-audit: 18 of 20 right"),
        "long ago, review to come": _signed_off(sf, LONG_AGO, review="in 6 months"),
    }


def _counts_line(blocks: list[dict]) -> dict[str, tuple[str, int]]:
    """The first counts-by-BRAG line of a message: by rating, the name shown and the count."""
    for b in blocks:
        text = b.get("text", {}).get("text", "") if b.get("type") == "section" else ""
        found = COUNT.findall(text)
        if found:
            return {EMOJI[e]: (name, int(n)) for e, name, n in found}
    raise AssertionError("no counts by BRAG")


def _listed(db_url: str, capsys) -> Counter[str]:
    """`lscb actions list --json` at the same moment: the actions' BRAG, counted."""
    assert (
        main(
            ["actions", "list", "--json", "--now", MONDAY.isoformat()], env={"DATABASE_URL": db_url}
        )
        == 0
    )
    return Counter(
        a["brag"] for a in json.loads(capsys.readouterr().out) if a["brag"] != "cancelled"
    )


@pytest.mark.parametrize(
    ("blue", "expected"),
    [
        ("signed-off", {"blue": 5, "green": 1}),
        # Blue only with evidence of impact: the other three signed off are Green, impact pending.
        ("impact-evidenced", {"blue": 2, "green": 4}),
    ],
)
def test_digest_and_board_summary_rate_sign_offs_as_the_action_list_does(
    blue, expected, runner, slack, session_factory, tmp_path, db_url, capsys
):
    load_brag_key(session_factory, tmp_path, blue)
    _the_actions(session_factory)
    listed = _listed(db_url, capsys)
    assert listed == expected

    assert runner.run("digests", MONDAY).ok
    [digest] = posts(slack, channel_id(slack, "#lscb-qaec"))
    in_digest = {b: n for b, (_, n) in _counts_line(digest.blocks).items() if n}
    assert in_digest == expected

    assert runner.run("board-summary", MONDAY).ok
    [summary] = posts(slack, channel_id(slack, "#lscb-board"))
    in_summary = {b: n for b, (_, n) in _counts_line(summary.blocks).items() if n}
    assert in_summary == expected


def test_signed_off_without_impact_is_green_impact_pending_under_impact_evidenced(
    runner, slack, session_factory, tmp_path
):
    from jobs.owed import load_snapshot
    from models.brag import IMPACT_PENDING, Brag, BragRules

    load_brag_key(session_factory, tmp_path, "impact-evidenced")
    refs = _the_actions(session_factory)
    with session_factory() as s:  # the environment's windows only: the key comes from the file
        snap = load_snapshot(s, MONDAY, BragRules())
    rated = {a.ref: snap.brag(a) for a in snap.actions}
    pending = rated[refs["recent, no impact"]]
    assert pending.brag.value == "green" and pending.reasons == (IMPACT_PENDING,)
    assert rated[refs["recent, impact"]].brag.value == "blue"
    assert rated[refs["long ago, review to come"]].brag.value == "green"
    # Signed off long ago, only counted: with evidence Blue, without it Green.
    [qaec] = [c.id for c in snap.committees.values() if c.code == "QAEC"]
    assert snap.old_signed_off == {qaec: Counter({Brag.BLUE: 1, Brag.GREEN: 1})}


def test_the_notices_name_the_ratings_as_the_boards_key_does(
    runner, slack, session_factory, tmp_path, monkeypatch
):
    import reports.charts

    legends: list[object] = []
    draw = reports.charts.brag_by_committee_png

    def drawn(*args, **kwargs):
        legends.append(kwargs.get("rating_labels"))
        return draw(*args, **kwargs)

    monkeypatch.setattr(reports.charts, "brag_by_committee_png", drawn)
    load_brag_key(
        session_factory,
        tmp_path,
        "impact-evidenced",
        {"blue": "Embedded", "green": "On course", "red": "Off course"},
    )
    _the_actions(session_factory)
    runner.run("digests", MONDAY)
    [digest] = posts(slack, channel_id(slack, "#lscb-qaec"))
    names = {b: name for b, (name, _) in _counts_line(digest.blocks).items()}
    assert names == {
        "red": "Off course",
        "amber": "Amber",
        "green": "On course",
        "blue": "Embedded",
        "unassigned": "Unassigned",
    }

    runner.run("board-summary", MONDAY)
    [summary] = posts(slack, channel_id(slack, "#lscb-board"))
    shown = json.dumps(summary.blocks, ensure_ascii=False)
    assert ":large_blue_circle: Embedded *2*" in shown
    table = next(
        b["text"]["text"] for b in summary.blocks if "```" in b.get("text", {}).get("text", "")
    )
    head, row = table.strip("`").splitlines()[:2]
    assert head.split() == [
        "committee",
        "Off",
        "course",
        "Amber",
        "On",
        "course",
        "Embedded",
        "Unassigned",
    ]
    assert row.split() == ["QAEC", "0", "0", "4", "2", "0"]
    assert "Blue" not in shown and "Green" not in shown
    # The chart in its thread, drawn when the summary is sent: its legend in the board's names.
    [legend] = legends
    assert (
        isinstance(legend, dict) and legend["blue"] == "Embedded" and legend["red"] == "Off course"
    )


def test_without_a_key_the_notices_say_red_amber_green_blue(runner, slack, session_factory):
    make_action(session_factory, LAST_WEEK, due=date(2027, 6, 30))
    runner.run("digests", MONDAY)
    [digest] = posts(slack, channel_id(slack, "#lscb-qaec"))
    names = {b: name for b, (name, _) in _counts_line(digest.blocks).items()}
    assert names["blue"] == "Blue" and names["green"] == "Green" and names["red"] == "Red"
