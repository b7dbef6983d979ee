"""Every /lscb subcommand through the real app: signed request in, reply and database checked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import ids
from models import actions as ops
from models.permissions import Actor
from models.schema import Action, ActionEvent, Person, Rating, Status
from tests.bot.slackapp import SlackDriver
from tests.factories import make_action

OWNER, CHAIR, ADMIN, STRANGER, OTHER = (
    "U0DESNURS",
    "U0QAECCH1",
    "U0BUSMGR1",
    "U0STRANGR",
    "U0POLICE1",
)


def action(sf, ref: str) -> Action:
    with sf() as s:
        a = ops.get_action(s, ref)
        s.expunge(a)
        return a


def events(sf, ref: str) -> list[str]:
    with sf() as s:
        number = ops.parse_ref(ref)
        return list(
            s.scalars(
                select(ActionEvent.kind)
                .join(Action)
                .where(Action.number == number)
                .order_by(ActionEvent.id)
            )
        )


def test_help_answers_ephemerally_with_every_form(driver: SlackDriver) -> None:
    out = driver.command(OWNER, "help")
    assert out.status == 200
    assert out.payload["response_type"] == "ephemeral"
    assert "/lscb due A-12 <date> <reason>" in out.text


def test_actions_lists_mine_by_default_and_all_on_request(driver, session_factory, now) -> None:
    mine = make_action(session_factory, now)
    theirs = make_action(session_factory, now, owner=OTHER)
    out = driver.command(OWNER, "actions")
    assert mine in out.text and theirs not in out.text
    everyone = driver.command(OWNER, "actions all")
    assert mine in everyone.text and theirs in everyone.text


def test_actions_filters_by_scope_person_and_committee(driver, session_factory, now) -> None:
    from datetime import date

    late = make_action(session_factory, now, due=date(2026, 12, 20))
    with session_factory.begin() as s:
        a = ops.get_action(s, late)
        a.due_date = date(2026, 11, 1)  # overdue: set directly, as an import of old data would
    later = make_action(session_factory, now, owner=OTHER, committee="PDC")
    assert late in driver.command(OWNER, "actions overdue").text
    assert later not in driver.command(OWNER, "actions overdue").text
    assert later in driver.command(OWNER, f"actions all <@{OTHER}|kevin>").text
    by_committee = driver.command(OWNER, "actions committee PDC")
    assert later in by_committee.text and late not in by_committee.text
    # The example organisation names channels by #name; Slack sends the id and the name.
    by_channel = driver.command(OWNER, "actions <#C0QAEC|lscb-qaec>")
    assert late in by_channel.text and later not in by_channel.text
    assert "No committee uses" in driver.command(OWNER, "actions <#C9|random>").text


def test_unknown_committee_names_the_known_ones(driver) -> None:
    out = driver.command(OWNER, "actions committee NOPE")
    assert "no committee NOPE" in out.text and "QAEC" in out.text


def test_long_lists_are_paged_in_twenties(driver: SlackDriver, session_factory, now) -> None:
    for _ in range(45):
        make_action(session_factory, now)
    first = driver.command(OWNER, "actions")
    assert len(first.blocks) <= 50
    assert "1–20 of 45" in first.text and "A-21" not in first.text
    paging = [b for b in first.blocks if b.get("block_id") == "paging"][0]
    button = paging["elements"][0]
    assert button["text"]["text"] == "Next 20"
    second = driver.press(OWNER, ids.BUTTON_NEXT_PAGE, button["value"])
    assert second.payload["replace_original"] is True
    assert "21–40 of 45" in second.text and "A-21" in second.text


def test_share_posts_in_channel_and_keeps_confidential_actions_to_their_reference(
    driver, session_factory, now
) -> None:
    ref = make_action(session_factory, now, confidential=True)
    shared = driver.command(OWNER, "actions share")
    assert shared.payload["response_type"] == "in_channel"
    assert ref in shared.text
    assert "Child A" not in shared.text and "bruising" not in shared.text
    private = driver.command(OWNER, "actions")
    assert "bruising" in private.text


def test_stranger_cannot_see_a_confidential_action_not_even_its_name(
    driver, session_factory, now
) -> None:
    secret = make_action(session_factory, now, confidential=True)
    public = make_action(session_factory, now)
    listed = driver.command(STRANGER, "actions all")
    assert public in listed.text and secret not in listed.text
    assert "1–1 of 1" in listed.text  # the confidential action is not even counted
    shown = driver.command(STRANGER, f"show {secret}")
    assert (
        "confidential" in shown.text
        and "Child A" not in shown.text
        and "bruising" not in shown.text
    )
    reviews = driver.command(STRANGER, "reviews")
    assert "R-2" in reviews.text and "R-1" not in reviews.text
    review = driver.command(STRANGER, "review Child A")
    # Both reviews are named "Child A (Alex)": the answer must not show that a second,
    # confidential review carries the name. It is as if it did not exist: the one the
    # stranger may see is shown, and nothing counts or lists matches.
    assert "R-2" in review.text and "R-1" not in review.text and "matches" not in review.text
    assert "R-1" not in driver.command(STRANGER, "review R-1").text.split("matches")[0]


def test_show_gives_the_card_with_history_and_only_allowed_buttons(
    driver, session_factory, now
) -> None:
    ref = make_action(session_factory, now)
    owner_card = driver.command(OWNER, f"show {ref}")
    assert "Issue bruising guidance" in owner_card.text and "History" in owner_card.text
    labels = _buttons(owner_card.blocks)
    assert labels == ["Update", "Note", "Done", "Change date"]
    assert _buttons(driver.command(STRANGER, f"show {ref}").blocks) == []


def _buttons(blocks) -> list[str]:
    return [
        e["text"]["text"]
        for b in blocks
        if b["type"] == "actions" and b.get("block_id", "").startswith("card:")
        for e in b["elements"]
    ]


def test_update_note_done_signoff_through_commands(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    assert "updated" in driver.command(OWNER, f"update {ref} at risk staff off sick").text
    a = action(session_factory, ref)
    assert a.owner_rating == Rating.AT_RISK and a.latest_progress == "staff off sick"
    driver.command(OWNER, f"note {ref} met the schools")
    assert action(session_factory, ref).latest_progress == "met the schools"
    driver.command(OWNER, f"done {ref} leaflet on the intranet")
    assert action(session_factory, ref).status == Status.COMPLETE
    refused = driver.command(OWNER, f"signoff {ref} it works")
    assert "Owners cannot sign off" in refused.text
    assert action(session_factory, ref).status == Status.COMPLETE
    asked = driver.command(CHAIR, f"signoff {ref}")  # neither evidence nor a date: both forms
    assert f"/lscb signoff {ref} <evidence of impact>" in asked.text.replace("\n", " ")
    assert action(session_factory, ref).status == Status.COMPLETE
    assert "signed off" in driver.command(CHAIR, f"signoff {ref} seen in audit").text
    a = action(session_factory, ref)
    assert a.status == Status.SIGNED_OFF and a.evidence_of_impact == "seen in audit"
    assert "reopened" in driver.command(CHAIR, f"reopen {ref} audit found gaps").text
    assert action(session_factory, ref).status == Status.IN_PROGRESS


def test_due_reads_british_dates_and_needs_a_reason(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    out = driver.command(CHAIR, f"due {ref} 1/4/2027 panel moved")
    assert "01/04/2027" in out.text
    assert str(action(session_factory, ref).due_date) == "2027-04-01"
    no_reason = driver.command(CHAIR, f"due {ref} next Friday")
    assert "reason" in no_reason.text.lower()
    past = driver.command(CHAIR, f"due {ref} 1/1/2020 late")
    assert "past" in past.text
    unreadable = driver.command(CHAIR, f"due {ref} someday soon")
    assert "couldn't read" in unreadable.text and "/lscb due A-12" in unreadable.text
    assert str(action(session_factory, ref).due_date) == "2027-04-01"
    assert events(session_factory, ref).count("due") == 2


def test_an_owners_due_asks_the_chair_and_the_card_says_so(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    out = driver.command(OWNER, f"due {ref} 1/4/2027 panel moved")
    assert "New date 01/04/2027 requested" in out.text and "stays due 31/03/2027" in out.text
    assert str(action(session_factory, ref).due_date) == "2027-03-31"
    card = driver.command(CHAIR, f"show {ref}")
    assert "new date 01/04/2027 requested" in str(card.blocks)
    assert "Approve new date" in card.text and "Decline new date" in card.text
    assert "Approve new date" not in driver.command(OWNER, f"show {ref}").text


def test_unknown_reference_changes_nothing(driver, session_factory, now) -> None:
    make_action(session_factory, now)
    out = driver.command(OWNER, "note A-99 hello")
    assert "There is no action A-99" in out.text
    assert out.payload["response_type"] == "ephemeral"


def test_assign_adds_an_unknown_slack_user_from_their_profile(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now, owner=None)
    out = driver.command(CHAIR, f"assign {ref} <@U0NEWBIE1|newbie>")
    assert "assigned" in out.text
    with session_factory() as s:
        p = s.scalars(select(Person).where(Person.slack_id == "U0NEWBIE1")).one()
        assert (p.name, p.tz) == ("Nia Newcomer", "Europe/Dublin")
    assert action(session_factory, ref).owner_id == p.id
    assert [c.args["user"] for c in driver.slack.calls_to("users.info")] == ["U0NEWBIE1"]


def test_assign_refused_adds_nobody(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    out = driver.command(OWNER, f"assign {ref} <@U0NEWBIE1>")
    assert "Only the chair" in out.text
    with session_factory() as s:
        assert s.scalars(select(Person).where(Person.slack_id == "U0NEWBIE1")).first() is None


def test_add_with_text_creates_an_action_and_without_opens_the_form(
    driver, session_factory, now
) -> None:
    out = driver.command(ADMIN, "add committee QAEC Audit the bruising pathway")
    assert "Added A-1" in out.text
    a = action(session_factory, "A-1")
    assert a.text == "Audit the bruising pathway"
    assert "Only the business unit" in driver.command(OWNER, "add Something").text
    driver.command(ADMIN, "add")
    form = driver.slack.open_modal(ADMIN)
    assert form is not None and form["callback_id"] == ids.MODAL_ADD


def test_reviews_and_review(driver, session_factory, now) -> None:
    ref = make_action(session_factory, now)
    assert "R-1 Child A (Alex)" in driver.command(OWNER, "reviews").text
    assert "R-1" in driver.command(OWNER, "reviews serious").text
    assert "No reviews match" in driver.command(OWNER, "reviews thematic").text
    shown = driver.command(OWNER, "review R-1")
    assert "Child A" in shown.text and ref in shown.text


def test_a_review_shows_the_first_page_of_its_actions_with_the_next(
    driver, session_factory, now
) -> None:
    make_action(session_factory, now)
    with session_factory.begin() as s:
        first = s.scalars(select(Action)).one()
        for i in range(24):
            ops.create_action(
                s,
                Actor.system("test"),
                text=f"Follow-up {i + 2}",
                now=now,
                review=first.review,
                owner=first.owner,
                committee=first.committee,
                due_date=first.due_date,
            )
    shown = driver.command(OWNER, "review R-1")
    assert "Actions of R-1" in shown.text and "1–20 of 25" in shown.text
    assert "A-20" in shown.text and "A-21" not in shown.text
    paging = [b for b in shown.blocks if b.get("block_id") == "paging"][0]
    second = driver.press(OWNER, ids.BUTTON_NEXT_PAGE, paging["elements"][0]["value"])
    assert "21–25 of 25" in second.text and "A-25" in second.text


def test_digest_preview_is_ephemeral_and_names_the_committee(driver, session_factory, now) -> None:
    make_action(session_factory, now)
    out = driver.command(CHAIR, "digest")
    assert out.payload["response_type"] == "ephemeral"
    assert "QAEC weekly digest" in out.text and "Preview" in out.text
    elsewhere = driver.command(OWNER, "digest", channel="C0RANDOM", channel_name="random")
    assert "Which committee" in elsewhere.text
    assert "CSE weekly digest" in driver.command("U0BUSMGR1", "digest committee CSE").text
    assert "for its chairs" in driver.command(OWNER, "digest committee CSE").text


def test_digest_preview_shows_what_the_weekly_digest_posts(
    driver, slack, session_factory, now, clock
) -> None:
    from jobs.runner import run_job
    from models.brag import BragRules
    from tests.bot.slackapp import QAEC_CHANNEL, TOKEN

    make_action(session_factory, now, status=Status.COMPLETE)  # something to report
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    clock.set(monday)
    preview = driver.command(CHAIR, "digest").blocks
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    run_job("digests", session_factory, client, clock, BragRules())
    [posted] = [m for m in slack.messages(channel=QAEC_CHANNEL) if not m.ephemeral]
    # The posted copy carries the outbox's marker in its first block_id; the content is the same.
    posted_blocks = [{k: v for k, v in b.items() if k != "block_id"} for b in posted.blocks]
    assert preview[1:] == posted_blocks[: len(preview) - 1]
    assert len(preview) > 3


def test_report_arrives_as_a_file_in_direct_messages(driver, session_factory, now) -> None:
    make_action(session_factory, now)
    out = driver.command(ADMIN, "report csv")
    assert "direct messages" in out.text
    [upload] = [u for u in driver.slack.uploads.values() if u.completed]
    assert upload.filename.endswith(".csv") and upload.content


@pytest.mark.parametrize(
    "text", ["show A-x", "update A-1 sideways", "wat", "due A-1", "assign A-1"]
)
def test_bad_input_gets_a_short_ephemeral_answer_with_the_form(driver, text) -> None:
    out = driver.command(OWNER, text)
    assert out.status == 200
    assert out.payload["response_type"] == "ephemeral"
    assert "/lscb" in out.text


def test_overdue_is_filtered_and_paged_in_the_database(driver, session_factory, now) -> None:
    from datetime import date

    from sqlalchemy import event, update

    def make_overdue(n: int) -> None:
        first = len(refs) + 1
        refs.extend(make_action(session_factory, now) for _ in range(n))
        with session_factory.begin() as s:
            s.execute(  # overdue since Friday: set directly, as an import of old data would
                update(Action)
                .where(Action.number >= first, Action.number < first + n - 2)
                .values(due_date=date(2026, 11, 20))
            )

    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    def overdue_listing() -> tuple[str, int]:
        statements.clear()
        event.listen(session_factory.kw["bind"], "before_cursor_execute", seen)
        try:
            return driver.command(OWNER, "actions overdue").text, len(statements)
        finally:
            event.remove(session_factory.kw["bind"], "before_cursor_execute", seen)

    refs: list[str] = []
    make_overdue(25)  # 23 of them overdue
    text, few = overdue_listing()
    assert "1–20 of 23 · \U0001f534 Red 23" in text
    assert "A-1 " in text.replace("*", " ") and "A-21" not in text
    make_overdue(40)  # 38 more
    text, many = overdue_listing()
    assert "1–20 of 61 · \U0001f534 Red 61" in text
    assert 0 < many == few


def test_an_unknown_command_points_to_help_once(driver) -> None:
    out = driver.command(OWNER, "frobnicate")
    assert "don't know the command “frobnicate”" in out.text
    assert out.text.count("/lscb help") == 1


def test_unassigned_shows_admins_the_owners_an_import_kept_by_name(
    driver, session_factory, now
) -> None:
    with session_factory.begin() as s:
        s.add(Person(name="Joe Bloggs", slack_id=None, active=True))  # as an import keeps them
    kept = make_action(session_factory, now, owner="Joe Bloggs")
    unowned = make_action(session_factory, now, owner=None)
    out = driver.command(ADMIN, "actions unassigned")
    assert unowned in out.text
    assert "Owners kept by name from an import" in out.text
    assert f"Joe Bloggs: {kept}" in out.text
    # Not for anyone else, and not for a name the organisation file gives.
    assert "kept by name" not in driver.command(CHAIR, "actions unassigned").text
    with session_factory.begin() as s:
        joe = s.scalars(select(Person).where(Person.name == "Joe Bloggs")).one()
        joe.in_org_file = True
    assert "kept by name" not in driver.command(ADMIN, "actions unassigned").text
