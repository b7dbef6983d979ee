"""An action's whole life from Slack: cancel, edit, merge, assign by name, reopen, the card's
menu, the history in people's words, the add form, the clash message, and message shortcuts.
Each through the real app against the stand-in, with the refusals."""

from __future__ import annotations

import json
import re

from slack_sdk import WebClient

from bot import ids
from models import actions as ops
from models.schema import Review, Status
from tests.bot.slackapp import TOKEN, SlackDriver
from tests.factories import make_action

OWNER, CHAIR, ADMIN, STRANGER, PDC_CHAIR = (
    "U0DESNURS",
    "U0QAECCH1",
    "U0BUSMGR1",
    "U0STRANGR",
    "U0PDCCHR1",
)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
SLACK_ID = re.compile(r"\bU0[A-Z0-9]{6,}\b")


def flat(text: str) -> str:
    """What a person reads, without the stand-in's line wrapping."""
    return " ".join(text.split())


def action(sf, ref):
    with sf() as s:
        a = ops.get_action(s, ref)
        s.expunge(a)
        return a


def kinds(sf, ref):
    with sf() as s:
        return [e.kind for e in ops.get_action(s, ref).events]


# ---------------------------------------------------------------- cancel


def test_an_admin_cancels_with_a_reason_and_others_are_refused(driver, session_factory, now):
    ref = make_action(session_factory, now)
    for who in (OWNER, CHAIR, STRANGER):
        out = driver.command(who, f"cancel {ref} duplicate of A-6")
        assert "Only an admin can cancel" in out.text
    assert action(session_factory, ref).status == Status.NOT_STARTED
    assert "reason for cancelling" in driver.command(ADMIN, f"cancel {ref}").text
    out = driver.command(ADMIN, f"cancel {ref} duplicate of A-6")
    assert f"{ref} cancelled" in out.text
    assert "Cancelled — cancelled" not in out.text and "Cancelled" in out.text
    a = action(session_factory, ref)
    assert a.status == Status.CANCELLED and kinds(session_factory, ref)[-1] == "cancel"
    assert "already cancelled" in driver.command(ADMIN, f"cancel {ref} again").text


def test_cancel_of_a_confidential_action_tells_a_stranger_nothing(driver, session_factory, now):
    ref = make_action(session_factory, now, confidential=True)
    out = driver.command(STRANGER, f"cancel {ref} not needed")
    assert "confidential" in out.text and "bruising" not in out.text and "Child A" not in out.text
    assert action(session_factory, ref).status == Status.NOT_STARTED


# ---------------------------------------------------------------- edit


def test_the_chair_or_an_admin_rewords_an_action_and_the_old_text_is_kept(
    driver, session_factory, now
):
    ref = make_action(session_factory, now)
    refused = driver.command(OWNER, f"edit {ref} Issue bruising guidance to schools")
    assert "Only the chair of QAEC or an admin can change the wording" in refused.text
    assert "change the wording" in driver.command(PDC_CHAIR, f"edit {ref} Other words").text
    out = driver.command(CHAIR, f"edit {ref} Issue bruising guidance to every school")
    assert "reworded" in out.text and "Issue bruising guidance to every school" in out.text
    assert action(session_factory, ref).text == "Issue bruising guidance to every school"
    shown = driver.command(OWNER, f"show {ref}").text
    assert "wording changed (was: Issue bruising guidance)" in shown
    assert (
        "already reads exactly that"
        in driver.command(ADMIN, f"edit {ref} Issue bruising guidance to every school").text
    )


# ---------------------------------------------------------------- merge


def test_an_admin_merges_a_duplicate_linked_both_ways_with_its_history(
    driver, session_factory, now
):
    keep = make_action(session_factory, now)
    dup = make_action(session_factory, now)
    driver.command(OWNER, f"note {dup} Spoke to the author")
    assert "Only an admin can merge" in driver.command(CHAIR, f"merge {dup} into {keep} same").text
    assert "into itself" in driver.command(ADMIN, f"merge {dup} into {dup} same").text
    out = driver.command(ADMIN, f"merge {dup} into {keep} same session as {keep}")
    assert f"{dup} merged into {keep}" in out.text
    a, b = action(session_factory, dup), action(session_factory, keep)
    assert a.status == Status.CANCELLED and a.duplicate_of_id == b.id
    assert kinds(session_factory, keep)[-1] == "merged"
    card = driver.command(OWNER, f"show {keep}").text
    assert f"Duplicates merged in: {dup}" in card
    assert "Spoke to the author" in card  # the duplicate's notes reach A-1
    assert f"Merged into {keep} as a duplicate" in driver.command(OWNER, f"show {dup}").text
    assert "already cancelled" in driver.command(ADMIN, f"merge {dup} into {keep} again").text


