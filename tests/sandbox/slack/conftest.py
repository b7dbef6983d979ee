"""Shared by the stand-in's tests: a slack_sdk client for the module's ``slack`` stand-in."""

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]
