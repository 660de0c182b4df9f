"""Hostile and broken interactions (buttons and modals), through the real HTTP endpoint.

Payloads with fields missing or of the wrong type, huge strings, unknown action ids
and callback ids, values that are not swap ids, another workspace's team, a view of
another app: never a 500, nothing reaching Slack carries a traceback or an
exception's name, every message sent has a clear text, and the database does not
change (the clickers are people who cannot act on the stored request: an
uninvolved member, an admin who is not party to it, someone outside the roster;
a party to it only from another workspace or another app).
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import slackreq
from harness import DAVIS, JAMES, JILL, JOHN, SECRET, SENDS, STRANGER, SlackHarness, leaks
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.storage.store import claim_announcement, renew_announcement

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York, John's week 0
OTHER_TEAM = "T0000000002"


@pytest.fixture(scope="module")
def h(harness: SlackHarness) -> SlackHarness:
    """The module's app (conftest.py), never reset. State worth protecting: request #1
    James -> Jill (weeks 1 and 2), Jill's time off, and week 2's handover announced (so
    a note would have a thread)."""
    harness.protect_some_state()
    store = harness.service.store
    claim_announcement(store, "handover", 2, NOW)
    renew_announcement(store, "handover", 2, NOW, status="sent", channel="C0000000000", ts="5.5")
    return harness


def post(h: SlackHarness, payload: Any) -> tuple[int, Any]:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _headers, raw = slackreq.post(f"{h.base}/slack/events", body, SECRET, slackreq.FORM)
    try:
        ack = json.loads(raw) if raw else None
    except ValueError:
        ack = raw.decode("utf-8", "replace")
    return status, ack


def check(h: SlackHarness, payload: Any, before: dict[str, Any]) -> tuple[int, Any]:
    """Send; then: no 500, no leak, every message clear, no change. Returns (status, ack)."""
    status, ack = post(h, payload)
    assert status < 500, (status, ack)
    h.executor.drain()
    typed = json.dumps(payload, ensure_ascii=False)
    shown = json.dumps([c.args for c in h.fake.calls], ensure_ascii=False) + json.dumps(ack)
    assert leaks(shown, typed) == [], shown[:2000]
    for call in h.fake.calls:
        if call.method in SENDS:
            assert isinstance(call.args.get("text"), str) and call.args["text"].strip(), call
    if isinstance(ack, dict) and ack.get("response_action") == "errors":
        assert all(isinstance(v, str) and v.strip() for v in ack["errors"].values()), ack
    assert h.snapshot() == before
    return status, ack


# --- strategies -------------------------------------------------------------------------------

ACTION_IDS = [
    "swap_accept",
    "swap_decline",
    "swap_cancel",
    "swap_open",
    "swap_candidate",
    "timeoff_open",
    "runbooks_list",
    "handover_note_open",
    "swap_back",
    "takeover_accept",
    "takeover_decline",
    "takeover_cancel",
    "calendar_reset",
    "incident_call_backup",
    "incident_call_owner",
    "incident_resolve",
    "unknown_action",
    "",
]
VALUES = [
    "1",
    "2",
    "0",
    "-1",
    "abc",
    "1.5",
    "1e3",
    "١",
    "٣",
    "9" * 30,
    "9" * 5000,
    "<!channel>",
    "",
    json.dumps({"week": 1, "to": "jill", "back": 2}),
    json.dumps({"week": 3, "to": "john"}),
    json.dumps({"week": 10**9, "to": "john"}),
    json.dumps({"week": -(10**12), "to": "john"}),
    json.dumps({"week": "3", "to": "john"}),
    json.dumps({"week": True, "to": "jill"}),
    json.dumps({"week": 2**70, "to": "jill", "back": 2**70}),
    json.dumps([1, 2]),
    json.dumps({"i": 0, "p": "aggregate-profit"}),
    json.dumps({"i": 1, "p": "aggregate-profit"}),
    json.dumps({"i": 10**12, "p": "<!channel>"}),
    json.dumps({"i": "1", "p": None}),
    "null",
]
# Nobody here can act on request #1 (only Jill may accept or decline it, James cancel it).
CLICKERS = [DAVIS, JOHN, STRANGER, "", "W0000000005", "U" + "9" * 300]
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
hostile_value = st.one_of(
    junk,
    st.sampled_from(VALUES),
    st.text(max_size=200),
    st.just("x" * 20000),
)


def click_payload(action_id: str, value: Any, user: str, where: str) -> dict[str, Any]:
    container: dict[str, Any]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "x", "team_id": slackreq.TEAM_ID},
        "api_app_id": slackreq.API_APP_ID,
        "token": slackreq.VERIFICATION_TOKEN,
        "trigger_id": "1.2.abc",
        "team": {"id": slackreq.TEAM_ID, "domain": "x"},
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "type": "button",
                "action_ts": "1.5",
                "value": value,
            }
        ],
    }
    if where == "channel":
        container = {"type": "message", "message_ts": "1.1", "channel_id": "C0000000001"}
        payload["channel"] = {"id": "C0000000001"}
        payload["response_url"] = "RESPONSE_URL"
    elif where == "dm":
        container = {"type": "message", "message_ts": "1.1", "channel_id": "D0000000009"}
        payload["channel"] = {"id": "D0000000009"}
        payload["response_url"] = "RESPONSE_URL"
    elif where == "ephemeral":
        container = {
            "type": "message",
            "message_ts": "1.1",
            "channel_id": "C1",
            "is_ephemeral": True,
        }
        payload["response_url"] = "RESPONSE_URL"
    else:  # the App Home
        container = {"type": "view", "view_id": "V1"}
        payload["view"] = {"id": "V1", "type": "home", "callback_id": "", "hash": "h"}
    payload["container"] = container
    return payload


PATHS = [
    ("user",),
    ("user", "id"),
    ("actions",),
    ("actions", 0),
    ("actions", 0, "action_id"),
    ("actions", 0, "value"),
    ("actions", 0, "block_id"),
    ("actions", 0, "action_ts"),
    ("container",),
    ("container", "type"),
    ("container", "channel_id"),
    ("container", "message_ts"),
    ("container", "is_ephemeral"),
    ("channel",),
    ("channel", "id"),
    ("team",),
    ("team", "id"),
    ("trigger_id",),
    ("type",),
    ("view",),
    ("view", "state", "values"),
    ("view", "private_metadata"),
    ("view", "callback_id"),
    ("view", "type"),
    ("view", "id"),
    ("api_app_id",),
    ("enterprise",),
    ("authorizations",),
    ("response_url",),
    ("response_urls",),
    ("is_enterprise_install",),
]
mutation = st.tuples(st.sampled_from(PATHS), st.one_of(st.just("DELETE"), hostile_value))


def mutate(payload: dict[str, Any], changes: list[tuple[tuple[Any, ...], Any]], url: str) -> Any:
    payload = copy.deepcopy(payload)
    for path, value in changes:
        node: Any = payload
        for key in path[:-1]:
            if isinstance(node, dict) and isinstance(key, str):
                node = node.setdefault(key, {})
            elif isinstance(node, list) and isinstance(key, int) and len(node) > key:
                node = node[key]
            else:
                node = None
                break
        last = path[-1]
        if isinstance(node, dict) and isinstance(last, str):
            if value == "DELETE":
                node.pop(last, None)
            elif last in ("response_url",) and isinstance(value, str):
                node[last] = "not a url"  # never a random address to post to
            else:
                node[last] = value
        elif isinstance(node, list) and isinstance(last, int) and len(node) > last:
            if value == "DELETE":
                node.pop(last)
            else:
                node[last] = value
    text_payload = json.dumps(payload).replace('"RESPONSE_URL"', json.dumps(url))
    return json.loads(text_payload)


_names = itertools.count(1)
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fresh(h: SlackHarness) -> tuple[dict[str, Any], str]:
    h.fake.reset()
    return h.snapshot(), h.fake.response_url(f"ix{next(_names)}")


def may_act(h: SlackHarness, action_id: str, value: str, user: str) -> bool:
    """A click that this clicker may make, so it may change something: an admin cancels
    any request; a member resets their own calendar links or calls someone into an
    incident (from any runbook post); a member offers a week of their own."""
    clicker = h.service.team.member_by_slack(user)
    if clicker is None:
        return False
    if action_id in ("swap_cancel", "takeover_cancel") and h.service.team.is_admin(clicker.id):
        return True
    if action_id in ("calendar_reset", "incident_call_backup", "incident_call_owner"):
        return True
    return offers_own_week(h, action_id, value, user)


def offers_own_week(h: SlackHarness, action_id: str, value: str, user: str) -> bool:
    """A member clicking a candidate button for a week of their own may act: that is the
    button's purpose (e.g. Davis asking John to cover Davis's week), not a hostile click."""
    if action_id != "swap_candidate":
        return False
    clicker = h.service.team.member_by_slack(user)
    try:
        data = json.loads(value)
    except ValueError:
        return False
    index = data.get("week") if isinstance(data, dict) else None
    if clicker is None or type(index) is not int or not 0 <= index < 1000:
        return False
    return h.service.schedule(first=index, count=1)[0].member == clicker.id


# --- buttons -------------------------------------------------------------------------------------


@SETTINGS
@given(
    action_id=st.one_of(st.sampled_from(ACTION_IDS), st.text(max_size=300)),
    value=st.one_of(st.sampled_from(VALUES), st.text(max_size=100)),
    user=st.sampled_from(CLICKERS),
    where=st.sampled_from(["channel", "dm", "ephemeral", "home"]),
)
def test_any_click_by_someone_who_cannot_act_changes_nothing(
    h: SlackHarness, action_id: str, value: str, user: str, where: str
) -> None:
    assume(not may_act(h, action_id, value, user))
    before, url = fresh(h)
    payload = mutate(click_payload(action_id, value, user, where), [], url)
    status, _ack = check(h, payload, before)
    assert status == 200
    if user and action_id in (
        "swap_accept",
        "swap_decline",
        "swap_cancel",
        "swap_back",
        "takeover_accept",
        "takeover_decline",
        "takeover_cancel",
        "unknown_action",
    ):
        # A refusal or "out of date" is said to the clicker, somewhere they can see it.
        told = [c for c in h.fake.calls if c.method in SENDS]
        assert told, h.fake.summary()


@SETTINGS
@given(
    action_id=st.sampled_from(ACTION_IDS),
    value=st.sampled_from(VALUES),
    user=st.sampled_from(CLICKERS + [JILL, JAMES]),
    where=st.sampled_from(["channel", "dm", "ephemeral", "home"]),
    changes=st.lists(mutation, min_size=1, max_size=3),
)
def test_broken_click_payloads_never_fail_and_change_nothing(
    h: SlackHarness,
    action_id: str,
    value: str,
    user: str,
    where: str,
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    assume(not may_act(h, action_id, value, user))
    before, url = fresh(h)
    payload = mutate(click_payload(action_id, value, user, where), changes, url)
    if user in (JILL, JAMES) and isinstance(payload, dict):
        # A party to request #1 only ever clicks from another workspace here.
        payload["team"] = {"id": OTHER_TEAM}
    check(h, payload, before)


@pytest.mark.parametrize(
    ("user", "action_id"), [(JILL, "swap_accept"), (JILL, "swap_decline"), (JAMES, "swap_cancel")]
)
def test_a_party_in_another_workspace_cannot_act(
    h: SlackHarness, user: str, action_id: str
) -> None:
    before, url = fresh(h)
    payload = mutate(click_payload(action_id, "1", user, "dm"), [(("team", "id"), OTHER_TEAM)], url)
    status, _ = check(h, payload, before)
    assert status == 200 and [c for c in h.fake.calls if c.method != "auth.test"] == []


@pytest.mark.parametrize(
    ("value", "user", "expected"),
    [
        ("abc", DAVIS, "does not name a swap request"),
        ("١", DAVIS, "does not name a swap request"),
        ("9" * 30, DAVIS, "does not name a swap request"),
        ("999", DAVIS, "does not exist"),
        ("1", DAVIS, "Only Jill can accept"),
        ("1", JOHN, "Only Jill can accept"),
        ("1", STRANGER, "Only members of the on-call team"),
    ],
)
def test_accept_refusals_are_clear(h: SlackHarness, value: str, user: str, expected: str) -> None:
    before, url = fresh(h)
    check(h, mutate(click_payload("swap_accept", value, user, "dm"), [], url), before)
    told = json.dumps([c.args for c in h.fake.calls if c.method in SENDS])
    assert expected in told, h.fake.summary()


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"week": 10**9, "to": "john"}),
        json.dumps({"week": -(10**12), "to": "john"}),
        json.dumps({"week": 2**70, "to": "jill", "back": 2**70}),
        json.dumps({"week": 3, "to": "john", "back": 10**9}),
        "not json",
    ],
)
def test_candidate_buttons_with_absurd_weeks_are_refused(h: SlackHarness, value: str) -> None:
    before, url = fresh(h)
    check(h, mutate(click_payload("swap_candidate", value, DAVIS, "dm"), [], url), before)
    told = json.dumps([c.args for c in h.fake.calls if c.method in SENDS])
    assert ":warning:" in told and "went wrong" not in told, h.fake.summary()


# --- modals ---------------------------------------------------------------------------------------

CALLBACKS = ["swap_modal", "timeoff_modal", "handover_note_modal", "someone_elses_modal", ""]
# Start dates no one may file (too soon for a member, impossible, or beyond the plan).
BAD_STARTS = ["2026-12-02", "2026-12-14", "2026-02-30", "2100-01-01", "9999-12-31", "x", "", None]
MY_WEEKS = ["0", "1", "2", "-1", "abc", "9" * 40, "10000", None, 5]  # never Davis's, John's
form_values = st.fixed_dictionaries(
    {
        "my_week": st.sampled_from(MY_WEEKS),
        "counterpart": st.sampled_from(["john", "jill", "davis", "ghost", "", None, "<!channel>"]),
        "their_week": st.sampled_from(["next", "cover", "other", None, 7]),
        "their_date": st.sampled_from(["2026-12-15", "2100-01-01", "2026-02-30", "", None, 3]),
        "start": st.sampled_from(BAD_STARTS),
        "end": st.sampled_from(["2026-12-03", "2026-12-25", "2025-01-01", "2100-01-05", None]),
        "member": st.sampled_from(["davis", "john", "ghost", "", None]),
        "note": st.one_of(st.none(), st.text(max_size=50), st.just("y" * 5000), st.just(7)),
        "reason": st.one_of(st.none(), st.text(max_size=50), st.just("<!here> " * 200)),
    }
)


def view_payload(callback_id: str, v: dict[str, Any], user: str, metadata: str) -> dict[str, Any]:
    def select(value: Any) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    def picked(value: Any) -> dict[str, Any]:
        return {"type": "datepicker", "selected_date": value}

    def typed(value: Any) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    values = {
        "my_week": {"my_week": select(v["my_week"])},
        "counterpart": {"counterpart": select(v["counterpart"])},
        "their_week": {"their_week": select(v["their_week"])},
        "their_date": {"their_date": picked(v["their_date"])},
        "reason": {"reason": typed(v["reason"])},
        "start": {"start": picked(v["start"])},
        "end": {"end": picked(v["end"])},
        "member": {"member": select(v["member"])},
        "note": {"note": typed(v["note"]), "note_text": typed(v["note"])},
    }
    body = slackreq.view_submission_body(callback_id, values, user, private_metadata=metadata)
    return json.loads(dict(parse_qsl(body.decode()))["payload"])


SUBMITTERS = [DAVIS, JOHN, STRANGER, "", "U" + "1" * 500]
METADATA = [
    "",
    "{}",
    '{"week": 2}',
    '{"week": 3}',
    '{"week": 99999999}',
    "not json",
    "[1]",
    '{"week": "x"}',
]


@SETTINGS
@given(
    callback_id=st.one_of(st.sampled_from(CALLBACKS), st.text(max_size=60)),
    v=form_values,
    user=st.sampled_from(SUBMITTERS),
    metadata=st.sampled_from(METADATA),
    changes=st.lists(mutation, max_size=2),
)
def test_any_form_submission_that_cannot_be_valid_changes_nothing(
    h: SlackHarness,
    callback_id: str,
    v: dict[str, Any],
    user: str,
    metadata: str,
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    # John is the team's admin: his own time off needs no notice, so his form with an
    # early start can be valid (admin filing is covered in test_permissions).
    assume(not (user == JOHN and callback_id == "timeoff_modal"))
    before, url = fresh(h)
    payload = mutate(view_payload(callback_id, v, user, metadata), changes, url)
    status, ack = check(h, payload, before)
    if status == 200 and not changes and isinstance(ack, dict):
        # The person sees why: inline errors, or a notice in place of the form.
        assert ack.get("response_action") in ("errors", "update"), ack


@pytest.mark.parametrize(
    ("v", "block", "expected"),
    [
        ({"start": "2100-01-01", "end": "2100-01-05"}, "start", "too far ahead"),
        ({"start": "2026-12-21", "end": "9999-12-31"}, "end", "too far ahead"),
        ({"start": "2026-12-02", "end": "2026-12-03"}, "start", "notice"),
        ({"start": "2026-02-30", "end": "2026-12-03"}, "start", "Pick the first day off"),
    ],
)
def test_timeoff_form_refusals_are_inline(
    h: SlackHarness, v: dict[str, Any], block: str, expected: str
) -> None:
    before, url = fresh(h)
    values = {"my_week": None, "counterpart": None, "their_week": None, "their_date": None}
    values |= {"member": None, "note": None, "reason": None} | v
    _, ack = check(h, mutate(view_payload("timeoff_modal", values, DAVIS, ""), [], url), before)
    assert ack["response_action"] == "errors" and expected in ack["errors"][block], ack


def test_swap_form_with_a_far_date_is_refused_inline(h: SlackHarness) -> None:
    before, url = fresh(h)
    values = {
        "my_week": "3",
        "counterpart": "john",
        "their_week": "next",
        "their_date": "2100-01-01",
    }
    values |= {"start": None, "end": None, "member": None, "note": None, "reason": None}
    _, ack = check(h, mutate(view_payload("swap_modal", values, DAVIS, ""), [], url), before)
    assert ack["response_action"] == "errors" and "too far ahead" in ack["errors"]["their_date"]


def test_a_form_of_another_app_is_refused(h: SlackHarness) -> None:
    # Jill could file this time off herself; in a view of another app it does nothing.
    before, url = fresh(h)
    values = {"my_week": None, "counterpart": None, "their_week": None, "their_date": None}
    values |= {"member": None, "note": None, "reason": None}
    values |= {"start": "2026-12-28", "end": "2026-12-29"}
    payload = view_payload("timeoff_modal", values, JILL, "")
    payload["view"]["app_id"] = "A0000000OTHER"
    _, ack = check(h, payload, before)
    assert ack["response_action"] == "update" and "another app" in json.dumps(ack)


def test_an_unknown_form_is_answered_with_a_notice(h: SlackHarness) -> None:
    before, url = fresh(h)
    values = dict.fromkeys(
        [
            "my_week",
            "counterpart",
            "their_week",
            "their_date",
            "start",
            "end",
            "member",
            "note",
            "reason",
        ]
    )
    _, ack = check(
        h, mutate(view_payload("someone_elses_modal", values, DAVIS, ""), [], url), before
    )
    assert ack["response_action"] == "update" and "out of date" in json.dumps(ack)


def test_a_note_on_a_week_far_ahead_is_refused(h: SlackHarness) -> None:
    before, url = fresh(h)
    values = dict.fromkeys(
        ["my_week", "counterpart", "their_week", "their_date", "start", "end", "member", "reason"]
    )
    values["note"] = "all good"
    payload = view_payload("handover_note_modal", values, JOHN, '{"week": 99999999}')
    _, ack = check(h, payload, before)
    assert ack["response_action"] == "errors" and "too far ahead" in ack["errors"]["note"]
    assert h.fake.calls_to("chat.postMessage") == []
