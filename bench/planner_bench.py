"""Benchmark the exact planner against the old greedy one (a script, not a test).

Run from the repository root:

    .venv/bin/python bench/planner_bench.py                 # 200 teams + the big team
    .venv/bin/python bench/planner_bench.py --teams 40      # a quicker look
    .venv/bin/python bench/planner_bench.py --seed 2 --no-big
    .venv/bin/python bench/planner_bench.py --seed 2 --only 8,39 --no-big   # a few teams

Corpus: `--teams` seeded random teams (3-12 members) over 104 weeks from a random Monday
in 2026-2027. The team calendar is one of seven countries with a subdivision (US-CA,
GB-SCT, DE-BY, AU-NSW, CA-ON, ES-MD, CH-ZH), half the teams add company days (a
24-31 Dec shutdown, a summer Friday), a third of the members keep their own calendar
(another country: their local holidays are days they are away), and a third file time
off (1-3 stretches of 2-10 days). Requests are built by the bot itself
(`rotation.plan_weeks`), so the bench plans what the bot would plan.

For each team both planners see the same request. Printed: the share of teams at the
proven optimum per rule (rules 1..k all at the lexicographic optimum, counted over the
teams the new planner proves optimal), the worst spread of weeks and holiday days, and
the planning time p50 / p99 / max. The old planner is the greedy planner this one
replaced, loaded at bench time from git (`git show 46fe346:bot/core/planner.py`, see
`load_old_planner`): no copy of it lives in the tree.

Then (unless `--no-big`) a 50-member team (25 US, 25 England with their bank holidays as time off)
over 10 years, planned within its time limit, with the gap it reports.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import planner  # noqa: E402
from bot.core.calendars import holidays_between, major_holidays_between  # noqa: E402
from bot.core.model import HolidayCalendar, Member, Team, TimeOff  # noqa: E402
from bot.core.plan_check import evaluate, plan_context  # noqa: E402
from bot.core.planner import Plan, PlanRequest, WeekSlot  # noqa: E402
from bot.core.rotation import plan_weeks  # noqa: E402

START = date(2026, 11, 30)
MAJOR_KEYS = ("Christmas Day", "New Year's Day")
SEED = ("John", "James", "Jill", "Davis")
FIFTY = tuple(f"us{i:02d}" for i in range(25)) + tuple(f"uk{i:02d}" for i in range(25))
CALENDARS = (
    ("US", "CA"),
    ("GB", "SCT"),
    ("DE", "BY"),
    ("AU", "NSW"),
    ("CA", "ON"),
    ("ES", "MD"),
    ("CH", "ZH"),
)
WEEKS = 104


# --------------------------------------------------------------------------- requests


def slots(weeks: int, start: date = START) -> tuple[WeekSlot, ...]:
    return tuple(
        WeekSlot(k, tuple(start + timedelta(days=7 * k + i) for i in range(7)))
        for k in range(weeks)
    )


def request(team: tuple[str, ...], weeks: int) -> PlanRequest:
    """The fixed teams: US holidays; members named uk* are away on England's."""
    first, last = START, START + timedelta(days=7 * weeks - 1)
    us_calendar = HolidayCalendar("US", None, ())
    us = holidays_between(us_calendar, first, last)
    # The bot's own definition of a major holiday: observed days count.
    major = major_holidays_between(us_calendar, first, last, MAJOR_KEYS)
    england = frozenset(holidays_between(HolidayCalendar("GB", "ENG", ()), first, last))
    unavailable = {m: england for m in team if m.startswith("uk")}
    return PlanRequest(team, slots(weeks), us, major, unavailable)


