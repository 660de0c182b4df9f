"""The rotation: round-robin order, the backup, and the stored plan."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stored import audits
from stored import plan_of as stored_plan
from teams import bare_team

from bot.clock import FixedClock
from bot.config import load_config
from bot.core.errors import Refusal
from bot.core.model import Assignment, Team
from bot.core.oncall import who
from bot.core.rotation import plan_weeks
from bot.core.weeks import week
from bot.service import OnCallService

ROOT = Path(__file__).resolve().parents[2]
ORDER = ("john", "james", "jill", "davis")


def audit_actions(service: OnCallService) -> list[str]:
    return [r.action for r in audits(service)]


# --- round robin ---------------------------------------------------------------------


def test_plan_weeks_is_round_robin_without_holidays(team: Team) -> None:
    result = plan_weeks(team, {}, 0, 11)
    assert [a.member for a in result.assignments] == list(ORDER) * 3
    assert [a.index for a in result.assignments] == list(range(12))
    assert all(a.reason is None and not a.fixed for a in result.assignments)
    assert result.broken == ()


def test_plan_weeks_keeps_stored_weeks_and_fills_only_the_missing(team: Team) -> None:
    stored = {2: Assignment(2, "davis", "swap", True), 3: Assignment(3, "john")}
    result = plan_weeks(team, stored, 0, 5)
    assert {a.index: a.member for a in result.assignments} == {
        0: "john",
        1: "james",
        4: "john",
        5: "james",
    }


@settings(max_examples=60, deadline=None)
@given(
    order=st.lists(
        st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), min_size=1, max_size=7, unique=True
    ),
    k=st.integers(min_value=0, max_value=1000),
)
def test_week_k_is_order_k_mod_n_and_backup_is_next_weeks_engineer(
    order: list[str], k: int
) -> None:
    team = bare_team(tuple(order))
    n = len(order)
    plan = {a.index: a for a in plan_weeks(team, {}, k, k + 1).assignments}
    assert plan[k].member == order[k % n]
    at = week(team, k).start + timedelta(hours=30)
    answer = who(team, plan, [], at)
    assert answer.on_call == answer.scheduled == order[k % n]
    expected_backup = order[(k + 1) % n] if n > 1 else None
    assert answer.backup == expected_backup
    assert answer.reasons == ()


def test_service_schedule_is_round_robin_with_next_week_as_backup(
    service: OnCallService,
) -> None:
    weeks = service.schedule(0, 9)
    assert [w.week.index for w in weeks] == list(range(9))
    assert [w.member for w in weeks] == [ORDER[k % 4] for k in range(9)]
    assert [w.backup for w in weeks] == [ORDER[(k + 1) % 4] for k in range(9)]
    assert not any(w.cover_needed or w.reason or w.fixed for w in weeks)


def test_service_who_in_weeks_0_to_7(service: OnCallService) -> None:
    for k in range(8):
        at = week(service.team, k).start + timedelta(days=3)
        answer = service.who(at)
        assert answer.week.index == k
        assert (answer.on_call, answer.backup) == (ORDER[k % 4], ORDER[(k + 1) % 4])


def test_single_member_team_has_no_backup(make_team: Callable[..., Team], team_config) -> None:
    team_config["rotation"]["order"] = ["jill"]
    team = make_team(team_config)
    answer = who(team, {}, [], datetime(2026, 12, 10, 15, tzinfo=UTC))
    assert (answer.on_call, answer.backup) == ("jill", None)


def test_before_week_zero_every_answer_says_not_started(
    team: Team, make_service: Callable[..., OnCallService]
) -> None:
    early = FixedClock(datetime(2026, 11, 20, 15, tzinfo=UTC))
    service = make_service(team, clock=early)
    answer = service.who()
    assert not answer.started
    assert answer.week is None
    assert (answer.on_call, answer.backup, answer.scheduled) == (None, None, None)
    assert answer.reasons == ("the rotation has not started",)
    assert answer.owners == ()
    assert service.current_index() < 0
    # one minute before the first handover, still not started; at it, week 0
    assert not service.who(datetime(2026, 11, 30, 13, 59, tzinfo=UTC)).started
    assert service.who(datetime(2026, 11, 30, 14, 0, tzinfo=UTC)).on_call == "john"
    # the schedule before the start begins with week 0
    assert service.schedule()[0].week.index == 0


# --- the plan is stored --------------------------------------------------------------


def test_sync_plan_stores_plan_weeks_ahead_and_is_idempotent(service: OnCallService) -> None:
    plan = stored_plan(service, 0, 10_000)
    assert len(plan) >= service.team.plan_weeks
    assert plan == {k: ORDER[k % 4] for k in plan}
    assert service.sync_plan() == []
    assert stored_plan(service, 0, 10_000) == plan
    assert "replan" not in audit_actions(service)


def test_plan_weeks_n_plans_exactly_n_weeks_and_everything_agrees_on_the_horizon(
    team_config, make_team: Callable[..., Team], make_service: Callable[..., OnCallService]
) -> None:
    """`policy.plan_weeks: N` stores weeks current..current+N-1 (it stored N+1), and the
    store, the fairness ledger and the request limit share that one horizon."""
    config = copy.deepcopy(team_config)
    config["policy"]["plan_weeks"] = 12
    service = make_service(make_team(config))
    current = service.current_index()
    horizon = service.last_plannable_week()
    assert horizon == current + 12 - 1
    assert sorted(stored_plan(service, 0, 10_000)) == list(range(current, current + 12))
    assert service.ledger().last_week == horizon
    member = stored_plan(service, horizon, horizon)[horizon]
    other = next(m for m in service.team.order if m != member)
    assert service.request_swap(member, other, horizon).requester_week == horizon
    with pytest.raises(Refusal):
        service.request_swap(member, other, horizon + 1)


def test_reads_use_the_stored_plan_not_a_recomputation(service: OnCallService) -> None:
    with service.store.write() as s:
        service.store.put_weeks(s, [Assignment(2, "davis", "adjusted: test")], service.now())
    at = week(service.team, 2).start + timedelta(hours=1)
    answer = service.who(at)
    assert answer.on_call == "davis"
    assert "adjusted: test" in answer.reasons
    assert service.who(week(service.team, 1).start).backup == "davis"
    assert service.schedule(2, 1)[0].member == "davis"


def test_config_change_without_new_order_or_member_moves_no_week(
    team_config, make_team: Callable[..., Team], make_service: Callable[..., OnCallService]
) -> None:
    first = make_service(make_team(team_config))
    before = stored_plan(first, 0, 10_000)
    changed = copy.deepcopy(team_config)
    changed["policy"]["time_off_notice_days"] = 21
    changed["pipelines"][0]["primary"] = "jill"
    changed["members"][0]["name"] = "Johnny"
    changed["members"][0]["slack_id"] = "U0000000099"
    changed["team"]["admins"] = ["jill"]
    second = make_service(make_team(changed))
    assert second.sync_plan() == []
    assert stored_plan(second, 0, 10_000) == before
    assert "replan" not in audit_actions(second)


@pytest.mark.parametrize(
    "new_order",
    [
        ("davis", "jill", "james", "john"),  # reordered
        ("john", "james", "jill", "davis", "erin"),  # a new member
        ("john", "jill", "davis"),  # james leaves the rotation (still a member)
    ],
)
def test_new_order_replans_only_weeks_after_the_freeze_horizon(
    team_config,
    make_team: Callable[..., Team],
    make_service: Callable[..., OnCallService],
    clock: FixedClock,
    new_order: tuple[str, ...],
) -> None:
    first = make_service(make_team(team_config))
    before = stored_plan(first, 0, 10_000)

    clock.set(datetime(2027, 1, 6, 15, tzinfo=UTC))  # later, in week 5
    changed = copy.deepcopy(team_config)
    changed["rotation"]["order"] = list(new_order)
    if "erin" in new_order:
        changed["members"].append({"id": "erin", "name": "Erin", "slack_id": "U0000000005"})
    team = make_team(changed)
    second = make_service(team, sync=False)
    current = second.current_index()
    assert current == 5
    notes = second.sync_plan()
    horizon = current + team.freeze_weeks  # weeks up to here never move
    assert notes and f"from week {horizon + 1}" in notes[0]

    after = stored_plan(second, 0, 10_000)
    for k in range(0, horizon + 1):
        assert after[k] == before[k], k
    n = len(new_order)
    for k in range(horizon + 1, horizon + 60):
        assert after[k] == new_order[k % n], k
    assert max(after) >= current + team.plan_weeks
    assert audit_actions(second).count("replan") == 1
    assert second.sync_plan() == []  # the new fingerprint is stored


def test_a_replan_that_needs_no_move_moves_no_week(
    team_config,
    make_team: Callable[..., Team],
    make_service: Callable[..., OnCallService],
    clock: FixedClock,
) -> None:
    """A config change that re-plans (the fingerprint changed) but that the stored plan
    already satisfies moves nothing: the planner gets the dropped weeks as `previous` and
    moves as few as the rules allow (without it, 12 weeks moved here)."""
    config = copy.deepcopy(team_config)
    config["team"]["holidays"] = {"country": "US"}
    first = make_service(make_team(config))
    before = stored_plan(first, 0, 10_000)

    clock.set(datetime(2027, 1, 6, 15, tzinfo=UTC))  # later, in week 5
    config["policy"]["major_holidays"] = ["Christmas Day"]  # one major holiday fewer
    second = make_service(make_team(config), sync=False)
    notes = second.sync_plan()
    assert notes and "config changed: re-planned" in notes[0]
    after = stored_plan(second, 0, 10_000)
    assert max(after) >= second.last_plannable_week()
    assert [k for k in before if after[k] != before[k]] == []


def test_replan_keeps_swapped_weeks_and_leaves_no_gap(
    team_config,
    make_team: Callable[..., Team],
    make_service: Callable[..., OnCallService],
) -> None:
    first = make_service(make_team(team_config))
    swap = first.request_swap("john", "james", 20)  # john's week 20 for james's week 21
    first.accept_swap("james", swap.id)

    changed = copy.deepcopy(team_config)
    changed["rotation"]["order"] = ["davis", "jill", "james", "john"]
    second = make_service(make_team(changed))
    weeks = {w.week.index: w.member for w in second.schedule(0, 30)}
    assert (weeks[20], weeks[21]) == ("james", "john")  # the agreed swap stands
    assert [weeks[k] for k in range(3)] == ["john", "james", "jill"]  # frozen
    assert [weeks[k] for k in range(3, 20)] == [
        changed["rotation"]["order"][k % 4] for k in range(3, 20)
    ]


def test_removing_a_member_never_leaves_them_on_call(
    team_config,
    make_team: Callable[..., Team],
    make_service: Callable[..., OnCallService],
) -> None:
    make_service(make_team(team_config))
    changed = copy.deepcopy(team_config)
    changed["members"] = [m for m in changed["members"] if m["id"] != "john"]
    changed["rotation"]["order"] = ["james", "jill", "davis"]
    changed["team"]["admins"] = ["james"]
    changed["pipelines"] = []
    team = make_team(changed)
    service = make_service(team)
    answer = service.who()  # week 0, stored as john's
    assert answer.on_call in {"james", "jill", "davis"}
    for w in service.schedule(0, 6):
        assert w.member in {"james", "jill", "davis"}
        team.member(w.member)


# --- with holidays the fair planner takes over (only once it exists) -----------------


def test_shipped_config_plans_with_the_fair_planner(
    make_service: Callable[..., OnCallService],
) -> None:
    pytest.importorskip("bot.core.planner")
    team = load_config(ROOT / "oncall.yml")
    service = make_service(team)
    weeks = service.schedule(0, 52)
    assert [w.week.index for w in weeks] == list(range(52))
    assert {w.member for w in weeks} == set(team.order)
    # fair: over a year nobody has more than two weeks more than anyone else
    counts = {m: sum(w.member == m for w in weeks) for m in team.order}
    assert max(counts.values()) - min(counts.values()) <= 2
