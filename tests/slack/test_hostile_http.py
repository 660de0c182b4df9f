"""The HTTP edge: bodies that are not Slack's, bad signatures, and size limits.

A signed body Slack could not have sent gets a 4xx, never a 500 and never a
traceback; an unsigned or badly signed one always 401; a body over MAX_BODY_BYTES
413, whether it declares its length or comes chunked without one.
"""

from __future__ import annotations

import http.client
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import slackreq
from harness import JOHN, SECRET, SlackHarness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.slack.server import MAX_BODY_BYTES, OncallWSGI

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def h(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackHarness]:
    with SlackHarness(tmp_path_factory.mktemp("hostile-http"), FixedClock(NOW)) as harness:
        yield harness


def post(
    h: SlackHarness, body: bytes, content_type: str = slackreq.FORM, **kw: Any
) -> tuple[int, bytes]:
    status, _headers, raw = slackreq.post(
        f"{h.base}/slack/events", body, kw.pop("secret", SECRET), content_type, **kw
    )
    return status, raw


def chunked(h: SlackHarness, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST without Content-Length, in chunks (Transfer-Encoding: chunked)."""
    conn = http.client.HTTPConnection("127.0.0.1", h.running.port, timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        try:
            for i in range(0, len(body), 16384):
                part = body[i : i + 16384]
                conn.send(b"%x\r\n%s\r\n" % (len(part), part))
            conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer 413 and close before the last chunk
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def no_traceback(raw: bytes) -> None:
    text = raw.decode("utf-8", "replace")
    assert "Traceback" not in text and "Error" not in text and 'File "' not in text, text


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTENT_TYPES = [slackreq.FORM, slackreq.JSON, "text/plain", "application/octet-stream", ""]
json_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
body_strategy = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(str.encode),
    json_junk.map(lambda v: json.dumps(v).encode()),
    json_junk.map(lambda v: urlencode({"payload": json.dumps(v)}).encode()),
    st.text(max_size=200).map(lambda t: urlencode({"payload": t}).encode()),
    st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5).map(
        lambda d: urlencode(d).encode()
    ),
)


# --- what is not a Slack request -----------------------------------------------------------


@SETTINGS
@given(body=body_strategy, content_type=st.sampled_from(CONTENT_TYPES))
def test_a_signed_body_of_any_shape_never_gets_a_500(
    h: SlackHarness, body: bytes, content_type: str
) -> None:
    status, raw = post(h, body, content_type)
    assert status != 500 and status < 500, (status, raw)
    no_traceback(raw)


@SETTINGS
@given(
    body=body_strategy,
    headers=st.sampled_from(
        [
            {"X-Slack-Signature": "v0=0000"},
            {"X-Slack-Request-Timestamp": "not a number"},
            {"X-Slack-Request-Timestamp": str(int(time.time()) - 600)},
            {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
            {"X-Slack-Signature": "garbage"},
        ]
    ),
)
def test_a_badly_signed_body_of_any_shape_gets_401(
    h: SlackHarness, body: bytes, headers: dict[str, str]
) -> None:
    status, raw = post(h, body, slackreq.FORM, headers=headers)
    assert status == 401, raw
    no_traceback(raw)


@pytest.mark.parametrize(
    "body",
    [
        urlencode({"payload": "{not json"}).encode(),
        b"\xff\xfe\xfd",
        urlencode({"payload": json.dumps({"type": "event_callback", "event": None})}).encode(),
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode(),
    ],
)
def test_signed_garbage_is_400_and_unsigned_garbage_401(h: SlackHarness, body: bytes) -> None:
    assert post(h, body)[0] == 400
    assert post(h, body, secret="another-secret")[0] == 401


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'"just a string"', b"12", b"null", b"{"])
def test_signed_json_that_is_not_an_object_is_400(h: SlackHarness, body: bytes) -> None:
    assert post(h, body, slackreq.JSON)[0] == 400
    assert post(h, body, slackreq.JSON, secret="another-secret")[0] == 401


def test_a_signature_from_another_secret_is_401_for_a_real_command(h: SlackHarness) -> None:
    # A runbook answers through its response_url after the acknowledgement, so a request
    # that got through would leave a call there.
    executor = h.track_listeners()
    h.fake.reset()
    forged, genuine = h.fake.response_url("forged"), h.fake.response_url("genuine")
    body = slackreq.slash_command_body(
        text="runbook aggregate-profit", user_id=JOHN, response_url=forged
    )
    status, raw = post(h, body, secret="not-the-secret")
    assert status == 401 and b"runbook" not in raw
    # Barrier: the same command, signed, is answered; once every listener started so far
    # (the forged request's too, had it got through) has finished, nothing went to `forged`.
    body = slackreq.slash_command_body(
        text="runbook aggregate-profit", user_id=JOHN, response_url=genuine
    )
    assert post(h, body)[0] == 200
    h.fake.wait_for_call("response_url", where=lambda c: c.args["_path"] == "/hooks/genuine")
    executor.drain()
    assert [c.args["_path"] for c in h.fake.calls_to("response_url")] == ["/hooks/genuine"]


def test_an_old_signature_is_401(h: SlackHarness) -> None:
    body = slackreq.slash_command_body(text="now", user_id=JOHN)
    assert post(h, body, timestamp=int(time.time()) - 3600)[0] == 401


def test_bolt_internal_headers_are_not_taken_from_outside(h: SlackHarness) -> None:
    # `X-Slack-Bolt-Lazy-Only` would make Bolt skip the acknowledgement.
    h.fake.reset()
    url = h.fake.response_url("lazy")
    body = slackreq.slash_command_body(text="now", user_id=JOHN, response_url=url)
    status, raw = post(h, body, headers={"X-Slack-Bolt-Lazy-Only": "1"})
    assert status == 200
    assert "On call" in json.loads(raw)["text"]  # answered, in the acknowledgement


# --- size limits ------------------------------------------------------------------------------


def big_body() -> bytes:
    return urlencode({"payload": "x" * (MAX_BODY_BYTES + 10)}).encode()


def test_a_body_over_the_limit_is_413(h: SlackHarness) -> None:
    body = big_body()
    assert post(h, body)[0] == 413


def test_a_chunked_body_over_the_limit_is_413(h: SlackHarness) -> None:
    body = big_body()
    status, raw = chunked(h, body, {"Content-Type": slackreq.FORM, **slackreq.sign(SECRET, body)})
    assert status == 413, raw


def test_a_chunked_body_within_the_limit_is_handled(h: SlackHarness) -> None:
    h.fake.reset()
    url = h.fake.response_url("chunked")
    body = slackreq.slash_command_body(text="now", user_id=JOHN, response_url=url)
    status, raw = chunked(h, body, {"Content-Type": slackreq.FORM, **slackreq.sign(SECRET, body)})
    assert status == 200
    assert "On call" in json.loads(raw)["text"]  # answered, in the acknowledgement


class _Sink:
    def __init__(self) -> None:
        self.status = ""

    def __call__(self, status: str, headers: list[tuple[str, str]]) -> None:
        self.status = status


@pytest.mark.parametrize(
    ("size", "length", "expected"),
    [
        (MAX_BODY_BYTES + 1, None, "413"),  # chunked: no CONTENT_LENGTH at all
        (MAX_BODY_BYTES + 1, "", "413"),
        (10, str(MAX_BODY_BYTES + 1), "413"),  # a declared length over the limit
        (10, "-5", "413"),
        (10, "ten", "413"),
        (10, None, "401"),  # within the limit: read, then refused for its signature
    ],
)
def test_the_wsgi_app_bounds_the_body_itself(
    h: SlackHarness, size: int, length: str | None, expected: str
) -> None:
    # Under another WSGI server than waitress, the app's own check is what holds.
    wsgi = OncallWSGI(h.running.app)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b"a" * size),
        "CONTENT_TYPE": slackreq.FORM,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    sink = _Sink()
    wsgi(environ, sink)
    assert sink.status.startswith(expected)
