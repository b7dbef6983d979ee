"""The stand-in answers a real slack_sdk WebClient as Slack would, and records what it was sent."""

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.webhook import WebhookClient

from sandbox.slack import SlackChannel, SlackStandIn, SlackUser
from tests.sandbox.slack.conftest import error_of

JANE = SlackUser("U0JANE", "jane.smith", real_name="Jane Smith", email="jane@example.org")
OMAR = SlackUser("U0OMAR", "omar", real_name="Omar Khan", tz="Europe/Paris", deleted=True)
QAEC = SlackChannel("C0QAEC", "qaec")
NO_WAIT = FixedValueRetryIntervalCalculator(fixed_internal=0)


@pytest.fixture
def slack():
    with SlackStandIn(users=[JANE, OMAR], channels=[QAEC]) as standin:
        yield standin


def test_post_message_answers_ts_and_channel_and_is_kept(slack, client):
    reply = client.chat_postMessage(channel="C0QAEC", text="Digest", blocks=[])
    assert reply["channel"] == "C0QAEC" and reply["ts"]
    [message] = slack.messages()
    assert (message.channel, message.ts, message.text) == ("C0QAEC", reply["ts"], "Digest")
    [call] = slack.calls_to("chat.postMessage")
    assert call.ok and call.problems == [] and call.args["channel"] == "C0QAEC"


