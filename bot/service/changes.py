"""Tracking what a change moves: each person's future weeks before and after, as
`week_change` rows to tell them (one DM per person per burst) and to show on their Home.

`tracking_changes` wraps a write inside its transaction: it resolves the weeks not yet
started (up to the stored plan's end) before and after, and stores what moved in the
same transaction, so a change and the record of whom it moved commit together. The
scheduler's job (`claim_due_changes`, every minute) later claims, in a write
transaction, the members whose oldest untold change is older than `CHANGE_WINDOW`, so
a burst of changes is one DM and two replicas never both send it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.core.changes import (
    WeekChange,
    WeekInputs,
    changes_between,
    future_weeks,
    net,
    swap_why,
)
from bot.core.model import SwapRequest
from bot.core.weeks import week
from bot.service.reads import Reads
from bot.storage.store import Transaction

CHANGE_WINDOW = timedelta(minutes=2)
"""Changes to a member's weeks within this long of the first untold one make one DM."""
MAX_ATTEMPTS = 5
"""Sends of one DM that may fail (each retried by the next run) before it is given up."""
RECENT_CHANGES = 5
"""How many of a member's last changes their App Home shows."""


@dataclass(frozen=True)
class ChangeNotice:
    """What to tell `member`: their weeks that moved, netted (`changes`), and the stored
    rows it stands for (`ids`), to release for a retry when the DM fails."""

    member: str
    changes: tuple[WeekChange, ...]
    ids: tuple[int, ...]


class ChangeTracking(Reads):
    def _span(self, s: Transaction) -> range:
        return future_weeks(self.team, self.now(), self.store.last_planned(s))

    def _inputs(self, s: Transaction, span: range) -> WeekInputs:
        """What the resolver reads for `span` (three queries)."""
        first, last = week(self.team, span.start), week(self.team, span.stop)
        return WeekInputs(
            self.store.plan(s, first.index, last.index),
            tuple(self.store.time_off(s, first.first_day, last.first_day)),
            tuple(self.store.overrides(s, first.start, last.end)),
        )

    @contextmanager
    def tracking_changes(
        self, s: Transaction, actor: str, why: str, *, plan_first: bool = False
    ) -> Iterator[None]:
        """Wrap a change to future weeks, inside its write transaction `s`: records a
        `week_change` row for every member whose engineer or backup weeks it moved
        (nothing when nothing moved). `why` is said to them; with `plan_first` (a
        re-plan), the plan's own reasons for a week are said instead when it has some.

        It reads what the resolver reads before and after, and resolves only the weeks
        whose inputs differ: a swap's accept (on the ack path) resolves four weeks."""
        span = self._span(s)
        if not span:  # nothing planned ahead yet (a first start): nothing to move
            yield
            return
        before = self._inputs(s, span)
        yield
        after = self._inputs(s, span)
        moved = [
            c
            for c in changes_between(self.team, before, after, span, why, plan_first=plan_first)
            if self.team.is_member(c.member)
        ]
        if moved:
            self.store.add_week_changes(s, moved, actor, self.now())

    @contextmanager
    def tracking_swap(self, s: Transaction, actor: str, request: SwapRequest) -> Iterator[None]:
        """`tracking_changes` for an accepted swap, said in words for both parties."""
        with self.tracking_changes(s, actor, swap_why(self.team, request)):
            yield

    # --- telling people -----------------------------------------------------------
    def claim_due_changes(self) -> list[ChangeNotice]:
        """Claim (in one write transaction: no other replica gets them) the untold changes
        of every member whose oldest one is older than `CHANGE_WINDOW`: one notice each,
        netted. Changes that cancelled out are claimed and tell nothing. A quick read first,
        so a quiet minute takes no write lock."""
        now = self.now()
        cutoff = now - CHANGE_WINDOW
        with self.store.read() as s:
            if not self.store.members_with_due_changes(s, cutoff):
                return []
        notices: list[ChangeNotice] = []
        with self.store.write() as s:
            members = self.store.members_with_due_changes(s, cutoff)
            untold = self.store.untold_changes(s, members)
            if not untold:
                return []
            latest = self.store.latest_changes(s, min(c.id or 0 for c in untold))
            self.store.mark_changes_told(s, [c.id for c in untold if c.id is not None], now)
        for member in members:
            mine = [c for c in untold if c.member == member]
            netted = net(mine, latest)
            if netted and self.team.is_member(member):  # one who left is not told
                ids = tuple(c.id for c in mine if c.id is not None)
                notices.append(ChangeNotice(member, tuple(netted), ids))
        return notices

    def release_changes(self, notice: ChangeNotice) -> bool:
        """A notice's DM failed: its changes are untold again, for the next run to retry,
        unless they have failed `MAX_ATTEMPTS` times. True when released."""
        with self.store.write() as s:
            return self.store.release_changes(s, list(notice.ids), MAX_ATTEMPTS)

    def recent_changes(self, member: str, limit: int = RECENT_CHANGES) -> list[WeekChange]:
        """The member's last `limit` changes, the newest first (for their App Home)."""
        with self.store.read() as s:
            return self.store.recent_changes(s, member, limit)
