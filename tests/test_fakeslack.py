"""Prove FakeSlack and slackreq behave like Slack, so app tests built on them mean something."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import fakeslack
import pytest
import slackreq
from fakeslack import Call, FakeSlack, unacknowledged_refusals
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
FAST = FixedValueRetryIntervalCalculator(0.01)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def client_for(fake: FakeSlack, **kw: Any) -> WebClient:
    """A WebClient aimed at the fake with no retries unless a test asks for them."""
    kw.setdefault("retry_handlers", [])
    return WebClient(token=TOKEN, base_url=fake.url, timeout=5, **kw)


# ---------------------------------------------------------------------- recording


def test_url_shape_and_lifecycle() -> None:
    fake = FakeSlack().start()
    try:
        assert fake.url.startswith("http://127.0.0.1:") and fake.url.endswith("/api/")
        assert fake.response_url("abc") == f"{fake.base}/hooks/abc"
    finally:
        fake.stop()
        fake.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = fake.url


def test_post_message_json_body_is_recorded_with_blocks(fake: FakeSlack) -> None:
    client = client_for(fake)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]

    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")

    assert first["ok"] and first["channel"] == "C1"
    assert first["message"]["blocks"] == blocks and first["message"]["text"] == "hi"
    assert float(second["ts"]) > float(first["ts"])
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == blocks  # decoded to Python, not a JSON string
    assert call.args["channel"] == "C1"
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert not call.failed and isinstance(call.time, float)


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack) -> None:
    client = client_for(fake)
    blocks = [{"type": "divider"}]
    view = {"type": "modal", "callback_id": "cb", "blocks": blocks}

    client.api_call(
        "chat.update",
        params={"channel": "C1", "ts": "1.2", "text": "t", "blocks": json.dumps(blocks)},
    )
    client.api_call("views.open", params={"trigger_id": "t", "view": json.dumps(view)})

    assert fake.calls_to("chat.update")[0].args["blocks"] == blocks
    assert (
        fake.calls_to("chat.update")[0]
        .headers["Content-Type"]
        .startswith("application/x-www-form-urlencoded")
    )
    assert fake.calls_to("views.open")[0].args["view"] == view


def test_default_responses_are_plausible(fake: FakeSlack) -> None:
    client = client_for(fake)

    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T0000000001")
    assert client.chat_postEphemeral(channel="C1", user="U1", text="x")["message_ts"]
    assert client.chat_update(channel="C1", ts="1.2", text="y")["ts"] == "1.2"
    assert client.chat_delete(channel="C1", ts="1.2")["ok"]
    opened = client.views_open(trigger_id="t", view={"type": "modal", "callback_id": "cb"})
    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "cb"
    updated = client.views_update(view_id=opened["view"]["id"], view={"type": "modal"})
    assert updated["view"]["id"] == opened["view"]["id"]
    assert client.views_push(trigger_id="t", view={"type": "modal"})["view"]["id"].startswith("V")
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["type"] == "home"
    assert client.conversations_open(users=["U7", "U8"])["channel"]["id"] == "DU7"
    group = client.usergroups_users_update(usergroup="S1", users=["U1", "U2"])
    assert group["usergroup"]["id"] == "S1" and group["usergroup"]["users"] == ["U1", "U2"]
    user = client.users_info(user="U9")["user"]
    assert user["id"] == "U9" and user["tz"] == "America/New_York" and user["name"]
    assert client.api_call("reactions.add", params={"name": "eyes"})["ok"]

    methods = [c.method for c in fake.calls]
    assert methods[0] == "auth.test" and methods[-1] == "reactions.add"
    fake.clear()
    assert fake.calls == []


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.url, retry_handlers=[])

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")

    assert err.value.response["error"] == "not_authed"
    assert fake.calls_to("chat.postMessage")[0].args["channel"] == "C1"


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("r7"))

    resp = hook.send(text="done", response_type="ephemeral", replace_original=False)

    assert (resp.status_code, resp.body) == (200, "ok")
    call = fake.wait_for_call("response_url")
    assert call.args == {
        "text": "done",
        "response_type": "ephemeral",
        "replace_original": False,
        "_path": "/hooks/r7",
    }


# ---------------------------------------------------------------------- Slack's rules


def section(text: str = "x", **kw: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **kw}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def button(text: str = "Go", action_id: str = "go", **kw: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, **kw}


def actions(*elements: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **kw}


def fields(n: int, size: int = 1) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * size}] * n}


def context(n: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * n}


def select(options: int, text: str = "o") -> dict[str, Any]:
    option = {"text": plain(text), "value": "v"}
    return {"type": "static_select", "action_id": "pick", "options": [option] * options}


# (rule, blocks that break it, the same blocks just within it)
BLOCK_RULES = [
    ("50 blocks a message", [section()] * 51, [section()] * 50),
    ("section text 3000", [section("x" * 3001)], [section("x" * 3000)]),
    ("section text not empty", [section("")], [section(" ")]),
    ("10 fields a section", [fields(11)], [fields(10)]),
    ("field text 2000", [fields(1, 2001)], [fields(1, 2000)]),
    (
        "header 150",
        [{"type": "header", "text": plain("h" * 151)}],
        [{"type": "header", "text": plain("h" * 150)}],
    ),
    ("button text 75", [actions(button("b" * 76))], [actions(button("b" * 75))]),
    (
        "action_id 255",
        [actions(button(action_id="a" * 256))],
        [actions(button(action_id="a" * 255))],
    ),
    ("block_id 255", [section(block_id="b" * 256)], [section(block_id="b" * 255)]),
    (
        "action_id unique within a block",
        [actions(button(action_id="same"), button(action_id="same"))],
        [actions(button(action_id="same")), actions(button(action_id="same"))],
    ),
    (
        "block_id unique within a message",
        [section(block_id="b"), section(block_id="b")],
        [section(block_id="b"), section(block_id="c")],
    ),
    ("10 elements a context", [context(11)], [context(10)]),
    (
        "25 elements an actions block",
        [actions(*[button(action_id=f"a{i}") for i in range(26)])],
        [actions(*[button(action_id=f"a{i}") for i in range(25)])],
    ),
    ("100 options a select", [actions(select(101))], [actions(select(100))]),
    ("option text 75", [actions(select(1, "o" * 76))], [actions(select(1, "o" * 75))]),
    ("button value 2000", [actions(button(value="v" * 2001))], [actions(button(value="v" * 2000))]),
    (
        "section accessory is checked too",
        [section(accessory=button("b" * 76))],
        [section(accessory=button("b" * 75))],
    ),
]


@pytest.mark.refusals_expected
@pytest.mark.parametrize(("rule", "bad", "good"), BLOCK_RULES, ids=[r[0] for r in BLOCK_RULES])
def test_a_message_breaking_a_block_kit_rule_is_refused(
    fake: FakeSlack, rule: str, bad: list[dict[str, Any]], good: list[dict[str, Any]]
) -> None:
    client = client_for(fake)
    assert client.chat_postMessage(channel="C1", text="fallback", blocks=good)["ok"]
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="fallback", blocks=bad)
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"], "Slack says what broke"
    accepted, refused = fake.calls_to("chat.postMessage")
    assert accepted.refused is None and refused.refused == "invalid_blocks"
    assert fake.take_refusals() == [refused]


@pytest.mark.refusals_expected
@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
def test_message_text_limits_and_fallback(fake: FakeSlack, method: str) -> None:
    client = client_for(fake)
    base = {"channel": "C1", "user": "U1", "ts": "1.2"}

    def send(**args: Any) -> str | None:
        try:
            client.api_call(method, json={**base, **args})
        except SlackApiError as exc:
            return str(exc.response["error"])
        return None

    assert send(text="t" * 40_000) is None
    assert send(text="t" * 40_001) == "msg_too_long"
    assert send() == "no_text"
    assert send(text="  ") == "no_text"
    assert send(blocks=[section()]) == "missing_text_fallback"  # stricter than Slack
    assert send(text=" ", blocks=[section()]) == "missing_text_fallback"
    assert send(text="t", blocks=[section()]) is None
    assert [c.refused for c in fake.take_refusals()] == [
        "msg_too_long",
        "no_text",
        "no_text",
        "missing_text_fallback",
        "missing_text_fallback",
    ]


@pytest.mark.refusals_expected
@pytest.mark.parametrize("method", ["views.open", "views.push", "views.update", "views.publish"])
def test_view_limits(fake: FakeSlack, method: str) -> None:
    client = client_for(fake)
    kind = "home" if method == "views.publish" else "modal"

    def send(blocks: list[dict[str, Any]], **view: Any) -> str | None:
        body = {"type": kind, "blocks": blocks, **view}
        try:
            client.api_call(method, json={"trigger_id": "t", "user_id": "U1", "view": body})
        except SlackApiError as exc:
            return str(exc.response["error"])
        return None

    assert send([section()] * 100) is None
    assert send([section()] * 101) == "invalid_blocks"
    assert send([section("x" * 3000)] * 80) is None  # about 245 kB
    assert send([section("x" * 3000)] * 90) == "view_too_large"  # about 275 kB
    assert send([section("x" * 3001)]) == "invalid_blocks"
    assert send([section(block_id="b"), section(block_id="b")]) == "invalid_blocks"
    assert send([], title=plain("t" * 24), private_metadata="m" * 3000) is None
    assert send([], title=plain("t" * 25)) == "invalid_blocks"
    assert send([], submit=plain("s" * 25)) == "invalid_blocks"
    assert send([], private_metadata="m" * 3001) == "invalid_blocks"
    input_block = {"type": "input", "label": plain("l" * 2000), "element": select(1)}
    assert send([input_block]) is None
    assert send([{**input_block, "label": plain("l" * 2001)}]) == "invalid_blocks"
    assert len(fake.take_refusals()) == 8


@pytest.mark.refusals_expected
def test_a_response_url_post_is_held_to_the_same_rules(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("r1"))
    assert hook.send(text="ok", blocks=[section()]).status_code == 200
    refused = hook.send(text="ok", blocks=[section("x" * 3001)])
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    no_fallback = hook.send(blocks=[section()])
    assert (no_fallback.status_code, no_fallback.body) == (400, "missing_text_fallback")
    assert hook.send_dict({"delete_original": True}).status_code == 200
    assert [c.refused for c in fake.calls_to("response_url")] == [
        None,
        "invalid_blocks",
        "missing_text_fallback",
        None,
    ]
    assert len(fake.take_refusals()) == 2


@pytest.mark.refusals_expected
def test_an_acknowledgement_is_held_to_the_same_rules(fake: FakeSlack) -> None:
    url = fake.response_url("ack")
    fake.show_acknowledgement(url, {"text": "fine", "blocks": [section()]})
    fake.show_acknowledgement(url, {"blocks": [section()]})
    first, second = fake.calls_to("response_url")
    assert first.refused is None and second.refused == "missing_text_fallback"
    assert fake.take_refusals() == [second]


@pytest.mark.refusals_expected
def test_refusals_outlive_reset_until_taken(fake: FakeSlack) -> None:
    client = client_for(fake)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="t", blocks=[section("")])
    fake.reset()
    (refused,) = fake.refusals  # a reset before a test's assertions does not hide it
    assert any(c is refused for c in unacknowledged_refusals())  # what conftest checks
    assert fake.take_refusals() == [refused]
    assert fake.refusals == [] and not any(c is refused for c in unacknowledged_refusals())
    assert "refused=invalid_blocks" in repr(refused)


def test_an_override_answers_without_judging(fake: FakeSlack) -> None:
    # Faults and overrides stay in the test's hands; only accepted payloads reach them.
    client = client_for(fake)
    fake.respond_with("chat.postMessage", {"ok": True, "ts": "9.9"}, times=1)
    assert client.chat_postMessage(channel="C1", text="t", blocks=[section()])["ts"] == "9.9"
    assert fake.refusals == []


def test_the_limits_are_slacks(fake: FakeSlack) -> None:
    # Pinned so that a change to a limit is a deliberate one (docs.slack.dev, Block Kit).
    assert (fakeslack.MESSAGE_BLOCKS, fakeslack.VIEW_BLOCKS) == (50, 100)
    assert (fakeslack.SECTION_TEXT, fakeslack.SECTION_FIELDS, fakeslack.FIELD_TEXT) == (
        3000,
        10,
        2000,
    )
    assert (fakeslack.HEADER_TEXT, fakeslack.BUTTON_TEXT, fakeslack.ID_LENGTH) == (150, 75, 255)
    assert (fakeslack.CONTEXT_ELEMENTS, fakeslack.ACTIONS_ELEMENTS) == (10, 25)
    assert (fakeslack.MESSAGE_TEXT, fakeslack.VIEW_BYTES) == (40_000, 250_000)


# ---------------------------------------------------------------------- overrides and faults


def test_respond_with_overrides_result(fake: FakeSlack) -> None:
    client = client_for(fake)
    fake.respond_with("chat.postMessage", {"ok": False, "error": "channel_not_found"}, times=1)
    fake.respond_with("users.info", lambda call: {"ok": True, "user": {"id": call.args["user"]}})

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C404", text="x")
    assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # override used up
    assert client.users_info(user="U5")["user"] == {"id": "U5"}
    assert client.users_info(user="U6")["user"] == {"id": "U6"}  # standing override
    fake.reset()
    assert client.users_info(user="U6")["user"]["tz"] == "America/New_York"


def test_429_carries_retry_after_header(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    req = urllib.request.Request(
        fake.url + "chat.postMessage",
        data=b"channel=C1",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)

    assert err.value.code == 429 and err.value.headers["Retry-After"] == "1"
    assert json.loads(err.value.read()) == {"ok": False, "error": "ratelimited"}
    err.value.close()
    assert fake.calls_to("chat.postMessage")[0].failed


def test_rate_limit_is_retried_by_sdk(fake: FakeSlack) -> None:
    client = client_for(fake, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("chat.postMessage", status=429, retry_after=0)

    resp = client.chat_postMessage(channel="C1", text="hi")

    assert resp["ok"]
    calls = fake.calls_to("chat.postMessage")
    assert [(c.failed, c.status) for c in calls] == [(True, 429), (False, 200)]
    assert calls[0].args == calls[1].args


def test_rate_limit_without_retry_raises(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", retry_after=0)
    client = client_for(fake)

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")

    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "0"
    assert [c.failed for c in fake.calls_to("chat.postMessage")] == [True]


def test_server_error_is_retried_by_sdk(fake: FakeSlack) -> None:
    client = client_for(
        fake, retry_handlers=[ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FAST)]
    )
    fake.fail_next("views.publish", status=500)

    resp = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})

    assert resp["ok"]
    assert [c.failed for c in fake.calls_to("views.publish")] == [True, False]


def test_dropped_connection_is_retried_by_sdk(fake: FakeSlack) -> None:
    client = client_for(
        fake,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=FAST)],
    )
    fake.fail_next("chat.postMessage", status=None, drop=True)

    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    calls = fake.calls_to("chat.postMessage")
    assert [(c.failed, c.status) for c in calls] == [(True, None), (False, 200)]


def test_dropped_connection_without_retry_raises(fake: FakeSlack) -> None:
    fake.fail_next("auth.test", status=None, drop=True)

    with pytest.raises((urllib.error.URLError, ConnectionError)):
        client_for(fake).auth_test()


def test_fail_next_validates_arguments(fake: FakeSlack) -> None:
    with pytest.raises(ValueError):
        fake.fail_next("chat.postMessage", status=None)
    with pytest.raises(ValueError):
        fake.fail_next("chat.postMessage", times=0)


def test_response_url_fault(fake: FakeSlack) -> None:
    fake.fail_next("response_url", status=500, body="boom")

    resp = WebhookClient(fake.response_url(), retry_handlers=[]).send(text="x")

    assert (resp.status_code, resp.body) == (500, "boom")
    assert fake.calls_to("response_url")[0].failed


# ---------------------------------------------------------------------- waiting


def test_wait_for_call_sees_background_work(fake: FakeSlack) -> None:
    client = client_for(fake)

    def later() -> None:
        time.sleep(0.05)
        client.chat_postMessage(channel="C1", text="first")
        client.chat_postMessage(channel="C2", text="second")

    threading.Thread(target=later).start()
    call = fake.wait_for_call("chat.postMessage", where=lambda c: c.args["channel"] == "C2")

    assert call.args["text"] == "second"
    assert len(fake.wait_for(lambda calls: len(calls) >= 2)) == 2


def test_wait_for_timeout_lists_calls(fake: FakeSlack) -> None:
    client_for(fake).chat_postMessage(channel="C1", text="hi")

    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        fake.wait_for_call("views.open", timeout=0.1)
    with pytest.raises(AssertionError, match="timed out"):
        fake.wait_for(lambda calls: False, timeout=0.05)


def test_calls_snapshot_is_thread_safe(fake: FakeSlack) -> None:
    client = client_for(fake)
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": "C1", "text": str(i)})
        for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    calls = fake.calls_to("chat.postMessage")
    assert sorted(int(c.args["text"]) for c in calls) == list(range(20))
    assert all(isinstance(c, Call) for c in calls)


# ---------------------------------------------------------------------- signing and bodies


def test_sign_matches_slack_sdk_verifier() -> None:
    body = slackreq.slash_command_body(text="who")
    headers = slackreq.sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)

    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert sig.startswith("v0=")
    assert verifier.is_valid(body, ts, sig)
    assert not SignatureVerifier("other-secret").is_valid(body, ts, sig)
    assert not verifier.is_valid(body + b"x", ts, sig)

    stale = slackreq.sign(SECRET, body, timestamp=int(time.time()) - 600)
    stale_ts = stale["X-Slack-Request-Timestamp"]
    assert verifier.generate_signature(timestamp=stale_ts, body=body) == stale["X-Slack-Signature"]
    assert not verifier.is_valid(body, stale_ts, stale["X-Slack-Signature"])


def test_bodies_have_documented_shapes() -> None:
    form = parse_qs(slackreq.slash_command_body(text="swap", response_url="http://x/h").decode())
    assert form["command"] == ["/oncall"] and form["text"] == ["swap"]
    assert form["is_enterprise_install"] == ["false"] and "enterprise_id" not in form
    for key in ("token", "team_id", "team_domain", "channel_id", "channel_name", "user_id"):
        assert form[key][0]
    for key in ("user_name", "api_app_id", "response_url", "trigger_id"):
        assert form[key][0]

    action = json.loads(
        parse_qs(slackreq.block_actions_body("ack", "42", "U1", channel_id="C1").decode())[
            "payload"
        ][0]
    )
    assert action["type"] == "block_actions" and action["user"]["id"] == "U1"
    assert action["container"]["type"] == "message" and action["channel"]["id"] == "C1"
    assert action["actions"][0] | {"action_ts": ""} == {
        "action_id": "ack",
        "block_id": "b",
        "value": "42",
        "type": "button",
        "action_ts": "",
        "text": {"type": "plain_text", "text": "ack", "emoji": True},
    }
    in_view = json.loads(
        parse_qs(slackreq.block_actions_body("a", "v", "U1", view={"id": "V9"}).decode())[
            "payload"
        ][0]
    )
    assert in_view["container"] == {"type": "view", "view_id": "V9"}
    assert "response_url" not in in_view

    values = {"blk": {"act": {"type": "plain_text_input", "value": "hello"}}}
    sub = json.loads(
        parse_qs(slackreq.view_submission_body("cb", values, "U1", private_metadata="m").decode())[
            "payload"
        ][0]
    )
    assert sub["type"] == "view_submission"
    assert sub["view"]["state"]["values"] == values and sub["view"]["private_metadata"] == "m"

    env = json.loads(slackreq.event_body(slackreq.app_home_opened_event("U1"), event_id="Ev9"))
    assert env["type"] == "event_callback" and env["event_id"] == "Ev9"
    assert env["event"]["type"] == "app_home_opened" and env["event"]["tab"] == "home"
    assert env["authorizations"][0]["team_id"] == env["team_id"]


# ---------------------------------------------------------------------- end to end with Bolt


def serve_bolt(app: App) -> tuple[ThreadingHTTPServer, str]:
    """Minimal HTTP front for a Bolt app, standing in for the project's real endpoint."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            req = BoltRequest(body=body.decode(), headers={k: v for k, v in self.headers.items()})
            resp = app.dispatch(req)
            data = resp.body.encode()
            self.send_response(resp.status)
            for key, values in resp.headers.items():
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_signed_requests_drive_a_bolt_app(fake: FakeSlack) -> None:
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=fake.url))
    seen: dict[str, Any] = {}

    @app.command("/oncall")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(f"you said {command['text']}")

    @app.action("ack")
    def on_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen["action"] = body["actions"][0]["value"]

    @app.view("cb")
    def on_view(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        seen["view"] = view["state"]["values"]["blk"]["act"]["value"]

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    server, base = serve_bolt(app)
    try:
        status, _, _ = slackreq.post_command(
            base, SECRET, text="hello", response_url=fake.response_url("cmd")
        )
        assert status == 200
        hook = fake.wait_for_call("response_url")
        assert hook.args["text"] == "you said hello" and hook.args["_path"] == "/hooks/cmd"

        body = slackreq.block_actions_body("ack", "42", "U1", channel_id="C1")
        assert slackreq.post_interaction(base, SECRET, body)[0] == 200
        values = {"blk": {"act": {"type": "plain_text_input", "value": "typed"}}}
        body = slackreq.view_submission_body("cb", values, "U1")
        assert slackreq.post_interaction(base, SECRET, body)[0] == 200
        assert seen == {"action": "42", "view": "typed"}

        event = slackreq.event_body(slackreq.app_home_opened_event("U3"))
        assert slackreq.post_event(base, SECRET, event)[0] == 200
        assert fake.wait_for_call("views.publish").args["user_id"] == "U3"

        assert slackreq.post_command(base, "wrong-secret")[0] == 401
        stale = int(time.time()) - 600
        body = slackreq.slash_command_body()
        url = f"{base}/slack/events"
        assert slackreq.post(url, body, SECRET, slackreq.FORM, timestamp=stale)[0] == 401
    finally:
        server.shutdown()
        server.server_close()
