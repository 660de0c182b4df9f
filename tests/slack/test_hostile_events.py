"""Hostile and broken Events API deliveries, through the real HTTP endpoint.

Any event type, any field missing or of a wrong type, another workspace's: never a
500, nothing reaching Slack carries a traceback or an exception's name, and nothing
changes in the database (events only ever publish an App Home).
"""

from __future__ import annotations

import builtins
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import slackreq
from harness import DAVIS, JAMES, JILL, JOHN, SECRET, STRANGER, SlackHarness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
OTHER_TEAM = "T0000000002"


@pytest.fixture(scope="module")
def h(harness: SlackHarness) -> SlackHarness:
    harness.protect_some_state()  # the module's app (conftest.py), never reset
    return harness


EXCEPTION_NAMES = sorted(
    {n for n in dir(builtins) if n.endswith(("Error", "Exception"))}
    | {"SlackApiError", "Refusal", "IntegrityError", "OperationalError", "StorageError"}
)


def deliver(h: SlackHarness, envelope: Any) -> tuple[int, bytes]:
    body = json.dumps(envelope).encode()
    status, _headers, raw = slackreq.post(f"{h.base}/slack/events", body, SECRET, slackreq.JSON)
    return status, raw


def check(h: SlackHarness, envelope: Any) -> int:
    before = h.snapshot()
    h.fake.reset()
    status, raw = deliver(h, envelope)
    assert status < 500, (status, raw)
    h.executor.drain()
    typed = json.dumps(envelope, ensure_ascii=False)
    shown = json.dumps([c.args for c in h.fake.calls], ensure_ascii=False) + raw.decode()
    assert "Traceback" not in shown
    assert [n for n in EXCEPTION_NAMES if n in shown and n not in typed] == [], shown[:2000]
    assert h.snapshot() == before
    return status


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
USERS = [JOHN, JAMES, JILL, DAVIS, STRANGER, "", "UBOT", "U" + "7" * 400]
EVENT_TYPES = [
    "app_home_opened",
    "message",
    "app_mention",
    "app_uninstalled",
    "tokens_revoked",
    "member_joined_channel",
    "",
]
event = st.fixed_dictionaries(
    {
        "type": st.one_of(st.sampled_from(EVENT_TYPES), st.text(max_size=30)),
        "user": st.one_of(st.sampled_from(USERS), junk),
        "tab": st.one_of(st.sampled_from(["home", "messages", "about"]), junk),
        "channel": st.one_of(st.just("D0000000001"), junk),
        "text": st.one_of(st.text(max_size=100), st.just("<!channel> " * 300)),
        "event_ts": st.one_of(st.just("1.1"), junk),
    },
    optional={"bot_id": st.one_of(st.just("BBOT"), junk), "subtype": junk},
)
ENVELOPE_PATHS = [
    "team_id",
    "event_id",
    "api_app_id",
    "authorizations",
    "event_time",
    "type",
    "token",
]


def envelope_of(ev: dict[str, Any], event_id: str) -> dict[str, Any]:
    return json.loads(slackreq.event_body(ev, event_id=event_id))


SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(ev=event, event_id=st.one_of(st.text(min_size=1, max_size=20), st.just("E" * 3000)))
def test_any_event_is_acknowledged_and_changes_nothing(
    h: SlackHarness, ev: dict[str, Any], event_id: str
) -> None:
    # 400 only for a shape Slack never sends (Bolt itself cannot read, e.g. `"user": false`).
    status = check(h, envelope_of(ev, event_id))
    slack_like = all(isinstance(v, str) for v in ev.values())
    assert status == 200 or (status == 400 and not slack_like)
    for call in h.fake.calls_to("views.publish"):
        assert ev["type"] == "app_home_opened" and ev["tab"] == "home"
        assert call.args["user_id"] == ev["user"]


@SETTINGS
@given(
    ev=event,
    changes=st.lists(
        st.tuples(st.sampled_from(ENVELOPE_PATHS), st.one_of(st.just("DELETE"), junk)),
        min_size=1,
        max_size=3,
    ),
)
def test_broken_envelopes_never_fail(
    h: SlackHarness, ev: dict[str, Any], changes: list[tuple[str, Any]]
) -> None:
    envelope = envelope_of(ev, "EvBroken")
    for key, value in changes:
        if value == "DELETE":
            envelope.pop(key, None)
        else:
            envelope[key] = value
    check(h, envelope)


@SETTINGS
@given(ev=event)
def test_an_event_wrapped_in_junk_never_fails(h: SlackHarness, ev: dict[str, Any]) -> None:
    envelope = envelope_of(ev, "EvJunk")
    envelope["event"] = copy.deepcopy(ev) if ev["type"] else None
    check(h, envelope)


def test_an_event_from_another_workspace_is_ignored(h: SlackHarness) -> None:
    envelope = json.loads(
        slackreq.event_body(
            slackreq.app_home_opened_event(JILL), team_id=OTHER_TEAM, event_id="Ev2"
        )
    )
    assert check(h, envelope) == 200
    assert h.fake.calls_to("views.publish") == []


@pytest.mark.parametrize("user", [JILL, STRANGER])
def test_app_home_opened_still_publishes(h: SlackHarness, user: str) -> None:
    envelope = json.loads(
        slackreq.event_body(slackreq.app_home_opened_event(user), event_id="Ev3" + user)
    )
    assert check(h, envelope) == 200
    (call,) = h.fake.calls_to("views.publish")
    assert call.args["user_id"] == user


def test_a_url_verification_with_a_junk_challenge(h: SlackHarness) -> None:
    for challenge in ["abc", 5, None, ["x"], {"a": 1}, "<!channel>" * 100]:
        check(h, {"type": "url_verification", "token": "t", "challenge": challenge})
