"""FROZEN COPY for bench/planner_bench.py only: the greedy planner that issue 14 replaced
(bot/core/planner.py before it), kept to compare the exact planner against. Not used by
the bot; not maintained.

Fair, holiday-aware rotation planner: pure functions over plain data.

Rules, in priority order (a plan keeps the more important ones first):

1. nobody is on call in a week containing one of their `unavailable` dates;
2. on-call weeks per member over the planned slots (fixed weeks included) differ by at
   most 1, and by at most 2 over any 52 consecutive planned weeks;
3. holiday days on call per member over the planned slots differ by at most 1;
4. with 3+ members: nobody covers the same major holiday two seasons running, nor two
   different major holidays in one season;
5. nobody is on call two weeks running (across the history boundary too), unless one of
   the two weeks is in `allow_consecutive`.

Approach: the weeks are planned in blocks; a block is the stretch of weeks that brings
every member up to the next level of on-call weeks, i.e. normally n = len(order) weeks
holding a permutation of the members. That alone keeps rule 2 (running counts never more
than one apart, so totals differ by at most 1 and any 52-week window by at most 2). A fixed
week counts as its member's turn, a week fixed to an outsider just lengthens the block, and
someone away for a whole block catches up in the next one. Inside a block the most
constrained weeks are filled first (forced, major holidays, holiday weeks), each by the
cheapest member under a lexicographic cost that mirrors the rule order, with "stay on
round-robin" as the final tie-break so people only move when a rule asks. Two flavours of
that greedy run (holiday days kept level as it goes, or back-to-back weighted first); a
repair pass then swaps nearby weeks while rules 3-5 strictly improve, without touching
rules 1-2. The best result wins, and is never worse than plain round-robin (checked with
the same scorer). Work is O(weeks * members): no search over permutations.

Rule 3 is checked strictly (spread <= 1); when a lower bound proves no plan can do better
the message says "unavoidable". Likewise a week holding two major holidays of one season
is flagged "(one week covers both)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "Plan",
    "PlanRequest",
    "PlannedWeek",
    "WeekSlot",
    "check_rules",
    "major_season",
    "plan_rotation",
    "round_robin",
]

WINDOW = 52  # rule 2: weeks in the rolling window
WINDOW_SPREAD = 2  # rule 2: allowed max-min inside a window
FIXED = "fixed"
TIME_OFF = "adjusted: time off"
HOLIDAY_BALANCE = "adjusted: holiday balance"
NO_BACK_TO_BACK = "adjusted: no back-to-back"
WEEK_BALANCE = "adjusted: week balance"
AROUND_FIXED = "adjusted: around fixed weeks"


@dataclass(frozen=True)
class WeekSlot:
    index: int  # week number k (week 0 starts on the rotation's start date)
    days: tuple[date, ...]  # the 7 local calendar dates the week covers, start date first


@dataclass(frozen=True)
class PlanRequest:
    order: tuple[str, ...]  # member ids in rotation order (round-robin is order[k % n])
    slots: tuple[WeekSlot, ...]  # consecutive weeks to plan, ascending index
    holidays: Mapping[date, str]  # team public holidays: date -> name
    # date -> major holiday key, observed days included (calendars.major_holidays_between)
    major: Mapping[date, str] = field(default_factory=dict)
    unavailable: Mapping[str, frozenset[date]] = field(default_factory=dict)
    fixed: Mapping[int, str] = field(default_factory=dict)  # week index -> member, kept as is
    history: tuple[tuple[WeekSlot, str], ...] = ()  # weeks before slots[0], oldest first
    # Weeks where back-to-back is allowed: weeks k-1 and k may share a member if either
    # index is listed (someone's own swap).
    allow_consecutive: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PlannedWeek:
    index: int
    member: str
    reason: str | None  # None when equal to round-robin order[index % n]


@dataclass(frozen=True)
class Plan:
    weeks: tuple[PlannedWeek, ...]
    broken: tuple[str, ...]  # human-readable rules that could not be satisfied


def major_season(d: date) -> int:
    """The holiday season a date belongs to: Christmas 2026 and New Year 2027 are 2026."""
    return d.year if d.month >= 7 else d.year - 1


# --------------------------------------------------------------------------- context


_NEVER = -(10**9)  # "last on call" for someone never on call: longest ago


@dataclass
class _Ctx:
    """Everything derived from a request once, indexed by slot position 0..W-1."""

    req: PlanRequest
    order: tuple[str, ...]
    n: int
    idx: dict[str, int]
    size: int
    index: list[int]  # week index per position
    hdays: list[int]  # holiday days per position
    majors: list[tuple[tuple[str, int], ...]]  # (key, season) pairs per position
    unavail: list[dict[str, tuple[date, ...]]]  # member -> their unavailable dates, per pos
    fixed_at: list[str | None]
    prev: str | None  # history member of the week right before slots[0], if adjacent
    hist_majors: list[tuple[str, str, int, int]]  # (member, key, season, week index)
    hist_last: dict[str, int]  # member -> last week index on call in history
    hist_hol: dict[str, int]  # member -> holiday days on call in history
    allow: frozenset[int]

    def rr(self, p: int) -> str:
        return self.order[self.index[p] % self.n]

    def pair_allowed(self, p: int) -> bool:
        """Whether positions p-1 and p may be the same member (p == 0: history week)."""
        k = self.index[p]
        return k in self.allow or (k - 1) in self.allow


def _week_majors(days: Sequence[date], major: Mapping[date, str]) -> tuple[tuple[str, int], ...]:
    found = {(major[d], major_season(d)) for d in days if d in major}
    return tuple(sorted(found))  # sorted: no set-order dependence


def _context(req: PlanRequest) -> _Ctx:
    order = tuple(req.order)
    if len(set(order)) != len(order):
        raise ValueError("order has duplicate members")
    if req.slots and not order:
        raise ValueError("order is empty")
    idx = {m: i for i, m in enumerate(order)}
    slots = req.slots
    size = len(slots)
    index = [s.index for s in slots]
    if any(b <= a for a, b in zip(index, index[1:], strict=False)):
        raise ValueError("slots must have ascending indexes")
    pos_of_index = {k: p for p, k in enumerate(index)}
    date_pos: dict[date, int] = {}
    for p, s in enumerate(slots):
        for d in s.days:
            date_pos[d] = p
    hol = req.holidays
    hdays = [sum(1 for d in s.days if d in hol) for s in slots]
    majors = [_week_majors(s.days, req.major) for s in slots]

    unavail: list[dict[str, tuple[date, ...]]] = [{} for _ in range(size)]
    for m in sorted(req.unavailable):
        per_pos: dict[int, list[date]] = {}
        for d in req.unavailable[m]:
            p = date_pos.get(d)
            if p is not None:
                per_pos.setdefault(p, []).append(d)
        for p, ds in per_pos.items():
            unavail[p][m] = tuple(sorted(ds))

    fixed_at: list[str | None] = [None] * size
    for k, m in req.fixed.items():
        p = pos_of_index.get(k)
        if p is not None:
            fixed_at[p] = m

    prev: str | None = None
    hist_majors: list[tuple[str, str, int, int]] = []
    hist_last: dict[str, int] = {}
    hist_hol: dict[str, int] = {}
    for slot, m in req.history:
        for key, season in _week_majors(slot.days, req.major):
            hist_majors.append((m, key, season, slot.index))
        hist_last[m] = max(hist_last.get(m, _NEVER), slot.index)
        hist_hol[m] = hist_hol.get(m, 0) + sum(1 for d in slot.days if d in hol)
    if req.history and slots and req.history[-1][0].index == index[0] - 1:
        prev = req.history[-1][1]

    return _Ctx(
        req=req,
        order=order,
        n=len(order),
        idx=idx,
        size=size,
        index=index,
        hdays=hdays,
        majors=majors,
        unavail=unavail,
        fixed_at=fixed_at,
        prev=prev,
        hist_majors=hist_majors,
        hist_last=hist_last,
        hist_hol=hist_hol,
        allow=frozenset(req.allow_consecutive),
    )


# --------------------------------------------------------------------------- checker


Score = tuple[int, int, int, int, int]  # severity per rule 1..5, compared lexicographically


def _label(key: str) -> str:
    """'Christmas Day' -> 'Christmas': short enough for a reason string."""
    return key.removesuffix(" Day")


def _spread(values: Sequence[int], names: Sequence[str]) -> tuple[int, str, int, str]:
    lo = min(range(len(values)), key=lambda i: (values[i], i))
    hi = max(range(len(values)), key=lambda i: (values[i], -i))
    return values[lo], names[lo], values[hi], names[hi]


def _evaluate(ctx: _Ctx, members: Sequence[str]) -> tuple[Score, tuple[str, ...]]:
    """Score and messages for a full assignment given by position."""
    msgs: list[str] = []
    size, n, order, idx = ctx.size, ctx.n, ctx.order, ctx.idx
    slots = ctx.req.slots

    # Rule 1: one message per week.
    r1 = 0
    for p in range(size):
        ds = ctx.unavail[p].get(members[p])
        if ds:
            r1 += 1
            when = ", ".join(d.isoformat() for d in ds)
            msgs.append(
                f"rule 1 (availability): {members[p]} is on call in week {ctx.index[p]} "
                f"(from {slots[p].days[0].isoformat()}) but unavailable on {when}"
            )

    # Rule 2: totals, then 52-week windows (tracked with a histogram of counts, O(1) a step).
    r2 = 0
    if n and size:
        counts = [0] * n
        for m in members:
            i = idx.get(m)
            if i is not None:
                counts[i] += 1
        lo, lo_who, hi, hi_who = _spread(counts, order)
        if hi - lo > 1:
            r2 += hi - lo - 1
            msgs.append(
                f"rule 2 (fair share of weeks): on-call weeks over the {size} planned weeks "
                f"range from {lo} ({lo_who}) to {hi} ({hi_who})"
            )
        if size > WINDOW:
            worst, worst_at, worst_lo, worst_hi = _worst_window(ctx, members)
            if worst > WINDOW_SPREAD:
                r2 += worst - WINDOW_SPREAD
                msgs.append(
                    f"rule 2 (fair share of weeks): in the {WINDOW} weeks from week "
                    f"{ctx.index[worst_at]} ({slots[worst_at].days[0].isoformat()}) on-call "
                    f"weeks range from {worst_lo} to {worst_hi}"
                )

    # Rule 3: holiday days over the planned slots.
    r3 = 0
    if n and size:
        hol = [0] * n
        for p, m in enumerate(members):
            i = idx.get(m)
            if i is not None:
                hol[i] += ctx.hdays[p]
        lo, lo_who, hi, hi_who = _spread(hol, order)
        if hi - lo > 1:
            r3 = hi - lo - 1
            floor, why = _r3_floor(ctx)
            note = f" (unavoidable: {why})" if r3 <= floor else ""
            msgs.append(
                f"rule 3 (holiday balance): holiday days on call range from {lo} ({lo_who}) "
                f"to {hi} ({hi_who}){note}"
            )

    # Rule 4: only with 3+ members, and only incidents touching a planned week.
    r4 = 0
    if n >= 3:
        r4 = _check_majors(ctx, members, msgs)

    # Rule 5: same member on adjacent weeks, including the last history week.
    r5 = 0
    for p in range(size):
        before = ctx.prev if p == 0 else members[p - 1]
        if p > 0 and ctx.index[p - 1] != ctx.index[p] - 1:
            before = None  # not adjacent weeks
        if before is not None and before == members[p] and not ctx.pair_allowed(p):
            r5 += 1
            msgs.append(
                f"rule 5 (no back-to-back): {members[p]} is on call two weeks running "
                f"(weeks {ctx.index[p] - 1} and {ctx.index[p]})"
            )
    return (r1, r2, r3, r4, r5), tuple(msgs)


def _worst_window(ctx: _Ctx, members: Sequence[str]) -> tuple[int, int, int, int]:
    """Largest max-min of per-member counts over 52-position windows: (spread, start, lo, hi)."""
    n, idx = ctx.n, ctx.idx
    counts = [0] * n
    hist = [0] * (WINDOW + 2)  # hist[c] = members with count c in the window
    hist[0] = n
    lo = hi = 0

    def move(i: int, step: int) -> None:
        nonlocal lo, hi
        c = counts[i]
        hist[c] -= 1
        counts[i] = c + step
        hist[c + step] += 1
        if step > 0:
            hi = max(hi, c + 1)
            if c == lo and hist[c] == 0:
                lo = c + 1
        else:
            lo = min(lo, c - 1)
            if c == hi and hist[c] == 0:
                hi = c - 1

    worst = (-1, 0, 0, 0)
    for p, m in enumerate(members):
        i = idx.get(m)
        if i is not None:
            move(i, 1)
        if p >= WINDOW:
            j = idx.get(members[p - WINDOW])
            if j is not None:
                move(j, -1)
        if p >= WINDOW - 1 and hi - lo > worst[0]:
            worst = (hi - lo, p - WINDOW + 1, lo, hi)
    return worst


def _check_majors(ctx: _Ctx, members: Sequence[str], msgs: list[str]) -> int:
    # (member, key) -> season -> [(week index, planned?)]; same for (member, season) -> key.
    by_key: dict[tuple[str, str], dict[int, list[tuple[int, bool]]]] = {}
    by_season: dict[tuple[str, int], dict[str, list[tuple[int, bool]]]] = {}
    entries = [(m, k, s, w, False) for m, k, s, w in ctx.hist_majors]
    for p, m in enumerate(members):
        for key, season in ctx.majors[p]:
            entries.append((m, key, season, ctx.index[p], True))
    for m, key, season, week, planned in entries:
        by_key.setdefault((m, key), {}).setdefault(season, []).append((week, planned))
        by_season.setdefault((m, season), {}).setdefault(key, []).append((week, planned))

    found = 0
    for m, key in sorted(by_key):
        seasons = by_key[(m, key)]
        for s in sorted(seasons):
            if s + 1 not in seasons:
                continue
            both = seasons[s] + seasons[s + 1]
            if not any(planned for _, planned in both):
                continue  # all in history: not this plan's doing
            found += 1
            w1 = min(w for w, _ in seasons[s])
            w2 = min(w for w, _ in seasons[s + 1])
            msgs.append(
                f"rule 4 (major holidays): {m} is on call for {key} two seasons running "
                f"({s} and {s + 1}, weeks {w1} and {w2})"
            )
    for m, season in sorted(by_season):
        keys = by_season[(m, season)]
        if len(keys) < 2:
            continue
        if not any(planned for ws in keys.values() for _, planned in ws):
            continue
        found += 1
        names = " and ".join(sorted(keys))
        weeks = [w for ws in keys.values() for w, _ in ws]
        note = " (one week covers both)" if len(set(weeks)) < len(weeks) else ""
        msgs.append(
            f"rule 4 (major holidays): {m} is on call for both {names} in the "
            f"{season}/{season + 1} season{note}"
        )
    return found


def _r3_floor(ctx: _Ctx) -> tuple[int, str]:
    """A lower bound on rule 3's excess that no plan can beat, with the reason.

    Whoever takes the biggest holiday week (or has the heaviest fixed weeks) holds at least
    `top` days, so the other n-1 members share at most total-top and one of them has at
    most (total-top) // (n-1).
    """
    n = ctx.n
    if n < 2:
        return 0, ""
    total = 0
    fixed = [0] * n
    biggest = 0
    for p in range(ctx.size):
        f = ctx.fixed_at[p]
        if f is None:
            total += ctx.hdays[p]
            biggest = max(biggest, ctx.hdays[p])
        elif f in ctx.idx:
            total += ctx.hdays[p]
            fixed[ctx.idx[f]] += ctx.hdays[p]
    heavy = max(fixed)
    top = max(biggest, heavy)
    share = (total - top) // (n - 1)
    if top - share <= 1:
        return 0, ""
    if biggest >= heavy:
        why = f"one week alone has {biggest} holiday days"
    else:
        why = f"fixed weeks give {ctx.order[fixed.index(heavy)]} {heavy} holiday days"
    return top - share - 1, f"{why}, which leaves someone else at most {share} of the {total}"


def _lower_bound(ctx: _Ctx) -> Score:
    """Breaks no plan can avoid (sound, not tight): lets the planner stop searching early."""
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
    return (r1, 0, _r3_floor(ctx)[0], r4, r5)


def check_rules(req: PlanRequest, assignment: Mapping[int, str]) -> tuple[str, ...]:
    """The rules `assignment` (week index -> member, one entry per slot) breaks."""
    ctx = _context(req)
    missing = [k for k in ctx.index if k not in assignment]
    if missing:
        raise ValueError(f"assignment has no member for weeks {missing[:5]}")
    return _evaluate(ctx, [assignment[k] for k in ctx.index])[1]


# --------------------------------------------------------------------------- planners


def _finish(ctx: _Ctx, members: Sequence[str], reasons: Sequence[str | None]) -> Plan:
    weeks = []
    for p, m in enumerate(members):
        if m == ctx.rr(p):
            why = None  # on round-robin: nothing to explain
        elif ctx.fixed_at[p] is not None:
            why = FIXED
        else:
            why = reasons[p] or WEEK_BALANCE
        weeks.append(PlannedWeek(ctx.index[p], m, why))
    return Plan(tuple(weeks), _evaluate(ctx, members)[1])


def _round_robin_members(ctx: _Ctx) -> list[str]:
    return [ctx.rr(p) if f is None else f for p, f in enumerate(ctx.fixed_at)]


def round_robin(req: PlanRequest) -> Plan:
    """Plain order[k % n] for each slot, fixed weeks kept, with the rules it breaks."""
    ctx = _context(req)
    members = _round_robin_members(ctx)
    return _finish(ctx, members, [None] * ctx.size)


def plan_rotation(req: PlanRequest) -> Plan:
    """The fair planner: see the module docstring for the rules and the approach."""
    ctx = _context(req)
    if ctx.size == 0:
        return Plan((), ())
    score, members, reasons = _best_effort(ctx)
    rr = _round_robin_members(ctx)
    if _evaluate(ctx, rr)[0] < score:
        # Safety net: never hand back something worse than the plain rotation.
        return _finish(ctx, rr, [None] * ctx.size)
    return _finish(ctx, members, reasons)


def _best_effort(ctx: _Ctx) -> tuple[Score, list[str], list[str | None]]:
    best: tuple[Score, list[str], list[str | None]] | None = None
    floor = _lower_bound(ctx)
    # Two greedy flavours: one keeps holiday days level as it goes, the other lets them
    # drift while there is time to even them out (fewer back-to-backs, e.g. two members).
    for relaxed in (False, True):
        members, reasons = _Greedy(ctx, relaxed).run()
        score = _evaluate(ctx, members)[0]
        if score[2:] != floor[2:]:  # the floor is per rule, so a plan is never below it
            members, reasons, score = _repair(ctx, members, reasons, score, floor)
        if best is None or score < best[0]:
            best = (score, members, reasons)
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

    def __init__(self, ctx: _Ctx, relaxed: bool) -> None:
        self.ctx = ctx
        self.relaxed = relaxed
        n, size = ctx.n, ctx.size
        self.members: list[str | None] = list(ctx.fixed_at)
        self.reasons: list[str | None] = [None] * size
        self.count = [0] * n  # weeks in the positions before the current block
        self.hol = [0] * n  # holiday days, all fixed weeks counted up front
        self.last = [ctx.hist_last.get(m, _NEVER) for m in ctx.order]
        self.hist_hol = [ctx.hist_hol.get(m, 0) for m in ctx.order]
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
        self.placed_reason: dict[str, str | None] = {}  # why a member was moved in here
        self.gone: list[bool] = [False] * n  # due, but away for the whole block
        self.fixed_here: set[str] = set()
        self.slack = False  # enough holiday days left after the block to rebalance

    def _cover(self, m: str, key: str, season: int) -> None:
        self.cov[(m, key, season)] = self.cov.get((m, key, season), 0) + 1
        keys = self.season_keys.setdefault((m, season), {})
        keys[key] = keys.get(key, 0) + 1

    def run(self) -> tuple[list[str], list[str | None]]:
        ctx = self.ctx
        start = 0
        while start < ctx.size:
            end, free, rem, gone = self._form(start)
            self._fill(start, end, free, rem, gone)
            start = end
        members = [m for m in self.members if m is not None]
        assert len(members) == ctx.size
        return members, self.reasons

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

    def _form(self, start: int) -> tuple[int, list[int], list[int], list[bool]]:
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
        gone = [False] * n  # owed but unavailable for the whole block
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
                want[i] = 0
                gone[i] = True
        return end, free, rem, gone

    # -- filling a block

    def _fill(
        self, start: int, end: int, free: list[int], rem: list[int], gone: list[bool]
    ) -> None:
        ctx = self.ctx
        n = ctx.n
        self.natural = {}
        for p in range(start, end):
            self.natural.setdefault(ctx.rr(p), []).append(p)
        self.slack = self.future[end] >= n
        self.gone = gone
        self.placed_reason = {}
        self.fixed_here = set()
        for p in range(start, end):
            f = ctx.fixed_at[p]
            if f is None:
                continue
            self.fixed_here.add(f)
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
            i, why = self._pick(p, rem)
            m = ctx.order[i]
            self.members[p] = m
            self.reasons[p] = why
            if m != ctx.rr(p):
                self.placed_reason.setdefault(m, why)
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

    def _pick(self, p: int, rem: list[int]) -> tuple[int, str | None]:
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
            return ri, None
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
        return best, self._why(best, p, rem, min_hol)

    def _why(self, i: int, p: int, rem: list[int], min_hol: int) -> str | None:
        """Short reason when week p does not go to its round-robin member."""
        ctx = self.ctx
        rr = ctx.rr(p)
        if ctx.order[i] == rr:
            return None
        if rr in ctx.unavail[p]:
            return TIME_OFF
        ri = ctx.idx[rr]
        if not rem[ri]:
            # The round-robin member is placed elsewhere (or not due): say why.
            if rr in self.placed_reason:
                return self.placed_reason[rr] or WEEK_BALANCE
            if self.gone[ri]:
                return TIME_OFF
            if rr in self.fixed_here:
                return AROUND_FIXED
            return WEEK_BALANCE
        mine, theirs = self._cost(i, p, min_hol), self._cost(ri, p, min_hol)
        names = (
            ("r1", "r3", "r4", "r3", "r5") if not self.relaxed else ("r1", "r3", "r4", "r5", "r3")
        )
        for pos, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            if a == b:
                continue
            rule = names[pos] if pos < len(names) else ""
            if rule == "r1":
                return TIME_OFF
            if rule == "r3":
                return HOLIDAY_BALANCE
            if rule == "r4":
                return f"adjusted: {_label(ctx.majors[p][0][0])} balance"
            if rule == "r5":
                return NO_BACK_TO_BACK
            break
        return HOLIDAY_BALANCE if ctx.hdays[p] else WEEK_BALANCE


# --------------------------------------------------------------------------- repair


def _repair(
    ctx: _Ctx, members: list[str], reasons: list[str | None], score: Score, floor: Score
) -> tuple[list[str], list[str | None], Score]:
    """Swap pairs of nearby free weeks while rules 3-5 strictly improve.

    Swaps never touch fixed weeks, never put anyone on a week they are unavailable, and
    keep every member's week count, so rules 1 and 2 (totals) cannot get worse; 52-week
    windows are re-checked before a swap is kept. Deltas are computed locally, so a pass
    costs O(weeks * members) at worst.
    """
    fixer = _Repair(ctx, members, reasons)
    fixer.run(score, floor)
    new = _evaluate(ctx, fixer.members)[0]
    if new < score:
        return fixer.members, fixer.reasons, new
    return members, reasons, score


class _Repair:
    def __init__(self, ctx: _Ctx, members: list[str], reasons: list[str | None]) -> None:
        self.ctx = ctx
        self.members = list(members)
        self.reasons = list(reasons)
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
        self.window = _worst_window(ctx, members)[0] if ctx.size > WINDOW else 0
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
            p, q, new = move
            before = score
            score = new
            why = HOLIDAY_BALANCE
            if new[0] == before[0] and new[1] < before[1]:
                majors = ctx.majors[p] or ctx.majors[q]
                why = f"adjusted: {_label(majors[0][0])} balance" if majors else HOLIDAY_BALANCE
            elif new[0] == before[0] and new[1] == before[1]:
                why = NO_BACK_TO_BACK
            self.reasons[p] = self.reasons[q] = why

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
        w = _worst_window(self.ctx, self.members)[0]
        return max(w, WINDOW_SPREAD) <= max(self.window, WINDOW_SPREAD)
