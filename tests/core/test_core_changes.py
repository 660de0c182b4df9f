"""What a change moved (bot.core.changes): the diff of future weeks, netting, the words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from teams import bare_team

from bot.core.changes import (
    Holders,
    Role,
    WeekChange,
    WeekInputs,
    changes_between,
    diff,
    future_weeks,
    holders,
    net,
    swap_why,
    time_off_why,
    touched_weeks,
)
from bot.core.model import Assignment, Override, SwapRequest, SwapStatus, TimeOff
from bot.core.weeks import week

TEAM = bare_team(("ana", "bob", "cy", "dee"))
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday of week 0


def rotation(n: int = 12, **moved: str) -> dict[int, Assignment]:
    """Round-robin weeks 0..n-1, with week k given to moved[f"w{k}"]."""
    plan = {k: Assignment(k, TEAM.order[k % 4]) for k in range(n)}
    for key, member in moved.items():
        k = int(key[1:])
        plan[k] = Assignment(k, member, f"swap with {plan[k].member}", True)
    return plan


def snapshot(plan: dict[int, Assignment], time_off: list[TimeOff] = ()) -> dict[int, Holders]:
    return holders(TEAM, plan, list(time_off), (), future_weeks(TEAM, NOW, max(plan)))


def test_a_swap_moves_the_engineer_weeks_and_the_backups_around_them() -> None:
    before = snapshot(rotation())
    after = snapshot(rotation(w4="cy", w6="ana"))  # ana's week 4 <-> cy's week 6
    changes = diff(before, after, "Ana and Cy swapped weeks")
    seen = {(c.member, c.week, c.role, c.before, c.after) for c in changes}
    assert seen == {
        # week 4: on call ana -> cy, told to both
        ("ana", 4, Role.ENGINEER, "ana", "cy"),
        ("cy", 4, Role.ENGINEER, "ana", "cy"),
        # week 6: on call cy -> ana
        ("cy", 6, Role.ENGINEER, "cy", "ana"),
        ("ana", 6, Role.ENGINEER, "cy", "ana"),
        # the backup is next week's engineer: weeks 3 and 5 change backup
        ("ana", 3, Role.BACKUP, "ana", "cy"),
        ("cy", 3, Role.BACKUP, "ana", "cy"),
        ("cy", 5, Role.BACKUP, "cy", "ana"),
        ("ana", 5, Role.BACKUP, "cy", "ana"),
    }
    assert {c.why for c in changes} == {"Ana and Cy swapped weeks"}
    assert not any(c.member in ("bob", "dee") for c in changes)  # nothing of theirs moved


def test_a_change_that_moves_nothing_is_no_change() -> None:
    plan = rotation()
    assert diff(snapshot(plan), snapshot(dict(plan)), "why") == []
    # Time off on days that are no handover day moves nobody's week as resolved.
    tuesday = week(TEAM, 5).first_day + timedelta(days=1)
    off = [TimeOff("bob", tuesday, tuesday)]
    assert diff(snapshot(plan), snapshot(plan, off), "why") == []


def test_time_off_on_a_handover_day_moves_the_engineer_and_the_backup() -> None:
    plan = rotation()
    day = week(TEAM, 5).first_day  # bob's week 5 (5 % 4 == 1)
    off = [TimeOff("bob", day, day + timedelta(days=2))]
    changes = diff(snapshot(plan), snapshot(plan, off), time_off_why(TEAM, off[0]))
    roles = {(c.member, c.week, c.role, c.before, c.after) for c in changes}
    # The backup (cy, next week's engineer) stands in; dee backs up instead of cy.
    assert ("bob", 5, Role.ENGINEER, "bob", "cy") in roles
    assert ("cy", 5, Role.ENGINEER, "bob", "cy") in roles
    assert ("cy", 5, Role.BACKUP, "cy", "dee") in roles
    assert ("dee", 5, Role.BACKUP, "cy", "dee") in roles
    # Week 4's backup (bob, at its handover on Mon 28 Dec) is not away then: unmoved.
    assert {c.week for c in changes} == {5}
    assert {c.why for c in changes} == {"Bob is away Mon 04 Jan to Wed 06 Jan"}


def test_started_weeks_are_left_out() -> None:
    # Week 0 is under way at NOW: swapping it is no "future week" change; week 1 is.
    assert list(future_weeks(TEAM, NOW, 10)) == list(range(1, 10))
    assert future_weeks(TEAM, NOW, None) == range(1, 1)
    before = snapshot(rotation())
    after = snapshot(rotation(w0="bob", w1="ana"))
    assert {c.week for c in diff(before, after, "x")} == {1}  # week 0's backup, week 1
    assert all(c.week >= 1 for c in diff(before, after, "x"))
    # Before the rotation starts, week 0 is in the future.
    assert future_weeks(TEAM, NOW - timedelta(days=30), 3) == range(0, 3)


def test_the_plans_own_reasons_say_why_a_replan_moved_a_week() -> None:
    plan = rotation()
    replanned = dict(plan)
    replanned[7] = Assignment(7, "bob", "Bob instead of Dee: Dee is away on Mon 11 Jan")
    changes = diff(snapshot(plan), snapshot(replanned), "re-planned", plan_first=True)
    engineer = [c for c in changes if c.role is Role.ENGINEER]
    backup = [c for c in changes if c.role is Role.BACKUP]
    assert {c.why for c in engineer} == {"Bob instead of Dee: Dee is away on Mon 11 Jan"}
    assert {c.why for c in backup} == {"re-planned"}  # the plan says nothing about backups


def _c(member: str, k: int, before: str, after: str, i: int) -> WeekChange:
    return WeekChange(member, k, Role.ENGINEER, before, after, f"why {i}", i)


def test_changes_that_cancel_out_net_to_nothing() -> None:
    there = _c("ana", 4, "ana", "cy", 1)
    back = _c("ana", 4, "cy", "ana", 2)
    latest = {(4, Role.ENGINEER): back}
    assert net([there, back], latest) == []


def test_netting_keeps_the_first_before_and_the_weeks_latest_after() -> None:
    # ana gives week 4 to cy; then cy gives it on to bob (a change not about ana).
    mine = [_c("ana", 4, "ana", "cy", 1)]
    cys = [_c("cy", 4, "ana", "cy", 2), _c("cy", 4, "cy", "bob", 3)]
    latest = {(4, Role.ENGINEER): _c("bob", 4, "cy", "bob", 4)}
    (told,) = net(mine, latest)
    assert (told.before, told.after, told.why) == ("ana", "bob", "why 4")
    # cy held it for a moment only: nothing of cy's moved in the end.
    assert net(cys, latest) == []


def test_netting_orders_by_week_and_keeps_unrelated_changes() -> None:
    a = _c("ana", 6, "cy", "ana", 1)
    b = _c("ana", 4, "ana", "cy", 2)
    backup = WeekChange("ana", 4, Role.BACKUP, "bob", "ana", "w", 3)
    told = net([a, b, backup], {})
    assert [(c.week, c.role) for c in told] == [
        (4, Role.ENGINEER),
        (4, Role.BACKUP),
        (6, Role.ENGINEER),
    ]


def test_a_swap_is_said_in_words_for_both_parties() -> None:
    at = NOW
    swap = SwapRequest(1, "ana", "cy", 4, 6, SwapStatus.ACCEPTED, at, at)
    cover = SwapRequest(2, "ana", "cy", 4, None, SwapStatus.ACCEPTED, at, at)
    back = SwapRequest(3, "cy", "ana", 4, 6, SwapStatus.ACCEPTED, at, at, undoes=1)
    assert swap_why(TEAM, swap) == "Ana and Cy swapped weeks"
    assert swap_why(TEAM, cover) == "Cy covers Ana's week"
    assert swap_why(TEAM, back) == "Cy and Ana swapped back"
    recorded = SwapRequest(4, "ana", "cy", 4, 6, SwapStatus.ACCEPTED, at, at, recorded_by="dee")
    assert swap_why(TEAM, recorded) == "Ana and Cy swapped weeks (recorded by Dee)"
    one_day = TimeOff("dee", date(2026, 12, 24), date(2026, 12, 24))
    assert time_off_why(TEAM, one_day) == "Dee is away Thu 24 Dec"


def test_resolving_only_the_touched_weeks_finds_what_resolving_all_finds() -> None:
    """The accept path resolves only the weeks whose inputs differ: the same answer as
    comparing every future week, for a swap, a cover, time off and a take-over."""
    span = future_weeks(TEAM, NOW, 11)
    plan = rotation()
    tuesday = week(TEAM, 6).first_day + timedelta(days=1)
    w7 = week(TEAM, 7)
    cases = [
        (plan, rotation(w4="cy", w6="ana"), [], [], []),
        (plan, rotation(w9="ana"), [], [], []),  # a cover: ana takes bob's week 9
        (plan, plan, [], [TimeOff("dee", w7.first_day, w7.first_day)], []),
        (plan, plan, [], [TimeOff("dee", tuesday, tuesday)], []),
        (plan, plan, [], [], [Override("bob", "dee", w7.start, w7.end)]),
    ]
    for before_plan, after_plan, off_before, off_after, overrides in cases:
        before = WeekInputs(before_plan, tuple(off_before), ())
        after = WeekInputs(after_plan, tuple(off_after), tuple(overrides))
        everything = diff(
            holders(TEAM, before_plan, off_before, (), span),
            holders(TEAM, after_plan, off_after, overrides, span),
            "why",
        )
        assert changes_between(TEAM, before, after, span, "why") == everything
        assert bool(everything) == (off_after != [TimeOff("dee", tuesday, tuesday)])
    assert touched_weeks(
        TEAM, WeekInputs(plan, (), ()), WeekInputs(rotation(w4="cy", w6="ana"), (), ()), span
    ) == [3, 4, 5, 6]
