"""The greedy rotation heuristic: the solver's warm start (bot/core/planner.py).

Fast (O(weeks * members)) and usually optimal on rules 2-5, so the exact search starts
from a good plan and a timed-out search is never worse than this. The weeks are planned
in blocks, each bringing every member up to the next level of on-call weeks (that alone
keeps rule 2); inside a block the most constrained weeks are filled first by the cheapest
member under a cost that mirrors the rule order; a repair pass then swaps nearby weeks
while rules 3-5 strictly improve. It gives no reasons: the planner explains moves.
"""

from __future__ import annotations

from bot.core.plan_bounds import lower_bound
from bot.core.plan_check import (
    WINDOW,
    WINDOW_SPREAD,
    PlanContext,
    Score,
    evaluate,
    worst_window,
)

_NEVER = -(10**9)  # "last on call" for someone never on call: longest ago


def greedy_plan(ctx: PlanContext) -> list[str]:
    """Members per position: the better of the heuristic and plain round-robin."""
    score, members = _best_effort(ctx)
    rr = [ctx.rr(p) if f is None else f for p, f in enumerate(ctx.fixed_at)]
    return rr if evaluate(ctx, rr)[0] < score else members


def _best_effort(ctx: PlanContext) -> tuple[Score, list[str]]:
    best: tuple[Score, list[str]] | None = None
    floor = lower_bound(ctx)
    # Two greedy flavours: one keeps holiday days level as it goes, the other lets them
    # drift while there is time to even them out (fewer back-to-backs, e.g. two members).
    for relaxed in (False, True):
        members = _Greedy(ctx, relaxed).run()
        score = evaluate(ctx, members)[0]
        if score[2:] != floor[2:]:  # the floor is per rule, so a plan is never below it
            members, score = _repair(ctx, members, score, floor)
        if best is None or score < best[0]:
            best = (score, members)
        if score == floor:
            break  # nothing left that any plan could fix
    assert best is not None
    return best


