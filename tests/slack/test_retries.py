"""Slack's own retries: a delivery sent again (X-Slack-Retry-Num) has no second effect.

The key of every delivery with an effect is recorded in the `delivery` table; a
delivery that carries the retry header and whose key is recorded is acknowledged and
dropped. A repeat without the header is a person doing it again, and is handled (see
bot/slack/middleware.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import slackreq
from harness import JAMES, JILL, SECRET, SlackHarness
from sqlmodel import select

from bot.clock import FixedClock
from bot.core.model import SwapStatus
from bot.slack.middleware import MAX_KEY, RetryDeduplication, delivery_key
from bot.storage.store import Store
from bot.storage.tables import DeliveryRow

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York, week 0
CHANNEL = "C0000000000"  # the team's on-call channel
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
# How SlackHarness.settle waits here: quiet for QUIET seconds, or LIMIT seconds in all.
QUIET, LIMIT = 0.15, 5.0


@pytest.fixture
def h(harness: SlackHarness, tmp_path: Path) -> Iterator[SlackHarness]:
    """The module's app with a fresh database, clock and call log for each test."""
    harness.fresh_database(tmp_path, NOW)
    yield harness
    harness.settle(QUIET, LIMIT)


def deliver(h: SlackHarness, body: bytes, content_type: str, retry: bool = False) -> Any:
    status, _headers, raw = slackreq.post(
        f"{h.base}/slack/events", body, SECRET, content_type, headers=RETRY if retry else None
    )
    assert status == 200, raw
    return json.loads(raw) if raw else None


def publishes(h: SlackHarness) -> int:
    return len(h.fake.calls_to("views.publish"))


def in_channel(h: SlackHarness) -> list[Any]:
    return [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]


def told(h: SlackHarness, needle: str) -> list[Any]:
    return [
        c
        for c in h.fake.calls
        if c.method in ("response_url", "chat.postEphemeral", "chat.postMessage")
        and needle in json.dumps(c.args)
    ]


# --- events -------------------------------------------------------------------------------
# The app subscribes to app_home_opened only, whose one effect is a fresh Home: it is not
# recorded, and a retry just asks for another refresh (what the dedup machinery does for
# events is covered by test_delivery_keys and test_a_key_is_recorded_once_across_processes).


def test_a_home_open_is_not_recorded_and_its_retry_only_refreshes(h: SlackHarness) -> None:
    body = slackreq.event_body(slackreq.app_home_opened_event(JILL), event_id="EvRetry1")
    deliver(h, body, slackreq.JSON)
    h.fake.wait_for_call("views.publish")
    deliver(h, body, slackreq.JSON, retry=True)
    h.settle(QUIET, LIMIT)
    assert 1 <= publishes(h) <= 2
    assert {c.args["user_id"] for c in h.fake.calls_to("views.publish")} == {JILL}
    with h.service.store.read() as s:
        assert list(s.exec(select(DeliveryRow.key))) == []


def test_a_repeat_without_the_retry_header_is_handled_again(h: SlackHarness) -> None:
    # Not a redelivery by Slack's own marking: handled (publishing the Home is harmless).
    body = slackreq.event_body(slackreq.app_home_opened_event(JILL), event_id="EvTwice")
    deliver(h, body, slackreq.JSON)
    h.fake.wait_for_call("views.publish")
    deliver(h, body, slackreq.JSON)
    h.fake.wait_for(lambda calls: len([c for c in calls if c.method == "views.publish"]) >= 2)


# --- a swap accepted, retried -----------------------------------------------------------------


def jill_accepts(h: SlackHarness, request_id: int, response: str) -> bytes:
    """The body of Jill's click on Accept in her DM; `response` names its response_url."""
    return slackreq.block_actions_body(
        "swap_accept",
        str(request_id),
        JILL,
        channel_id="D" + JILL,
        message={"ts": "1.0"},
        response_url=h.fake.response_url(response),
    )