def test_blocks_sent_as_json_text_in_a_form_body_are_decoded(slack, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*A-1* is overdue"}}]
    client.api_call(
        "chat.postMessage", data={"channel": "C0QAEC", "text": "A-1", "blocks": json.dumps(blocks)}
    )
    [call] = slack.calls_to("chat.postMessage")
    assert call.problems == [] and call.args["blocks"] == blocks
    assert slack.messages()[0].blocks == blocks


def test_a_call_that_breaks_the_spec_is_refused_recorded_and_reported(slack, client):
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessage", json={"chanel": "C0QAEC", "text": "x"})
    body = raised.value.response.data
    assert body["error"] == "invalid_arguments"
    assert "chat.postMessage: unknown argument 'chanel'" in body["response_metadata"]["messages"]
    assert slack.messages() == []
    assert slack.calls_to("chat.postMessage")[0].problems == body["response_metadata"]["messages"]
    with pytest.raises(AssertionError, match="missing required argument 'channel'"):
        slack.assert_no_problems()


def test_strict_stand_in_fails_the_test_on_leaving_when_a_call_broke_the_spec():
    with pytest.raises(AssertionError, match="unknown method 'chat.postMesage'"):  # noqa: SIM117
        with SlackStandIn(strict=True) as slack:
            client = WebClient(token="xoxb-test", base_url=slack.base_url)
            assert error_of(lambda: client.api_call("chat.postMesage")) == "unknown_method"


def test_strict_stand_in_is_quiet_when_every_call_is_well_formed():
    with SlackStandIn(strict=True) as slack:
        WebClient(token="xoxb-test", base_url=slack.base_url).auth_test()
    assert [c.method for c in slack.calls] == ["auth.test"]


def test_a_call_without_a_token_is_not_authed(slack):
    client = WebClient(base_url=slack.base_url)
    assert error_of(lambda: client.users_info(user="U0JANE")) == "not_authed"


def test_a_configured_token_must_match():
    with SlackStandIn(token="xoxb-right") as slack:
        wrong = WebClient(token="xoxb-wrong", base_url=slack.base_url)
        assert error_of(wrong.auth_test) == "invalid_auth"
        assert WebClient(token="xoxb-right", base_url=slack.base_url).auth_test()["ok"]


def test_methods_the_description_knows_but_the_stand_in_does_not_model_answer_ok(slack, client):
    assert client.reactions_add(channel="C0QAEC", name="eyes", timestamp="1.2").data == {"ok": True}


def test_auth_test_names_the_bot(slack, client):
    reply = client.auth_test()
    assert reply["user_id"] == slack.bot_user_id and reply["team_id"] == slack.team_id


# ---------------------------------------------------------------- faults seen by slack_sdk


def test_rate_limited_then_posted_once_with_slack_sdks_retry_handler(slack):
    client = WebClient(
        token="xoxb-test",
        base_url=slack.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", "rate_limited", retry_after=0)
    client.chat_postMessage(channel="C0QAEC", text="Reminder")
    calls = slack.calls_to("chat.postMessage")
    assert [(c.fault, c.status) for c in calls] == [("rate_limited", 429), (None, 200)]
    assert len(slack.messages()) == 1


def test_rate_limited_answer_carries_retry_after(slack, client):
    slack.fail_next("chat.postMessage", "rate_limited", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0QAEC", text="Reminder")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] in ("7", ["7"])
    assert slack.messages() == []


def test_server_error_is_seen_and_retried_by_slack_sdk(slack, client):
    slack.fail_next("chat.postMessage", "server_error", times=2)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0QAEC", text="x")
    assert raised.value.response.status_code == 500
    retrying = WebClient(
        token="xoxb-test",
        base_url=slack.base_url,
        retry_handlers=[ServerErrorRetryHandler(1, NO_WAIT)],
    )
    retrying.chat_postMessage(channel="C0QAEC", text="x")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 500, 200]
    assert len(slack.messages()) == 1


def test_timeout_leaves_the_client_without_an_answer_and_nothing_posted(slack):
    client = WebClient(token="xoxb-test", base_url=slack.base_url, timeout=0.2, retry_handlers=[])
    slack.fail_next("chat.postMessage", "timeout", hold=2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0QAEC", text="x")
    assert time.monotonic() - started < 1.5
    assert slack.messages() == [] and slack.calls_to("chat.postMessage")[0].fault == "timeout"


def test_timeout_after_processing_posts_although_the_client_saw_a_timeout(slack):
    client = WebClient(token="xoxb-test", base_url=slack.base_url, timeout=0.2, retry_handlers=[])
    slack.fail_next("chat.postMessage", "timeout_after_processing", hold=2)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0QAEC", text="x")
    assert len(slack.messages()) == 1


def test_slack_error_fault_then_normal_service(slack, client):
    slack.fail_next("chat.postMessage", "account_inactive")
    assert error_of(lambda: client.chat_postMessage(channel="C0QAEC", text="x")) == (
        "account_inactive"
    )
    assert client.chat_postMessage(channel="C0QAEC", text="x")["ok"]
    assert [c.error for c in slack.calls_to("chat.postMessage")] == ["account_inactive", None]


def test_fault_for_any_method(slack, client):
    slack.fail_next("*", "fatal_error", times=2)
    assert error_of(client.auth_test) == "fatal_error"
    assert error_of(lambda: client.users_info(user="U0JANE")) == "fatal_error"
    assert client.auth_test()["ok"]


def test_unknown_fault_kind_is_refused(slack):
    with pytest.raises(ValueError):
        slack.fail_next("chat.postMessage", "Channel Not Found")


# ---------------------------------------------------------------- workspace state


def test_archived_channel_refuses_posts(slack, client):
    slack.add_channel("C0ARCH", "old-cse-subgroup", is_archived=True)
    assert error_of(lambda: client.chat_postMessage(channel="C0ARCH", text="x")) == "is_archived"
    assert client.conversations_info(channel="C0ARCH")["channel"]["is_archived"] is True


def test_channel_the_bot_is_not_in(slack, client):
    slack.remove_bot_from("C0QAEC")
    assert error_of(lambda: client.chat_postMessage(channel="C0QAEC", text="x")) == (
        "not_in_channel"
    )
    assert client.conversations_info(channel="C0QAEC")["channel"]["is_member"] is False
    client.conversations_join(channel="C0QAEC")
    assert client.chat_postMessage(channel="C0QAEC", text="x")["ok"]


def test_unknown_channels_exist_unless_only_known_channels_are_allowed(client):
    assert client.chat_postMessage(channel="C0NEW", text="x")["ok"]
    with SlackStandIn(known_channels_only=True) as slack:
        strict_client = WebClient(token="xoxb-test", base_url=slack.base_url)
        assert error_of(lambda: strict_client.chat_postMessage(channel="C0NEW", text="x")) == (
            "channel_not_found"
        )


def test_users_info_from_the_directory(client):
    user = client.users_info(user="U0JANE")["user"]
    assert (user["id"], user["name"], user["real_name"], user["tz"], user["deleted"]) == (
        "U0JANE",
        "jane.smith",
        "Jane Smith",
        "Europe/London",
        False,
    )
    assert client.users_info(user="U0OMAR")["user"]["deleted"] is True
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_time_zone_offset_follows_the_clock():
    summer = datetime(2026, 7, 1, 9, tzinfo=UTC)
    with SlackStandIn(users=[JANE], clock=lambda: summer) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        assert client.users_info(user="U0JANE")["user"]["tz_offset"] == 3600


def test_lookup_by_email(client):
    assert client.users_lookupByEmail(email="Jane@Example.org")["user"]["id"] == "U0JANE"
    assert error_of(lambda: client.users_lookupByEmail(email="x@example.org")) == (
        "users_not_found"
    )


def test_direct_messages(slack, client):
    dm = client.conversations_open(users=["U0JANE"])["channel"]["id"]
    assert dm == slack.dm_channel_for("U0JANE") and dm.startswith("D")
    client.chat_postMessage(channel=dm, text="Your actions")
    client.chat_postMessage(channel="U0JANE", text="Posting to a user id lands in the DM")
    assert [m.channel for m in slack.messages(user="U0JANE")] == [dm, dm]
    assert error_of(lambda: client.conversations_open(users=["U0OMAR"])) == "user_disabled"
    assert error_of(lambda: client.conversations_open(users=["U0NOBODY"])) == "user_not_found"


def test_deactivating_a_user_later(slack, client):
    slack.deactivate_user("U0JANE")
    assert client.users_info(user="U0JANE")["user"]["deleted"] is True
    assert error_of(lambda: client.conversations_open(users=["U0JANE"])) == "user_disabled"


def test_ephemeral_update_delete_and_permalink(slack, client):
    client.chat_postEphemeral(channel="C0QAEC", user="U0JANE", text="Only you can see this")
    posted = client.chat_postMessage(channel="C0QAEC", text="A-3 signed off")
    client.chat_update(channel="C0QAEC", ts=posted["ts"], text="A-3 signed off (edited)")
    link = client.chat_getPermalink(channel="C0QAEC", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C0QAEC/p" + posted["ts"].replace(".", ""))
    assert [(m.ephemeral, m.user, m.text) for m in slack.messages()] == [
        (True, "U0JANE", "Only you can see this"),
        (False, None, "A-3 signed off (edited)"),
    ]
    client.chat_delete(channel="C0QAEC", ts=posted["ts"])
    assert slack.messages(ephemeral=False) == []
    assert error_of(lambda: client.chat_update(channel="C0QAEC", ts=posted["ts"], text="x")) == (
        "message_not_found"
    )


def test_post_without_text_or_blocks_is_no_text(client):
    with pytest.warns(UserWarning, match="text"):
        assert error_of(lambda: client.chat_postMessage(channel="C0QAEC")) == "no_text"


# ---------------------------------------------------------------- views


def modal(title: str) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": title}}],
    }


def test_modals_open_push_and_update_for_the_person_who_pressed(slack, client):
    trigger = slack.new_trigger_id("U0JANE")
    opened = client.views_open(trigger_id=trigger, view=modal("Update A-1"))["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    pushed = client.views_push(trigger_id=trigger, view=modal("Confirm"))["view"]
    assert [v["id"] for v in slack.modal_stack("U0JANE")] == [opened["id"], pushed["id"]]
    assert pushed["root_view_id"] == opened["id"]
    updated = client.views_update(view_id=opened["id"], view=modal("Updated"), hash=opened["hash"])
    assert updated["view"]["title"]["text"] == "Updated"
    assert error_of(
        lambda: client.views_update(view_id=opened["id"], view=modal("x"), hash=opened["hash"])
    ) == ("hash_conflict")
    slack.close_modal("U0JANE")
    assert slack.open_modal("U0JANE") is None


def test_home_tab_is_published_per_person(slack, client):
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    client.views_publish(user_id="U0JANE", view=home)
    assert slack.home_view("U0JANE")["blocks"] == [{"type": "divider"}]
    assert slack.home_view("U0OMAR") is None


def test_a_modal_over_the_block_limit_is_refused(slack, client):
    view = modal("Too long") | {"blocks": [{"type": "divider"}] * 101}
    trigger = slack.new_trigger_id("U0JANE")
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=view)) == (
        "invalid_arguments"
    )
    assert slack.open_modal("U0JANE") is None


# ---------------------------------------------------------------- files


def test_upload_v2_goes_through_the_upload_url_to_the_channel(slack, client):
    reply = client.files_upload_v2(
        channel="C0QAEC", content="ref,status\nA-1,complete\n", filename="board.csv", title="Q3"
    )
    [upload] = slack.uploads.values()
    assert upload.content == b"ref,status\nA-1,complete\n" and upload.completed
    assert (upload.channel_id, upload.title) == ("C0QAEC", "Q3")
    assert reply["files"][0]["id"] == upload.id
    assert [m.files for m in slack.messages()] == [[upload.id]]
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert slack.problems() == []


def post_to(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def test_upload_fault_with_a_slack_error_answers_that_error_and_keeps_nothing(slack, client):
    slack.fail_next("upload", "invalid_auth")
    url = client.files_getUploadURLExternal(filename="board.csv", length=3)["upload_url"]
    status, _, body = post_to(url, b"a,b")
    assert (status, json.loads(body)) == (200, {"ok": False, "error": "invalid_auth"})
    [upload] = slack.uploads.values()
    assert upload.content is None
    # slack_sdk only looks at the status, so the file is found missing when completing.
    slack.fail_next("upload", "invalid_auth")
    complete = client.files_upload_v2
    assert error_of(lambda: complete(channel="C0QAEC", content="a,b", filename="b.csv")) == (
        "file_not_found"
    )
    assert slack.messages() == []
    assert post_to(url, b"a,b")[0] == 200 and slack.uploads[upload.id].content == b"a,b"


def test_upload_faults_answer_http_errors_as_the_web_api_does(slack, client):
    url = client.files_getUploadURLExternal(filename="board.csv", length=3)["upload_url"]
    slack.fail_next("upload", "rate_limited", retry_after=4)
    slack.fail_next("upload", "server_error")
    status, headers, body = post_to(url, b"a,b")
    assert (status, headers.get("Retry-After"), json.loads(body)["error"]) == (
        429,
        "4",
        "ratelimited",
    )
    assert post_to(url, b"a,b")[0] == 500
    assert post_to(url, b"a,b")[0] == 200


# ---------------------------------------------------------------- response_url


def test_response_url_posts_are_recorded_and_shown_where_slack_shows_them(slack):
    url = slack.new_response_url(channel="C0QAEC", user="U0JANE")
    assert url.startswith(slack.root_url)
    webhook = WebhookClient(url)
    assert webhook.send(text="Only Jane sees this").status_code == 200
    assert webhook.send(text="Shared", response_type="in_channel").status_code == 200
    assert [r.payload["text"] for r in slack.responses] == ["Only Jane sees this", "Shared"]
    assert [(m.ephemeral, m.via) for m in slack.messages()] == [
        (True, "response_url"),
        (False, "response_url"),
    ]


def test_response_url_replaces_the_message_a_button_was_on(slack, client):
    posted = client.chat_postMessage(channel="C0QAEC", text="A-2: due Friday")
    url = slack.new_response_url(channel="C0QAEC", user="U0JANE", message_ts=posted["ts"])
    WebhookClient(url).send(text="A-2: done", replace_original=True)
    assert [m.text for m in slack.messages()] == ["A-2: done"]


def test_response_url_takes_five_replies(slack):
    webhook = WebhookClient(slack.new_response_url())
    statuses = [webhook.send(text=f"reply {i}").status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 404]
    assert slack.responses[-1].error == "used_url"


def test_response_url_expires_after_thirty_minutes():
    now = [datetime(2026, 12, 7, 9, tzinfo=UTC)]
    with SlackStandIn(clock=lambda: now[0]) as slack:
        webhook = WebhookClient(slack.new_response_url())
        now[0] += timedelta(minutes=31)
        assert webhook.send(text="late").status_code == 404
        assert slack.responses[0].error == "expired_url"


def test_response_url_checks_blocks(slack):
    webhook = WebhookClient(slack.new_response_url())
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    assert webhook.send(text="x", blocks=blocks).status_code == 400
    assert slack.problems() == [
        "response_url: blocks[0] (header).text.text: 151 characters, limit 150"
    ]


def test_logs_name_methods_not_message_text(slack, client, caplog):
    with caplog.at_level(logging.DEBUG, logger="sandbox.slack"):
        client.chat_postMessage(channel="C0QAEC", text="Child known as Mary")
        WebhookClient(slack.new_response_url()).send(text="Child known as Mary")
    assert "chat.postMessage" in caplog.text
    assert "Mary" not in caplog.text


def test_response_url_faults(slack):
    webhook = WebhookClient(slack.new_response_url())
    slack.fail_next("response_url", "rate_limited", retry_after=0)
    slack.fail_next("response_url", "server_error")
    limited = webhook.send(text="x")
    assert (limited.status_code, limited.headers["Retry-After"]) in ((429, "0"), (429, ["0"]))
    assert webhook.send(text="x").status_code == 500
    assert webhook.send(text="x").status_code == 200
    assert [r.error for r in slack.responses] == ["ratelimited", "fatal_error", None]


def test_files_info_gives_a_download_url_served_only_with_the_bot_token():
    with SlackStandIn(users=[JANE], token="xoxb-right", strict=True) as slack:
        client = WebClient(token="xoxb-right", base_url=slack.base_url, retry_handlers=[])
        shared = slack.share_file("U0JANE", "tracker.csv", b"Action\nAudit\n")
        assert shared["user"] == "U0JANE" and shared["filetype"] == "csv"
        info = client.files_info(file=shared["id"])["file"]
        assert (info["name"], info["size"]) == ("tracker.csv", 13)
        url = info["url_private_download"]
        assert url.startswith(slack.root_url + "/files-pri/")
        request = urllib.request.Request(url, headers={"Authorization": "Bearer xoxb-right"})
        with urllib.request.urlopen(request) as response:
            assert response.read() == b"Action\nAudit\n"
        assert error_of(lambda: client.files_info(file="F0NOSUCH")) == "file_not_found"
        # files.info is checked against Slack's description like every method.
        call = lambda: client.api_call("files.info", params={"file": shared["id"], "colour": "r"})  # noqa: E731
        assert error_of(call) == "invalid_arguments"
        (bad,) = [c for c in slack.calls_to("files.info") if c.problems]
        assert any("colour" in p for p in bad.problems)
        slack._calls[:] = [c for c in slack._calls if not c.problems]  # a strict stand-in


def test_a_download_without_the_bot_token_gets_no_file():
    with SlackStandIn(users=[JANE], token="xoxb-right") as slack:
        shared = slack.share_file("U0JANE", "tracker.csv", b"Action\nAudit\n")

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(shared["url_private_download"])
        assert refused.value.code == 302
        (download,) = slack.calls_to("download")
        assert download.problems and download.args == {"file": shared["id"]}
