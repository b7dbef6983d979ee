"""check_call: calls Slack's published Web API description would refuse are named."""

import json

import pytest

from sandbox.slack.spec import HAND_WRITTEN, check_call, load_spec, method_spec


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str, action_id: str = "b") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}


def modal(blocks: list, title: str = "Update A-12", **extra) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks,
    } | extra


def test_a_well_formed_post_message_has_no_problems():
    assert check_call("chat.postMessage", {"channel": "C1", "text": "A-1 is overdue"}) == []


def test_unknown_method_is_named_with_the_nearest_real_one():
    problems = check_call("chat.postMesage", {"channel": "C1", "text": "x"})
    assert problems == ["unknown method 'chat.postMesage' (did you mean chat.postMessage?)"]


def test_unknown_argument_is_named():
    problems = check_call("chat.postMessage", {"channel": "C1", "text": "x", "colour": "red"})
    assert problems == ["chat.postMessage: unknown argument 'colour'"]


def test_missing_required_argument_is_named():
    assert check_call("chat.postEphemeral", {"channel": "C1", "text": "x"}) == [
        "chat.postEphemeral: missing required argument 'user'"
    ]


def test_empty_required_argument_counts_as_missing():
    assert "chat.update: missing required argument 'ts'" in check_call(
        "chat.update", {"channel": "C1", "ts": "", "text": "x"}
    )


def test_token_is_neither_required_nor_unknown():
    # slack_sdk sends the token as an Authorization header; some clients put it in the body.
    assert check_call("users.info", {"user": "U1"}) == []
    assert check_call("users.info", {"user": "U1", "token": "xoxb-1"}) == []


def test_query_parameters_count_as_arguments():
    # The description gives views.* arguments "in": "query"; they are still arguments.
    assert (
        check_call("views.publish", {"user_id": "U1", "view": {"type": "home", "blocks": []}}) == []
    )
    assert check_call("views.publish", {"view": {"type": "home", "blocks": []}}) == [
        "views.publish: missing required argument 'user_id'"
    ]


def test_spec_is_loaded_from_the_package_and_knows_the_methods_the_app_uses():
    methods = load_spec()
    for name in ("chat.postMessage", "views.open", "users.info", "conversations.open"):
        assert methods[name].source == "openapi"
    assert method_spec("chat.postMessage").token_required


def test_methods_newer_than_the_description_come_from_the_hand_written_table():
    assert set(HAND_WRITTEN) == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "apps.connections.open",  # Socket Mode, with the app-level token
    }
    assert method_spec("files.getUploadURLExternal").source == "hand-written"
    assert check_call("files.getUploadURLExternal", {"filename": "report.xlsx"}) == [
        "files.getUploadURLExternal: missing required argument 'length'"
    ]
    assert check_call("files.completeUploadExternal", {"files": "[]", "channel_id": "C1"}) == []


def test_blocks_sent_as_json_text_are_checked_like_blocks_sent_as_structures():
    blocks = [section("x" * 3001)]
    as_list = check_call("chat.postMessage", {"channel": "C1", "blocks": blocks})
    as_text = check_call("chat.postMessage", {"channel": "C1", "blocks": json.dumps(blocks)})
    assert (
        as_list
        == as_text
        == ["chat.postMessage: blocks[0] (section).text.text: 3001 characters, limit 3000"]
    )


def test_blocks_that_are_not_json_are_a_problem():
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": "[{"}) == [
        "chat.postMessage: blocks: not valid JSON"
    ]


def test_more_than_fifty_blocks_in_a_message():
    blocks = [section(f"A-{i}") for i in range(51)]
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": blocks}) == [
        "chat.postMessage: blocks: 51 blocks, limit 50 in a message"
    ]
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": blocks[:50]}) == []


def test_modal_and_home_take_a_hundred_blocks():
    blocks = [section(f"A-{i}") for i in range(100)]
    assert check_call("views.open", {"trigger_id": "t", "view": modal(blocks)}) == []
    home = {"type": "home", "blocks": blocks + [section("one more")]}
    assert check_call("views.publish", {"user_id": "U1", "view": home}) == [
        "views.publish: view.blocks: 101 blocks, limit 100 in a home"
    ]


