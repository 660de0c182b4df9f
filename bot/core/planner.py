"""Fair, holiday-aware rotation planner: the best plan that exists, found by a solver.

The rules and their order are in bot/core/plan_check.py (README "Holidays and fairness"),
whose `evaluate` is the one checker: a severity per rule, 0 = kept. The plan minimises
those lexicographically, rule 1 first, then the number of weeks that differ from the
target (the previous plan where given, else round-robin): fairness first, stability last.

Approach: an exact model (a boolean per free week and member) solved with OR-Tools CP-SAT,
one objective at a time, each optimum then held as a constraint, starting from the greedy
heuristic (bot/core/heuristic.py), so a timed-out search is never worse than it. Rule 1
needs no search: a free week goes to someone available whenever anyone is.

Deterministic: one worker, a fixed seed, and a *deterministic* time limit (CP-SAT's work
units, not wall-clock), so the same inputs give the same plan under any machine load; a
wall-clock guard (WALL_FACTOR times the budget) only stops a search whose work units
under-count. Past the limit the plan is the best found, and each rule reports what it
achieves, the best bound the solver proved, and whether that is proven optimal.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

from ortools.sat.python import cp_model

from bot.core.heuristic import greedy_plan, lower_bound
from bot.core.plan_check import (
    DEFAULT_SECONDS,
    FIXED,
    WINDOW,
    WINDOW_SPREAD,
    Plan,
    PlanContext,
    PlannedWeek,
    PlanRequest,
    WeekSlot,
    check_majors,
    check_rules,
    day_label,
    evaluate,
    holiday_label,
    major_season,
    plan_context,
    round_robin,
)
from bot.core.rules import RULES, RuleResult

__all__ = [
    "DEFAULT_SECONDS",
    "RULES",
    "Plan",
    "PlanRequest",
    "PlannedWeek",
    "RuleResult",
    "WeekSlot",
    "check_rules",
    "major_season",
    "plan_rotation",
    "plan_uncached",
    "round_robin",
]

WALL_FACTOR = 2.5  # a wall-clock guard of this many times the budget, over all stages
SEED = 20261130  # fixed: the same inputs give the same plan
R3_SHARE = 0.6  # rule 3's share of the budget left when its stage starts
MOVES_SHARE = 0.5  # the moves' share of the budget left when their stage starts


_CACHE: OrderedDict[str, Plan] = OrderedDict()  # request fingerprint -> plan (pure, so safe)
_CACHE_SIZE = 64


def _fingerprint(req: PlanRequest) -> str:
    """The request in a canonical form: mapping order never matters."""
    key = (
        req.order,
        req.slots,
        sorted(req.holidays.items()),
        sorted(req.major.items()),
        sorted((m, sorted(ds)) for m, ds in req.unavailable.items()),
        sorted(req.fixed.items()),
        req.history,
        sorted(req.allow_consecutive),
        sorted(req.previous.items()),
        sorted(req.names.items()),
        req.seconds,
    )
    return hashlib.sha256(repr(key).encode()).hexdigest()


def plan_rotation(req: PlanRequest) -> Plan:
    """The best plan for the rules in order, then the fewest moves from the target.

    The same request gives the same plan, so a recent one is answered from memory."""
    key = _fingerprint(req)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    plan = plan_uncached(req)
    _CACHE[key] = plan
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return plan


def plan_uncached(req: PlanRequest) -> Plan:
    """`plan_rotation` without its memory: every call solves (for benches and tests)."""
    ctx = plan_context(req)
    if ctx.size == 0:
        return Plan((), ())
    model = _Model(ctx)
    members, rules = model.solve()
    score, msgs = evaluate(ctx, members)
    assert score == tuple(r.achieved for r in rules[:5]), (score, rules)
    by_rule = {r.rule: r for r in rules}
    broken = tuple(_qualify(m, by_rule[int(m.split()[1])]) for m in msgs)
    weeks = tuple(
        PlannedWeek(ctx.index[p], m, _why(ctx, members, p)) for p, m in enumerate(members)
    )
    return Plan(weeks, broken, rules, all(r.proven for r in rules if r.rule <= 5))


def _qualify(msg: str, rule: RuleResult) -> str:
    """A broken rule says whether a better plan could exist."""
    if rule.proven:
        return f"{msg} (unavoidable: proven the best any plan can do)"
    return f"{msg} (best found in the time limit; a plan may do better by up to {rule.gap})"


class _Model:
    """The CP-SAT model: x[p][i] = member i on call at free position p."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.m = cp_model.CpModel()
        n = ctx.n
        # Rule 1 needs no search: a free week goes to someone available whenever anyone is.
        self.r1_fixed = 0
        self.x: list[dict[int, cp_model.IntVar]] = []
        self.start: list[int] = []  # a feasible first assignment (member per position)
        for p in range(ctx.size):
            f = ctx.fixed_at[p]
            if f is not None:
                self.x.append({})
                self.start.append(-1)
                self.r1_fixed += f in ctx.unavail[p]
                continue
            free = [i for i in range(n) if ctx.order[i] not in ctx.unavail[p]]
            if not free:
                free = list(range(n))
                self.r1_fixed += 1
            xs = {i: self.m.new_bool_var(f"x{p}_{i}") for i in free}
            self.m.add_exactly_one(xs.values())
            self.x.append(xs)
            t = ctx.idx[ctx.target[p]]
            self.start.append(t if t in xs else min(xs, key=lambda i: (i - t) % n))
        # Breaks among people outside the order (fixed weeks of a removed member, say)
        # are constants: the checker counts them, so the model does too.
        masked = [f if f is not None and f not in ctx.idx else None for f in ctx.fixed_at]
        out4 = check_majors(ctx, masked, [], outsiders=True) if n >= 3 else 0
        out5 = 0
        for p in range(ctx.size):
            before = ctx.prev if p == 0 else masked[p - 1]
            adjacent = p == 0 or ctx.index[p - 1] == ctx.index[p] - 1
            if adjacent and before is not None and before == masked[p]:
                out5 += not ctx.pair_allowed(p)
        unmovable = sum(
            1
            for p in range(ctx.size)
            if ctx.fixed_at[p] is None and ctx.idx[ctx.target[p]] not in self.x[p]
        )
        known = lower_bound(ctx)  # breaks no plan avoids: rule 3's share, two majors a week
        # Lower bounds per stage: rules 2-5, then the moves.
        r3 = max(known[2], _holiday_cover_floor(ctx))
        self.floor = (0, r3, max(out4, known[3]), max(out5, known[4]), unmovable)
        self._warm_start()
        self.r2 = self._rule2()
        self.r3 = self._rule3()
        self.r4 = (self._rule4() if n >= 3 else 0) + out4
        self.r5 = self._rule5() + out5
        self.moves = unmovable + sum(
            1 - self.x[p][ctx.idx[ctx.target[p]]]
            for p in range(ctx.size)
            if ctx.fixed_at[p] is None and ctx.idx[ctx.target[p]] in self.x[p]
        )

    def _warm_start(self) -> None:
        """Start from the greedy heuristic: a timed-out search is never worse than it."""
        ctx = self.ctx
        members = _trade_back(ctx, greedy_plan(ctx))
        for p, m in enumerate(members):
            i = ctx.idx.get(m, -1)
            if ctx.fixed_at[p] is None and i in self.x[p]:
                self.start[p] = i

    def on(self, p: int, i: int) -> cp_model.LinearExprT:
        """Member i at position p: a variable, or 0/1 for a fixed or impossible week."""
        f = self.ctx.fixed_at[p]
        if f is not None:
            return int(f == self.ctx.order[i])
        return self.x[p].get(i, 0)

    def _spread_excess(self, values: Sequence[cp_model.LinearExprT], allowed: int, ub: int):
        """A variable >= max(values) - min(values) - allowed, and >= 0."""
        hi = self.m.new_int_var(0, ub, "hi")
        lo = self.m.new_int_var(0, ub, "lo")
        for v in values:
            self.m.add(hi >= v)
            self.m.add(lo <= v)
        ex = self.m.new_int_var(0, ub, "excess")
        self.m.add(ex >= hi - lo - allowed)
        return ex

    def _rule2(self) -> cp_model.LinearExprT:
        ctx, n = self.ctx, self.ctx.n
        counts = [sum(self.on(p, i) for p in range(ctx.size)) for i in range(n)]
        total = self._spread_excess(counts, 1, ctx.size)
        run = ctx.hist_run
        length = len(run) + ctx.size
        if length <= WINDOW:
            return total
        # Prefix sums per member over history + slots; a window is a difference of two.
        worst = self.m.new_int_var(0, WINDOW, "window_excess")
        prefix: list[list[cp_model.LinearExprT]] = []
        for i in range(n):
            acc: list[cp_model.LinearExprT] = [0]
            for t in range(length):
                if t < len(run):
                    step: cp_model.LinearExprT = int(run[t][1] == ctx.order[i])
                else:
                    step = self.on(t - len(run), i)
                if isinstance(step, int) and isinstance(acc[-1], int):
                    acc.append(acc[-1] + step)
                else:
                    v = self.m.new_int_var(0, t + 1, f"c{i}_{t}")
                    self.m.add(v == acc[-1] + step)
                    acc.append(v)
            prefix.append(acc)
        for end in range(max(WINDOW, len(run) + 1), length + 1):
            window = [prefix[i][end] - prefix[i][end - WINDOW] for i in range(n)]
            self.m.add(worst >= self._spread_excess(window, WINDOW_SPREAD, WINDOW))
        return total + worst

    def _rule3(self) -> cp_model.LinearExprT:
        ctx = self.ctx
        days = [
            sum(ctx.hdays[p] * self.on(p, i) for p in range(ctx.size) if ctx.hdays[p])
            for i in range(ctx.n)
        ]
        weeks = [
            ctx.hdays[p]
            for p in range(ctx.size)
            if ctx.fixed_at[p] is None or ctx.fixed_at[p] in ctx.idx
        ]
        total, n = sum(weeks), max(ctx.n, 1)
        ub = sum(ctx.hdays)
        hi = self.m.new_int_var(max(max(weeks, default=0), -(-total // n)), ub, "days_hi")
        lo = self.m.new_int_var(0, total // n, "days_lo")
        for v in days:
            self.m.add(hi >= v)
            self.m.add(lo <= v)
        excess = self.m.new_int_var(self.floor[1], ub, "days_excess")
        self.m.add(excess >= hi - lo - 1)
        # Bounds every plan meets (the biggest week, the average, the floor) stated in the
        # model: they propagate, and the search stops as soon as it meets the floor.
        return excess

    def _rule4(self) -> cp_model.LinearExprT:
        """Incidents as `_check_majors` counts them: a repeat or a double that touches a
        planned week (history-only ones are not this plan's doing)."""
        ctx, model = self.ctx, self.m
        # (member i, key, season) -> planned cover (var or 0/1) and history cover (0/1).
        planned: dict[tuple[int, str, int], cp_model.LinearExprT] = {}
        weeks: dict[tuple[int, str, int], list[cp_model.LinearExprT]] = {}
        for p in range(ctx.size):
            for key, season in ctx.majors[p]:
                for i in range(ctx.n):
                    lit = self.on(p, i)
                    if not (isinstance(lit, int) and lit == 0):
                        weeks.setdefault((i, key, season), []).append(lit)
        for k, lits in weeks.items():
            if any(isinstance(lit, int) for lit in lits):
                planned[k] = 1  # a fixed week holds it
            elif len(lits) == 1:
                planned[k] = lits[0]
            else:
                v = model.new_bool_var("cover")
                model.add_max_equality(v, lits)
                planned[k] = v
        past = {(ctx.idx[m], key, s) for m, key, s, _ in ctx.hist_majors if m in ctx.idx}

        def cover(k: tuple[int, str, int]) -> cp_model.LinearExprT:
            return 1 if k in past else planned.get(k, 0)

        def incident(a: tuple[int, str, int], b: tuple[int, str, int]) -> cp_model.LinearExprT:
            # Both covered, at least one of them by a planned week.
            pa, pb = planned.get(a, 0), planned.get(b, 0)
            if isinstance(pa, int) and isinstance(pb, int) and not (pa or pb):
                return 0
            v = model.new_bool_var("incident")
            model.add(v >= pa + cover(b) - 1)
            model.add(v >= cover(a) + pb - 1)
            return v

        total: list[cp_model.LinearExprT] = []
        for i, key, s in sorted(planned, key=repr):
            nxt, before = (i, key, s + 1), (i, key, s - 1)
            if nxt in planned or nxt in past:
                total.append(incident((i, key, s), nxt))
            if before in past and before not in planned:
                total.append(incident(before, (i, key, s)))
        seasons: dict[tuple[int, int], set[str]] = {}
        for i, key, s in list(planned) + list(past):
            seasons.setdefault((i, s), set()).add(key)
        for (i, s), keys in sorted(seasons.items(), key=repr):
            pairs = [(a, b) for a in sorted(keys) for b in sorted(keys) if a < b]
            if not pairs:
                continue
            both = model.new_bool_var("double")
            for a, b in pairs:
                model.add(both >= incident((i, a, s), (i, b, s)))
            total.append(both)
        return sum(total)

    def _rule5(self) -> cp_model.LinearExprT:
        ctx = self.ctx
        pairs: list[cp_model.LinearExprT] = []
        for p in range(ctx.size):
            if ctx.pair_allowed(p):
                continue
            if p == 0:
                if ctx.prev is None or ctx.prev not in ctx.idx:
                    continue
                before = [(ctx.idx[ctx.prev], 1)]
            elif ctx.index[p - 1] == ctx.index[p] - 1:
                before = [(i, self.on(p - 1, i)) for i in range(ctx.n)]
            else:
                continue
            for i, a in before:
                b = self.on(p, i)
                if isinstance(a, int) and isinstance(b, int):
                    pairs.append(a * b)
                elif not (isinstance(a, int) and a == 0) and not (isinstance(b, int) and b == 0):
                    y = self.m.new_bool_var("b2b")
                    self.m.add(y >= a + b - 1)
                    pairs.append(y)
        return sum(pairs)

    def solve(self) -> tuple[list[str], list[RuleResult]]:
        ctx = self.ctx
        current = list(self.start)
        results = [RuleResult(1, self.r1_fixed, self.r1_fixed, True)]
        stages = [self.r2, self.r3, self.r4, self.r5, self.moves]
        budget = max(ctx.req.seconds, 0.05)
        wall = WALL_FACTOR * budget
        proven = True
        for k, expr in enumerate(stages):
            rule = k + 2
            value = self._values(current)[k]
            if rule == 6 and current == self.start and not ctx.req.previous:
                # A first plan the heuristic got optimal: its moves stay (it keeps to
                # round-robin wherever the rules allow), not worth a proof.
                results.append(RuleResult(6, value, self.floor[k], value == self.floor[k]))
                continue
            if isinstance(expr, int) or value == self.floor[k]:
                # At a bound no plan beats: optimal whatever the rules before it achieve.
                results.append(RuleResult(rule, value, value, True))
                if not isinstance(expr, int):
                    self.m.add(expr <= value)
                continue
            self._hint(current)
            self.m.add(expr <= value)  # the start is feasible: nothing worse is searched
            self.m.minimize(expr)
            solver = cp_model.CpSolver()
            # Rule 3 (holiday days, a partition problem) is where proofs run out: it gets
            # most of what is left; the moves (never part of "optimal") at most half of
            # what is left, which bounds the time; the other stages an equal share.
            share = budget / (len(stages) - k)
            share = {3: budget * R3_SHARE, 6: budget * MOVES_SHARE}.get(rule, share)
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = SEED
            solver.parameters.max_deterministic_time = share
            # No LP relaxation: on these models it found and proved no more within the
            # budget, and CP-SAT counts its work at a tenth of its wall time, so the
            # wall-clock guard (not the deterministic limit) ended the search.
            solver.parameters.linearization_level = 0
            # The guard: CP-SAT's work units can under-count (its LP on some models), and a
            # start must not wait. Only a guard that fires makes a plan machine-dependent;
            # such a plan is not proven optimal, and says so.
            solver.parameters.max_time_in_seconds = max(wall, 0.05)
            status = solver.solve(self.m)
            budget = max(budget - solver.deterministic_time, 0.05)
            wall -= solver.wall_time
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = [
                    -1 if not xs else next(i for i, v in xs.items() if solver.boolean_value(v))
                    for xs in self.x
                ]
                ahead = self._values(found)[k:]
                got = ahead[0]
                # The model's slack variables only ever over-state a break.
                assert round(solver.objective_value) >= got, (rule, solver.objective_value, got)
                if status == cp_model.OPTIMAL:
                    assert round(solver.objective_value) == got, (rule, solver.objective_value)
                # Taken only if better on this rule and those after it, in order: a tie
                # here must not cost a later rule that the later stages may not win back.
                if ahead < self._values(current)[k:]:
                    current, value = found, got
            raw = solver.best_objective_bound
            bound = math.ceil(raw - 1e-6) if math.isfinite(raw) else self.floor[k]
            bound = min(value, max(self.floor[k], bound))
            proven = proven and bound == value
            results.append(RuleResult(rule, value, bound, proven))
            self.m.add(expr <= value)  # later rules never trade this one away
            self.m.clear_objective()
        # A later stage may have improved an earlier rule it was only bounded by.
        final = (self.r1_fixed, *self._values(current))
        results = [
            RuleResult(r.rule, final[k], r.best, r.proven and final[k] == r.best)
            for k, r in enumerate(results)
        ]
        return self._members(current), results

    def _members(self, current: Sequence[int]) -> list[str]:
        fixed = self.ctx.fixed_at
        return [fixed[p] or "" if i < 0 else self.ctx.order[i] for p, i in enumerate(current)]

    def _hint(self, current: Sequence[int]) -> None:
        self.m.clear_hints()
        for p, xs in enumerate(self.x):
            for i, v in xs.items():
                self.m.add_hint(v, i == current[p])

    def _values(self, current: Sequence[int]) -> tuple[int, int, int, int, int]:
        """Rules 2-5 (as the checker scores them) and the moves, for an assignment."""
        ctx = self.ctx
        score = evaluate(ctx, self._members(current))[0]
        moves = sum(1 for p, i in enumerate(current) if i >= 0 and ctx.order[i] != ctx.target[p])
        return score[1], score[2], score[3], score[4], moves


def _holiday_cover_floor(ctx: PlanContext) -> int:
    """A lower bound on rule 3's excess from the holiday weeks' sizes alone (sound: it
    relaxes every other constraint, so no plan beats it).

    A plan whose holiday days per member lie in [lo, hi] has hi - lo - 1 = its excess,
    lo <= total/n <= hi and hi >= the biggest week; and every member reaches lo: one
    with a week of lo or more days, or with several smaller weeks, so at most
    #(weeks >= lo) + (days in smaller weeks) // lo members can. The floor is the least
    excess for which some lo passes all of these (a 7-day and a 6-day shutdown week in a
    12-member team with 33 holiday days: lo = 2 needs 12 members covered, only 11 can be).
    """
    weeks = [
        ctx.hdays[p]
        for p in range(ctx.size)
        if ctx.hdays[p] and (ctx.fixed_at[p] is None or ctx.fixed_at[p] in ctx.idx)
    ]
    return holiday_cover_floor(weeks, ctx.n)


def holiday_cover_floor(weeks: Sequence[int], n: int) -> int:
    """`_holiday_cover_floor` for holiday days per week (a week each, any member)."""
    if n < 2:
        return 0
    weeks = [w for w in weeks if w]
    total, top = sum(weeks), max(weeks, default=0)

    def coverable(lo: int) -> int:
        big = sum(1 for w in weeks if w >= lo)
        return big + sum(w for w in weeks if w < lo) // lo

    excess = 0
    while True:
        for lo in range(max(0, top - excess - 1), total // n + 1):
            if (lo + excess + 1) * n >= total and (lo == 0 or coverable(lo) >= n):
                return excess
        excess += 1


def _trade_back(ctx: PlanContext, members: list[str]) -> list[str]:
    """Fewer moves at no cost to the rules: swap two moved weeks back to their targets
    whenever that leaves every rule's score as it is (or better)."""
    members = list(members)
    score = evaluate(ctx, members)[0]
    where: dict[tuple[str, str], list[int]] = {}  # (member, target) -> free positions
    for p, m in enumerate(members):
        if ctx.fixed_at[p] is None and m != ctx.target[p]:
            where.setdefault((m, ctx.target[p]), []).append(p)
    changed = True
    while changed:
        changed = False
        for (m, t), ps in sorted(where.items()):
            for p in list(ps):
                mates = where.get((t, m), [])
                near = [q for q in mates if abs(q - p) <= 2 * ctx.n + 2]  # a local trade
                for q in sorted(near, key=lambda q: (abs(q - p), q))[:3]:
                    if t in ctx.unavail[p] or m in ctx.unavail[q]:
                        continue
                    members[p], members[q] = t, m
                    new = evaluate(ctx, members)[0]
                    if new <= score:
                        score = new
                        ps.remove(p)
                        mates.remove(q)
                        changed = True
                        break
                    members[p], members[q] = m, t
    return members


# --------------------------------------------------------------------------- reasons


def _why(ctx: PlanContext, members: Sequence[str], p: int) -> str | None:
    """Why week p is not its target's (previous plan, else round-robin), in words a person
    can check against the calendar and the plan; None when it is."""
    m, t = members[p], ctx.target[p]
    if m == t:
        return None
    if ctx.fixed_at[p] is not None:
        return FIXED
    head = f"{ctx.name(m)} instead of {ctx.name(t)}"
    who = ctx.name(t)
    away = ctx.unavail[p].get(t)
    if away:
        return f"{head}: {who} is away on {', '.join(day_label(d) for d in away)}"
    # Rule 4: what the target already has this season, or had/has the seasons around it.
    slots = ctx.req.slots
    covers: list[tuple[str, int, date]] = [
        (key, season, d)
        for q, member in enumerate(members)
        if member == t and q != p
        for d in slots[q].days
        if d in ctx.req.major
        for key, season in [(ctx.req.major[d], major_season(d))]
    ]
    for slot, member in ctx.req.history:
        if member == t:
            covers += [
                (ctx.req.major[d], major_season(d), d) for d in slot.days if d in ctx.req.major
            ]
    if ctx.n >= 3:
        for key, season in ctx.majors[p]:
            for other, s, d in sorted(covers, key=lambda c: c[2]):
                repeat = other == key and abs(s - season) == 1
                double = other != key and s == season
                if repeat or double:
                    verb = "had" if d < slots[p].days[0] else "has"
                    return f"{head}: {who} {verb} {holiday_label(other)} {d.year}"
    # Rule 5: the target's neighbouring weeks.
    for q, side in ((p - 1, "the week before"), (p + 1, "the week after")):
        if 0 <= q < ctx.size and abs(ctx.index[q] - ctx.index[p]) == 1 and members[q] == t:
            return f"{head}: {who} is on call {side}"
    if p == 0 and ctx.prev == t:
        return f"{head}: {who} is on call the week before"
    # Rule 3: holiday days.
    if ctx.hdays[p]:
        days = [0, 0]
        for q, member in enumerate(members):
            for j, x in enumerate((t, m)):
                days[j] += ctx.hdays[q] if member == x else 0
        names = sorted({ctx.req.holidays[d] for d in slots[p].days if d in ctx.req.holidays})
        return (
            f"{head}: keeps holiday days level ({'; '.join(names)} this week; "
            f"{who} has {days[0]} holiday days on call without it, {ctx.name(m)} {days[1]} "
            "with it)"
        )
    # Rule 2 and knock-on moves: where the target's turn went.
    theirs = [q for q in range(ctx.size) if members[q] == t and ctx.target[q] != t]
    if theirs:
        q = min(theirs, key=lambda q: (abs(q - p), q))
        return f"{head}: {who}'s turn moved to week {ctx.index[q]} ({day_label(slots[q].days[0])})"
    return f"{head}: keeps on-call weeks level"
