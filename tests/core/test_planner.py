"""Tests for the pure rotation planner (bot/core/planner.py).

The rule checks here are written out independently of `check_rules`, so the tests prove
the rules themselves and not just agreement between the planner and its own checker.
The planner is exact, so tests assert rules and optimality, not particular choices;
brute force over small instances is the oracle (tests/core/test_planner_exact.py).
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import holidays as holidays_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.planner import (
    Plan,
    PlanRequest,
    WeekSlot,
    check_rules,
    major_season,
    plan_rotation,
    round_robin,
)

SEED_TEAM = ("John", "James", "Jill", "Davis")
SEED_START = date(2026, 11, 30)  # a Monday
MAJOR_KEYS = ("Christmas Day", "New Year's Day")
# "Jill instead of Davis: Davis had Christmas 2026": who, instead of whom, and why.
REASON = re.compile(r"^(fixed|(\S+) instead of (\S+): .+)$")


# --------------------------------------------------------------------------- helpers


def make_slots(start: date, count: int, first_index: int = 0) -> tuple[WeekSlot, ...]:
    return tuple(
        WeekSlot(first_index + k, tuple(start + timedelta(days=7 * k + i) for i in range(7)))
        for k in range(count)
    )


def us_calendar(start: date, weeks: int) -> tuple[dict[date, str], dict[date, str]]:
    """US federal holidays (observed days included) and the major ones keyed by name."""
    years = range(start.year, start.year + weeks // 52 + 2)
    cal = holidays_lib.country_holidays("US", years=years)
    hol = {d: name for d, name in cal.items()}
    major = {d: key for d, name in hol.items() for key in MAJOR_KEYS if name.startswith(key)}
    return hol, major


def seed_request(weeks: int = 104, **kw: object) -> PlanRequest:
    hol, major = us_calendar(SEED_START, weeks)
    return PlanRequest(SEED_TEAM, make_slots(SEED_START, weeks), hol, major, **kw)  # type: ignore[arg-type]


def members_of(plan: Plan) -> dict[int, str]:
    return {w.index: w.member for w in plan.weeks}


def holiday_days(req: PlanRequest, plan: Plan) -> Counter[str]:
    days = Counter({m: 0 for m in req.order})
    for slot, week in zip(req.slots, plan.weeks, strict=True):
        days[week.member] += sum(1 for d in slot.days if d in req.holidays)
    return days


def week_counts(req: PlanRequest, members: Sequence[str]) -> list[int]:
    c = Counter(members)
    return [c[m] for m in req.order]


def major_cover(req: PlanRequest, plan: Plan) -> dict[str, set[tuple[str, int]]]:
    """member -> {(major key, season)} covered in the plan (history included)."""
    cover: dict[str, set[tuple[str, int]]] = {}
    pairs = [(s, m) for s, m in req.history]
    pairs += [(s, w.member) for s, w in zip(req.slots, plan.weeks, strict=True)]
    for slot, m in pairs:
        for d in slot.days:
            if d in req.major:
                cover.setdefault(m, set()).add((req.major[d], major_season(d)))
    return cover


def back_to_back(req: PlanRequest, members: Sequence[str]) -> list[int]:
    """Week indexes k where week k-1 has the same member and neither week allows it."""
    seq = [(s.index, m) for s, m in req.history] + [
        (s.index, m) for s, m in zip(req.slots, members, strict=True)
    ]
    bad = []
    for (k0, m0), (k1, m1) in zip(seq, seq[1:], strict=False):
        allowed = k1 in req.allow_consecutive or k0 in req.allow_consecutive
        if k1 == k0 + 1 and m0 == m1 and not allowed and k1 >= req.slots[0].index:
            bad.append(k1)
    return bad


def rules_in(broken: Sequence[str]) -> set[int]:
    return {int(b.split()[1]) for b in broken}


def bare(broken: Sequence[str]) -> tuple[str, ...]:
    """Broken-rule messages without the planner's "(unavoidable ...)" qualifier."""
    return tuple(re.sub(r" \((unavoidable|best found)[^()]*\)$", "", b) for b in broken)


def reason_ok(w: object, target: str) -> bool:
    """A moved week names its member and the one it replaces."""
    reason = w.reason  # type: ignore[attr-defined]
    if reason is None:
        return w.member == target  # type: ignore[attr-defined]
    found = REASON.match(reason)
    return bool(found) and (reason == "fixed" or found.group(3) == target)


# --------------------------------------------------------------------------- basics


