"""The planner's vocabulary and its one checker: what a plan request and a plan are, and
which rules (README "Holidays and fairness", in priority order) an assignment breaks.

1. nobody is on call in a week containing one of their `unavailable` dates (time off, or
   their own holidays);
2. on-call weeks per member over the planned slots differ by at most 1, and by at most 2
   over any 52 consecutive weeks (windows reaching back into `history` included);
3. holiday days on call per member over the planned slots differ by at most 1;
4. with 3+ members: nobody covers the same major holiday two seasons running, nor two
   different major holidays in one season (history counts);
5. nobody is on call two weeks running (across the history boundary too), unless one of
   the two weeks is in `allow_consecutive`.

`evaluate` scores a full assignment per rule (0 = kept) with a message per break; the
planner (bot/core/planner.py) minimises those scores, and this is how it is judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.core.rules import RuleResult

WINDOW = 52  # rule 2: weeks in the rolling window
WINDOW_SPREAD = 2  # rule 2: allowed max-min inside a window
DEFAULT_SECONDS = 2.0  # solver budget per plan, in CP-SAT deterministic seconds
FIXED = "fixed"


@dataclass(frozen=True)
class WeekSlot:
    index: int  # week number k (week 0 starts on the rotation's start date)
    days: tuple[date, ...]  # the 7 local calendar dates the week covers, start date first


@dataclass(frozen=True)
class PlanRequest:
    order: tuple[str, ...]  # member ids in rotation order (round-robin is order[k % n])
    slots: tuple[WeekSlot, ...]  # consecutive weeks to plan, ascending index
    holidays: Mapping[date, str]  # team public holidays: date -> name
    # date -> major holiday key, observed days included (calendars.team_major_holidays),
    # over the history weeks too: a repeat across the boundary is still a repeat.
    major: Mapping[date, str] = field(default_factory=dict)
    unavailable: Mapping[str, frozenset[date]] = field(default_factory=dict)
    fixed: Mapping[int, str] = field(default_factory=dict)  # week index -> member, kept as is
    history: tuple[tuple[WeekSlot, str], ...] = ()  # weeks before slots[0], oldest first
    # Weeks where back-to-back is allowed: weeks k-1 and k may share a member if either
    # index is listed (someone's own swap).
    allow_consecutive: frozenset[int] = frozenset()
    # The plan before a re-plan (week index -> member): the last objective keeps it.
    previous: Mapping[int, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # member id -> name, for reasons
    seconds: float = DEFAULT_SECONDS  # solver budget (deterministic seconds)


@dataclass(frozen=True)
class PlannedWeek:
    index: int
    member: str
    reason: str | None  # None when equal to the target (previous plan, else round-robin)


@dataclass(frozen=True)
class Plan:
    weeks: tuple[PlannedWeek, ...]
    broken: tuple[str, ...]  # human-readable rules that could not be kept
    rules: tuple[RuleResult, ...] = ()  # per rule 1..5 (and 6: moves), empty for round-robin
    optimal: bool = True  # rules 1-5 proven optimal (the moves are reported in `rules`)

    @property
    def gap(self) -> int:
        """Summed distance to the proven bounds over rules 1-5 (0 when optimal)."""
        return sum(r.gap for r in self.rules if r.rule <= 5)


def major_season(d: date) -> int:
    """The holiday season a date belongs to: Christmas 2026 and New Year 2027 are 2026."""
    return d.year if d.month >= 7 else d.year - 1


# --------------------------------------------------------------------------- context


@dataclass
class PlanContext:
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
    hist_run: list[tuple[WeekSlot, str]]  # history weeks contiguous up to slots[0]
    allow: frozenset[int]
    target: list[str]  # per position: previous plan's member if in the team, else round-robin

    def rr(self, p: int) -> str:
        return self.order[self.index[p] % self.n]

    def pair_allowed(self, p: int) -> bool:
        """Whether positions p-1 and p may be the same member (p == 0: history week)."""
        k = self.index[p]
        return k in self.allow or (k - 1) in self.allow

    def name(self, member: str) -> str:
        return self.req.names.get(member, member)


def _week_majors(days: Sequence[date], major: Mapping[date, str]) -> tuple[tuple[str, int], ...]:
    found = {(major[d], major_season(d)) for d in days if d in major}
    return tuple(sorted(found))  # sorted: no set-order dependence


def plan_context(req: PlanRequest) -> PlanContext:
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

    hist_majors: list[tuple[str, str, int, int]] = []
    for slot, m in req.history:
        for key, season in _week_majors(slot.days, req.major):
            hist_majors.append((m, key, season, slot.index))
    # The history weeks that run without a gap up to the first slot (52-week windows).
    run: list[tuple[WeekSlot, str]] = []
    expect = index[0] - 1 if index else 0
    for slot, m in reversed(req.history):
        if slot.index != expect or len(run) == WINDOW - 1:
            break
        run.append((slot, m))
        expect -= 1
    run.reverse()
    prev = run[-1][1] if run else None

    target = []
    for k in index:
        before = req.previous.get(k)
        target.append(before if before in idx else order[k % len(order)])

    return PlanContext(
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
        hist_run=run,
        allow=frozenset(req.allow_consecutive),
        target=target,
    )


# --------------------------------------------------------------------------- checker


Score = tuple[int, int, int, int, int]  # severity per rule 1..5, compared lexicographically


def holiday_label(key: str) -> str:
    """'Christmas Day' -> 'Christmas': short enough for a reason string."""
    return key.removesuffix(" Day")


def day_label(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _spread(values: Sequence[int], names: Sequence[str]) -> tuple[int, str, int, str]:
    lo = min(range(len(values)), key=lambda i: (values[i], i))
    hi = max(range(len(values)), key=lambda i: (values[i], -i))
    return values[lo], names[lo], values[hi], names[hi]


def evaluate(ctx: PlanContext, members: Sequence[str]) -> tuple[Score, tuple[str, ...]]:
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
        if size + len(ctx.hist_run) > WINDOW:
            worst, at, worst_lo, worst_hi = worst_window(ctx, members)
            if worst > WINDOW_SPREAD:
                r2 += worst - WINDOW_SPREAD
                run = ctx.hist_run
                slot = run[at][0] if at < len(run) else slots[at - len(run)]
                msgs.append(
                    f"rule 2 (fair share of weeks): in the {WINDOW} weeks from week "
                    f"{slot.index} ({slot.days[0].isoformat()}) on-call "
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
            msgs.append(
                f"rule 3 (holiday balance): holiday days on call range from {lo} ({lo_who}) "
                f"to {hi} ({hi_who})"
            )

    # Rule 4: only with 3+ members, and only incidents touching a planned week.
    r4 = 0
    if n >= 3:
        r4 = check_majors(ctx, members, msgs)

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


def worst_window(ctx: PlanContext, members: Sequence[str]) -> tuple[int, int, int, int]:
    """Largest max-min of per-member counts over 52-week windows that hold a planned week,
    history included: (spread, start position in history + slots, lo, hi)."""
    n, idx = ctx.n, ctx.idx
    seq = [m for _, m in ctx.hist_run] + list(members)
    first_end = len(ctx.hist_run)  # a window ending before this holds only history
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
    for p, m in enumerate(seq):
        i = idx.get(m)
        if i is not None:
            move(i, 1)
        if p >= WINDOW:
            j = idx.get(seq[p - WINDOW])
            if j is not None:
                move(j, -1)
        if p >= WINDOW - 1 and p >= first_end and hi - lo > worst[0]:
            worst = (hi - lo, p - WINDOW + 1, lo, hi)
    return worst


def check_majors(
    ctx: PlanContext, members: Sequence[str | None], msgs: list[str], outsiders: bool = False
) -> int:
    """Rule-4 incidents (each with a message); `outsiders`: only those of people outside
    the order (fixed weeks of someone since removed), which no plan can change."""
    # (member, key) -> season -> [(week index, planned?)]; same for (member, season) -> key.
    by_key: dict[tuple[str, str], dict[int, list[tuple[int, bool]]]] = {}
    by_season: dict[tuple[str, int], dict[str, list[tuple[int, bool]]]] = {}
    entries = [(m, k, s, w, False) for m, k, s, w in ctx.hist_majors]
    for p, m in enumerate(members):
        for key, season in ctx.majors[p]:
            entries.append((m, key, season, ctx.index[p], True))
    for m, key, season, week, planned in entries:
        if m is None or (outsiders and m in ctx.idx):
            continue
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


def check_rules(req: PlanRequest, assignment: Mapping[int, str]) -> tuple[str, ...]:
    """The rules `assignment` (week index -> member, one entry per slot) breaks."""
    ctx = plan_context(req)
    missing = [k for k in ctx.index if k not in assignment]
    if missing:
        raise ValueError(f"assignment has no member for weeks {missing[:5]}")
    return evaluate(ctx, [assignment[k] for k in ctx.index])[1]


# --------------------------------------------------------------------------- planners


def round_robin(req: PlanRequest) -> Plan:
    """Plain order[k % n] for each slot, fixed weeks kept, with the rules it breaks."""
    ctx = plan_context(req)
    members = [ctx.rr(p) if f is None else f for p, f in enumerate(ctx.fixed_at)]
    weeks = tuple(
        PlannedWeek(ctx.index[p], m, None if m == ctx.rr(p) else FIXED)
        for p, m in enumerate(members)
    )
    return Plan(weeks, evaluate(ctx, members)[1])