def random_team(rnd: random.Random) -> tuple[Team, tuple[TimeOff, ...]]:
    n = rnd.randint(3, 12)
    start = date(2026, 1, 5) + timedelta(weeks=rnd.randrange(104))  # a Monday
    country, subdiv = rnd.choice(CALENDARS)
    extra: list[date] = []
    if rnd.random() < 0.5:
        for year in (start.year, start.year + 1, start.year + 2):
            extra += [date(year, 12, d) for d in range(24, 32)]
            extra.append(date(year, 7, 3))
    team_cal = HolidayCalendar(country, subdiv, tuple(extra))
    members = []
    for i in range(n):
        own = None
        if rnd.random() < 0.33:
            c, s = rnd.choice(CALENDARS)
            own = HolidayCalendar(c, s, tuple(extra))
        members.append(Member(f"m{i:02d}", f"M{i:02d}", f"U{i:04d}", own))
    team = Team(
        name="bench",
        timezone=ZoneInfo("UTC"),
        channel="C0",
        members=tuple(members),
        order=tuple(m.id for m in members),
        start=start,
        handover_weekday=0,
        handover_time=clock_time(9),
        holidays=team_cal,
        plan_weeks=WEEKS,
    )
    time_off: list[TimeOff] = []
    for m in members:
        if rnd.random() < 0.33:
            for _ in range(rnd.randint(1, 3)):
                first = start + timedelta(days=rnd.randrange(7 * WEEKS))
                time_off.append(TimeOff(m.id, first, first + timedelta(days=rnd.randint(1, 9))))
    return team, tuple(time_off)


def captured_request(team: Team, time_off: tuple[TimeOff, ...]) -> PlanRequest:
    """The request the bot builds for this team's first `WEEKS` weeks."""
    seen: list[PlanRequest] = []
    real = planner.plan_rotation

    def capture(req: PlanRequest) -> Plan:
        seen.append(req)
        return Plan(tuple(planner.PlannedWeek(s.index, req.order[0], None) for s in req.slots), ())

    planner.plan_rotation = capture  # type: ignore[assignment]
    try:
        plan_weeks(team, {}, 0, WEEKS - 1, time_off)
    finally:
        planner.plan_rotation = real  # type: ignore[assignment]
    return seen[0]


# --------------------------------------------------------------------------- the old planner

ROOT = Path(__file__).resolve().parents[1]
OLD_PLANNER = "46fe346:bot/core/planner.py"  # the greedy planner before issue 14