def test_section_fields_limits():
    fields = [{"type": "mrkdwn", "text": "f"} for _ in range(11)]
    fields[3] = {"type": "mrkdwn", "text": "y" * 2001}
    problems = check_call(
        "chat.postMessage", {"channel": "C1", "blocks": [{"type": "section", "fields": fields}]}
    )
    assert problems == [
        "chat.postMessage: blocks[0] (section).fields: 11 fields, limit 10",
        "chat.postMessage: blocks[0] (section).fields[3].text: 2001 characters, limit 2000",
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "actions", "elements": [button("u" * 76)]},
            "blocks[0] (actions).elements[0] (button).text.text: 76 characters, limit 75",
        ),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "blocks[0] (header).text.text: 151 characters, limit 150",
        ),
        (
            {"type": "header", "text": {"type": "mrkdwn", "text": "*A-1*"}},
            "blocks[0] (header).text.type: must be plain_text",
        ),
        (
            {"type": "actions", "elements": [button("Done", "a" * 256)]},
            "blocks[0] (actions).elements[0] (button).action_id: 256 characters, limit 255",
        ),
        (
            section("x") | {"block_id": "b" * 256},
            "blocks[0].block_id: 256 characters, limit 255",
        ),
        (
            {"type": "actions", "elements": [button("Update", "same"), button("Done", "same")]},
            "blocks[0] (actions).elements[1].action_id: repeats an action_id in the same block",
        ),
        (
            {"type": "section", "text": {"type": "mrkdwn", "text": ""}},
            "blocks[0] (section).text.text: must be at least 1 character",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "s",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o" * 76}, "value": "v"},
                            {"text": {"type": "plain_text", "text": "ok"}, "value": "w" * 151},
                        ],
                    }
                ],
            },
            "blocks[0] (actions).elements[0] (static_select).options[0].text.text: "
            "76 characters, limit 75",
        ),
        (
            {"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}},
            "blocks[0].type: unknown block type 'sectoin'",
        ),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "blocks[0] (context).elements: 11 elements, limit 10",
        ),
    ],
)
def test_block_kit_limits(block, expected):
    problems = check_call("chat.postMessage", {"channel": "C1", "blocks": [block]})
    assert f"chat.postMessage: {expected}" in problems


def test_option_value_limit():
    select = {
        "type": "static_select",
        "action_id": "s",
        "options": [{"text": {"type": "plain_text", "text": "ok"}, "value": "w" * 151}],
    }
    problems = check_call(
        "chat.postMessage", {"channel": "C1", "blocks": [{"type": "actions", "elements": [select]}]}
    )
    assert problems == [
        "chat.postMessage: blocks[0] (actions).elements[0] (static_select).options[0].value: "
        "151 characters, limit 150"
    ]


def test_repeated_block_ids_in_one_message():
    blocks = [section("a") | {"block_id": "A-1"}, section("b") | {"block_id": "A-1"}]
    assert check_call("chat.postMessage", {"channel": "C1", "blocks": blocks}) == [
        "chat.postMessage: blocks[1].block_id: repeats an earlier block_id"
    ]


def test_modal_title_submit_and_input_rules():
    date_input = {
        "type": "input",
        "block_id": "due",
        "label": {"type": "plain_text", "text": "New due date"},
        "element": {"type": "datepicker", "action_id": "date", "initial_date": "31/03/2027"},
    }
    view = modal([date_input], title="Change the due date of A-12")
    problems = check_call("views.open", {"trigger_id": "t", "view": view})
    assert problems == [
        "views.open: view.blocks[0] (input).element (datepicker).initial_date: must be YYYY-MM-DD",
        "views.open: view.title.text: 27 characters, limit 24",
        "views.open: view.submit: required when the modal has input blocks",
    ]


def test_buttons_are_not_input_elements():
    bad = {"type": "input", "label": {"type": "plain_text", "text": "L"}, "element": button("B")}
    view = modal([bad], submit={"type": "plain_text", "text": "Save"})
    assert check_call("views.push", {"trigger_id": "t", "view": view}) == [
        "views.push: view.blocks[0] (input).element.type: 'button' is not allowed here"
    ]


def test_message_text_longer_than_slack_accepts():
    assert check_call("chat.postMessage", {"channel": "C1", "text": "x" * 40_001}) == [
        "chat.postMessage: text: 40001 characters, limit 40000"
    ]


def test_problems_never_quote_the_text():
    secret = "Child known as Mary " * 200
    problems = check_call("chat.postMessage", {"channel": "C1", "blocks": [section(secret)]})
    assert problems and not any("Mary" in p for p in problems)
