"""conversations.history and conversations.replies answer a real slack_sdk WebClient as Slack does:
from the messages as they stand (updates applied, deleted and ephemeral ones left out), paged."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from sandbox.slack import SlackChannel, SlackStandIn, SlackUser
from tests.sandbox.slack.conftest import error_of

JANE = SlackUser("U0JANE", "jane.smith", real_name="Jane Smith")


class Clock:
    """A stand-in clock that moves a second a reading, so each message has its own second."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def slack():
    with SlackStandIn(
        users=[JANE],
        channels=[SlackChannel("C0QAEC", "qaec"), SlackChannel("C0PDC", "pdc")],
        strict=True,
        known_channels_only=True,
        clock=Clock(),
    ) as standin:
        yield standin


def section(block_id: str) -> list[dict]:
    return [{"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": "x"}}]


def post(client, text: str, channel: str = "C0QAEC", **kwargs) -> str:
    return client.chat_postMessage(channel=channel, text=text, **kwargs)["ts"]


def texts(reply) -> list[str]:
    return [m["text"] for m in reply["messages"]]


# ---------------------------------------------------------------- conversations.history


def test_history_is_newest_first_with_what_the_app_posted(slack, client):
    first = post(client, "First", blocks=section("lscb-abc-0"))
    post(client, "Second")
    post(client, "Elsewhere", channel="C0PDC")
    reply = client.conversations_history(channel="C0QAEC")
    assert texts(reply) == ["Second", "First"]
    assert reply["has_more"] is False and "next_cursor" not in reply.get("response_metadata", {})
    oldest = reply["messages"][-1]
    assert oldest["ts"] == first and oldest["type"] == "message"
    assert (oldest["user"], oldest["bot_id"]) == (slack.bot_user_id, slack.bot_id)
    assert oldest["blocks"][0]["block_id"] == "lscb-abc-0"


def test_history_leaves_out_ephemerals_deleted_messages_and_thread_replies(slack, client):
    client.chat_postEphemeral(channel="C0QAEC", user="U0JANE", text="Only Jane")
    gone = post(client, "Deleted")
    client.chat_delete(channel="C0QAEC", ts=gone)
    parent = post(client, "Digest")
    post(client, "Part 2", thread_ts=parent)
    assert texts(client.conversations_history(channel="C0QAEC")) == ["Digest"]


def test_history_shows_a_thread_parent_with_its_reply_count(slack, client):
    parent = post(client, "Digest")
    post(client, "Part 2", thread_ts=parent)
    last = post(client, "Part 3", thread_ts=parent)
    post(client, "Also in the channel", thread_ts=parent, reply_broadcast=True)
    broadcast, top = client.conversations_history(channel="C0QAEC")["messages"]
    assert top["thread_ts"] == parent and top["reply_count"] == 3
    assert top["reply_users"] == [slack.bot_user_id]
    assert top["latest_reply"] > last
    assert broadcast["subtype"] == "thread_broadcast" and broadcast["thread_ts"] == parent


def test_history_shows_messages_as_updated(slack, client):
    ts = post(client, "A-2: due Friday", blocks=section("lscb-abc-0"))
    client.chat_update(channel="C0QAEC", ts=ts, text="A-2: done", blocks=section("lscb-abc-1"))
    [message] = client.conversations_history(channel="C0QAEC")["messages"]
    assert message["text"] == "A-2: done" and message["blocks"][0]["block_id"] == "lscb-abc-1"
    assert message["edited"]["user"] == slack.bot_user_id and message["edited"]["ts"] > ts


def test_history_shows_replies_posted_through_a_response_url_in_the_channel_only(slack):
    url = slack.new_response_url(channel="C0QAEC", user="U0JANE")
    WebhookClient(url).send(text="Only Jane sees this")
    WebhookClient(url).send(text="Shared", response_type="in_channel")
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    assert texts(client.conversations_history(channel="C0QAEC")) == ["Shared"]


def test_history_between_oldest_and_latest(slack, client):
    a, b, c, d = (post(client, t) for t in "abcd")
    assert texts(client.conversations_history(channel="C0QAEC", oldest=a)) == ["d", "c", "b"]
    assert texts(client.conversations_history(channel="C0QAEC", oldest=a, latest=d)) == ["c", "b"]
    both = client.conversations_history(channel="C0QAEC", oldest=b, latest=c, inclusive=True)
    assert texts(both) == ["c", "b"]
    assert texts(client.conversations_history(channel="C0QAEC", latest=b)) == ["a"]
    assert texts(client.conversations_history(channel="C0QAEC", oldest=d)) == []
    ten_to = float(a) - 600  # as the notices code asks: from ten minutes before the first try
    assert (
        len(client.conversations_history(channel="C0QAEC", oldest=f"{ten_to:.6f}")["messages"]) == 4
    )


