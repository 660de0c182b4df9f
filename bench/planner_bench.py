"""Benchmark the rotation planner against plain round-robin (a script, not a test).

Run from the repository root:  .venv/bin/python bench/planner_bench.py

Two teams, 10 years of weekly slots from Monday 2026-11-30, team calendar = US federal
holidays (observed days included; Christmas Day and New Year's Day are the major ones):

* seed: John, James, Jill, Davis;
* fifty: 50 members, the first 25 in the US, the other 25 in England, whose own bank
  holidays are passed as `unavailable` (they cannot be on call in a week holding one).

For each, both planners on the same calendars: spread (max - min) of on-call weeks and of
holiday days, major-holiday repeats (same member, same major holiday, consecutive seasons)
and doubles (both major holidays in one season), rules broken, and planning time (best of
5, time.perf_counter). Then planning time for 1, 2, 5 and 10 years, to show linear growth.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.calendars import holidays_between, major_holidays_between
from bot.core.model import HolidayCalendar
from bot.core.planner import Plan, PlanRequest, WeekSlot, major_season, plan_rotation, round_robin

START = date(2026, 11, 30)
YEARS = 10
MAJOR_KEYS = ("Christmas Day", "New Year's Day")
SEED = ("John", "James", "Jill", "Davis")
FIFTY = tuple(f"us{i:02d}" for i in range(25)) + tuple(f"uk{i:02d}" for i in range(25))


def slots(weeks: int) -> tuple[WeekSlot, ...]:
    return tuple(
        WeekSlot(k, tuple(START + timedelta(days=7 * k + i) for i in range(7)))
        for k in range(weeks)
    )


def request(team: tuple[str, ...], weeks: int) -> PlanRequest:
    first, last = START, START + timedelta(days=7 * weeks - 1)
    us_calendar = HolidayCalendar("US", None, ())
    us = holidays_between(us_calendar, first, last)
    # The bot's own definition of a major holiday: observed days count.
    major = major_holidays_between(us_calendar, first, last, MAJOR_KEYS)
    england = frozenset(holidays_between(HolidayCalendar("GB", "ENG", ()), first, last))
    unavailable = {m: england for m in team if m.startswith("uk")}
    return PlanRequest(team, slots(weeks), us, major, unavailable)


def best_of(fn: Callable[[PlanRequest], Plan], req: PlanRequest, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(req)
        best = min(best, time.perf_counter() - t0)
    return best


def metrics(req: PlanRequest, plan: Plan) -> dict[str, int]:
    weeks: Counter[str] = Counter({m: 0 for m in req.order})
    hol: Counter[str] = Counter({m: 0 for m in req.order})
    cover: set[tuple[str, str, int]] = set()  # (member, major key, season)
    for slot, w in zip(req.slots, plan.weeks, strict=True):
        weeks[w.member] += 1
        hol[w.member] += sum(1 for d in slot.days if d in req.holidays)
        for d in slot.days:
            if d in req.major:
                cover.add((w.member, req.major[d], major_season(d)))
    repeats = sum(1 for m, k, s in cover if (m, k, s + 1) in cover)
    per_season = Counter((m, s) for m, _, s in cover)
    doubles = sum(1 for c in per_season.values() if c >= 2)
    return {
        "weeks": max(weeks.values()) - min(weeks.values()),
        "hol": max(hol.values()) - min(hol.values()),
        "hol_lo": min(hol.values()),
        "hol_hi": max(hol.values()),
        "repeats": repeats,
        "doubles": doubles,
        "broken": len(plan.broken),
    }


def compare(name: str, team: tuple[str, ...]) -> None:
    req = request(team, 52 * YEARS)
    print(f"\n{name}: {len(team)} members, {len(req.slots)} weeks from {START}")
    head = (
        f"{'planner':<14}{'weeks spread':>13}{'holiday days':>14}{'spread':>8}"
        f"{'repeats':>9}{'doubles':>9}{'broken':>8}{'time ms':>9}"
    )
    print(head)
    print("-" * len(head))
    for label, fn in (("round_robin", round_robin), ("plan_rotation", plan_rotation)):
        plan = fn(req)
        m = metrics(req, plan)
        ms = best_of(fn, req) * 1000
        print(
            f"{label:<14}{m['weeks']:>13}{m['hol_lo']:>9}-{m['hol_hi']:<4}{m['hol']:>8}"
            f"{m['repeats']:>9}{m['doubles']:>9}{m['broken']:>8}{ms:>9.1f}"
        )
    plan = plan_rotation(req)
    by_rule = Counter(b.split(" (")[0] for b in round_robin(req).broken)
    print(f"  round_robin breaks: {dict(sorted(by_rule.items())) or 'nothing'}")
    for b in plan.broken:
        print(f"  plan_rotation breaks: {b}")
    moved = sum(1 for w in plan.weeks if w.reason)
    reasons = Counter(w.reason for w in plan.weeks if w.reason)
    print(f"  weeks moved off round-robin: {moved} ({dict(reasons.most_common())})")


def scaling() -> None:
    print("\nplan_rotation time by horizon (best of 5)")
    head = f"{'years':>5}{'weeks':>7}{'seed ms':>10}{'us/week':>9}{'fifty ms':>10}{'us/week':>9}"
    print(head)
    print("-" * len(head))
    for years in (1, 2, 5, 10):
        weeks = 52 * years
        row = f"{years:>5}{weeks:>7}"
        for team in (SEED, FIFTY):
            t = best_of(plan_rotation, request(team, weeks))
            row += f"{t * 1000:>10.1f}{t * 1e6 / weeks:>9.0f}"
        print(row)


def main() -> None:
    compare("seed team (US holidays)", SEED)
    compare("fifty (25 US + 25 England, England bank holidays as time off)", FIFTY)
    scaling()
    print(
        "\nspread = max - min over members; repeats = same member on the same major holiday"
        "\nin consecutive seasons; doubles = one member on both major holidays of a season."
    )


if __name__ == "__main__":
    main()
