"""The playground clock flows from where it is set, and the scheduler's jobs run at the
jumped-to time through the app's own announcer (no wall clock behind the app's back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from harness import TEAM_FILE

from bot.playground.clock import PlaygroundClock
from bot.playground.main import Playground, start_playground

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 in New York


class Counter:
    """A monotonic counter the test moves by hand."""

    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_time_flows_on_from_where_the_clock_was_set() -> None:
    ticks = Counter()
    clock = PlaygroundClock(START, monotonic=ticks)
    assert clock.now() == START
    ticks.value += 2.5
    assert clock.now() == START + timedelta(seconds=2.5)
    monday = datetime(2026, 12, 7, 13, 59, tzinfo=UTC)
    clock.set(monday)
    assert clock.now() == monday
    ticks.value += 60
    assert clock.now() == monday + timedelta(minutes=1)
    clock.advance(timedelta(hours=1))
    assert clock.now() == monday + timedelta(minutes=61)


def test_the_clock_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError):
        PlaygroundClock(datetime(2026, 12, 1, 10))


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    running = start_playground(TEAM_FILE, at=START, serve_page=False)
    running.ticker.stop()  # these tests tick by hand
    yield running
    running.stop()


def handovers(playground: Playground) -> list[str]:
    return [
        str(c.args.get("text"))
        for c in playground.fake.calls_to("chat.postMessage")
        if "handover" in str(c.args.get("blocks"))
    ]


def test_the_handover_fires_when_the_clock_passes_monday_0900(playground: Playground) -> None:
    at = playground.move_clock("handover")
    assert at.astimezone(playground.running.service.team.timezone).strftime("%a %H:%M") == (
        "Mon 08:59"
    )
    assert handovers(playground) == []  # a minute early: nothing yet
    playground.move_clock("minute")  # 09:00: the ticker runs the app's handover job
    posted = handovers(playground)
    assert len(posted) == 1 and "James" in posted[0]
    assert [n for n, _ in playground.ticker.fired if n != "housekeeping"] == ["handover"]
    playground.move_clock("minute")
    assert len(handovers(playground)) == 1  # once, not again a minute later


def test_the_heads_up_fires_on_friday_and_a_far_jump_skips_it(playground: Playground) -> None:
    playground.move_clock("heads_up")  # Fri 14:59
    assert "heads_up" not in [n for n, _ in playground.ticker.fired]
    playground.move_clock("minute")
    assert [n for n, _ in playground.ticker.fired][-1] == "heads_up"
    fired = len(playground.ticker.fired)
    # Jumping days past the next Friday 15:00 skips it (more than its hour of grace).
    playground.clock.advance(timedelta(days=8))
    playground.ticker.tick()
    assert "heads_up" not in [n for n, _ in playground.ticker.fired[fired:]]


def test_your_weeks_changed_goes_out_a_few_minutes_after_a_swap() -> None:
    """Between housekeeping runs too: the ticker runs the minutely week-changes job."""
    running = start_playground(TEAM_FILE, at=START, serve_page=False)
    try:
        running.ticker.stop()
        service = running.running.service
        request = service.request_swap("jill", "davis", 2, 3)
        service.accept_swap("davis", request.id)
        running.ticker.tick()  # housekeeping may run on the first tick: start from there
        running.fake.clear()

        def changed_dms() -> list[str]:
            return [
                str(c.args.get("text"))
                for c in running.fake.calls_to("chat.postMessage")
                if "weeks changed" in str(c.args.get("text"))
            ]

        running.clock.advance(timedelta(minutes=1))
        running.ticker.tick()
        assert changed_dms() == []  # still inside the window: more changes may come
        running.clock.advance(timedelta(minutes=2))
        running.ticker.tick()
        assert len(changed_dms()) == 2  # Jill and Davis, one DM each
        assert "week_changes" not in [n for n, _ in running.ticker.fired]
    finally:
        running.stop()
