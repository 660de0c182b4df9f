"""Rule 3's floor from the holiday weeks' sizes (bot/core/plan_bounds.py, its one
definition): sound against brute force, fixed weeks included, and tighter than the
biggest-week bound where the weeks cannot cover everyone (issue 14)."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.core.plan_bounds import holiday_floor


def best_excess(weeks: list[int], n: int, fixed: list[int] | None = None) -> int:
    """The least excess (max - min - 1, at least 0) over every assignment of `weeks`,
    member 0 already holding the `fixed` weeks."""
    best = None
    for owners in itertools.product(range(n), repeat=len(weeks)):
        days = [0] * n
        days[0] = sum(fixed or [])
        for w, i in zip(weeks, owners, strict=True):
            days[i] += w
        excess = max(0, max(days) - min(days) - 1)
        best = excess if best is None else min(best, excess)
    return best or 0


@pytest.mark.parametrize("seed", range(60))
def test_the_floor_is_never_above_the_best_assignment(seed: int) -> None:
    rnd = random.Random(seed)
    n = rnd.randint(2, 4)
    weeks = [rnd.choice((0, 1, 1, 1, 2, 3, 5, 7)) for _ in range(rnd.randint(1, 7))]
    assert holiday_floor(weeks, n) <= best_excess(weeks, n)


@pytest.mark.parametrize("seed", range(40))
def test_the_floor_with_fixed_weeks_is_never_above_the_best_assignment(seed: int) -> None:
    rnd = random.Random(1000 + seed)
    n = rnd.randint(2, 4)
    weeks = [rnd.choice((0, 1, 1, 2, 3, 5, 7)) for _ in range(rnd.randint(1, 6))]
    fixed = [rnd.choice((1, 2, 3, 7)) for _ in range(rnd.randint(1, 3))]
    assert holiday_floor(weeks + fixed, n, sum(fixed)) <= best_excess(weeks, n, fixed)


def test_a_member_holding_fixed_holiday_weeks_raises_the_floor() -> None:
    # Fixed: 9 days to one member; the other two share 3 single days: at best 2 and 1,
    # so max - min - 1 >= 9 - 1 - 1 = 7 (the weeks' sizes alone would say 0).
    assert holiday_floor([1, 1, 1, 3, 3, 3], 3) == 0
    assert holiday_floor([1, 1, 1, 3, 3, 3], 3, held=9) == 7
    assert best_excess([1, 1, 1], 3, [3, 3, 3]) == 7


def test_two_shutdown_weeks_leave_someone_short() -> None:
    # 12 members, 33 holiday days: the biggest-week bound says 7 - (33 - 7) // 11 - 1 = 4,
    # but with lo = 2 only 11 members can reach 2 days (4 weeks of 2+, 15 single days),
    # so lo <= 1 and the excess is at least 7 - 1 - 1 = 5.
    weeks = [7, 6, 3, 2] + [1] * 15
    assert holiday_floor(weeks, 12) == 5


def test_no_holidays_or_one_member_has_no_floor() -> None:
    assert holiday_floor([], 5) == 0
    assert holiday_floor([0, 0], 3) == 0
    assert holiday_floor([7, 1], 1) == 0