def load_old_planner() -> ModuleType:
    """The old greedy planner as a module, read from git (only the bench needs it).

    It imports only the standard library, so it runs as it was, against today's
    requests: its fields take the same values (the major-holiday key it trims of
    " (observed)" is already bare today, which changes nothing)."""
    source = subprocess.run(
        ["git", "show", OLD_PLANNER],  # noqa: S607  (git from PATH, a fixed revision)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = ModuleType("old_planner")
    module.__file__ = f"<git {OLD_PLANNER}>"
    sys.modules[module.__name__] = module  # dataclasses look their module up by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


old_planner = load_old_planner()


# --------------------------------------------------------------------------- measuring


def old_score(req: PlanRequest) -> tuple[tuple[int, ...], list[str], float]:
    old_req = old_planner.PlanRequest(
        req.order,
        tuple(old_planner.WeekSlot(s.index, s.days) for s in req.slots),
        req.holidays,
        req.major,
        req.unavailable,
        req.fixed,
        tuple((old_planner.WeekSlot(s.index, s.days), m) for s, m in req.history),
        req.allow_consecutive,
    )
    t0 = time.perf_counter()
    plan = old_planner.plan_rotation(old_req)
    elapsed = time.perf_counter() - t0
    members = [w.member for w in plan.weeks]
    # Scored by the new checker: one definition of the rules for both.
    return evaluate(plan_context(req), members)[0], members, elapsed


def spreads(req: PlanRequest, members: list[str]) -> tuple[int, int]:
    weeks: Counter[str] = Counter({m: 0 for m in req.order})
    hol: Counter[str] = Counter({m: 0 for m in req.order})
    for slot, m in zip(req.slots, members, strict=True):
        weeks[m] += 1
        hol[m] += sum(1 for d in slot.days if d in req.holidays)
    return max(weeks.values()) - min(weeks.values()), max(hol.values()) - min(hol.values())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def corpus(count: int, seed: int, seconds: float, only: frozenset[int] = frozenset()) -> None:
    """`only`: plan just these teams of the corpus (the others are drawn, not planned)."""
    rnd = random.Random(seed)
    rows = []
    for k in range(count):
        team, time_off = random_team(rnd)
        if only and k not in only:
            continue
        req = captured_request(team, time_off)
        req = PlanRequest(**{**req.__dict__, "seconds": seconds})
        t0 = time.perf_counter()
        new = planner.plan_uncached(req)  # uncached: every team is timed
        new_time = time.perf_counter() - t0
        old, old_members, old_time = old_score(req)
        rows.append((len(team.members), new, new_time, old, old_time, req, old_members))
        best = tuple(r.achieved for r in new.rules[:5])
        flag = "" if old == best else f"  old {old} new {best}"
        open_rules = [r.rule for r in new.rules if not r.proven]
        flag += f"  open: rules {open_rules}" if open_rules else ""
        print(
            f"  team {k:3d}: {len(team.members):2d} members, {team.holidays.country}-"  # type: ignore[union-attr]
            f"{team.holidays.subdiv}, new {new_time:5.2f}s optimal={new.optimal}{flag}",  # type: ignore[union-attr]
            flush=True,
        )

    count = len(rows)
    proven = [r for r in rows if r[1].optimal]
    print(f"\ncorpus: {count} teams (seed {seed}), {WEEKS} weeks, budget {seconds} s each")
    print(f"new planner proves its plan optimal (rules 1-5) for {len(proven)}/{count} teams")
    print(
        "per rule k: teams whose rules 1..k are at the proven lexicographic optimum; the old"
        "\nplanner is judged on the teams where the new one proves rules 1..k"
    )
    head = f"{'rule':<24}{'new: proven':>14}{'old: at optimum':>20}"
    print(head)
    print("-" * len(head))
    for k in range(1, 6):
        name = f"{k} {planner.RULES[k]}"
        known = [r for r in rows if all(x.proven for x in r[1].rules[:k])]
        old_ok = sum(1 for r in known if r[3][:k] == tuple(x.achieved for x in r[1].rules[:k]))
        print(
            f"{name:<24}{100 * len(known) / count:>13.1f}%"
            f"{old_ok:>11d}/{len(known):<3d} ({100 * old_ok / max(1, len(known)):.1f}%)"
        )
    better = [r for r in rows if tuple(x.achieved for x in r[1].rules[:5]) < r[3]]
    worse = [r for r in rows if tuple(x.achieved for x in r[1].rules[:5]) > r[3]]
    print(
        f"new plan lexicographically better than the old on {len(better)} teams, "
        f"worse on {len(worse)}"
    )
    for r in better:
        print(f"  old {r[3]} -> new {tuple(x.achieved for x in r[1].rules[:5])}")
    for label, pick in (("old", lambda r: r[6]), ("new", lambda r: [w.member for w in r[1].weeks])):
        ws = [spreads(r[5], pick(r)) for r in rows]
        print(
            f"{label}: worst spread of weeks {max(w for w, _ in ws)}, "
            f"of holiday days {max(h for _, h in ws)}"
        )
    for label, idx in (("old", 4), ("new", 2)):
        times = [r[idx] for r in rows]
        print(
            f"{label} time: p50 {pct(times, 0.5):.3f}s  p99 {pct(times, 0.99):.3f}s  "
            f"max {max(times):.3f}s"
        )
    by_size: dict[int, list[float]] = {}
    for r in rows:
        by_size.setdefault(r[0], []).append(r[2])
    print(
        "new time by team size (p50 / max): "
        + ", ".join(
            f"{n}: {statistics.median(t):.2f}/{max(t):.2f}s" for n, t in sorted(by_size.items())
        )
    )


def big(seconds: float) -> None:
    req = request(FIFTY, 520)
    req = PlanRequest(**{**req.__dict__, "seconds": seconds})
    t0 = time.perf_counter()
    plan = planner.plan_uncached(req)
    elapsed = time.perf_counter() - t0
    old, _, old_time = old_score(req)
    print(f"\nfifty: 50 members, 520 weeks, budget {seconds} s: {elapsed:.1f}s wall")
    for r in plan.rules:
        name = planner.RULES.get(r.rule, "weeks moved")
        print(
            f"  rule {r.rule} {name:<20} achieved {r.achieved:>4}  proven best {r.best:>4}"
            f"  {'optimal' if r.proven else f'gap {r.gap}'}"
        )
    off = sum(1 for w in plan.weeks if w.reason)
    print(f"  weeks off round-robin (a first plan: no moves; each says why): {off}")
    print(f"  old planner: {old} in {old_time:.2f}s")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teams", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=planner.DEFAULT_SECONDS)
    ap.add_argument("--no-big", action="store_true")
    ap.add_argument(
        "--only", default="", help="comma-separated team numbers: plan just these (0-based)"
    )
    args = ap.parse_args(argv)
    only = frozenset(int(k) for k in args.only.split(",") if k.strip())
    corpus(args.teams, args.seed, args.seconds, only)
    if not args.no_big:
        big(args.seconds)


if __name__ == "__main__":
    main()