def test_a_merged_confidential_duplicate_is_shown_by_reference_only(driver, session_factory, now):
    keep = make_action(session_factory, now, owner="U0POLICE1")
    dup = make_action(session_factory, now, owner="U0POLICE1", confidential=True)
    driver.command(ADMIN, f"note {dup} Secret detail about Child A")
    driver.command(ADMIN, f"merge {dup} into {keep} same work")
    card = driver.command(STRANGER, f"show {keep}").text
    assert dup in card and "confidential review" in card
    assert "Secret detail" not in flat(card) and "R-2" not in card


# ---------------------------------------------------------------- the card's menu


def _menu(out) -> list[str]:
    values = []
    for block in out.blocks:
        for el in block.get("elements", []):
            if el.get("type") == "overflow":
                values += [o["value"] for o in el["options"]]
    return values


def test_the_cards_menu_offers_edit_and_cancel_only_to_those_who_may(driver, session_factory, now):
    ref = make_action(session_factory, now)
    assert _menu(driver.command(ADMIN, f"show {ref}")) == [f"edit:{ref}", f"cancel:{ref}"]
    assert _menu(driver.command(CHAIR, f"show {ref}")) == [f"edit:{ref}"]
    assert _menu(driver.command(OWNER, f"show {ref}")) == []
    assert _menu(driver.command(STRANGER, f"show {ref}")) == []


