"""HomePublisher: App Homes published off the listener threads, coalesced per person.

A client that records each views.publish and can hold one open stands in for Slack,
so each test decides exactly what is rendering when the next refresh is asked for.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.service import OnCallService
from bot.slack.home import HomePublisher

JOHN, JILL, DAVIS = "U0000000001", "U0000000003", "U0000000004"


class GatedClient:
    """views.publish recorded in order; a user listed in `hold` blocks until released."""

    def __init__(self, hold: tuple[str, ...] = ()) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.hold = set(hold)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.concurrent: dict[str, int] = {}
        self.max_concurrent: dict[str, int] = {}

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.concurrent[user_id] = self.concurrent.get(user_id, 0) + 1
            self.max_concurrent[user_id] = max(
                self.max_concurrent.get(user_id, 0), self.concurrent[user_id]
            )
        try:
            if user_id in self.hold:
                self.hold.discard(user_id)  # hold only the first
                self.entered.set()
                assert self.release.wait(5), "the test never released the publish"
            with self.lock:
                self.published.append((user_id, view))
            return {"ok": True}
        finally:
            with self.lock:
                self.concurrent[user_id] -= 1

    def users(self) -> list[str]:
        with self.lock:
            return [u for u, _v in self.published]


@pytest.fixture
def publisher_for(service: OnCallService) -> Any:
    made: list[HomePublisher] = []

    def make(client: GatedClient, workers: int = 2, after_change: float = 0.25) -> HomePublisher:
        homes = HomePublisher(client, service, workers=workers, after_change=after_change)  # type: ignore[arg-type]
        made.append(homes)
        return homes

    yield make
    for homes in made:
        homes.stop()


def test_each_refresh_publishes_that_persons_home(publisher_for: Any) -> None:
    client = GatedClient()
    homes = publisher_for(client)
    homes.refresh(JOHN, JILL)
    assert homes.drain(5)
    assert sorted(client.users()) == sorted([JILL, JOHN])
    view = dict(client.published)[JOHN]
    assert view["type"] == "home" and any("on call" in json.dumps(b) for b in view["blocks"])


def test_refreshes_asked_while_one_waits_are_one_publish(publisher_for: Any) -> None:
    client = GatedClient(hold=(DAVIS,))
    homes = publisher_for(client, workers=1)
    homes.refresh(DAVIS)  # occupies the only worker
    assert client.entered.wait(5)
    for _ in range(5):
        homes.refresh(JOHN)  # John waits: the same refresh five times
    homes.refresh(JILL, JOHN)
    client.release.set()
    assert homes.drain(5)
    assert client.users() == [DAVIS, JOHN, JILL]  # first asked, first served


def test_a_refresh_asked_during_a_render_renders_again_after_it(
    publisher_for: Any, service: OnCallService, clock: FixedClock
) -> None:
    """The render in progress may have read the state before the change that asked for
    the refresh: one more render follows, and it sees the change."""
    client = GatedClient(hold=(JOHN,))
    homes = publisher_for(client, workers=3)
    homes.refresh(JOHN)
    assert client.entered.wait(5)
    before = clock.now()
    clock.advance(timedelta(minutes=5))
    homes.refresh(JOHN)  # asked while John's first Home is being rendered
    homes.refresh(JOHN)
    client.release.set()
    assert homes.drain(5)
    assert client.users() == [JOHN, JOHN]
    stamps = [json.loads(v["private_metadata"])["rendered_at"] for _u, v in client.published]
    assert datetime.fromisoformat(stamps[0]) == before
    assert datetime.fromisoformat(stamps[1]) > before
    # Never two renders of one person's Home at once, though three workers were free.
    assert client.max_concurrent[JOHN] == 1


def test_a_failed_publish_does_not_stop_the_worker(
    publisher_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class Flaky(GatedClient):
        def views_publish(self, *, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
            if user_id == DAVIS:
                raise RuntimeError("connection reset")
            return super().views_publish(user_id=user_id, view=view)

    client = Flaky()
    homes = publisher_for(client, workers=1)
    homes.refresh(DAVIS, JOHN)
    assert homes.drain(5)
    assert client.users() == [JOHN]
    assert "publishing the App Home for U0000000004 failed" in caplog.text


def test_stop_finishes_what_was_asked_then_refuses_more(publisher_for: Any) -> None:
    client = GatedClient()
    homes = publisher_for(client, workers=2)
    homes.refresh(JOHN, JILL, DAVIS)
    homes.stop()
    assert sorted(client.users()) == sorted([DAVIS, JILL, JOHN])
    homes.refresh(JOHN)
    assert homes.drain(1)
    assert len(client.users()) == 3
    assert not any(t.is_alive() for t in homes._threads)


def test_changes_in_a_burst_are_shown_by_one_render_after_a_moment(publisher_for: Any) -> None:
    client = GatedClient()
    homes = publisher_for(client, after_change=0.3)
    started = time.monotonic()
    for _ in range(5):  # e.g. five swap decisions involving John, in quick succession
        homes.refresh(JOHN, changed=True)
        time.sleep(0.02)
    assert homes.drain(5)
    assert client.users() == [JOHN]
    assert time.monotonic() - started >= 0.3


def test_opening_the_home_is_served_at_once_even_after_a_change(publisher_for: Any) -> None:
    client = GatedClient()
    homes = publisher_for(client, after_change=5.0)
    homes.refresh(JILL, changed=True)
    homes.refresh(JILL)  # Jill opens the tab: no reason to wait any longer
    homes.refresh(DAVIS, changed=True)  # still waiting after Jill's is published
    deadline = time.monotonic() + 2
    while client.users() != [JILL] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.users() == [JILL]
    assert not homes.drain(0.2)  # Davis's change is still waiting its moment
    started = time.monotonic()
    homes.stop()  # publishes what waits, without waiting out the moment
    assert client.users() == [JILL, DAVIS] and time.monotonic() - started < 2
