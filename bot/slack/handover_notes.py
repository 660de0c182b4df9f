"""Who may add a note to a week's handover, and where the note goes."""

from __future__ import annotations

from bot.core.model import Member
from bot.scheduler.announcer import HANDOVER
from bot.service import OnCallService
from bot.storage.store import get_announcement


def may_add_note(service: OnCallService, member: Member | None, index: int | None) -> str | None:
    """None when `member` may add a note to week `index`'s handover; else why not."""
    if member is None:
        return "Only members of the on-call team can add handover notes."
    if index is None or index < 1:
        return "That handover has no previous engineer to leave a note."
    if index > service.last_plannable_week():
        return "That handover is too far ahead to leave a note on."
    outgoing = service.handover(index).outgoing
    if member.id != outgoing and not service.team.is_admin(member.id):
        name = service.team.name_of(outgoing) if outgoing else "the outgoing engineer"
        return f"Only {name}, who handed over this week, can add the handover note."
    return None


def announcement_thread(service: OnCallService, index: int) -> tuple[str, str] | None:
    row = get_announcement(service.store, HANDOVER, index)
    if row is None or not row.channel or not row.ts:
        return None
    return row.channel, row.ts