def test_a_retried_accept_has_one_effect_and_no_error_message(h: SlackHarness) -> None:
    request = h.service.request_swap("james", "jill", 1)
    body = jill_accepts(h, request.id, "accept")
    deliver(h, body, slackreq.FORM)
    h.fake.wait_for_call("chat.postMessage", where=lambda c: c.args.get("channel") == CHANNEL)
    h.settle(QUIET, LIMIT)
    calls_before = len(h.fake.calls)
    deliver(h, body, slackreq.FORM, retry=True)
    h.settle(QUIET, LIMIT)
    assert len(h.fake.calls) == calls_before, h.fake.summary()  # the retry did nothing
    decided = h.service.swap(request.id)
    assert decided is not None and decided.status is SwapStatus.ACCEPTED
    assert [w.member for w in h.service.schedule(1, 2)] == ["jill", "james"]
    assert len(in_channel(h)) == 1
    assert told(h, "already") == [] and told(h, "went wrong") == []
    with h.service.store.read() as s:
        audit = [r.action for r in h.service.store.audit_log(s)]
    assert audit.count("swap_accept") == 1


def test_a_second_click_without_the_header_is_told_it_is_done(h: SlackHarness) -> None:
    request = h.service.request_swap("james", "jill", 1)
    for _ in range(2):  # two clicks: two bodies, two action_ts
        body = jill_accepts(h, request.id, "click")
        deliver(h, body, slackreq.FORM)
        h.settle(QUIET, LIMIT)
    assert told(h, "already accepted")
    assert len(in_channel(h)) == 1


# --- time off submitted, retried ----------------------------------------------------------------


def timeoff_values(start: str, end: str) -> dict[str, Any]:
    return {
        "start": {"start": {"type": "datepicker", "selected_date": start}},
        "end": {"end": {"type": "datepicker", "selected_date": end}},
        "note": {"note": {"type": "plain_text_input", "value": "school trip"}},
    }


def confirmations(h: SlackHarness) -> list[Any]:
    return [
        c
        for c in h.fake.calls_to("chat.postMessage")
        if c.args.get("channel") == "D" + JILL and "Time off recorded" in json.dumps(c.args)
    ]


def test_a_retried_timeoff_submission_records_one_range(h: SlackHarness) -> None:
    body = slackreq.view_submission_body(
        "timeoff_modal", timeoff_values("2026-12-21", "2026-12-23"), JILL, view_id="VT1", hash="x1"
    )
    assert deliver(h, body, slackreq.FORM) is None  # the modal closes
    h.fake.wait_for(lambda calls: confirmations(h))
    h.settle(QUIET, LIMIT)
    assert deliver(h, body, slackreq.FORM, retry=True) is None
    h.settle(QUIET, LIMIT)
    (t,) = h.service.time_off_of("jill")
    assert (t.start.isoformat(), t.end.isoformat()) == ("2026-12-21", "2026-12-23")
    assert len(confirmations(h)) == 1
    with h.service.store.read() as s:
        audit = [r.action for r in h.service.store.audit_log(s)]
    assert audit.count("time_off") == 1


def test_a_resubmitted_form_after_an_inline_error_is_handled(h: SlackHarness) -> None:
    # The view id and hash stay the same after an inline error; the person's second try
    # (without the retry header) must be handled, not taken for a redelivery.
    bad = slackreq.view_submission_body(
        "timeoff_modal", timeoff_values("2026-12-03", "2026-12-04"), JILL, view_id="VT2", hash="h"
    )
    answer = deliver(h, bad, slackreq.FORM)
    assert answer["response_action"] == "errors" and "notice" in answer["errors"]["start"]
    good = slackreq.view_submission_body(
        "timeoff_modal", timeoff_values("2026-12-21", "2026-12-22"), JILL, view_id="VT2", hash="h"
    )
    assert deliver(h, good, slackreq.FORM) is None
    h.fake.wait_for(lambda calls: confirmations(h))
    assert len(h.service.time_off_of("jill")) == 1


