"""Tracking what a change moves: each person's future weeks before and after, as
`week_change` rows to tell them (one DM per person per burst) and to show on their Home."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.service.reads import Reads
from bot.storage.store import Transaction


class ChangeTracking(Reads):
    @contextmanager
    def tracking_changes(self, s: Transaction, actor: str, why: str) -> Iterator[None]:
        """Wrap a change to future weeks, inside its write transaction `s`: records a
        `week_change` row for every member whose engineer or backup weeks it moved
        (nothing when nothing moved). `why` is said to them when the plan's own reasons
        do not say it better."""
        yield