def test_history_pages_with_has_more_and_next_cursor(slack, client):
    for t in "abcde":
        post(client, t)
    first = client.conversations_history(channel="C0QAEC", limit=2)
    assert texts(first) == ["e", "d"] and first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel="C0QAEC", limit=2, cursor=cursor)
    assert texts(second) == ["c", "b"]
    # slack_sdk follows next_cursor itself when a reply is iterated (one object, refilled).
    pages = [
        (texts(p), p["has_more"]) for p in client.conversations_history(channel="C0QAEC", limit=2)
    ]
    assert pages == [(["e", "d"], True), (["c", "b"], True), (["a"], False)]


def test_history_refusals(slack, client):
    slack.add_channel("C0LIG", "lig", is_member=False)
    slack.add_channel("G0SECRET", "secret", is_private=True, is_member=False)
    post(client, "x")

    def history(**kwargs):
        return error_of(lambda: client.conversations_history(**kwargs))

    assert history(channel="C0NOWHERE") == "channel_not_found"
    assert history(channel="#qaec") == "channel_not_found"  # IDs only, unlike chat.postMessage
    assert history(channel="U0JANE") == "channel_not_found"
    assert history(channel="C0LIG") == "not_in_channel"
    assert history(channel="G0SECRET") == "channel_not_found"
    assert history(channel="C0QAEC", cursor="not-a-cursor") == "invalid_cursor"
    assert history(channel="C0QAEC", oldest="soon") == "invalid_ts_oldest"
    assert history(channel="C0QAEC", latest="later") == "invalid_ts_latest"


def test_history_of_an_archived_channel_is_still_readable(slack, client):
    post(client, "Before")
    slack.archive_channel("C0QAEC")
    assert texts(client.conversations_history(channel="C0QAEC")) == ["Before"]


def test_history_of_a_direct_message(slack, client):
    post(client, "Your actions", channel="U0JANE")
    dm = slack.dm_channel_for("U0JANE")
    assert texts(client.conversations_history(channel=dm)) == ["Your actions"]


def test_a_thread_parent_deleted_with_replies_left_is_a_tombstone(slack, client):
    parent = post(client, "Digest")
    post(client, "Part 2", thread_ts=parent)
    client.chat_delete(channel="C0QAEC", ts=parent)
    [tomb] = client.conversations_history(channel="C0QAEC")["messages"]
    assert tomb["subtype"] == "tombstone" and "blocks" not in tomb and tomb["reply_count"] == 1
    thread = client.conversations_replies(channel="C0QAEC", ts=parent)["messages"]
    assert [m.get("subtype") for m in thread] == ["tombstone", None]


# ---------------------------------------------------------------- conversations.replies


def test_replies_are_the_parent_then_its_replies_oldest_first(slack, client):
    parent = post(client, "Digest", blocks=section("lscb-abc-0"))
    post(client, "Part 2", thread_ts=parent, blocks=section("lscb-abc-1"))
    client.chat_postEphemeral(channel="C0QAEC", user="U0JANE", text="Only Jane", thread_ts=parent)
    gone = post(client, "Deleted", thread_ts=parent)
    client.chat_delete(channel="C0QAEC", ts=gone)
    last = post(client, "Part 3", thread_ts=parent, blocks=section("lscb-abc-2"))
    post(client, "Another thread")
    reply = client.conversations_replies(channel="C0QAEC", ts=parent)
    assert texts(reply) == ["Digest", "Part 2", "Part 3"] and reply["has_more"] is False
    top, *replies = reply["messages"]
    assert top["thread_ts"] == parent and top["reply_count"] == 2 and top["latest_reply"] == last
    assert all(m["thread_ts"] == parent for m in replies)
    assert all(m["parent_user_id"] == slack.bot_user_id for m in replies)
    ids = [m["blocks"][0]["block_id"] for m in reply["messages"]]
    assert ids == ["lscb-abc-0", "lscb-abc-1", "lscb-abc-2"]
    # Any message of the thread names it.
    assert texts(client.conversations_replies(channel="C0QAEC", ts=last)) == texts(reply)


def test_replies_of_a_message_without_a_thread_is_that_message(slack, client):
    ts = post(client, "Alone")
    [message] = client.conversations_replies(channel="C0QAEC", ts=ts)["messages"]
    assert message["ts"] == ts and "thread_ts" not in message and "reply_count" not in message


def test_replies_page_with_the_parent_first_on_every_page(slack, client):
    parent = post(client, "Digest")
    for i in range(2, 7):
        post(client, f"Part {i}", thread_ts=parent)
    pages = [
        (texts(p), p["has_more"])
        for p in client.conversations_replies(channel="C0QAEC", ts=parent, limit=3)
    ]
    assert pages == [
        (["Digest", "Part 2", "Part 3"], True),
        (["Digest", "Part 4", "Part 5"], True),
        (["Digest", "Part 6"], False),
    ]


def test_replies_between_oldest_and_latest(slack, client):
    parent = post(client, "Digest")
    two, three, four = (post(client, f"Part {i}", thread_ts=parent) for i in (2, 3, 4))
    assert texts(client.conversations_replies(channel="C0QAEC", ts=parent, oldest=two)) == [
        "Digest",
        "Part 3",
        "Part 4",
    ]
    between = client.conversations_replies(
        channel="C0QAEC", ts=parent, oldest=two, latest=four, inclusive=True
    )
    assert texts(between) == ["Digest", "Part 2", "Part 3", "Part 4"]


def test_replies_include_files_uploaded_into_the_thread(slack, client):
    parent = post(client, "Digest")
    client.files_upload_v2(
        channel="C0QAEC",
        thread_ts=parent,
        content=b"\x89PNG",
        filename="brag.png",
        title="BRAG by committee",
    )
    [_, upload] = client.conversations_replies(channel="C0QAEC", ts=parent)["messages"]
    assert [f["title"] for f in upload["files"]] == ["BRAG by committee"]


def test_replies_refusals(slack, client):
    slack.add_channel("C0LIG", "lig", is_member=False)
    parent = post(client, "Digest")
    gone = post(client, "Deleted")
    client.chat_delete(channel="C0QAEC", ts=gone)

    def replies(**kwargs):
        return error_of(lambda: client.conversations_replies(**kwargs))

    assert replies(channel="C0QAEC", ts="1.000001") == "thread_not_found"
    assert replies(channel="C0QAEC", ts=gone) == "thread_not_found"
    assert replies(channel="C0PDC", ts=parent) == "thread_not_found"
    assert replies(channel="C0NOWHERE", ts=parent) == "channel_not_found"
    assert replies(channel="C0LIG", ts=parent) == "not_in_channel"
    assert replies(channel="C0QAEC", ts=parent, cursor="bm9wZQ==") == "invalid_cursor"


def test_conversations_list_pages_channels_as_slack_does() -> None:
    from slack_sdk import WebClient

    from sandbox.slack import SlackChannel, SlackStandIn

    channels = [SlackChannel(f"C0{i:04d}", f"chan-{i}") for i in range(5)]
    channels += [
        SlackChannel("G0SECRET", "secret", is_private=True, is_member=False),
        SlackChannel("G0OURS", "ours", is_private=True),
        SlackChannel("C0OLD", "old", is_archived=True),
    ]
    with SlackStandIn(channels=channels, strict=True) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        names: list[str] = []
        for page in client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=2
        ):
            names += [c["name"] for c in page["channels"]]
        assert sorted(names) == ["chan-0", "chan-1", "chan-2", "chan-3", "chan-4", "ours"]
        everything = client.conversations_list(limit=100)["channels"]
        assert "old" in [c["name"] for c in everything]  # public only by default, archived kept
        assert "ours" not in [c["name"] for c in everything]


@pytest.mark.parametrize("cursor", ["offset:abc", "offset:", "offset:-2", "page:2"])
def test_conversations_list_answers_a_cursor_it_did_not_hand_out_with_invalid_cursor(
    slack, client, cursor
):
    assert error_of(lambda: client.conversations_list(cursor=cursor)) == "invalid_cursor"
    [call] = slack.calls_to("conversations.list")
    assert (call.status, call.error, call.args["cursor"]) == (200, "invalid_cursor", cursor)


def test_conversations_list_limit_and_exclude_archived_are_read_as_elsewhere(slack, client):
    slack.add_channel("C0OLD", "old", is_archived=True)
    assert error_of(lambda: client.conversations_list(limit="lots")) == "invalid_limit"
    listed = client.conversations_list(limit=0, exclude_archived="true")
    assert [c["id"] for c in listed["channels"]] == ["C0PDC", "C0QAEC"]
    page = client.conversations_list(limit=1)
    assert page["response_metadata"]["next_cursor"] == "offset:1"
    assert [c["id"] for c in client.conversations_list(limit=1, cursor="offset:1")["channels"]] == [
        "C0PDC"
    ]


def test_team_id_is_accepted_on_any_method() -> None:
    from sandbox.slack.spec import check_call

    assert (
        check_call(
            "views.publish",
            {"user_id": "U1", "view": {"type": "home", "blocks": []}, "team_id": "T1"},
        )
        == []
    )
    assert check_call("conversations.open", {"users": "U1", "team_id": "T1"}) == []