def test_slash_commands_are_not_recorded(h: SlackHarness) -> None:
    """Slack does not retry slash commands; recording them would cost a write per ack."""
    body = slackreq.slash_command_body(
        text="swap", user_id=JAMES, trigger_id="trig-retry", response_url=h.fake.response_url("c")
    )
    deliver(h, body, slackreq.FORM)
    h.fake.wait_for_call("views.open")
    with h.service.store.read() as s:
        keys = set(s.exec(select(DeliveryRow.key)))
    assert not any("trig-retry" in k for k in keys)


# --- the keys and the table ----------------------------------------------------------------------


def test_delivery_keys() -> None:
    assert delivery_key({"type": "event_callback", "event_id": "Ev1"}) == "event:Ev1"
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "actions": [{"action_id": "swap_accept", "action_ts": "17.5"}],
    }
    assert delivery_key(click) == "action:U1:swap_accept:17.5"
    view = {"type": "view_submission", "user": {"id": "U1"}, "view": {"id": "V1", "hash": "h"}}
    key = delivery_key(view)
    assert key is not None and key.startswith("view_submission:U1:V1:h:")
    assert delivery_key(copy.deepcopy(view)) == key  # a replayed body: the same key
    view["view"]["state"] = {"values": {"note": {"note_text": {"value": "other"}}}}
    assert delivery_key(view) != key  # typed again after inline errors: a new submission
    del view["view"]["hash"]
    assert delivery_key(view) is None  # nothing identifies it
    assert delivery_key({"command": "/oncall", "trigger_id": "t.1"}) is None
    assert delivery_key({"type": "event_callback"}) is None  # nothing identifies it
    home_open = {"type": "event_callback", "event_id": "Ev2", "event": {"type": "app_home_opened"}}
    assert delivery_key(home_open) is None  # its one effect is a fresh Home: not recorded
    assert delivery_key({"type": "block_suggestion", "action_id": "x"}) is None
    long = delivery_key({"type": "event_callback", "event_id": "E" * 5000})
    assert long is not None and len(long) <= MAX_KEY and long.startswith("event:sha256:")


def middleware_of(h: SlackHarness) -> RetryDeduplication:
    return next(m for m in h.running.app._middleware_list if isinstance(m, RetryDeduplication))


def test_old_deliveries_are_pruned(h: SlackHarness) -> None:
    with h.service.store.write() as s:
        s.add(DeliveryRow(key="event:old", at=NOW - timedelta(days=2)))
        s.add(DeliveryRow(key="event:recent", at=NOW - timedelta(hours=2)))
    middleware_of(h)._next_prune = 0.0  # due now
    click = slackreq.block_actions_body("timeoff_open", "home", JILL, view={"id": "VHOME"})
    deliver(h, click, slackreq.FORM)
    with h.service.store.read() as s:
        keys = set(s.exec(select(DeliveryRow.key)))
    assert len(keys) == 2 and "event:recent" in keys
    assert [k for k in keys if k.startswith(f"action:{JILL}:timeoff_open:")]


def test_a_key_is_recorded_once_across_processes(any_db_url: str) -> None:
    # Two replicas (two stores on one database) see one delivery: the first records it.
    from harness import TEAM_FILE

    from bot.config import load_config
    from bot.service import OnCallService

    team = load_config(TEAM_FILE)
    first, second = Store(any_db_url), Store(any_db_url)
    first.create_all()
    clock = FixedClock(NOW)
    a, b = OnCallService(team, first, clock), OnCallService(team, second, clock)
    dedupe_a, dedupe_b = RetryDeduplication(), RetryDeduplication()
    assert dedupe_a.record(first, "event:Ev9", a) is True
    assert dedupe_b.record(second, "event:Ev9", b) is False
    assert dedupe_b.record(second, "event:Ev10", b) is True
    first.engine.dispose()
    second.engine.dispose()