class _Greedy:
    """Level-by-level construction.

    A block is the stretch of weeks that brings every member who can be placed up to the
    next level of on-call weeks (one week each; two for someone catching up after time
    off). Fixed weeks inside the stretch count as their member's turn, and a week fixed to
    someone outside the rotation just lengthens it, so the running counts never drift
    more than one apart unless time off forces it: that is what keeps rule 2, 52-week
    windows included. Inside a block the most constrained weeks are filled first.
    """

    def __init__(self, ctx: PlanContext, relaxed: bool) -> None:
        self.ctx = ctx
        self.relaxed = relaxed
        n, size = ctx.n, ctx.size
        self.members: list[str | None] = list(ctx.fixed_at)
        self.count = [0] * n  # weeks in the positions before the current block
        self.hol = [0] * n  # holiday days, all fixed weeks counted up front
        last: dict[str, int] = {}
        hol: dict[str, int] = {}
        for slot, m in ctx.req.history:
            last[m] = max(last.get(m, _NEVER), slot.index)
            hol[m] = hol.get(m, 0) + sum(1 for d in slot.days if d in ctx.req.holidays)
        self.last = [last.get(m, _NEVER) for m in ctx.order]
        self.hist_hol = [hol.get(m, 0) for m in ctx.order]
        # Major-holiday coverage: (member, key, season) -> weeks; (member, season) -> key -> weeks.
        self.cov: dict[tuple[str, str, int], int] = {}
        self.season_keys: dict[tuple[str, int], dict[str, int]] = {}
        for m, key, season, _ in ctx.hist_majors:
            self._cover(m, key, season)
        for p, m in enumerate(ctx.fixed_at):
            if m is None:
                continue
            for key, season in ctx.majors[p]:
                self._cover(m, key, season)
            i = ctx.idx.get(m)
            if i is not None:
                self.hol[i] += ctx.hdays[p]
        # Holiday days in free weeks from each position on: when plenty remain, a holiday
        # week may go to a slightly-ahead member now (to keep rule 4) and be evened out later.
        self.future = [0] * (size + 1)
        for p in range(size - 1, -1, -1):
            free_h = ctx.hdays[p] if ctx.fixed_at[p] is None else 0
            self.future[p] = self.future[p + 1] + free_h
        # Per-block state, reset by _fill.
        self.natural: dict[str, list[int]] = {}  # member -> their round-robin weeks here
        self.slack = False  # enough holiday days left after the block to rebalance

    def _cover(self, m: str, key: str, season: int) -> None:
        self.cov[(m, key, season)] = self.cov.get((m, key, season), 0) + 1
        keys = self.season_keys.setdefault((m, season), {})
        keys[key] = keys.get(key, 0) + 1

    def run(self) -> list[str]:
        ctx = self.ctx
        start = 0
        while start < ctx.size:
            end, free, rem = self._form(start)
            self._fill(start, end, free, rem)
            start = end
        members = [m for m in self.members if m is not None]
        assert len(members) == ctx.size
        return members

    # -- block formation (rule 2 bookkeeping)

    def _walk(self, start: int, want: list[int]) -> tuple[int, list[int], list[int]]:
        """Extend from `start` until the free weeks match the turns still owed."""
        ctx = self.ctx
        rem = list(want)
        need = sum(rem)
        free: list[int] = []
        p = start
        while p < ctx.size and (len(free) < need or not free):
            f = ctx.fixed_at[p]
            if f is None:
                free.append(p)
            else:
                i = ctx.idx.get(f)
                if i is not None and rem[i] > 0:
                    rem[i] -= 1  # a fixed week is that member's turn
                    need -= 1
            p += 1
        return p, free, rem

    def _form(self, start: int) -> tuple[int, list[int], list[int]]:
        ctx = self.ctx
        n = ctx.n
        look: list[int] = []
        p = start
        while p < ctx.size and len(look) < n:
            if ctx.fixed_at[p] is None:
                look.append(p)
            p += 1
        can = [any(m not in ctx.unavail[q] for q in look) for m in ctx.order]
        if not any(can):
            can = [True] * n  # nobody can: rule 1 breaks anyway, keep the counts level
        level = min(self.count[i] for i in range(n) if can[i]) + 1
        want = [min(2, max(0, level - self.count[i])) if can[i] else 0 for i in range(n)]
        if sum(want) < (n + 1) // 2:
            # Only a few are behind (back from time off): fold their catch-up into a full
            # round instead of a run of tiny blocks, which would put them on back to back.
            level += 1
            want = [min(2, max(0, level - self.count[i])) if can[i] else 0 for i in range(n)]
        while True:
            end, free, rem = self._walk(start, want)
            drop = [
                i
                for i in range(n)
                if rem[i] and free and all(ctx.order[i] in ctx.unavail[q] for q in free)
            ]
            if not drop:
                break
            for i in drop:
                want[i] = 0  # owed but unavailable for the whole block
        return end, free, rem

    # -- filling a block

    def _fill(self, start: int, end: int, free: list[int], rem: list[int]) -> None:
        ctx = self.ctx
        n = ctx.n
        self.natural = {}
        for p in range(start, end):
            self.natural.setdefault(ctx.rr(p), []).append(p)
        self.slack = self.future[end] >= n
        for p in range(start, end):
            f = ctx.fixed_at[p]
            if f is None:
                continue
            i = ctx.idx.get(f)
            if i is not None:
                self.count[i] += 1

        def n_avail(p: int) -> int:
            return sum(1 for i in range(n) if rem[i] and ctx.order[i] not in ctx.unavail[p])

        avail = {p: n_avail(p) for p in free}
        edges = self._risky_edges(free, rem) if self.relaxed and free else set()
        # Most constrained first: forced weeks, major holidays, holiday weeks, then in time.
        todo = sorted(
            free,
            key=lambda p: (
                0 if p in edges else 1,
                min(avail[p], 2),
                -len(ctx.majors[p]),
                -ctx.hdays[p],
                avail[p] if ctx.unavail[p] else n,
                p,
            ),
        )
        for p in todo:
            i = self._pick(p, rem)
            m = ctx.order[i]
            self.members[p] = m
            if rem[i]:
                rem[i] -= 1
            self.count[i] += 1
            self.hol[i] += ctx.hdays[p]
            for key, season in ctx.majors[p]:
                self._cover(m, key, season)
        for p in range(start, end):
            i = ctx.idx.get(self.members[p])  # type: ignore[arg-type]
            if i is not None:
                self.last[i] = max(self.last[i], ctx.index[p])

    def _risky_edges(self, free: list[int], rem: list[int]) -> set[int]:
        """Block-edge weeks whose neighbour outside the block is someone still due here:
        filled first, or the last turn left could land next to that neighbour."""
        ctx = self.ctx
        edges: set[int] = set()
        for p in (free[0], free[-1]):
            for q in (p - 1, p + 1):
                if q < 0:
                    m = ctx.prev if p == 0 else None
                elif q < ctx.size and ctx.index[q] == ctx.index[p] + (q - p):
                    m = self.members[q]
                else:
                    m = None
                i = ctx.idx.get(m) if m is not None else None
                if i is not None and rem[i]:
                    edges.add(p)
        return edges

    # -- one week

    def _cost(self, i: int, p: int, min_hol: int) -> tuple[int, ...]:
        ctx = self.ctx
        m = ctx.order[i]
        r1 = 1 if m in ctx.unavail[p] else 0
        h = ctx.hdays[p]
        excess = max(0, self.hol[i] + h - (min_hol + 1)) if h else 0
        r3_hard, r3_soft = (0, excess) if self.slack else (excess, 0)
        r4 = self._major_cost(m, p) if ctx.n >= 3 and ctx.majors[p] else 0
        r5 = self._b2b_cost(m, p)
        off_rr = 0 if ctx.rr(p) == m else 1
        # Prefer someone whose own week in this block is gone (keeps moves to swaps).
        own = self.natural.get(m, ())
        open_own = any(self.members[q] is None and m not in ctx.unavail[q] for q in own)
        tie_hol = (self.hol[i], self.hist_hol[i]) if h else (0, 0)
        if self.relaxed:
            # Back-to-back matters more than keeping holiday days level on the way.
            return (r1, r3_hard, r4, r5, r3_soft, off_rr, int(open_own), *tie_hol, self.last[i], i)
        return (r1, r3_hard, r4, r3_soft, r5, off_rr, int(open_own), *tie_hol, self.last[i], i)

    def _major_cost(self, m: str, p: int) -> int:
        bad = 0
        for key, season in self.ctx.majors[p]:
            if self.cov.get((m, key, season - 1)) or self.cov.get((m, key, season + 1)):
                bad += 1
            others = self.season_keys.get((m, season), {})
            if any(c and k != key for k, c in others.items()):
                bad += 1
        return bad

    def _b2b_cost(self, m: str, p: int) -> int:
        ctx = self.ctx
        bad = 0
        if p == 0:
            before = ctx.prev
        elif ctx.index[p - 1] == ctx.index[p] - 1:
            before = self.members[p - 1]
        else:
            before = None
        if before == m and not ctx.pair_allowed(p):
            bad += 1
        if p + 1 < ctx.size and ctx.index[p + 1] == ctx.index[p] + 1:
            if self.members[p + 1] == m and not ctx.pair_allowed(p + 1):
                bad += 1
        return bad

    def _pick(self, p: int, rem: list[int]) -> int:
        ctx = self.ctx
        n = ctx.n
        rr = ctx.rr(p)
        ri = ctx.idx[rr]
        h = ctx.hdays[p]
        # Fast path for plain weeks: the round-robin member, when owed and nothing objects.
        if (
            not h
            and not ctx.majors[p]
            and rem[ri]
            and rr not in ctx.unavail[p]
            and self._b2b_cost(rr, p) == 0
        ):
            return ri
        min_hol = min(self.hol) if h else 0
        cands = [i for i in range(n) if rem[i]]
        best = min(cands, key=lambda i: self._cost(i, p, min_hol)) if cands else -1
        if best < 0 or ctx.order[best] in ctx.unavail[p]:
            # Rule 1 beats rule 2: take someone available even if not owed this block,
            # preferring whoever has had the fewest weeks so far.
            alt = min(
                range(n),
                key=lambda i: (
                    1 if ctx.order[i] in ctx.unavail[p] else 0,
                    self.count[i],
                    self._cost(i, p, min_hol),
                ),
            )
            if best < 0 or ctx.order[alt] not in ctx.unavail[p]:
                best = alt
        return best


