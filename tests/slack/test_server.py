"""The HTTP server under slow clients (slowloris), its orderly stop, and /healthz, /livez.

Every test here is bounded: sockets have timeouts, trickling threads stop themselves,
and each server a test starts is stopped in a `finally`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import slackreq
from conftest import DEFAULT_NOW
from harness import JOHN, SECRET, SlackHarness
from processes import http_get

from bot.clock import FixedClock
from bot.slack.server import OncallWSGI, make_server

PARTIAL = b"POST /slack/events HTTP/1.1\r\nHost: oncall\r\nContent-Type: text/plain\r\n"


def timed(call: Any) -> tuple[Any, float]:
    began = time.monotonic()
    result = call()
    return result, time.monotonic() - began


@contextmanager
def serving(wsgi: OncallWSGI, **bounds: Any) -> Iterator[Any]:
    server = make_server(wsgi, "127.0.0.1", 0, **bounds)
    server.serve_in_background()
    try:
        yield server
    finally:
        server.stop(timeout=2)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (a byte is sent every
    0.2 s meanwhile, as a slowloris client keeps its request alive)."""
    deadline = time.monotonic() + within
    sock.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            pass
        except OSError:  # reset
            return True
        try:
            sock.sendall(b"X")
        except OSError:
            return True
    return False


class Slowloris:
    """`count` connections from this host, each sending a request's first line and then
    a byte of header every `every` seconds, reconnecting when the server closes one;
    on a thread of its own that stops with `stop()` (or after `limit` seconds)."""

    def __init__(self, port: int, count: int, every: float = 0.3, limit: float = 20.0) -> None:
        self.port, self.count, self.every, self.limit = port, count, every, limit
        self.sockets: list[socket.socket | None] = [None] * count
        self.opened = 0
        self.done = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slowloris", daemon=True)

    def __enter__(self) -> Slowloris:
        self.thread.start()
        assert self.ready.wait(10), "the slow connections were not opened"
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(5)
        for s in self.sockets:
            if s is not None:
                s.close()

    def _connect(self, i: int) -> None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
            s.sendall(PARTIAL)
            self.sockets[i] = s
            self.opened += 1
        except OSError:
            self.sockets[i] = None

    def _run(self) -> None:
        stop_at = time.monotonic() + self.limit
        for i in range(self.count):
            self._connect(i)
        self.ready.set()
        while not self.done.wait(self.every) and time.monotonic() < stop_at:
            for i, s in enumerate(self.sockets):
                try:
                    if s is None:
                        raise OSError
                    s.sendall(b"X")
                except OSError:
                    if s is not None:
                        s.close()
                    self._connect(i)


def test_slowloris_does_not_starve_health_checks_or_slack(h: SlackHarness) -> None:
    """150 connections trickling a header byte at a time (waitress alone: its limit of 100
    connections reached, the trickle resetting its idle timeout) must not keep
    /healthz nor a signed /oncall from being answered at once."""
    with Slowloris(h.running.port, 150) as attack:
        time.sleep(0.5)  # the trickle is running: new connections keep pushing in
        (status, body), took = timed(lambda: http_get(f"{h.base}/healthz", timeout=3))
        assert status == 200 and json.loads(body)["ok"] is True
        assert took < 2.0, f"/healthz took {took:.2f} s under slowloris"
        command = slackreq.slash_command_body(
            text="now", user_id=JOHN, response_url=h.fake.response_url("slow")
        )
        url = f"{h.base}/slack/events"
        (status, _headers, _raw), took = timed(
            lambda: slackreq.post(url, command, SECRET, slackreq.FORM, timeout=3)
        )
        assert status == 200
        assert took < 2.0, f"/oncall took {took:.2f} s under slowloris"
        assert attack.opened >= 150


def test_a_request_that_trickles_in_is_dropped_at_its_deadline(h: SlackHarness) -> None:
    with serving(OncallWSGI(h.running.app), request_timeout=1.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.effective_port), timeout=2)
        with sock:
            sock.sendall(PARTIAL)
            began = time.monotonic()
            assert closed_by_server(sock, within=4.0), "a trickling request was kept open"
            # The deadline (1 s) plus at most one maintenance pass (1 s) and a poll.
            assert time.monotonic() - began < 3.5


def test_one_address_keeps_only_its_newest_waiting_connections(h: SlackHarness) -> None:
    with serving(OncallWSGI(h.running.app), per_peer=3) as server:
        port = server.effective_port
        socks = []
        try:
            for _ in range(6):
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(PARTIAL)
                socks.append(s)
                time.sleep(0.05)  # accepted in this order
            # A complete request from the same address still gets its answer.
            status, _body = http_get(f"http://127.0.0.1:{port}/livez")
            assert status == 200
            closed = [closed_by_server(s, within=1.0) for s in socks]
            assert closed[:3] == [True, True, True], closed
            # Of the newest three one made room for /livez; at least two stay open.
            assert closed[3:].count(False) >= 2, closed
        finally:
            for s in socks:
                s.close()


def test_stop_finishes_requests_in_flight_then_refuses_new_ones(h: SlackHarness) -> None:
    started = threading.Event()

    def slow_health() -> dict[str, Any]:
        started.set()
        time.sleep(1.0)
        return {"ok": True}

    server = make_server(OncallWSGI(h.running.app, health=slow_health), "127.0.0.1", 0)
    server.serve_in_background()
    port = server.effective_port
    answers: list[tuple[int, bytes]] = []
    client = threading.Thread(
        target=lambda: answers.append(http_get(f"http://127.0.0.1:{port}/healthz", timeout=5))
    )
    client.start()
    assert started.wait(5), "the request did not reach the app"
    assert server.stop(timeout=5) is True
    client.join(5)
    assert answers == [(200, b'{"ok": true}')]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert server.thread is not None and not server.thread.is_alive()


def test_livez_is_cheap_and_healthz_reports_readiness(h: SlackHarness) -> None:
    assert http_get(f"{h.base}/livez") == (200, b'{"ok": true}')
    status, body = http_get(f"{h.base}/healthz")
    assert status == 200 and json.loads(body) == {"ok": True, "team": h.team.name}


def test_healthz_is_503_while_the_database_takes_no_write_or_the_scheduler_stopped(
    tmp_path: Path,
) -> None:
    import sqlite3

    with SlackHarness(tmp_path, FixedClock(DEFAULT_NOW), scheduler=True) as app:
        readiness = app.running.readiness
        assert readiness is not None
        readiness.timeout = 0.3  # how long the probe waits for the write lock
        readiness.ttl = 0.0  # no answer kept: each probe checks
        assert http_get(f"{app.base}/healthz")[0] == 200
        # Another process holds SQLite's write lock: no write can be made now.
        other = sqlite3.connect(str(tmp_path / "oncall.db"), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            status, body = http_get(f"{app.base}/healthz")
            assert status == 503
            assert json.loads(body) == {
                "ok": False,
                "reason": "the database does not accept writes",
            }
            assert str(tmp_path) not in body.decode()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert http_get(f"{app.base}/healthz")[0] == 200
        app.running.scheduler.shutdown()
        status, body = http_get(f"{app.base}/healthz")
        assert (status, json.loads(body)["reason"]) == (503, "the scheduler is not running")
        assert http_get(f"{app.base}/livez")[0] == 200  # alive all along
