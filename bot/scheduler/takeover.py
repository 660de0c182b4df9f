"""Giving the on-call user group back when a take-over ends before its week does.

A take-over `until` a day ends at that day's local midnight; the handover job sets the
group only at the handover, so housekeeping (every few minutes) hands it back to whoever
is on call again: once per take-over, decided in the database like every announcement.
"""

from __future__ import annotations

import logging

from bot.scheduler.announcer import DELIVERY_ERRORS, Announcer

log = logging.getLogger("bot.scheduler")


def hand_back_groups(announcer: Announcer) -> int:
    """Set the user group for each take-over that ended mid-week; returns how many."""
    if not announcer.team.usergroup:
        return 0
    done = 0
    for h in announcer.service.ended_takeovers():
        try:
            announcer.notify.set_on_call_group(h)
            done += 1
        except DELIVERY_ERRORS as e:
            log.warning("user group after a take-over failed: %s", type(e).__name__)
    return done