# --------------------------------------------------------------------------- repair


def _repair(
    ctx: PlanContext, members: list[str], score: Score, floor: Score
) -> tuple[list[str], Score]:
    """Swap pairs of nearby free weeks while rules 3-5 strictly improve.

    Swaps never touch fixed weeks, never put anyone on a week they are unavailable, and
    keep every member's week count, so rules 1 and 2 (totals) cannot get worse; 52-week
    windows are re-checked before a swap is kept. Deltas are computed locally, so a pass
    costs O(weeks * members) at worst.
    """
    fixer = _Repair(ctx, members)
    fixer.run(score, floor)
    new = evaluate(ctx, fixer.members)[0]
    if new < score:
        return fixer.members, new
    return members, score


class _Repair:
    def __init__(self, ctx: PlanContext, members: list[str]) -> None:
        self.ctx = ctx
        self.members = list(members)
        self.hol = [0] * ctx.n
        for p, m in enumerate(members):
            i = ctx.idx.get(m)
            if i is not None:
                self.hol[i] += ctx.hdays[p]
        # How many members hold each holiday-day total, and the sum of squares: O(1) updates
        # so probing a swap does not cost O(members).
        self.spread: dict[int, int] = {}
        for v in self.hol:
            self.spread[v] = self.spread.get(v, 0) + 1
        self.sumsq = sum(v * v for v in self.hol)
        # member -> (key, season) -> weeks covered, history included.
        self.cov: dict[str, dict[tuple[str, int], int]] = {}
        for m, key, season, _ in ctx.hist_majors:
            self._add(m, key, season, 1)
        for p, m in enumerate(members):
            for key, season in ctx.majors[p]:
                self._add(m, key, season, 1)
        self.window = worst_window(ctx, members)[0] if ctx.size > WINDOW else 0
        self.goal = (0, 0, 0)  # rule 3 excess, local rule-4 count, rule-5 pairs: set by run
        # Candidate swaps we may try in all: keeps the pass linear in the number of weeks.
        self.budget = 24 * ctx.size + 400

    def _add(self, m: str, key: str, season: int, step: int) -> None:
        c = self.cov.setdefault(m, {})
        c[(key, season)] = c.get((key, season), 0) + step
        if not c[(key, season)]:
            del c[(key, season)]

    def _r4(self, m: str) -> int:
        """Rule-4 incidents of one member (same as the checker, history-only ones aside)."""
        if self.ctx.n < 3:
            return 0
        c = self.cov.get(m)
        if not c:
            return 0
        seasons: dict[int, int] = {}
        bad = 0
        for key, season in c:
            if (key, season + 1) in c:
                bad += 1
            seasons[season] = seasons.get(season, 0) + 1
        return bad + sum(1 for v in seasons.values() if v >= 2)

    def _r5_pairs(self, ps: set[int]) -> int:
        ctx, members = self.ctx, self.members
        bad = 0
        for p in ps:
            if p == 0:
                before = ctx.prev
            elif ctx.index[p - 1] == ctx.index[p] - 1:
                before = members[p - 1]
            else:
                continue
            if before == members[p] and not ctx.pair_allowed(p):
                bad += 1
        return bad

    def _r3_key(self) -> tuple[int, int]:
        excess = max(0, max(self.spread) - min(self.spread) - 1) if self.spread else 0
        # Sum of squares breaks plateaus (5,5,7,7 needs two swaps) but only counts while
        # rule 3 is broken: once it holds, it must not outweigh rules 4 and 5.
        return excess, (self.sumsq if excess else 0)

    def _shift(self, i: int, d: int) -> None:
        old = self.hol[i]
        self.spread[old] -= 1
        if not self.spread[old]:
            del self.spread[old]
        self.hol[i] = old + d
        self.spread[old + d] = self.spread.get(old + d, 0) + 1
        self.sumsq += (old + d) ** 2 - old * old

    def _swap(self, p: int, q: int) -> None:
        ctx, members = self.ctx, self.members
        a, b = members[p], members[q]
        for key, season in ctx.majors[p]:
            self._add(a, key, season, -1)
            self._add(b, key, season, 1)
        for key, season in ctx.majors[q]:
            self._add(b, key, season, -1)
            self._add(a, key, season, 1)
        ia, ib = ctx.idx.get(a), ctx.idx.get(b)
        d = ctx.hdays[p] - ctx.hdays[q]
        if d and ia is not None:
            self._shift(ia, -d)
        if d and ib is not None:
            self._shift(ib, d)
        members[p], members[q] = b, a

    def _local(self, p: int, q: int, r3: tuple[int, int]) -> tuple[tuple[int, int], int, int]:
        """(rule 3 key, rule-4 incidents of the two members, rule-5 pairs near p and q);
        each part is only recomputed when the swap can change it."""
        ctx = self.ctx
        a, b = self.members[p], self.members[q]
        if ctx.hdays[p] != ctx.hdays[q]:
            r3 = self._r3_key()
        r4 = self._r4(a) + self._r4(b) if ctx.majors[p] or ctx.majors[q] else 0
        pairs = {x for x in (p, p + 1, q, q + 1) if x < ctx.size}
        return r3, r4, self._r5_pairs(pairs)

    def _hot(self, score: tuple[tuple[int, int], int, int]) -> list[int]:
        """Free weeks worth moving, for each rule still above what is achievable."""
        ctx, members = self.ctx, self.members
        hot: list[int] = []
        if score[0][0] > self.goal[0]:
            lo, hi = min(self.hol), max(self.hol)
            ends = {ctx.order[i] for i in range(ctx.n) if self.hol[i] in (lo, hi)}
            hot += [p for p, m in enumerate(members) if m in ends and ctx.hdays[p]]
        if score[1] > self.goal[1]:
            hot += [p for p in range(ctx.size) if ctx.majors[p]]
        if score[2] > self.goal[2]:
            if ctx.size and members[0] == ctx.prev and not ctx.pair_allowed(0):
                hot.append(0)
            for p in range(1, ctx.size):
                if members[p] == members[p - 1] and not ctx.pair_allowed(p):
                    hot += [p - 1, p]  # either half of the pair may be the one to move
        return sorted({p for p in hot if ctx.fixed_at[p] is None})

    def _total(self) -> tuple[tuple[int, int], int, int]:
        r4 = sum(self._r4(m) for m in sorted(self.cov))
        return self._r3_key(), r4, self._r5_pairs(set(range(self.ctx.size)))

    def run(self, checked: Score, floor: Score) -> None:
        ctx = self.ctx
        reach = max(ctx.n, 8)
        score = self._total()
        # Stop working on a rule once it is down to what no plan can avoid. The local
        # rule-4 count also sees history-only incidents, hence the offset.
        self.goal = (floor[2], score[1] - (checked[3] - floor[3]), floor[4])
        rounds = 0

        def open_(sc: tuple[tuple[int, int], int, int]) -> bool:
            return sc[0][0] > self.goal[0] or sc[1] > self.goal[1] or sc[2] > self.goal[2]

        while open_(score) and rounds < 8 * ctx.n + 64:
            rounds += 1
            move = self._find(score, reach)
            if move is None:
                return
            score = move[2]

    def _find(
        self, score: tuple[tuple[int, int], int, int], reach: int
    ) -> tuple[int, int, tuple[tuple[int, int], int, int]] | None:
        """The best improving swap for the first hot week that has one (nearest on ties)."""
        ctx, members = self.ctx, self.members
        for p in self._hot(score):
            found: list[tuple[tuple[tuple[int, int], int, int], int, int]] = []
            for q in range(max(0, p - reach), min(ctx.size, p + reach + 1)):
                a, b = members[p], members[q]
                if q == p or ctx.fixed_at[q] is not None or a == b:
                    continue
                if a in ctx.unavail[q] or b in ctx.unavail[p]:
                    continue
                if not score[2] and ctx.hdays[p] == ctx.hdays[q]:
                    if not (ctx.majors[p] or ctx.majors[q]):
                        continue  # changes nothing rules 3 and 4 see
                self.budget -= 1
                if self.budget < 0:
                    return None
                old = self._local(p, q, score[0])
                self._swap(p, q)
                new = self._local(p, q, score[0])
                self._swap(p, q)  # undo: only a probe
                cand = (new[0], score[1] - old[1] + new[1], score[2] - old[2] + new[2])
                if cand < score:
                    found.append((cand, abs(p - q), q))
            for cand, _, q in sorted(found):
                self._swap(p, q)
                if self._windows_ok():
                    return p, q, cand
                self._swap(p, q)
        return None

    def _windows_ok(self) -> bool:
        if self.ctx.size <= WINDOW:
            return True
        self.budget -= self.ctx.size // 8  # a full window scan: charge it
        w = worst_window(self.ctx, self.members)[0]
        return max(w, WINDOW_SPREAD) <= max(self.window, WINDOW_SPREAD)
