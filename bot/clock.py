"""Where "now" comes from.

Nothing in the bot reads the wall clock except through a `Clock`, and no clock
caches the time: `SystemClock` asks `datetime.now` on every call, so tools such
as time-machine, which move the process's clock, are honoured too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and rehearsals: it says what it is told."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 14, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.set(self.at)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta
