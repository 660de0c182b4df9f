"""Extending the stored plan: round-robin, or the fair planner when holidays count.

The plan is stored, so this runs only when weeks are missing (or after the
team's order or members change, past the freeze horizon); reads never re-plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.calendars import local_holidays, team_holidays, team_major_holidays
from bot.core.model import Assignment, Team, TimeOff
from bot.core.weeks import week


@dataclass(frozen=True)
class PlanResult:
    assignments: tuple[Assignment, ...]
    broken: tuple[str, ...]  # planner rules no plan could keep, for a person to read


def _slot(team: Team, index: int):  # -> planner.WeekSlot
    from bot.core.planner import WeekSlot

    return WeekSlot(index, week(team, index).days)


def plan_weeks(
    team: Team,
    plan: Mapping[int, Assignment],
    first: int,
    last: int,
    time_off: Sequence[TimeOff] = (),
) -> PlanResult:
    """Assignments for weeks first..last that `plan` lacks; stored ones are kept."""
    missing = [k for k in range(first, last + 1) if k not in plan]
    if not missing:
        return PlanResult((), ())
    if not team.has_holidays:
        n = len(team.order)
        return PlanResult(tuple(Assignment(k, team.order[k % n]) for k in missing), ())

    from bot.core.planner import PlanRequest, plan_rotation

    slots = tuple(_slot(team, k) for k in range(first, last + 1))
    first_day, last_day = slots[0].days[0], slots[-1].days[-1]
    hols = team_holidays(team, first_day, last_day)
    majors = team_major_holidays(team, first_day, last_day)
    unavailable: dict[str, frozenset[date]] = {}
    for m in team.members:
        days = set(local_holidays(team, m, first_day, last_day))
        for t in time_off:
            if t.member == m.id and t.overlaps(first_day, last_day):
                d = max(t.start, first_day)
                while d <= min(t.end, last_day):
                    days.add(d)
                    d += timedelta(days=1)
        unavailable[m.id] = frozenset(days)
    # History: the year before, so repeats of a major holiday and back-to-back
    # weeks are seen across the boundary.
    history = tuple(
        (_slot(team, k), plan[k].member) for k in range(max(0, first - 52), first) if k in plan
    )
    fixed = {k: a.member for k, a in plan.items() if first <= k <= last}
    allow = frozenset(k for k, a in plan.items() if a.fixed)
    result = plan_rotation(
        PlanRequest(
            order=team.order,
            slots=slots,
            holidays=hols,
            major=majors,
            unavailable=unavailable,
            fixed=fixed,
            history=history,
            allow_consecutive=allow,
        )
    )
    return PlanResult(
        tuple(Assignment(w.index, w.member, w.reason) for w in result.weeks if w.index not in plan),
        tuple(result.broken),
    )
