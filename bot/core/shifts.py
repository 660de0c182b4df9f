"""Who is on call over an interval: the resolver's answers as a list of shifts.

The calendar feed, the on-call report and the partial-week views need "who was on
call from when to when", not "who is on call at T". A shift is a stretch in which
`resolve_week` gives the same answer; it can change only at a handover, at local
midnight (time off is by local date) or where a take-over starts or ends, so the
resolver is asked once at each of those instants and equal neighbours are merged.
No second copy of the rules: every answer here is `resolve_week`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.core.model import Assignment, Override, Team, TimeOff
from bot.core.oncall import resolve_week
from bot.core.weeks import local_date, local_instant, week, week_index_at


@dataclass(frozen=True)
class Shift:
    """From `start` to `end` (UTC, end exclusive) `on_call` is on call, `backup` backs up."""

    start: datetime
    end: datetime
    week: int
    scheduled: str  # whom the plan puts on call this week
    on_call: str | None  # None: nobody is free
    backup: str | None
    reasons: tuple[str, ...]

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _boundaries(
    team: Team, start: datetime, end: datetime, overrides: Sequence[Override]
) -> list[datetime]:
    """Every instant in [start, end) at which the answer may change, sorted."""
    points = {start}
    k = week_index_at(team, start) + 1
    while (w := week(team, k)).start < end:
        points.add(w.start)
        k += 1
    day = local_date(team, start) + timedelta(days=1)
    while (midnight := local_instant(day, time(0), team.timezone)) < end:
        points.add(midnight)
        day += timedelta(days=1)
    for o in overrides:
        points.update(t for t in (o.start, o.end) if start < t < end)
    return sorted(points)


def shifts(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    overrides: Sequence[Override],
    start: datetime,
    end: datetime,
) -> list[Shift]:
    """The shifts from `start` to `end` (aware instants), neighbours with the same week,
    engineer, backup and reasons merged. `plan` holds the weeks the range touches and
    the one after the last; `time_off` and `overrides` what overlaps the range."""
    out: list[Shift] = []
    points = _boundaries(team, start, end, overrides)
    for at, until in zip(points, [*points[1:], end], strict=True):
        index = week_index_at(team, at)
        if index < 0:
            continue  # before the rotation starts nobody is on call
        r = resolve_week(team, plan, time_off, index, at, overrides)
        last = out[-1] if out else None
        if (
            last is not None
            and last.end == at
            and (last.week, last.on_call, last.backup, last.reasons)
            == (index, r.on_call, r.backup, r.reasons)
        ):
            out[-1] = Shift(last.start, until, index, r.scheduled, r.on_call, r.backup, r.reasons)
        else:
            out.append(Shift(at, until, index, r.scheduled, r.on_call, r.backup, r.reasons))
    return out
