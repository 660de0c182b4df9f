"""Announcing the handover, the Friday heads-up and swap reminders: exactly once.

Each announcement is first *decided* in the database (one row per kind and
week, unique), so a restart, a second replica or a repeated run never posts it
twice; then it is posted, retrying with backoff until it succeeds or its week
ends. Slack's own 429s and 5xxs are also retried inside the client.

What is said, and how, is not decided here: the announcer asks an `Announcements`
(bot.slack.notifier.Notifier in the app), so scheduling imports no Slack builders.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.core.errors import Refusal
from bot.core.model import SwapRequest, Team
from bot.core.weeks import local_instant, week, week_index_at
from bot.service import Handover, OnCallService
from bot.service.changes import ChangeNotice
from bot.storage.store import (
    claim_announcement,
    forget_announcement,
    get_announcement,
    renew_announcement,
)

log = logging.getLogger("bot.announcer")

HANDOVER, HEADS_UP = "handover", "heads_up"

# What a failed delivery raises: retried until the deadline, or logged when best-effort.
DELIVERY_ERRORS = (SlackApiError, OSError)

# The Monday job may wake a hair before the handover instant (bot.scheduler.jobs looks a
# minute ahead); a week further off than this has not begun and is not announced.
EARLY = timedelta(minutes=1)
# Posted later than this after the handover instant, the handover is a late one (the
# catch-up at start, a re-post): the engineer has been on call since then, not "from now".
LATE = timedelta(minutes=10)


class Announcements(Protocol):
    """Who is told what, for the scheduler. Each method raises when the delivery fails."""

    def post_handover(self, h: Handover) -> tuple[str, str]:
        """Post the handover in the team's channel; returns its (channel, ts)."""
        ...

    def dm_on_call(self, h: Handover) -> None: ...

    def set_on_call_group(self, h: Handover) -> None: ...

    def dm_heads_up(self, h: Handover) -> None: ...

    def remind_swap(self, request: SwapRequest, days_left: int) -> None: ...

    def swap_expired(self, request: SwapRequest) -> None:
        """The request DM loses its buttons; the requester is told it expired."""
        ...

    def tell_week_changes(self, notice: ChangeNotice) -> None:
        """DM one member the weeks of theirs that moved (one DM for a burst of changes)."""
        ...


def _local(team: Team, at: datetime) -> str:
    local = at.astimezone(team.timezone)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def refuse_unless_running(team: Team, index: int, now: datetime) -> None:
    """Only the week running now is announced: a later one would post its handover early,
    DM someone not yet on call, move the user group and use up the week's one announcement;
    an ended one would do the same for a week that is over."""
    if index > week_index_at(team, now + EARLY):
        # Its first day, not week(): a week in year 9999 has no end date to compute.
        first_day = team.start + timedelta(days=7 * index)
        start = local_instant(first_day, team.handover_time, team.timezone)
        raise Refusal(
            f"week {index} has not begun: its handover is {_local(team, start)}, and the "
            "scheduler announces it then; nothing was posted"
        )
    if index < week_index_at(team, now):
        raise Refusal(
            f"week {index} ended {_local(team, week(team, index).end)}: there is nothing to "
            "announce; nothing was posted"
        )


def _error_name(e: Exception) -> str:
    if isinstance(e, SlackApiError):
        return str(e.response.get("error") or e.response.status_code)
    return type(e).__name__


