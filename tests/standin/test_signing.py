"""Signing: requests the stand-in signs are the requests Slack would sign."""

from slack_sdk.signature import Clock, SignatureVerifier

from bot.standin.signing import sign, signed_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TIMESTAMP = "1531420618"
BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
    "%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_slacks_published_example_signs_to_slacks_published_signature():
    assert sign(SECRET, TIMESTAMP, BODY) == EXPECTED
    assert sign(SECRET, int(TIMESTAMP), BODY.encode()) == EXPECTED


def test_signed_headers_pass_slack_sdks_verifier_within_five_minutes():
    headers = signed_headers(SECRET, BODY, timestamp=TIMESTAMP)
    assert headers["X-Slack-Signature"] == EXPECTED
    verifier = SignatureVerifier(SECRET, clock=FixedClock(int(TIMESTAMP) + 60))
    assert verifier.is_valid_request(BODY, headers)


def test_verifier_refuses_an_old_request_a_changed_body_and_a_wrong_secret():
    headers = signed_headers(SECRET, BODY, timestamp=TIMESTAMP)
    late = SignatureVerifier(SECRET, clock=FixedClock(int(TIMESTAMP) + 6 * 60))
    assert not late.is_valid_request(BODY, headers)
    on_time = SignatureVerifier(SECRET, clock=FixedClock(int(TIMESTAMP)))
    assert not on_time.is_valid_request(BODY.replace("foobar", "foobaz"), headers)
    assert not SignatureVerifier(
        "another-secret", clock=FixedClock(int(TIMESTAMP))
    ).is_valid_request(BODY, headers)


def test_signed_headers_default_to_now():
    headers = signed_headers(SECRET, b"payload=%7B%7D")
    assert SignatureVerifier(SECRET).is_valid_request(b"payload=%7B%7D", headers)
