"""Issue 15: the running app's Web API work. Every listener uses the process's one
client (its connections kept alive), an accepted swap's independent effects go out at
once, and a stop says what it did not send."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from fakeslack import RESPONSE_URL
from harness import DAVIS, JILL, SlackHarness

from bot.slack import ids
from bot.slack.client import PooledRespond
from bot.slack.followup import FollowUps

CHANNEL = "C0000000000"  # the team's on-call channel


def test_every_listener_gets_the_process_client(h: SlackHarness) -> None:
    seen: list[Any] = []

    def probe(context: Any, next: Any) -> None:  # noqa: A002
        seen.append(context.client)
        next()

    app = h.running.app
    app.use(probe)  # after the app's own middleware: what the listener will be given
    try:
        for _ in range(5):
            assert h.command("help")[0] == 200
        h.settle()
    finally:
        app._middleware_list.pop()  # the probe, added last
    assert len(seen) == 5
    assert all(client is h.running.client for client in seen)


def test_a_burst_of_requests_reuses_connections(h: SlackHarness) -> None:
    before = h.fake.connections
    for _ in range(8):
        h.event({"type": "app_home_opened", "user": JILL, "tab": "home"})
        h.command("now")
    h.settle()
    calls = len(h.fake.calls)
    assert calls >= 8
    assert h.fake.connections - before <= max(2, calls // 4), (calls, h.fake.connections)


def test_replies_through_response_urls_reuse_connections(h: SlackHarness) -> None:
    """`/oncall runbook` answers through the command's response_url (Bolt's `respond`,
    which opened a new connection for every reply): now over the pooled connections."""
    before = h.fake.connections
    for _ in range(12):
        assert h.command("runbook nothing-like-it")[0] == 200
    h.settle()
    replies = [c for c in h.fake.calls_to(RESPONSE_URL) if not c.args.get("_ack")]
    assert len(replies) == 12
    assert h.fake.connections - before <= 4, h.fake.connections - before  # Bolt's: 12


def test_every_listener_gets_a_pooled_respond(h: SlackHarness) -> None:
    seen: list[Any] = []

    def probe(context: Any, next: Any) -> None:  # noqa: A002
        seen.append(context.respond)
        next()

    app = h.running.app
    app.use(probe)
    try:
        assert h.command("help")[0] == 200
        h.settle()
    finally:
        app._middleware_list.pop()
    (respond,) = seen
    assert isinstance(respond, PooledRespond) and respond.pool is h.running.client.pool


def test_an_accepted_swap_tells_everyone_at_once(h: SlackHarness) -> None:
    """The request DM's update, both outcome DMs and the channel line are in flight
    together: each is held by the fake until all four arrived (a barrier), which sent one
    after another never do."""
    request = h.service.request_swap("jill", "davis", 2, 3)
    h.running.notifier.swap_requested(request)
    h.settle()
    where = h.service.swap_message(request.id)
    assert where is not None
    together = threading.Barrier(4, timeout=3)
    met: list[str] = []

    def hold(call: Any) -> dict[str, Any]:
        channel = str(call.args["channel"])
        try:
            together.wait()
            met.append(channel)
        except threading.BrokenBarrierError:
            pass
        return {"ok": True, "channel": channel, "ts": str(call.args.get("ts") or "100.000")}

    h.fake.clear()
    h.fake.respond_with("chat.postMessage", hold, times=3)
    h.fake.respond_with("chat.update", hold, times=1)
    status, _ = h.click(
        ids.SWAP_ACCEPT, str(request.id), DAVIS, channel_id=where[0], message={"ts": where[1]}
    )
    assert status == 200
    h.settle(0.1, 8)
    assert len(met) == 4 and CHANNEL in met and where[0] in met, met  # all in flight at once
    (update,) = h.fake.calls_to("chat.update")
    assert update.args["ts"] == where[1]


def test_a_stop_logs_each_effect_it_did_not_send(caplog: pytest.LogCaptureFixture) -> None:
    followups = FollowUps(logging.getLogger("test.followups"), threads=1)
    started, release = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        release.wait(5)

    followups.run("post the slow one", slow)
    followups.run("DM the queued one", lambda: None)
    assert started.wait(5)
    with caplog.at_level(logging.WARNING, "test.followups"):
        followups.stop(timeout=0.05)
        release.set()
        followups.run("DM after the stop", lambda: None)  # refused, and said so
    text = caplog.text
    assert "could not DM the queued one: the app stopped first (not sent)" in text
    assert "still trying to post the slow one when the app stopped" in text
    assert "could not DM after the stop: the app is stopping (not sent)" in caplog.text


def test_answers_go_before_the_effects_queued_ahead_of_them() -> None:
    """One thread, busy; a decision's effects (queued by a follow-up) wait while the next
    request's answer (queued by a listener) arrives: the answer runs first."""
    followups = FollowUps(logging.getLogger("test.followups"), threads=1)
    ran: list[str] = []
    queued, release = threading.Event(), threading.Event()

    def decision() -> None:
        for n in range(3):
            followups.run(f"effect {n}", lambda n=n: ran.append(f"effect {n}"))
        queued.set()
        release.wait(5)

    followups.run("decision", decision)
    assert queued.wait(5)
    followups.run("answer", lambda: ran.append("answer"))
    release.set()
    assert followups.drain(5)
    assert ran == ["answer", "effect 0", "effect 1", "effect 2"]


def test_an_effect_that_waited_too_long_goes_first() -> None:
    followups = FollowUps(logging.getLogger("test.followups"), threads=1, effect_wait=0.0)
    ran: list[str] = []
    queued, release = threading.Event(), threading.Event()

    def decision() -> None:
        followups.run("effect", lambda: ran.append("effect"))
        queued.set()
        release.wait(5)

    followups.run("decision", decision)
    assert queued.wait(5)
    followups.run("answer", lambda: ran.append("answer"))
    release.set()
    assert followups.drain(5)
    assert ran == ["effect", "answer"]
