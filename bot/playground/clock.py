"""The playground's clock: time flows from a point you can move.

It is the app's injectable clock (bot.clock.Clock): the service, the listeners and the
playground's ticker all read it, so a jump to "next Monday 08:59" is seen by everything.
Between jumps it advances with a monotonic counter, never the wall clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class PlaygroundClock:
    """`now()` = the instant last set + the monotonic time elapsed since."""

    def __init__(self, at: datetime, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._at = _aware(at)
        self._since = monotonic()

    def now(self) -> datetime:
        with self._lock:
            return self._at + timedelta(seconds=self._monotonic() - self._since)

    def set(self, at: datetime) -> None:
        """Jump to `at`; time flows on from there."""
        with self._lock:
            self._at = _aware(at)
            self._since = self._monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("the playground clock needs an aware datetime")
    return at.astimezone(UTC)
