"""Extending the stored plan: round-robin, or the fair planner when holidays count.

The plan is stored, so this runs only when weeks are missing (or after the
team's order or members change, past the freeze horizon); reads never re-plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core.calendars import local_holidays, team_holidays, team_major_holidays
from bot.core.model import Assignment, Team, TimeOff
from bot.core.rules import RuleResult
from bot.core.weeks import week

if TYPE_CHECKING:  # the planner (and its solver) loads only when a team has holidays
    from bot.core.planner import WeekSlot


@dataclass(frozen=True)
class PlanResult:
    assignments: tuple[Assignment, ...]
    broken: tuple[str, ...]  # planner rules no plan could keep, for a person to read
    # Per rule 1-5 (and 6: weeks moved from a replaced plan), what the plan achieves and
    # the proven best; empty for plain round-robin (no holidays: every rule is kept).
    rules: tuple[RuleResult, ...] = ()
    optimal: bool = True  # rules 1-5 proven optimal


def _slot(team: Team, index: int) -> WeekSlot:
    from bot.core.planner import WeekSlot

    return WeekSlot(index, week(team, index).days)


def plan_weeks(
    team: Team,
    plan: Mapping[int, Assignment],
    first: int,
    last: int,
    time_off: Sequence[TimeOff] = (),
    previous: Mapping[int, str] | None = None,
    seconds: float | None = None,
) -> PlanResult:
    """Assignments for weeks first..last that `plan` lacks; stored ones are kept.

    `plan` should hold the 52 weeks before `first` too: they are the history the rules
    see across the boundary (back-to-back, 52-week windows, major-holiday repeats).
    `previous` (week -> member), for a re-plan, is the plan being replaced: the planner
    moves as few of its weeks as the rules allow. `seconds` is the solver's budget
    (None: planner.DEFAULT_SECONDS)."""
    missing = [k for k in range(first, last + 1) if k not in plan]
    if not missing:
        return PlanResult((), ())
    if not team.has_holidays:
        n = len(team.order)
        return PlanResult(tuple(Assignment(k, team.order[k % n]) for k in missing), ())

    from bot.core.planner import DEFAULT_SECONDS, PlanRequest, plan_rotation

    slots = tuple(_slot(team, k) for k in range(first, last + 1))
    first_day, last_day = slots[0].days[0], slots[-1].days[-1]
    # History: the year before, so repeats of a major holiday, back-to-back weeks and
    # 52-week windows are seen across the boundary (its major holidays included).
    history = tuple(
        (_slot(team, k), plan[k].member) for k in range(max(0, first - 52), first) if k in plan
    )
    since = history[0][0].days[0] if history else first_day
    hols = team_holidays(team, since, last_day)
    majors = team_major_holidays(team, since, last_day)
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
            previous=dict(previous or {}),
            names={m.id: m.name for m in team.members},
            seconds=DEFAULT_SECONDS if seconds is None else seconds,
        )
    )
    return PlanResult(
        tuple(Assignment(w.index, w.member, w.reason) for w in result.weeks if w.index not in plan),
        tuple(result.broken),
        result.rules,
        result.optimal,
    )
