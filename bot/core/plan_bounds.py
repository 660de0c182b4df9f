"""Breaks no plan can avoid: a lower bound per rule, from the request alone.

Sound (each relaxes the other rules, so no plan beats it), not always tight. The greedy
heuristic stops as soon as it meets them; the planner states them in its model and calls
a rule proven optimal when a plan meets its bound. This is the one definition of each.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.plan_check import PlanContext, Score


def lower_bound(ctx: PlanContext) -> Score:
    """Per rule 1..5, the fewest breaks any plan has."""
    r1 = 0
    for p in range(ctx.size):
        f = ctx.fixed_at[p]
        if f is not None:
            r1 += f in ctx.unavail[p]
        elif all(m in ctx.unavail[p] for m in ctx.order):
            r1 += 1
    r4 = 0
    if ctx.n >= 3:
        # A week holding two different major holidays of a season: its member has both.
        seasons = set()
        for majors in ctx.majors:
            per: dict[int, int] = {}
            for _, season in majors:
                per[season] = per.get(season, 0) + 1
            seasons.update(season for season, c in per.items() if c >= 2)
        r4 = len(seasons)

    def known(p: int) -> str | None:
        """Who is on call at p in every plan: the fixed member, or the only member."""
        f = ctx.fixed_at[p]
        return f if f is not None or ctx.n != 1 else ctx.order[0]

    r5 = 0
    for p in range(ctx.size):
        if ctx.pair_allowed(p):
            continue
        if p == 0:
            before = ctx.prev
        elif ctx.index[p - 1] == ctx.index[p] - 1:
            before = known(p - 1)
        else:
            continue
        r5 += before is not None and before == known(p)
    return (r1, 0, rule3_floor(ctx), r4, r5)


def rule3_floor(ctx: PlanContext) -> int:
    """Rule 3's floor for a request: `holiday_floor` over the holiday weeks that count
    (free weeks, and fixed weeks of members in the order), with the most holiday days
    any one member already holds in fixed weeks."""
    weeks: list[int] = []
    held = [0] * ctx.n
    for p in range(ctx.size):
        f = ctx.fixed_at[p]
        if not ctx.hdays[p] or (f is not None and f not in ctx.idx):
            continue
        weeks.append(ctx.hdays[p])
        if f is not None:
            held[ctx.idx[f]] += ctx.hdays[p]
    return holiday_floor(weeks, ctx.n, max(held, default=0))


def holiday_floor(weeks: Sequence[int], n: int, held: int = 0) -> int:
    """The least excess (max - min - 1 over members' holiday days) that some assignment of
    these holiday weeks to n members might reach; `held`: the most days one member is
    already sure to have (their fixed weeks, counted in `weeks` too).

    A plan whose members' days lie in [lo, hi] has an excess of hi - lo - 1, and:
    - hi >= the biggest week and >= held (someone holds each);
    - lo <= total / n, and lo <= (total - top) / (n - 1) where top is the larger of those
      two: whoever holds it leaves the others at most total - top;
    - every member reaches lo, with a week of lo or more days or with several smaller
      weeks, so at most #(weeks >= lo) + (days in smaller weeks) // lo members can
      (a 7-day and a 6-day shutdown week in a 12-member team with 33 holiday days:
      lo = 2 needs 12 members covered, only 11 can be).
    The floor is the least excess for which some lo passes all of these.
    """
    if n < 2:
        return 0
    weeks = [w for w in weeks if w]
    total = sum(weeks)
    top = max(max(weeks, default=0), held)
    lo_max = min(total // n, (total - top) // (n - 1))

    def coverable(lo: int) -> int:
        big = sum(1 for w in weeks if w >= lo)
        return big + sum(w for w in weeks if w < lo) // lo

    excess = 0
    while True:
        for lo in range(max(0, top - excess - 1), lo_max + 1):
            if (lo + excess + 1) * n >= total and (lo == 0 or coverable(lo) >= n):
                return excess
        excess += 1