def test_major_season() -> None:
    assert major_season(date(2026, 12, 25)) == 2026
    assert major_season(date(2027, 1, 1)) == 2026
    assert major_season(date(2027, 6, 30)) == 2026
    assert major_season(date(2027, 7, 1)) == 2027


def test_empty_and_invalid_requests() -> None:
    empty = PlanRequest(SEED_TEAM, (), {})
    assert plan_rotation(empty) == Plan((), ())
    assert round_robin(empty) == Plan((), ())
    with pytest.raises(ValueError):
        plan_rotation(PlanRequest(("a", "a"), make_slots(SEED_START, 3), {}))
    with pytest.raises(ValueError):
        plan_rotation(PlanRequest((), make_slots(SEED_START, 3), {}))
    with pytest.raises(ValueError):
        check_rules(PlanRequest(("a", "b"), make_slots(SEED_START, 3), {}), {0: "a"})


def test_no_holidays_means_plain_round_robin() -> None:
    req = PlanRequest(SEED_TEAM, make_slots(SEED_START, 30, first_index=7), {})
    plan = plan_rotation(req)
    assert plan.weeks == round_robin(req).weeks and plan.optimal
    assert [w.member for w in plan.weeks] == [SEED_TEAM[k % 4] for k in range(7, 37)]
    assert all(w.reason is None for w in plan.weeks)
    assert plan.broken == ()


# --------------------------------------------------------------------------- seed team


def test_seed_calendar_has_27_holiday_days() -> None:
    req = seed_request()
    assert sum(1 for s in req.slots for d in s.days if d in req.holidays) == 27


def test_seed_round_robin_breaks_holiday_and_christmas_rules() -> None:
    req = seed_request()
    rr = round_robin(req)
    assert sorted(holiday_days(req, rr).values(), reverse=True) == [10, 8, 6, 3]
    assert rules_in(rr.broken) == {3, 4}
    assert any("Christmas Day two seasons running" in b for b in rr.broken)
    assert rr.broken == check_rules(req, members_of(rr))
    assert all(w.reason is None for w in rr.weeks)


def test_seed_plan_is_fair() -> None:
    req = seed_request()
    plan = plan_rotation(req)
    members = [w.member for w in plan.weeks]
    assert plan.broken == ()
    assert check_rules(req, members_of(plan)) == ()
    # Rule 2: 26 weeks each.
    assert week_counts(req, members) == [26, 26, 26, 26]
    # Rule 3: 27 holiday days split 7/7/7/6.
    assert sorted(holiday_days(req, plan).values()) == [6, 7, 7, 7]
    # Rule 4: no major holiday two seasons running, never both in one season.
    for cover in major_cover(req, plan).values():
        for key, season in cover:
            assert (key, season + 1) not in cover
        seasons = Counter(season for _, season in cover)
        assert max(seasons.values()) == 1
    # Rule 5.
    assert back_to_back(req, members) == []
    assert plan.optimal and all(r.proven for r in plan.rules if r.rule <= 5)
    # Reasons: None exactly on round-robin weeks, "X instead of Y: why" otherwise, and a
    # reason names a major holiday only in a week that holds it.
    for slot, w in zip(req.slots, plan.weeks, strict=True):
        assert reason_ok(w, SEED_TEAM[w.index % 4]), w
        for key in ("Christmas", "New Year"):
            if w.reason and key in w.reason and "had" not in w.reason:
                assert any(req.major.get(d, "").startswith(key) for d in slot.days), w
    assert any(w.reason and "holiday days" in w.reason for w in plan.weeks)


def test_seed_ten_years_keeps_every_avoidable_rule() -> None:
    req = seed_request(520)
    plan = plan_rotation(req)
    assert len(plan.weeks) == 520
    # In 2033/34 Christmas (observed, Mon 26 Dec) and New Year's Day (Sun 1 Jan) fall in
    # the same week, so whoever has that week has both: the only break left.
    assert len(plan.broken) == 1
    assert plan.broken[0].startswith("rule 4 (major holidays): ")
    assert plan.broken[0].endswith(
        "is on call for both Christmas Day and New Year's Day in the 2033/2034 season "
        "(one week covers both) (unavoidable: proven the best any plan can do)"
    )
    assert plan.optimal


def test_determinism_and_input_order_independence() -> None:
    req = seed_request(unavailable={"Jill": frozenset({date(2027, 3, 3)})})
    first = plan_rotation(req)
    assert plan_rotation(req) == first
    shuffled = PlanRequest(
        req.order,
        req.slots,
        dict(reversed(list(req.holidays.items()))),
        dict(reversed(list(req.major.items()))),
        {"Jill": frozenset({date(2027, 3, 3)})},
    )
    assert plan_rotation(shuffled) == first