def test_the_menus_cancel_opens_a_form_that_cancels(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.choose(ADMIN, ids.OVERFLOW_CARD, f"cancel:{ref}")
    form = driver.open_form(ADMIN)
    assert form["callback_id"] == ids.MODAL_CANCEL
    out = driver.submit(ADMIN, {"reason": "superseded by the new audit"})
    assert out.ack == {} and f"{ref} cancelled" in out.text
    assert action(session_factory, ref).status == Status.CANCELLED


def test_the_menus_edit_keeps_the_text_and_refuses_a_stranger(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.choose(CHAIR, ids.OVERFLOW_CARD, f"edit:{ref}")
    form = driver.open_form(CHAIR)
    assert form["callback_id"] == ids.MODAL_EDIT
    assert "Issue bruising guidance" in json.dumps(form["blocks"])
    driver.submit(CHAIR, {"text": "Issue and audit bruising guidance"})
    assert action(session_factory, ref).text == "Issue and audit bruising guidance"
    out = driver.choose(OWNER, ids.OVERFLOW_CARD, f"cancel:{ref}")
    assert "Only an admin can cancel" in out.text
    assert driver.slack.open_modal(OWNER) is None


# ---------------------------------------------------------------- assign by name


def test_assign_by_name_to_someone_not_in_slack(driver, session_factory, now):
    ref = make_action(session_factory, now)
    out = driver.command(CHAIR, f'assign {ref} "Bernadette Quinn"')
    assert "assigned to Bernadette Quinn (not in Slack)" in out.text
    a = action(session_factory, ref)
    with session_factory() as s:
        assert ops.get_action(s, ref).owner.name == "Bernadette Quinn"
    assert a.owner_id is not None
    unquoted = driver.command(CHAIR, f"assign {ref} Priya Shah")
    assert "assigned to <@U0DESNURS>" in unquoted.payload["blocks"][0]["text"]["text"]
    assert "Nobody called “Zed Nobody”" in driver.command(CHAIR, f"assign {ref} Zed Nobody").text
    assert (
        "Only the chair of QAEC or an admin can reassign"
        in driver.command(OWNER, f'assign {ref} "Bernadette Quinn"').text
    )


def test_an_unclear_name_lists_who_it_could_be(driver, session_factory, now):
    ref = make_action(session_factory, now)
    out = driver.command(CHAIR, f"assign {ref} an")  # Bernadette Quinn, Angela Moss, Jo Evans…
    assert "could be" in out.text and "Angela Moss" in out.text


# ---------------------------------------------------------------- reopen


def test_reopen_moves_the_rejected_evidence_into_history_and_shows_why(
    driver, session_factory, now
):
    ref = make_action(session_factory, now, status=Status.SIGNED_OFF)
    driver.command(OWNER, f"note {ref} just noting")
    out = driver.command(CHAIR, f"reopen {ref} the re-audit sample was too small")
    assert "Reopened" in out.text and "the re-audit sample was too small" in out.text
    assert "Guidance issued" not in out.text  # the rejected evidence is off the card
    a = action(session_factory, ref)
    assert a.evidence_of_completion is None and a.evidence_of_impact is None
    assert a.reopen_reason == "the re-audit sample was too small"
    shown = flat(driver.command(CHAIR, f"show {ref}").text)
    assert "evidence set aside: Evidence of completion: Guidance issued" in shown
    # Until the next update: then the card moves on.
    later = driver.command(OWNER, f"update {ref} on-track re-audit booked")
    assert "the re-audit sample was too small" not in later.text.split("History")[0]
    assert action(session_factory, ref).reopen_reason is None


# ---------------------------------------------------------------- history in people's words


def test_history_speaks_in_names_words_and_day_first_dates(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.command(OWNER, f"update {ref} at-risk waiting for the board")
    driver.command(CHAIR, f"due {ref} 30/06/2027 board moved to June")
    driver.command(CHAIR, f"assign {ref} <@U0POLICE1|kevin>")
    card = driver.command(CHAIR, f"show {ref}")
    history = card.text.split("History", 1)[1]
    assert "Priya Shah" in history and "DS Kevin Doyle" in history
    assert "not started → in progress" in history
    assert "owner's rating at risk" in history
    assert "due date 31/03/2027 → 30/06/2027" in history
    assert not SLACK_ID.search(history), history
    assert "_" not in history and not ISO_DATE.search(history), history


# ---------------------------------------------------------------- the add form


def test_the_add_form_keeps_the_committee_of_the_command(driver, session_factory, now):
    driver.command(ADMIN, "add committee PDC")
    form = driver.open_form(ADMIN)
    committee = next(b for b in form["blocks"] if b.get("block_id") == "committee")
    assert committee["element"]["initial_option"]["value"] == "PDC"
    out = driver.submit(ADMIN, {"text": "Audit supervision", "committee": "PDC"}, view=form)
    assert "Added A-1" in out.text
    with session_factory() as s:
        assert ops.get_action(s, "A-1").committee.code == "PDC"


def test_the_add_form_offers_people_not_in_slack(driver, session_factory, now):
    driver.command(ADMIN, "add")
    form = driver.open_form(ADMIN)
    picker = next(b for b in form["blocks"] if b.get("block_id") == "owner_name")
    labels = [o["text"]["text"] for o in picker["element"]["options"]]
    assert any(label.startswith("Bernadette Quinn") for label in labels)
    assert not any(label.startswith("Priya Shah") for label in labels)  # she is in Slack
    option = next(o for o in picker["element"]["options"] if "Bernadette" in o["text"]["text"])
    out = driver.submit(ADMIN, {"text": "Audit", "owner_name": option["value"]}, view=form)
    assert "Added A-1" in out.text
    with session_factory() as s:
        assert ops.get_action(s, "A-1").owner.name == "Bernadette Quinn"


def test_an_ambiguous_review_name_lists_the_matches(driver, session_factory, now):
    with session_factory.begin() as s:
        for n, name in ((1, "Neglect thematic review 2019"), (2, "Chronic neglect audit")):
            s.add(Review(number=n, type="Thematic Review", name=name, created_at=now))
        s.add(
            Review(
                number=3,
                type="Serious Case Review",
                name="Neglect SCR",
                confidential=True,
                created_at=now,
            )
        )
    out = flat(driver.command(OWNER, "review neglect").text)
    assert "matches 2 reviews" in out
    assert "R-1 Neglect thematic review 2019" in out and "R-2 Chronic neglect audit" in out
    assert "R-3 " not in out and "SCR" not in out  # confidential: not even counted
    assert "Chronic neglect audit" in driver.command(OWNER, "review chronic").text


# ---------------------------------------------------------------- the clash message


def test_a_clash_with_your_own_change_does_not_blame_you_and_gives_back_what_you_typed(
    driver, session_factory, now
):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_DONE, ref)
    form = driver.open_form(OWNER)
    driver.command(OWNER, f"note {ref} chased the school")
    out = driver.submit(OWNER, {"evidence": "All 40 staff trained, register on file"}, view=form)
    shown = json.dumps(out.ack["view"])
    assert "You changed A-1 (progress note) after opening this form" in shown
    assert "changed by Priya Shah" not in shown
    assert "All 40 staff trained, register on file" in shown
    assert action(session_factory, ref).status == Status.NOT_STARTED


def test_a_clash_with_someone_else_names_them_and_what_they_did(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.press(OWNER, ids.BUTTON_DONE, ref)
    form = driver.open_form(OWNER)
    driver.command(CHAIR, f"due {ref} 30/04/2027 panel moved")
    out = driver.submit(OWNER, {"evidence": "Trained"}, view=form)
    shown = json.dumps(out.ack["view"])
    assert "changed by Dr Helen Carter just now (due date)" in shown and "Trained" in shown


# ---------------------------------------------------------------- message shortcuts


def _message(driver: SlackDriver, text: str) -> dict:
    client = WebClient(token=TOKEN, base_url=driver.slack.base_url)
    posted = client.chat_postMessage(channel="C0QAEC", text=text)
    return {"type": "message", "ts": posted["ts"], "text": text, "user": "U0BUSOFF2"}


def test_make_an_action_from_a_message_keeps_its_link_as_the_source(driver, session_factory, now):
    message = _message(driver, "Please could QAEC re-audit the bruising referrals by March")
    driver.shortcut(ADMIN, ids.SHORTCUT_MAKE_ACTION, message)
    form = driver.open_form(ADMIN)
    assert form["callback_id"] == ids.MODAL_ADD
    text = next(b for b in form["blocks"] if b.get("block_id") == "text")
    assert text["element"]["initial_value"] == message["text"]
    committee = next(b for b in form["blocks"] if b.get("block_id") == "committee")
    assert committee["element"]["initial_option"]["value"] == "QAEC"  # the channel's committee
    out = driver.submit(ADMIN, {"text": message["text"], "committee": "QAEC"}, view=form)
    assert "Added A-1" in out.text
    a = action(session_factory, "A-1")
    assert a.source_url and a.source_url.endswith(message["ts"].replace(".", ""))
    card = driver.command(OWNER, "show A-1")
    assert "From" in card.text and a.source_url in json.dumps(card.blocks)


def test_make_an_action_is_refused_to_those_who_cannot_add(driver, session_factory, now):
    message = _message(driver, "Something to do")
    driver.shortcut(OWNER, ids.SHORTCUT_MAKE_ACTION, message)
    view = driver.open_form(OWNER)
    assert view["callback_id"] == "lscb_notice"
    assert "Only the business unit (admins) and committee chairs" in json.dumps(view)


def test_add_as_evidence_keeps_the_messages_link_on_an_action_you_may_complete(
    driver, session_factory, now
):
    mine = make_action(session_factory, now)
    theirs = make_action(session_factory, now, owner="U0POLICE1", committee="PDC")
    message = _message(driver, "Training register attached: all 40 staff attended")
    driver.shortcut(OWNER, ids.SHORTCUT_ADD_EVIDENCE, message)
    form = driver.open_form(OWNER)
    choices = next(b for b in form["blocks"] if b.get("block_id") == "ref")["element"]["options"]
    assert [o["value"] for o in choices] == [mine]  # not another owner's action
    out = driver.submit(OWNER, {"ref": mine, "note": "the register"}, view=form)
    assert out.ack == {}
    a = action(session_factory, mine)
    assert len(a.evidence_link_list) == 1 and a.evidence_link_list[0].startswith("https://")
    card = driver.command(OWNER, f"show {mine}")
    assert f"<{a.evidence_link_list[0]}|a Slack message>" in json.dumps(card.blocks)
    assert theirs  # made, and never offered


def test_add_as_evidence_for_a_stranger_or_on_anothers_action_is_refused(
    driver, session_factory, now
):
    theirs = make_action(session_factory, now, owner="U0POLICE1", confidential=True)
    message = _message(driver, "A document")
    driver.shortcut(STRANGER, ids.SHORTCUT_ADD_EVIDENCE, message)
    assert "not in the organisation file" in json.dumps(driver.open_form(STRANGER))
    driver.slack.close_modal(STRANGER)
    # A chair of another committee is offered none of QAEC's, confidential or not.
    driver.shortcut(PDC_CHAIR, ids.SHORTCUT_ADD_EVIDENCE, message)
    view = json.dumps(driver.open_form(PDC_CHAIR))
    assert theirs not in view and "bruising" not in view
    with session_factory.begin() as s:
        chair = ops.actor_for_slack_id(s, PDC_CHAIR)
        try:
            ops.add_evidence(s, chair, theirs, link="https://x.example/doc", note=None, now=now)
        except Exception as e:
            assert "confidential" in str(e) and "bruising" not in str(e)
        else:  # pragma: no cover
            raise AssertionError("a chair of another committee added evidence")


def test_evidence_text_shows_its_links_as_links(driver, session_factory, now):
    ref = make_action(session_factory, now)
    driver.command(OWNER, f"done {ref} Guidance at https://lscb.example.org/bruising.pdf.")
    card = json.dumps(driver.command(OWNER, f"show {ref}").blocks)
    assert "<https://lscb.example.org/bruising.pdf|https://lscb.example.org/bruising.pdf>" in card
    driver.command(OWNER, f"note {ref} <script> &")  # typed markup stays inert
    card = json.dumps(driver.command(OWNER, f"show {ref}").blocks)
    assert "&lt;script&gt; &amp;" in card
