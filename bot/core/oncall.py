"""Who is on call at instant T: one resolver for a week, read top to bottom.

`resolve_week` is the only place that decides a week's effective engineer and
backup; `who()` (/oncall now, the handover) and the schedule views all call it.
Like GoAlert's on-call resolution it layers its sources: the stored plan (which
already carries accepted swaps and covers), then time off (the backup stands in
until a swap is agreed), then take-overs (`Override`: someone takes the rest of a
week from an instant on), then the backup chosen from whoever is free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.calendars import team_holidays
from bot.core.model import Assignment, Override, Team, TimeOff
from bot.core.ownership import Ownership, owners_on
from bot.core.timeoff import away_on
from bot.core.weeks import Week, local_date, week, week_index_at


@dataclass(frozen=True)
class OnCall:
    at: datetime
    week: Week | None  # None before the rotation starts
    scheduled: str | None  # whom the plan puts on call this week
    on_call: str | None  # who is actually on call at `at`
    backup: str | None
    reasons: tuple[str, ...]  # why on_call is who it is, when not plain rotation
    owners: tuple[Ownership, ...]
    holidays: Mapping[date, str]  # the team's public holidays in the week
    time_off: tuple[TimeOff, ...]  # time off that overlaps the week

    @property
    def started(self) -> bool:
        return self.week is not None


def _first_free(
    team: Team, start_at: str, day: date, time_off: Sequence[TimeOff], exclude: set[str]
) -> str | None:
    """The first member, walking the rotation order from `start_at`, who is free on `day`."""
    order = list(team.order)
    i = order.index(start_at) if start_at in order else 0
    for step in range(len(order)):
        candidate = order[(i + step) % len(order)]
        if candidate not in exclude and away_on(time_off, candidate, day) is None:
            return candidate
    return None


@dataclass(frozen=True)
class ResolvedWeek:
    """Who covers week `week.index` on local day `day`: the one answer every view shows."""

    week: Week
    day: date  # the local day the answer holds for
    scheduled: str  # whom the plan puts on call this week
    on_call: str | None  # who is actually on call (None: nobody is free)
    backup: str | None
    reasons: tuple[str, ...]  # why on_call is who it is, when not plain rotation


def resolve_week(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    index: int,
    at: datetime,
    overrides: Sequence[Override] = (),
) -> ResolvedWeek:
    """Week `index` as it stands at instant `at`: at `at` when the week holds it (the
    current week), else at its handover.

    `plan` holds weeks `index` and `index + 1`; `time_off` holds the ranges that cover
    the day; `overrides` the take-overs that may hold then. Nobody is ever on call or
    backup over their own time off.
    """
    w = week(team, index)
    if week_index_at(team, at) != index:
        at = w.start
    day = local_date(team, at)
    reasons: list[str] = []

    # 1. The plan: round-robin, planner adjustments, accepted swaps and covers.
    current = plan.get(index)
    following = plan.get(index + 1)
    scheduled = current.member if current else team.order[index % len(team.order)]
    if current and current.reason:
        reasons.append(current.reason)

    # 2. Time off: the scheduled engineer away that day is stood in for by the backup.
    on_call: str | None = scheduled
    if away_on(time_off, scheduled, day):
        next_up = following.member if following else scheduled
        on_call = _first_free(team, next_up, day, time_off, {scheduled})
        reasons.append(f"{team.name_of(scheduled)} is on time off; the backup stands in")

    # 3. Take-overs: a colleague took the engineer's place from an instant on. In the
    # order they started, so a chain holds (Jill took over from Davis, then James from Jill).
    for o in sorted(overrides, key=lambda o: o.start):
        if o.holds(at) and o.replaces == on_call:
            on_call = o.member
            reasons.append(f"{team.name_of(o.member)} took over from {team.name_of(o.replaces)}")

    # 4. The backup: next week's engineer, or the next free member after them.
    next_member = following.member if following else team.order[(index + 1) % len(team.order)]
    exclude = {m for m in (on_call, scheduled) if m}
    backup = _first_free(team, next_member, day, time_off, exclude)
    return ResolvedWeek(w, day, scheduled, on_call, backup, tuple(reasons))


def who(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    at: datetime,
    overrides: Sequence[Override] = (),
) -> OnCall:
    index = week_index_at(team, at)
    if index < 0:
        return OnCall(at, None, None, None, None, ("the rotation has not started",), (), {}, ())
    r = resolve_week(team, plan, time_off, index, at, overrides)
    w = r.week
    return OnCall(
        at=at,
        week=w,
        scheduled=r.scheduled,
        on_call=r.on_call,
        backup=r.backup,
        reasons=r.reasons,
        owners=owners_on(team, r.day, time_off, r.on_call),
        holidays=team_holidays(team, w.first_day, w.days[-1]),
        time_off=tuple(t for t in time_off if t.overlaps(w.first_day, w.days[-1])),
    )
