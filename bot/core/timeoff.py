"""Time off: the notice rule, and merging a member's overlapping ranges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.errors import Refusal
from bot.core.model import Team, TimeOff


@dataclass(frozen=True)
class TimeOffChange:
    """What recording a range does: the merged range, and the stored ranges it replaces."""

    merged: TimeOff
    replaces: tuple[TimeOff, ...]


def first_accepted_start(team: Team, today: date) -> date:
    return today + timedelta(days=team.time_off_notice_days)


def plan_time_off(
    team: Team,
    existing: Sequence[TimeOff],
    member: str,
    start: date,
    end: date,
    today: date,
    *,
    override_notice: bool = False,
    note: str = "",
) -> TimeOffChange:
    """Validate a new range and merge it with the member's overlapping or adjacent ones.

    The notice period counts whole days from `today` (the team zone's date): with
    14 days' notice, a range starting 14 days from today is accepted, 13 is not.
    An admin recording sickness passes `override_notice`.
    """
    if end < start:
        raise Refusal(
            f"The end date {end.isoformat()} is before the start date {start.isoformat()}.",
            field="end",
        )
    if (end - start).days > 366:
        raise Refusal("Time off longer than a year is not something to record here.", "end")
    earliest = first_accepted_start(team, today)
    if not override_notice and start < earliest:
        raise Refusal(
            f"Time off needs {team.time_off_notice_days} days' notice: {start.isoformat()} is "
            f"{(start - today).days} day(s) from today. The first date that would be accepted "
            f"is {earliest.isoformat()}. For sickness or an emergency, ask an admin to record it.",
            field="start",
        )
    mine = [t for t in existing if t.member == member]
    for t in mine:
        if t.start <= start and end <= t.end:
            raise Refusal(
                f"You already have time off recorded from {t.start.isoformat()} "
                f"to {t.end.isoformat()}, which covers these dates.",
                field="start",
            )
    lo, hi = start, end
    replaced: list[TimeOff] = []
    # Ranges that touch or overlap become one; repeat until stable because one
    # merge can make the range reach another.
    changed = True
    while changed:
        changed = False
        for t in mine:
            if t in replaced:
                continue
            if t.overlaps(lo - timedelta(days=1), hi + timedelta(days=1)):  # touching counts
                lo, hi = min(lo, t.start), max(hi, t.end)
                replaced.append(t)
                changed = True
    notes = [t.note for t in replaced if t.note] + ([note] if note else [])
    merged = TimeOff(member, lo, hi, "; ".join(notes))
    return TimeOffChange(merged, tuple(replaced))


def away_on(time_off: Iterable[TimeOff], member: str, day: date) -> TimeOff | None:
    for t in time_off:
        if t.member == member and t.covers(day):
            return t
    return None


def away_during(time_off: Iterable[TimeOff], member: str, days: Sequence[date]) -> TimeOff | None:
    """The first range of `member` that overlaps any of `days`."""
    if not days:
        return None
    first, last = min(days), max(days)
    for t in time_off:
        if t.member == member and t.overlaps(first, last):
            return t
    return None
