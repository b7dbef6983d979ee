"""Block Kit as terminal text: what a sandbox user reads, and what `press N` and `fill a` send."""

import pytest

from sandbox.slack.render import (
    mrkdwn_to_text,
    render_blocks,
    render_message,
    render_view,
    view_state,
)

NAMES = {"U0JANE": "Jane Smith"}.get


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def button(text: str, action_id: str, value: str = "A-12") -> dict:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": value}


@pytest.mark.parametrize(
    ("mrkdwn", "text"),
    [
        ("*A-12* is _overdue_ ~maybe~", "A-12 is overdue maybe"),
        ("Owner: <@U0JANE>", "Owner: @Jane Smith"),
        ("Owner: <@U0BOB|bob>", "Owner: @bob"),
        ("Owner: <@U0NOBODY>", "Owner: @U0NOBODY"),
        ("Posted in <#C0QAEC|qaec>", "Posted in #qaec"),
        ("See <https://example.org/r_1|the review>", "See the review (https://example.org/r_1)"),
        ("See <https://example.org/>", "See https://example.org/"),
        ("<!here> 3 actions &lt;due&gt; &amp; 1 late", "@here 3 actions <due> & 1 late"),
        ("action_id and 2*3*4 stay as written", "action_id and 2*3*4 stay as written"),
        ("<mailto:lscb@example.org|lscb@example.org>", "lscb@example.org"),
    ],
)
def test_mrkdwn_reads_as_plain_text(mrkdwn, text):
    assert mrkdwn_to_text(mrkdwn, NAMES) == text


def test_action_card_renders_with_numbered_buttons():
    blocks = [
        {"type": "header", "text": plain("A-12 Audit of strategy meetings")},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Owner:* <@U0JANE>"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Status*\nin progress"},
                {"type": "mrkdwn", "text": "*Due*\n31 Mar 2027"},
            ],
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated 3 days ago"}]},
        {
            "type": "actions",
            "block_id": "card-A-12",
            "elements": [button("Update", "update"), button("Done", "done")],
        },
    ]
    rendered = render_blocks(blocks, names=NAMES, width=40)
    assert rendered.text.splitlines() == [
        "A-12 Audit of strategy meetings",
        "===============================",
        "Owner: @Jane Smith",
        "Status               Due",
        "in progress          31 Mar 2027",
        "-" * 40,
        "  Updated 3 days ago",
        "[1] Update  [2] Done",
    ]
    assert [(a.number, a.label, a.action_id) for a in rendered.actions] == [
        (1, "Update", "update"),
        (2, "Done", "done"),
    ]


def test_pressing_a_button_gives_the_action_slack_would_send():
    blocks = [{"type": "actions", "block_id": "card", "elements": [button("Done", "done", "A-7")]}]
    [done] = render_blocks(blocks).actions
    assert done.action(action_ts="1.0") == {
        "type": "button",
        "action_id": "done",
        "block_id": "card",
        "action_ts": "1.0",
        "text": {"type": "plain_text", "text": "Done", "emoji": True},
        "value": "A-7",
    }


def test_accessory_button_and_numbering_can_continue_across_messages():
    blocks = [
        {"type": "section", "text": plain("A-3"), "accessory": button("Sign off", "signoff")},
    ]
    rendered = render_blocks(blocks, start=4)
    assert rendered.text.splitlines() == ["A-3", "  [4] Sign off"]
    assert rendered.actions[0].number == 4


def test_menus_list_their_choices_and_need_one_to_be_used():
    select = {
        "type": "static_select",
        "action_id": "rating",
        "placeholder": plain("Rate it"),
        "options": [
            {"text": plain("On track"), "value": "on-track"},
            {"text": plain("At risk"), "value": "at-risk"},
        ],
    }
    rendered = render_blocks([{"type": "actions", "block_id": "r", "elements": [select]}])
    assert rendered.text == "[1] Rate it (choose: On track / At risk)"
    [menu] = rendered.actions
    assert menu.action("at risk")["selected_option"]["value"] == "at-risk"
    with pytest.raises(ValueError, match="On track, At risk"):
        menu.action("off track")
    with pytest.raises(ValueError):
        menu.action()


def test_modal_lists_its_inputs_by_label_and_builds_the_submitted_state():
    view = {
        "type": "modal",
        "title": plain("Change due date"),
        "submit": plain("Save"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*A-12*"}},
            {
                "type": "input",
                "block_id": "due",
                "label": plain("New due date"),
                "element": {
                    "type": "datepicker",
                    "action_id": "date",
                    "initial_date": "2027-03-31",
                },
            },
            {
                "type": "input",
                "block_id": "why",
                "label": plain("Reason"),
                "hint": plain("Boards ask why dates move."),
                "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "owner",
                "optional": True,
                "label": plain("New owner"),
                "element": {"type": "users_select", "action_id": "user"},
            },
        ],
    }
    rendered = render_view(view)
    assert rendered.text.splitlines() == [
        "+-----------------+",
        "| Change due date |",
        "+-----------------+",
        "A-12",
        "(a) New due date [date, YYYY-MM-DD] = 2027-03-31",
        "(b) Reason [text, several lines]",
        "    Boards ask why dates move.",
        "(c) New owner (optional) [person]",
        "",
        "<submit: Save>  <close: Cancel>",
    ]
    assert [f.label for f in rendered.inputs] == ["New due date", "Reason", "New owner"]
    assert view_state(
        rendered.inputs, {"a": "2027-06-30", "b": "Audit delayed", "c": "U0JANE"}
    ) == {
        "values": {
            "due": {"date": {"type": "datepicker", "selected_date": "2027-06-30"}},
            "why": {"reason": {"type": "plain_text_input", "value": "Audit delayed"}},
            "owner": {"user": {"type": "users_select", "selected_user": "U0JANE"}},
        }
    }


def test_message_without_blocks_shows_its_text():
    rendered = render_message({"text": "*A-4* assigned to <@U0JANE>"}, names=NAMES)
    assert (rendered.text, rendered.actions) == ("A-4 assigned to @Jane Smith", [])


def test_home_tab_and_unknown_blocks():
    rendered = render_view({"type": "home", "blocks": [{"type": "table"}]})
    assert rendered.text.splitlines()[1] == "| Home |"
    assert rendered.text.splitlines()[-1] == "[table block]"


def test_the_apps_emoji_show_as_characters_and_times_are_left_alone() -> None:
    from sandbox.slack.render import mrkdwn_to_text

    assert mrkdwn_to_text(":red_circle: Red *3* at 10:30:00") == "\U0001f534 Red 3 at 10:30:00"
    assert mrkdwn_to_text(":not_an_emoji_we_use:") == ":not_an_emoji_we_use:"
