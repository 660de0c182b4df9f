"""Issue 15: a stop (SIGTERM, Ctrl-C: Running.stop) lets the pending follow-ups finish,
then closes the Web API client's kept-alive connections."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import DEFAULT_NOW
from fakeslack import RESPONSE_URL
from harness import JOHN, SlackHarness

from bot.clock import FixedClock


def test_a_stop_sends_what_is_pending_then_closes_the_connections(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    h = SlackHarness(tmp_path, FixedClock(DEFAULT_NOW))
    try:
        pool = h.running.client.pool
        followups = h.running.notifier.followups
        closed_with: list[Any] = []
        stops = h.running.stops
        (n,) = [n for n, (what, _, _) in enumerate(stops) if what == "the Slack connections"]
        what, close, seconds = stops[n]

        def watched_close() -> None:
            closed_with.append(followups._pending)  # what was still to send at that moment
            close()

        stops[n] = (what, watched_close, seconds)
        assert h.command("help")[0] == 200  # a kept-alive connection exists now
        h.fake.slow_down(RESPONSE_URL, 0.5)  # the reply below is in flight at the stop
        status, _ = h.command("runbook nothing-like-it", user=JOHN)
        assert status == 200
        with caplog.at_level(logging.WARNING):
            assert h.running.stop() is True
        replies = [c for c in h.fake.calls_to(RESPONSE_URL) if not c.args.get("_ack")]
        assert len(replies) == 1  # the pending reply went out before the stop ended
        assert closed_with == [0]  # closed after every follow-up finished
        assert pool.closed and not any(pool._free.values())
        assert "not sent" not in caplog.text
    finally:
        h.close()


def test_a_connection_given_back_after_the_close_is_closed(tmp_path: Path) -> None:
    from fakeslack import FakeSlack

    from bot.slack.client import make_client

    with FakeSlack() as fake:
        client = make_client("xoxb-test", fake.url)
        client.chat_postMessage(channel="C1", text="one")
        (idle,) = next(iter(client.pool._free.values()))
        client.pool.close()
        assert idle.sock is None  # closed
        client.chat_postMessage(channel="C1", text="after the stop")  # a late call still goes
        assert not any(client.pool._free.values()) and fake.connections == 2