@dataclass
class Announcer:
    service: OnCallService
    notify: Announcements
    sleep: Callable[[float], None] = time.sleep
    first_backoff: float = 2.0
    max_backoff: float = 300.0

    @property
    def team(self) -> Team:
        return self.service.team

    def _with_retries(
        self, kind: str, index: int, deadline: datetime, send: Callable[[], Any]
    ) -> Any:
        """Call `send` until it succeeds or `deadline` passes; renew the claim each try."""
        delay = self.first_backoff
        while True:
            try:
                return send()
            except DELIVERY_ERRORS as e:
                error = _error_name(e)
                now = self.service.now()
                if now + timedelta(seconds=delay) >= deadline:
                    log.error("%s for week %s failed for good: %s", kind, index, error)
                    renew_announcement(self.service.store, kind, index, now, status="failed")
                    return None
                log.warning(
                    "%s for week %s failed (%s); retrying in %.0fs", kind, index, error, delay
                )
                renew_announcement(self.service.store, kind, index, now)
                self.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    def _best_effort(self, what: str, send: Callable[[], None]) -> None:
        """A delivery that may fail without undoing what was announced: logged only."""
        try:
            send()
        except DELIVERY_ERRORS as e:
            log.warning("%s failed: %s", what, _error_name(e))

    # --- the Monday handover --------------------------------------------------
    def announce(self, index: int, *, force: bool = False) -> bool:
        """Post week `index`'s handover unless it was already decided. True if posted.

        Raises Refusal, changing nothing, unless week `index` is the week running now."""
        store = self.service.store
        now = self.service.now()
        refuse_unless_running(self.team, index, now)
        if force:
            forget_announcement(store, HANDOVER, index)
        if not claim_announcement(store, HANDOVER, index, now):
            log.info("handover for week %s already announced; not posting again", index)
            return False
        h = self.service.handover(index)
        if now - h.week.start > LATE:
            h = replace(h, late=True)

        def send() -> tuple[str, str]:
            channel, ts = self.notify.post_handover(h)
            renew_announcement(
                store, HANDOVER, index, self.service.now(), status="sent", channel=channel, ts=ts
            )
            return channel, ts

        if self._with_retries(HANDOVER, index, h.week.end, send) is None:
            return False
        log.info("announced week %s: %s on call, backup %s", index, h.incoming, h.backup)
        # The DM and the user group are best-effort: the announcement itself stands.
        self._best_effort(f"handover DM to {h.incoming}", lambda: self.notify.dm_on_call(h))
        self._best_effort("user group update", lambda: self.notify.set_on_call_group(h))
        return True

    def catch_up(self) -> bool:
        """At start: announce this week if the handover was missed by less than
        `catch_up_hours`; later than that, post nothing stale."""
        now = self.service.now()
        index = week_index_at(self.team, now)
        if index < 0:
            return False
        late = now - week(self.team, index).start
        if late > timedelta(hours=self.team.catch_up_hours):
            existing = get_announcement(self.service.store, HANDOVER, index)
            if existing is None:
                log.info("week %s began %s ago: too late to announce", index, late)
            return False
        return self.announce(index)

    # --- the Friday heads-up ------------------------------------------------------
    def heads_up(self) -> bool:
        """DM next week's engineer (the week after the one running now)."""
        index = week_index_at(self.team, self.service.now()) + 1
        if index < 0:
            return False
        if not claim_announcement(self.service.store, HEADS_UP, index, self.service.now()):
            return False
        h = self.service.handover(index)

        def send() -> bool:
            self.notify.dm_heads_up(h)
            renew_announcement(
                self.service.store, HEADS_UP, index, self.service.now(), status="sent"
            )
            return True

        return self._with_retries(HEADS_UP, index, h.week.start, send) is not None

    # --- swap requests: reminders and expiry -------------------------------------
    def remind_swaps(self) -> int:
        """Remind the counterpart 3 days and 1 day before a request expires."""
        now = self.service.now()
        sent = 0
        for r in self.service.pending_swaps():
            left = r.expires_at - now
            if left <= timedelta(0):
                continue
            due = 2 if left <= timedelta(days=1) else 1 if left <= timedelta(days=3) else 0
            if not self.service.claim_swap_reminder(r.id, due):
                continue  # sent already (decided once, in the transaction of the check)
            days = max(1, int(left.total_seconds() // 86400))
            try:
                self.notify.remind_swap(r, days)
                sent += 1
            except DELIVERY_ERRORS as e:
                log.warning("swap reminder %s failed: %s", r.id, _error_name(e))
        return sent

    def expire_swaps(self) -> int:
        """Expire overdue requests; each requester is told (best-effort: it is stored)."""
        expired = self.service.expire_swaps()
        for r in expired:
            self._best_effort(f"swap expiry notice {r.id}", lambda r=r: self.notify.swap_expired(r))
        return len(expired)

    # --- "your weeks changed" ---------------------------------------------------------
    def tell_changes(self) -> int:
        """DM each member whose weeks moved (their oldest untold change older than the
        window) one message for the lot; claimed first, so no replica sends it twice. A
        failed DM is logged and released for the next run (a bounded number of times)."""
        sent = 0
        for notice in self.service.claim_due_changes():
            try:
                self.notify.tell_week_changes(notice)
                sent += 1
            except Exception as e:  # a DM that fails must not lose the others, nor the rows
                retried = self.service.release_changes(notice)
                log.warning(
                    "telling %s their weeks changed failed (%s); %s",
                    notice.member,
                    _error_name(e),
                    "retrying on the next run" if retried else "given up",
                    exc_info=not isinstance(e, DELIVERY_ERRORS),  # a bug: show where
                )
        return sent