# --------------------------------------------------------------------------- fixed, time off


def test_fixed_weeks_are_kept_and_reported() -> None:
    # Week 10 is James's swap: he also has week 9 (his round-robin week) -> back to back.
    fixed = {10: "James", 11: "Davis", 500: "John"}
    req = seed_request(fixed=fixed)
    plan = plan_rotation(req)
    got = members_of(plan)
    assert got[10] == "James" and got[11] == "Davis"
    reasons = {w.index: w.reason for w in plan.weeks}
    assert reasons[10] == "fixed"
    assert plan.broken == check_rules(req, got) == ()
    # Nobody ends up next to a fixed week of theirs: James leaves week 9, his usual one.
    assert got[9] != "James" and got[12] != "Davis"


def test_fixed_back_to_back_is_reported_unless_allowed() -> None:
    fixed = {9: "James", 10: "James"}
    plan = plan_rotation(seed_request(fixed=fixed))
    assert [w.member for w in plan.weeks[9:11]] == ["James", "James"]
    assert any(b.startswith("rule 5") and "weeks 9 and 10" in b for b in plan.broken)
    allowed = plan_rotation(seed_request(fixed=fixed, allow_consecutive=frozenset({10})))
    assert not any(b.startswith("rule 5") for b in allowed.broken)


def test_unavailable_respected_and_made_up() -> None:
    away = frozenset(date(2027, 2, 1) + timedelta(days=i) for i in range(21))  # weeks 9-11
    local = frozenset(d for d in holidays_lib.country_holidays("GB", years=[2027, 2028]))
    req = seed_request(unavailable={"Jill": away, "Davis": local})
    plan = plan_rotation(req)
    members = [w.member for w in plan.weeks]
    for slot, m in zip(req.slots, members, strict=True):
        assert not set(slot.days) & req.unavailable.get(m, frozenset())
    counts = week_counts(req, members)
    assert max(counts) - min(counts) <= 1
    assert any("Jill is away on" in (w.reason or "") for w in plan.weeks if w.index in (9, 10, 11))
    assert not any(b.startswith("rule 1") for b in plan.broken)
    assert bare(plan.broken) == check_rules(req, members_of(plan))
    # Plain round-robin walks straight into Jill's time off.
    assert any(b.startswith("rule 1 (availability): Jill") for b in round_robin(req).broken)


def test_everyone_unavailable_breaks_rule_1_only_that_week() -> None:
    slots = make_slots(SEED_START, 12)
    everyone = {m: frozenset(slots[5].days[2:3]) for m in SEED_TEAM}
    req = PlanRequest(SEED_TEAM, slots, {}, unavailable=everyone)
    plan = plan_rotation(req)
    rule1 = [b for b in plan.broken if b.startswith("rule 1")]
    assert len(rule1) == 1 and "week 5" in rule1[0]
    assert week_counts(req, [w.member for w in plan.weeks]) == [3, 3, 3, 3]


def test_two_member_team_reports_what_it_had_to_break() -> None:
    # One holiday in each even week: alternating A/B (the only way to avoid back-to-back)
    # hands every holiday to the same person, so rule 3 forces a back-to-back.
    slots = make_slots(SEED_START, 20)
    hol = {slots[k].days[2]: "holiday" for k in (0, 2, 4, 6)}
    req = PlanRequest(("A", "B"), slots, hol)
    rr = round_robin(req)
    assert rules_in(rr.broken) == {3}
    plan = plan_rotation(req)
    assert plan.broken and rules_in(plan.broken) == {5}
    assert sorted(holiday_days(req, plan).values()) == [2, 2]
    assert week_counts(req, [w.member for w in plan.weeks]) == [10, 10]


def test_history_counts_for_back_to_back_and_christmas() -> None:
    hist_slots = make_slots(SEED_START, 10)
    history = tuple((s, SEED_TEAM[s.index % 4]) for s in hist_slots)  # Davis had Christmas 2026
    start = SEED_START + timedelta(weeks=10)
    hol, major = us_calendar(SEED_START, 110)
    slots = make_slots(start, 60, first_index=10)
    history = history[:-1] + ((hist_slots[-1], "Jill"),)  # week 9: Jill, rr for week 10
    req = PlanRequest(SEED_TEAM, slots, hol, major, history=history)
    rr = round_robin(req)
    assert any("weeks 9 and 10" in b for b in rr.broken)
    assert any("Davis is on call for Christmas Day two seasons running" in b for b in rr.broken)
    plan = plan_rotation(req)
    assert plan.weeks[0].member != "Jill"
    assert plan.broken == ()
    christmas_2027 = next(
        w for s, w in zip(slots, plan.weeks, strict=True) if date(2027, 12, 25) in s.days
    )
    assert christmas_2027.member != "Davis"


