"""An exception nobody caught: Slack still gets its 200, the person a clear message.

Bolt's default would answer 500 (a red error in Slack, events redelivered) and say
nothing to the person; bot/slack/errors.py answers instead. Failures are injected
where no listener can catch them: in a global middleware (before any ack), and in
a listener's first steps (before and after its ack).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import slackreq
from harness import JAMES, JILL, SlackHarness

from bot.slack import errors

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class Boom(RuntimeError):
    pass


def boom(*_a: Any, **_k: Any) -> Any:
    raise Boom("injected failure xoxb-test-token")


@pytest.fixture
def h(harness: SlackHarness) -> Iterator[SlackHarness]:
    harness.fake.reset()
    yield harness
    harness.settle()


def shown(h: SlackHarness, ack: Any) -> str:
    return json.dumps([c.args for c in h.fake.calls]) + json.dumps(ack)


def assert_clean(text: str) -> None:
    for word in ("Traceback", "Boom", "RuntimeError", "injected", "xoxb-"):
        assert word not in text, text


def send_command(h: SlackHarness, text: str, user: str = JAMES) -> tuple[int, Any]:
    return h.command(text, user=user, response_url=h.fake.response_url("cmd"))


def click(h: SlackHarness, action: str, value: str, user: str) -> tuple[int, Any]:
    return h.click(action, value, user=user, channel_id="D" + user, message={"ts": "1.0"})


def timeoff_values() -> dict[str, Any]:
    return {
        "start": {"start": {"type": "datepicker", "selected_date": "2026-12-21"}},
        "end": {"end": {"type": "datepicker", "selected_date": "2026-12-22"}},
    }


# --- before any ack: a global middleware fails ----------------------------------------------


@pytest.fixture
def middleware_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.slack.middleware.shape_problem", boom)


def test_a_command_is_answered_in_the_ack(h: SlackHarness, middleware_fails: None) -> None:
    status, ack = send_command(h, "now")
    assert status == 200
    assert ack == {"response_type": "ephemeral", "text": errors.BEFORE_ACK}
    assert_clean(shown(h, ack))


def test_a_click_is_acknowledged_and_the_clicker_told(
    h: SlackHarness, middleware_fails: None
) -> None:
    status, _ = click(h, "swap_accept", "1", JILL)
    assert status == 200
    told = h.fake.wait_for_call("response_url")
    assert told.args["text"] == errors.BEFORE_ACK and told.args["response_type"] == "ephemeral"
    assert_clean(shown(h, None))


def test_a_form_is_replaced_by_a_notice(h: SlackHarness, middleware_fails: None) -> None:
    status, ack = h.submit("timeoff_modal", timeoff_values(), user=JILL)
    assert status == 200 and ack["response_action"] == "update"
    assert errors.BEFORE_ACK in json.dumps(ack)
    assert h.service.time_off_of("jill") == []
    assert_clean(shown(h, ack))


def test_an_event_is_acknowledged(h: SlackHarness, middleware_fails: None) -> None:
    status, _ = h.event(slackreq.app_home_opened_event(JILL), event_id="EvFail")
    assert status == 200
    h.settle()  # every listener, its follow-ups and any Home refresh have finished
    assert h.fake.calls_to("views.publish") == []


def test_an_unsigned_request_still_gets_401(h: SlackHarness, middleware_fails: None) -> None:
    body = slackreq.slash_command_body(text="now", user_id=JAMES)
    status, _headers, _raw = slackreq.post(
        f"{h.base}/slack/events", body, "wrong-secret", slackreq.FORM
    )
    assert status == 401


def test_the_log_has_the_traceback(
    h: SlackHarness, middleware_fails: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        send_command(h, "now")
    record = next(r for r in caplog.records if "unhandled error" in r.getMessage())
    assert record.exc_info and record.exc_info[0] is Boom


# --- inside a listener ----------------------------------------------------------------------------


def test_a_question_failing_before_its_answer_says_so_in_the_ack(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `me` is answered in the acknowledgement: a failure before it is said there.
    monkeypatch.setattr("bot.slack.listeners.commands.oncall.service_from", boom)
    status, ack = send_command(h, "me")
    assert status == 200
    assert ack == {"response_type": "ephemeral", "text": errors.BEFORE_ACK}
    assert_clean(shown(h, ack))


def test_a_request_failing_after_its_ack_tells_the_person(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `swap` is acknowledged first; a failure after that is told through response_url.
    monkeypatch.setattr("bot.slack.listeners.commands.requests.parse_swap_args", boom)
    status, ack = send_command(h, f"swap <@{JILL}|jill> 2026-12-08")
    assert status == 200 and ack is None
    told = h.fake.wait_for_call("response_url")
    assert not told.args.get("_ack") and told.args["text"] == errors.FAILED
    assert_clean(shown(h, ack))


def test_a_click_failing_after_its_ack_tells_the_clicker(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.interaction.service_from", boom)
    status, _ = click(h, "swap_decline", "1", JILL)
    assert status == 200
    told = h.fake.wait_for_call("response_url")
    assert told.args["text"] == errors.AFTER_ACK
    assert_clean(shown(h, None))


def test_a_form_failing_before_its_ack_gets_a_notice(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.listeners.views.timeoff_modal.service_from", boom)
    status, ack = h.submit("timeoff_modal", timeoff_values(), user=JILL)
    assert status == 200 and ack["response_action"] == "update"
    assert_clean(shown(h, ack))


def test_a_failing_service_inside_a_form_is_an_inline_error(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(h.service, "request_time_off", boom)
    status, ack = h.submit("timeoff_modal", timeoff_values(), user=JILL)
    assert status == 200 and ack["response_action"] == "errors"
    assert "went wrong" in ack["errors"]["start"]
    assert_clean(shown(h, ack))


def test_a_failing_slack_call_after_a_change_is_logged_not_shown(h: SlackHarness) -> None:
    # The request is stored; the counterpart's DM fails: the requester still hears back.
    h.fake.respond_with("chat.postMessage", {"ok": False, "error": "channel_not_found"}, times=1)
    status, _ = h.command(
        f"swap <@{JILL}|jill> 2026-12-08", user=JAMES, response_url=h.fake.response_url("s")
    )
    assert status == 200
    told = h.fake.wait_for_call("response_url")
    assert "Request #" in told.args["text"]
    assert_clean(shown(h, None))
    (request,) = h.service.pending_swaps()
    assert (request.requester, request.counterpart) == ("james", "jill")
