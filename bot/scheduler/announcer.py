"""Announcing the handover, the Friday heads-up and swap reminders: exactly once.

Each announcement is first *decided* in the database (one row per kind and
week, unique), so a restart, a second replica or a repeated run never posts it
twice; then it is posted, retrying with backoff until it succeeds or its week
ends. Slack's own 429s and 5xxs are also retried inside the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.model import SwapStatus, Team
from bot.core.weeks import week, week_index_at
from bot.service import OnCallService
from bot.slack.blocks.handover import (
    handover_blocks,
    handover_dm_blocks,
    handover_text,
    heads_up_blocks,
    reminder_blocks,
)
from bot.storage.store import (
    claim_announcement,
    forget_announcement,
    get_announcement,
    renew_announcement,
)
from bot.storage.tables import SwapRow

log = logging.getLogger("bot.announcer")

HANDOVER, HEADS_UP = "handover", "heads_up"


def _error_name(e: Exception) -> str:
    if isinstance(e, SlackApiError):
        return str(e.response.get("error") or e.response.status_code)
    return type(e).__name__


@dataclass
class Announcer:
    service: OnCallService
    client: WebClient
    sleep: Callable[[float], None] = time.sleep
    first_backoff: float = 2.0
    max_backoff: float = 300.0

    @property
    def team(self) -> Team:
        return self.service.team

    def _dm(self, slack_id: str, text: str, blocks: list[Any]) -> None:
        channel = self.client.conversations_open(users=slack_id)["channel"]["id"]
        self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)

    def _with_retries(self, kind: str, index: int, deadline: datetime, send: Callable[[], Any]):
        """Call `send` until it succeeds or `deadline` passes; renew the claim each try."""
        delay = self.first_backoff
        while True:
            try:
                result = send()
                return result
            except (SlackApiError, OSError) as e:
                error = (
                    e.response.get("error") if isinstance(e, SlackApiError) else type(e).__name__
                )
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

    # --- the Monday handover --------------------------------------------------
    def announce(self, index: int, *, force: bool = False) -> bool:
        """Post week `index`'s handover unless it was already decided. True if posted."""
        store = self.service.store
        if force:
            forget_announcement(store, HANDOVER, index)
        if not claim_announcement(store, HANDOVER, index, self.service.now()):
            log.info("handover for week %s already announced; not posting again", index)
            return False
        h = self.service.handover(index)
        team = self.team
        text = handover_text(team, h)

        def send() -> Any:
            posted = self.client.chat_postMessage(
                channel=team.channel, text=text, blocks=handover_blocks(team, h)
            )
            renew_announcement(
                store,
                HANDOVER,
                index,
                self.service.now(),
                status="sent",
                channel=posted["channel"],
                ts=posted["ts"],
            )
            return posted

        if self._with_retries(HANDOVER, index, h.week.end, send) is None:
            return False
        log.info("announced week %s: %s", index, text)
        # The DM and the user group are best-effort: the announcement itself stands.
        incoming = team.member(h.incoming)
        try:
            self._dm(
                incoming.slack_id, f"You are on call this week. {text}", handover_dm_blocks(team, h)
            )
        except (SlackApiError, OSError) as e:
            log.warning("handover DM to %s failed: %s", incoming.id, type(e).__name__)
        if team.usergroup and incoming.slack_id:  # Slack refuses an empty group
            try:
                self.client.usergroups_users_update(
                    usergroup=team.usergroup, users=[incoming.slack_id]
                )
            except (SlackApiError, OSError) as e:
                log.warning("user group update failed: %s", type(e).__name__)
        return True

    def announce_current(self) -> bool:
        index = week_index_at(self.team, self.service.now())
        return index >= 0 and self.announce(index)

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
        member = self.team.member(h.incoming)
        text = f"Heads-up: you are on call next week (week {index})."

        def send() -> Any:
            self._dm(member.slack_id, text, heads_up_blocks(self.team, h))
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
            with self.service.store.write() as s:
                row = s.get(SwapRow, r.id)
                if row is None or row.status != SwapStatus.PENDING.value:
                    continue
                if row.reminders_sent >= due:
                    continue
                row.reminders_sent = due  # decided once, in the same transaction as the check
            counterpart = self.team.member(r.counterpart)
            days = max(1, int(left.total_seconds() // 86400))
            try:
                self._dm(
                    counterpart.slack_id,
                    "A swap request waits for your answer.",
                    reminder_blocks(self.team, r, days),
                )
                sent += 1
            except (SlackApiError, OSError) as e:
                log.warning("swap reminder %s failed: %s", r.id, type(e).__name__)
        return sent

    def expire_swaps(self) -> int:
        return len(self.service.expire_swaps())
