"""Signing: requests the stand-in signs are the requests Slack would sign."""

from slack_sdk.signature import SignatureVerifier

from sandbox.slack.signing import sign, signed_headers
from tests.slack_example import BODY, SECRET, TIMESTAMP, FixedClock
from tests.slack_example import SIGNATURE as EXPECTED


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