# --------------------------------------------------------------------------- checker


def test_check_rules_messages() -> None:
    slots = make_slots(SEED_START, 8)
    hol = {slots[0].days[0]: "h1", slots[1].days[0]: "h2", slots[2].days[0]: "h3"}
    req = PlanRequest(("a", "b", "c"), slots, hol, unavailable={"a": frozenset({slots[3].days[4]})})
    assignment = dict(enumerate(["a", "a", "a", "a", "b", "b", "c", "b"]))
    broken = check_rules(req, assignment)
    assert rules_in(broken) == {1, 2, 3, 5}
    assert any("rule 1 (availability): a is on call in week 3" in b for b in broken)
    assert any(
        "on-call weeks over the 8 planned weeks range from 1 (c) to 4 (a)" in b for b in broken
    )
    assert any("holiday days on call range from 0 (b) to 3 (a)" in b for b in broken)
    assert sum(b.startswith("rule 5") for b in broken) == 4


def test_rule_2_window_is_checked() -> None:
    team = ("a", "b", "c", "d")
    slots = make_slots(SEED_START, 104)
    # Totals even (26 each) but the first 52 weeks favour a and b heavily.
    first = [team[k % 2] for k in range(52)]
    second = [team[2 + k % 2] for k in range(52)]
    broken = check_rules(PlanRequest(team, slots, {}), dict(enumerate(first + second)))
    assert broken and all("in the 52 weeks from week" in b for b in broken)


def test_unavoidable_breaks_are_labelled() -> None:
    # 50 members share 27 holiday days, and some weeks hold two: someone must get 2 while
    # someone gets 0, so rule 3 cannot hold; the message says so.
    hol, major = us_calendar(SEED_START, 104)
    team = tuple(f"m{i:02d}" for i in range(50))
    plan = plan_rotation(PlanRequest(team, make_slots(SEED_START, 104), hol, major))
    assert len(plan.broken) == 1 and "unavoidable" in plan.broken[0]


# --------------------------------------------------------------------------- properties

NAMES = tuple(f"u{i}" for i in range(14))


