"""Acknowledgements never wait on Slack's Web API or the database (issue 12, items 1, 2, 14).

Bolt waits 3 seconds for a listener to call ack(); a listener that has not started by
then (its pool busy with listeners blocked on a slow Slack) is not acknowledged, and
Bolt falls through to the catch-all listener: the person was told "That button is out
of date" although the click was applied. Here the fake Slack is slow or failing, a
burst of clicks must still be acknowledged at once, each applied once and told
consistently; a database whose write lock is held elsewhere gets an honest "busy,
nothing changed"; a replayed modal submission has no second effect.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import slackreq
from fakeslack import RESPONSE_URL
from harness import JAMES, JILL, SECRET, USERS, SlackHarness

from bot.core.model import SwapStatus
from bot.slack import errors
from bot.slack.listeners.fallback import STALE_BUTTON
from bot.slack.middleware import BUSY, RECORD_WAIT_SECONDS

BURST = 10  # more clicks than Bolt's listener threads in the harness (8)
FAST_ACK = 1.5  # seconds: Slack allows 3


def pending_covers(h: SlackHarness, count: int) -> list[tuple[int, str]]:
    """`count` pending cover requests, each for its own week: (request id, the Slack id
    of the colleague asked to cover, who may accept it)."""
    made = []
    for scheduled in h.service.schedule(first=1, count=count):
        owner = scheduled.member
        colleague = next(m for m in USERS if m not in (owner, scheduled.backup))
        request = h.service.request_swap(owner, colleague, scheduled.week.index, None, cover=True)
        made.append((request.id, USERS[colleague]))
    return made


def timed(send: Callable[[], tuple[int, Any]]) -> tuple[int, Any, float]:
    start = time.monotonic()
    status, body = send()
    return status, body, time.monotonic() - start


def in_parallel(sends: list[Callable[[], tuple[int, Any]]]) -> list[tuple[int, Any, float]]:
    """Send all at once (each on its own thread, released together); results in order."""
    results: list[Any] = [None] * len(sends)
    go = threading.Barrier(len(sends))

    def run(n: int) -> None:
        go.wait()
        results[n] = timed(sends[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(sends))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def shown(h: SlackHarness) -> str:
    return json.dumps([c.args for c in h.fake.calls])


def accept(h: SlackHarness, swap_id: int, slack_id: str) -> Callable[[], tuple[int, Any]]:
    return lambda: h.click("swap_accept", str(swap_id), user=slack_id, channel_id="D" + slack_id)


# --- item 1: a slow or failing Web API ---------------------------------------------------------


SLOW_SLACK: dict[str, Callable[[SlackHarness], None]] = {
    "slow": lambda h: [h.fake.slow_down(m, 1.5) for m in ("chat.postMessage", "chat.update")],
    "429 with Retry-After": lambda h: h.fake.fail_next(
        "chat.postMessage", times=2 * BURST, status=429, retry_after=1
    ),
    "500": lambda h: h.fake.fail_next("chat.postMessage", times=2 * BURST, status=500),
    "connection refused": lambda h: h.fake.fail_next(
        "chat.postMessage", times=2 * BURST, status=None, drop=True
    ),
}


@pytest.mark.parametrize("fault", list(SLOW_SLACK))
def test_a_burst_of_clicks_is_acknowledged_at_once_while_slack_is_slow(
    h: SlackHarness, fault: str
) -> None:
    requests = pending_covers(h, BURST)
    SLOW_SLACK[fault](h)
    sends = [accept(h, swap_id, slack_id) for swap_id, slack_id in requests]
    sends.append(lambda: h.command("now", user=JAMES))
    results = in_parallel(sends)

    for status, body, seconds in results[:-1]:
        assert status == 200 and body is None, (status, body)  # not 404 "unhandled request"
        assert seconds < FAST_ACK, seconds
    status, answer, seconds = results[-1]
    assert status == 200 and seconds < FAST_ACK and "on call" in json.dumps(answer).lower()

    h.settle(limit=60)  # every listener and its (slow, retried) Web API work has finished
    # Each click acknowledged was applied once, and nobody was told it was out of date.
    for swap_id, _ in requests:
        swap = h.service.swap(swap_id)
        assert swap is not None and swap.status is SwapStatus.ACCEPTED
    assert "out of date" not in shown(h) and STALE_BUTTON not in shown(h)
    if fault == "slow":
        # ... and told: the channel line of every accepted swap went out.
        channel = h.service.team.channel
        lines = [c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == channel]
        assert len(lines) == BURST


def test_a_listener_too_late_to_be_acknowledged_applies_nothing(
    h: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if every listener thread had been busy past the deadline.
    ((swap_id, slack_id),) = pending_covers(h, 1)
    monkeypatch.setattr(errors, "LATE_SECONDS", 0.0)
    status, body = accept(h, swap_id, slack_id)()
    assert status == 200 and body is None
    h.settle()
    swap = h.service.swap(swap_id)
    assert swap is not None and swap.status is SwapStatus.PENDING
    told = h.fake.wait_for_call(RESPONSE_URL)
    assert told.args["text"] == BUSY
    assert STALE_BUTTON not in shown(h)  # the catch-all did not answer too
    # A command that came too late is answered in its acknowledgement, once.
    status, answer = h.command("now", user=JAMES)
    assert status == 200 and answer["text"] == BUSY


# --- item 2: the database's write lock is held elsewhere -------------------------------------


@contextmanager
def write_lock_held(h: SlackHarness) -> Iterator[None]:
    """Another process's writer: SQLite's write lock, held until the block ends."""
    path = h.service.store.engine.url.database
    other = sqlite3.connect(path, isolation_level=None, timeout=1)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_click_while_the_database_is_locked_is_answered_busy_at_once(h: SlackHarness) -> None:
    ((swap_id, slack_id),) = pending_covers(h, 1)
    before = h.snapshot()
    with write_lock_held(h):
        status, body, seconds = timed(accept(h, swap_id, slack_id))
        assert status == 200 and body is None
        assert seconds < 2.5, seconds
        told = h.fake.wait_for_call(RESPONSE_URL)
    assert told.args["text"] == BUSY
    h.settle()
    assert h.snapshot() == before  # nothing applied, not even later


def test_a_form_while_the_database_is_locked_is_answered_busy(h: SlackHarness) -> None:
    values = {
        "start": {"start": {"type": "datepicker", "selected_date": "2026-12-21"}},
        "end": {"end": {"type": "datepicker", "selected_date": "2026-12-22"}},
    }
    before = h.snapshot()
    with write_lock_held(h):
        status, ack, seconds = timed(lambda: h.submit("timeoff_modal", values, user=JILL))
    assert status == 200 and seconds < 2.5, seconds
    assert ack["response_action"] == "update" and BUSY in json.dumps(ack)
    h.settle()
    assert h.snapshot() == before
    # The lock is free again: the same form goes through.
    status, ack = h.submit("timeoff_modal", values, user=JILL)
    assert status == 200 and ack is None
    h.settle()
    assert [t.member for t in h.service.time_off_of("jill")] == ["jill"]


def test_healthz_answers_while_clicks_wait_on_a_locked_database(h: SlackHarness) -> None:
    requests = pending_covers(h, BURST)
    with write_lock_held(h):
        sends = [accept(h, swap_id, slack_id) for swap_id, slack_id in requests]

        def healthz() -> tuple[int, Any]:
            time.sleep(0.2)  # let the clicks take the server's threads first
            try:
                with urllib.request.urlopen(f"{h.base}/healthz", timeout=5) as r:
                    return r.status, None
            except urllib.error.HTTPError as e:
                return e.code, None

        results = in_parallel([*sends, healthz])
    # Each click is answered ("busy, nothing changed") within two waits for the lock: the
    # first 8 hold the server's threads for at most RECORD_WAIT_SECONDS each, the other 2
    # then wait as long. Without the bounded wait a click queued behind the lock (19.6 s
    # before); the margin is for a CI machine running three test processes on 2 cores.
    for status, _body, seconds in results[:-1]:
        assert status == 200 and seconds < 2 * RECORD_WAIT_SECONDS + 1.5, (status, seconds)
    status, _, seconds = results[-1]
    # Ready or not (the database is locked: readiness itself tries the lock for up to
    # its own timeout), it answers without queueing behind clicks stuck on the lock
    # (before: 19.6 s with the lock held 20 s). A click holds a server thread for at
    # most RECORD_WAIT_SECONDS.
    probe = h.running.readiness.timeout if hasattr(h.running, "readiness") else 2.0
    assert status in (200, 503), status
    assert seconds < probe + RECORD_WAIT_SECONDS + 0.5, seconds
    h.settle()
    assert all(h.service.swap(i).status is SwapStatus.PENDING for i, _ in requests)  # type: ignore[union-attr]


# --- item 14: a replayed modal submission --------------------------------------------------------


def swap_form(my_week: str, counterpart: str) -> dict[str, Any]:
    def select(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    return {
        "my_week": {"my_week": select(my_week)},
        "counterpart": {"counterpart": select(counterpart)},
        "their_week": {"their_week": select("cover")},
        "their_date": {"their_date": {"type": "datepicker", "selected_date": None}},
        "reason": {"reason": {"type": "plain_text_input", "value": "a wedding"}},
    }


def test_a_replayed_swap_form_does_not_file_the_request_again(h: SlackHarness) -> None:
    body = slackreq.view_submission_body(
        "swap_modal", swap_form("1", "jill"), JAMES, view_id="V0REPLAY", hash="1712.abc"
    )
    signed_at = int(time.time())
    url = f"{h.base}/slack/events"
    status, _, raw = slackreq.post(url, body, SECRET, slackreq.FORM, timestamp=signed_at)
    assert status == 200 and raw == b""
    h.settle()
    (request,) = h.service.pending_swaps()
    h.service.decide_swap("james", request.id, SwapStatus.CANCELLED)
    dms_before = len(h.fake.calls_to("chat.postMessage"))

    # The very same signed request, within Slack's five minutes.
    status, _, raw = slackreq.post(url, body, SECRET, slackreq.FORM, timestamp=signed_at)
    assert status == 200 and raw == b""
    h.settle()
    assert h.service.pending_swaps() == []
    assert len(h.fake.calls_to("chat.postMessage")) == dms_before  # nobody DMed again


def test_a_form_refused_inline_can_be_sent_again(h: SlackHarness) -> None:
    # Week 0 has started: refused inline. Nothing happened, so the same form may come again.
    status, ack = h.submit("swap_modal", swap_form("0", "jill"), user=JOHN_ID)
    assert status == 200 and ack["response_action"] == "errors"
    h.settle()
    status, again = h.submit("swap_modal", swap_form("0", "jill"), user=JOHN_ID)
    assert again == ack


JOHN_ID = USERS["john"]