@st.composite
def requests(draw: st.DrawFn, with_constraints: bool = True) -> PlanRequest:
    n = draw(st.integers(2, 12))
    order = tuple(draw(st.permutations(NAMES))[:n])
    weeks = draw(st.integers(20, 80))
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 2500)))
    first = draw(st.integers(0, 60))
    slots = make_slots(start, weeks, first)
    span = 7 * weeks
    day = st.integers(0, span - 1).map(lambda i: start + timedelta(days=i))
    hol_days = draw(st.lists(day, max_size=weeks // 2, unique=True))
    holidays = {d: "holiday" for d in hol_days}
    major = {d: draw(st.sampled_from(MAJOR_KEYS)) for d in hol_days if draw(st.integers(0, 4)) == 0}
    unavailable: dict[str, frozenset[date]] = {}
    fixed: dict[int, str] = {}
    if with_constraints:
        for m in order:
            if draw(st.booleans()):
                unavailable[m] = frozenset(draw(st.lists(day, max_size=20)))
        keys = st.integers(first - 3, first + weeks + 3)
        fixed = draw(st.dictionaries(keys, st.sampled_from((*order, "outsider")), max_size=6))
    hist_len = draw(st.integers(0, 8))
    hist_slots = make_slots(start - timedelta(weeks=hist_len), hist_len, first - hist_len)
    history = tuple((s, draw(st.sampled_from(order))) for s in hist_slots)
    allow = frozenset(draw(st.lists(st.integers(first, first + weeks), max_size=3)))
    # A small budget: properties need many examples, not proofs of each one.
    return PlanRequest(
        order, slots, holidays, major, unavailable, fixed, history, allow, seconds=0.1
    )


PROPS = settings(max_examples=15, deadline=None)


@PROPS
@given(requests())
def test_prop_broken_is_exactly_what_the_checker_finds(req: PlanRequest) -> None:
    for plan in (plan_rotation(req), round_robin(req)):
        assert [w.index for w in plan.weeks] == [s.index for s in req.slots]
        assert bare(plan.broken) == check_rules(req, members_of(plan))


@PROPS
@given(requests())
def test_prop_fixed_kept_rule_1_and_reasons(req: PlanRequest) -> None:
    plan = plan_rotation(req)
    assert plan_rotation(req) == plan  # deterministic
    n = len(req.order)
    for slot, w in zip(req.slots, plan.weeks, strict=True):
        if slot.index in req.fixed:
            assert w.member == req.fixed[slot.index]
            continue
        assert w.member in req.order
        someone_free = any(
            not set(slot.days) & req.unavailable.get(m, frozenset()) for m in req.order
        )
        if someone_free:
            assert not set(slot.days) & req.unavailable.get(w.member, frozenset())
        assert reason_ok(w, req.order[slot.index % n]), w


@PROPS
@given(requests(with_constraints=False))
def test_prop_rule_2_holds_without_fixed_weeks_or_time_off(req: PlanRequest) -> None:
    # Without history too: a history of one person's weeks can make rule 2 unkeepable.
    req = dataclasses.replace(req, history=())
    plan = plan_rotation(req)
    members = [w.member for w in plan.weeks]
    counts = week_counts(req, members)
    assert max(counts) - min(counts) <= 1
    for s in range(len(members) - 52 + 1):
        window = week_counts(req, members[s : s + 52])
        assert max(window) - min(window) <= 2
    assert not any(b.startswith("rule 2") for b in plan.broken)


@PROPS
@given(requests())
def test_prop_all_rules_kept_whenever_round_robin_keeps_them(req: PlanRequest) -> None:
    if not round_robin(req).broken:
        assert plan_rotation(req).broken == ()


def _reference_rules(req: PlanRequest, members: Sequence[str]) -> set[int]:
    """A naive, independent statement of the five rules: which ones `members` breaks."""
    broken: set[int] = set()
    for slot, m in zip(req.slots, members, strict=True):
        if set(slot.days) & req.unavailable.get(m, frozenset()):
            broken.add(1)
    counts = week_counts(req, members)
    if max(counts) - min(counts) > 1:
        broken.add(2)
    # 52-week windows holding a planned week, reaching back into adjoining history.
    run: list[str] = []
    expect = req.slots[0].index - 1
    for slot, m in reversed(req.history):
        if slot.index != expect:
            break
        run.insert(0, m)
        expect -= 1
    seq = run + list(members)
    for s in range(len(seq) - 52 + 1):
        if s + 52 <= len(run) or len(seq) <= 52:
            continue
        window = week_counts(req, seq[s : s + 52])
        if max(window) - min(window) > 2:
            broken.add(2)
    hol = Counter({m: 0 for m in req.order})
    for slot, m in zip(req.slots, members, strict=True):
        if m in hol:
            hol[m] += sum(1 for d in slot.days if d in req.holidays)
    if max(hol.values()) - min(hol.values()) > 1:
        broken.add(3)
    if len(req.order) >= 3:
        planned: dict[str, set[tuple[str, int]]] = {}
        past: dict[str, set[tuple[str, int]]] = {}
        for target, pairs in ((past, req.history), (planned, zip(req.slots, members, strict=True))):
            for slot, m in pairs:
                for d in slot.days:
                    if d in req.major:
                        target.setdefault(m, set()).add((req.major[d], major_season(d)))
        for m, mine in planned.items():
            every = mine | past.get(m, set())
            for key, season in mine:
                if (key, season - 1) in every or (key, season + 1) in every:
                    broken.add(4)
                if any(k != key and s == season for k, s in every):
                    broken.add(4)
    if back_to_back(req, members):
        broken.add(5)
    return broken


@PROPS
@given(requests(), st.randoms(use_true_random=False))
def test_prop_checker_matches_a_naive_reference(req: PlanRequest, rnd: random.Random) -> None:
    # Check the checker on planned, round-robin and random assignments alike.
    candidates = [
        [w.member for w in plan_rotation(req).weeks],
        [w.member for w in round_robin(req).weeks],
        [rnd.choice(req.order) for _ in req.slots],
    ]
    for members in candidates:
        assignment = {s.index: m for s, m in zip(req.slots, members, strict=True)}
        assert rules_in(check_rules(req, assignment)) == _reference_rules(req, members)


def _mapping_copy(m: Mapping[date, str]) -> dict[date, str]:
    return dict(sorted(m.items(), reverse=True))


@PROPS
@given(requests())
def test_prop_mapping_order_does_not_matter(req: PlanRequest) -> None:
    again = PlanRequest(
        req.order,
        req.slots,
        _mapping_copy(req.holidays),
        _mapping_copy(req.major),
        dict(sorted(req.unavailable.items(), reverse=True)),
        dict(sorted(req.fixed.items(), reverse=True)),
        req.history,
        req.allow_consecutive,
        seconds=req.seconds,
    )
    assert plan_rotation(again) == plan_rotation(req)
