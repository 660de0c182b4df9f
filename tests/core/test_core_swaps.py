"""Week swaps and covers: requested, agreed by the counterpart, checked again on accept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from racing import race
from stored import audits, plan_of
from teams import bare_team

from bot.clock import FixedClock
from bot.core import swaps as rules
from bot.core.errors import Refusal
from bot.core.ledger import build_ledger
from bot.core.model import Assignment, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.report import build_report, range_instants
from bot.core.shifts import shifts
from bot.core.weeks import week
from bot.service import OnCallService

ORDER = ("john", "james", "jill", "davis")
# With the conftest clock (Tue 1 Dec 2026, week 0): john has weeks 4, 8, 12..., james 5, 9...


# --- requests -------------------------------------------------------------------------


def test_a_request_changes_nothing_until_accepted(service: OnCallService) -> None:
    before = plan_of(service)
    req = service.request_swap("john", "james", 4, 5, reason="wedding")
    assert req.status is SwapStatus.PENDING
    assert (req.requester, req.counterpart, req.requester_week, req.counterpart_week) == (
        "john",
        "james",
        4,
        5,
    )
    assert req.reason == "wedding"
    assert req.created_at == service.now()
    assert plan_of(service) == before
    assert service.pending_swaps() == [req]


def test_without_their_week_the_counterpart_gives_their_next_week_after_mine(
    service: OnCallService,
) -> None:
    req = service.request_swap("john", "jill", 8)  # jill's weeks: 2, 6, 10...
    assert req.counterpart_week == 10
    req = service.request_swap("davis", "james", 7)  # james: 5, 9
    assert req.counterpart_week == 9


def test_accepting_exchanges_the_two_weeks(service: OnCallService) -> None:
    req = service.request_swap("john", "james", 4, 5)
    outcome = service.accept_swap("james", req.id)
    assert outcome.request.status is SwapStatus.ACCEPTED
    assert outcome.request.decided_at == service.now()
    assert {a.index: a.member for a in outcome.assignments} == {4: "james", 5: "john"}
    plan = plan_of(service)
    assert (plan[4], plan[5]) == ("james", "john")
    assert all(plan[k] == ORDER[k % 4] for k in plan if k not in (4, 5))
    with service.store.read() as s:
        stored = service.store.plan(s, 4, 5)
    assert stored[4] == Assignment(4, "james", "swap with John", True)
    assert stored[5] == Assignment(5, "john", "swap with James", True)
    # who() explains it
    answer = service.who(week(service.team, 4).start + timedelta(hours=2))
    assert answer.on_call == "james"
    assert answer.reasons == ("swap with John",)


def test_a_cover_moves_only_the_requesters_week(service: OnCallService) -> None:
    req = service.request_swap("john", "jill", 4, cover=True)
    assert req.is_cover and req.counterpart_week is None
    assert req.expires_at == week(service.team, 4).start
    outcome = service.accept_swap("jill", req.id)
    assert [(a.index, a.member, a.reason) for a in outcome.assignments] == [
        (4, "jill", "covers John")
    ]
    plan = plan_of(service)
    assert plan[4] == "jill"
    assert [k for k, m in plan.items() if m == "jill" and k < 12] == [2, 4, 6, 10]
    assert plan[8] == "john"


def test_cover_flag_wins_over_a_named_week(service: OnCallService) -> None:
    req = service.request_swap("john", "jill", 4, 6, cover=True)
    assert req.counterpart_week is None


@pytest.mark.parametrize(
    ("requester", "counterpart", "mine", "theirs", "match"),
    [
        ("john", "john", 4, 8, "yourself"),
        ("john", "james", 5, 9, "not John's on-call week"),  # not mine
        ("john", "james", 4, 6, "not James's on-call week"),  # not theirs
        ("john", "james", 0, 5, "already started"),  # my week is running
        ("john", "zed", 4, None, "member of the on-call team"),
        ("zed", "john", 4, None, "Only members"),
    ],
)
def test_invalid_requests_are_refused(
    service: OnCallService,
    requester: str,
    counterpart: str,
    mine: int,
    theirs: int | None,
    match: str,
) -> None:
    with pytest.raises(Refusal, match=match):
        service.request_swap(requester, counterpart, mine, theirs)
    assert service.pending_swaps() == []


def test_a_counterpart_week_already_running_is_refused(
    service: OnCallService, clock: FixedClock
) -> None:
    clock.set(week(service.team, 4).start + timedelta(days=1))  # john's week 4 is running
    with pytest.raises(Refusal, match="the week of 2026-12-28 has already started"):
        service.request_swap("jill", "john", 6, 4)
    req = service.request_swap("jill", "john", 6, 8)
    assert req.expires_at == week(service.team, 6).start


def test_asking_twice_about_one_week_is_refused(service: OnCallService) -> None:
    first = service.request_swap("john", "james", 4, 5)
    with pytest.raises(Refusal, match=f"#{first.id}"):
        service.request_swap("john", "jill", 4, 6)
    service.decide_swap("john", first.id, SwapStatus.CANCELLED)
    service.request_swap("john", "jill", 4, 6)


def test_no_request_when_the_counterpart_has_no_later_week(team: Team) -> None:
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(5)}  # james: week 1 only
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    with pytest.raises(Refusal, match="cover instead"):
        rules.propose_swap(team, plan, [], "john", "james", 4, None, now)


def test_request_refused_when_either_lands_on_the_others_time_off(service: OnCallService) -> None:
    # james away in john's week 4 (28 Dec - 3 Jan)
    service.request_time_off("john", "james", date(2026, 12, 30), date(2026, 12, 31))
    with pytest.raises(Refusal, match="James has time off"):
        service.request_swap("john", "james", 4, 5)
    # john away in jill's week 6 (11 Jan)
    service.request_time_off("john", "john", date(2027, 1, 11), date(2027, 1, 11))
    with pytest.raises(Refusal, match="John has time off"):
        service.request_swap("john", "jill", 8, 6)


# --- accepting ------------------------------------------------------------------------


def test_accepting_twice_has_one_effect(service: OnCallService) -> None:
    req = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", req.id)
    plan = plan_of(service)
    n_audit = len(audits(service))
    with pytest.raises(Refusal, match="already accepted"):
        service.accept_swap("james", req.id)
    assert plan_of(service) == plan
    assert len(audits(service)) == n_audit


def test_only_the_counterpart_accepts_or_declines(service: OnCallService) -> None:
    req = service.request_swap("john", "james", 4, 5)
    for actor in ("john", "jill", "zed"):
        with pytest.raises(Refusal, match="Only James"):
            service.accept_swap(actor, req.id)
        with pytest.raises(Refusal, match="Only James"):
            service.decide_swap(actor, req.id, SwapStatus.DECLINED)
    assert service.swap(req.id).status is SwapStatus.PENDING
    outcome = service.decide_swap("james", req.id, SwapStatus.DECLINED)
    assert outcome.request.status is SwapStatus.DECLINED
    assert outcome.assignments == ()
    with pytest.raises(Refusal, match="already declined"):
        service.accept_swap("james", req.id)
    assert plan_of(service)[4] == "john"


def test_only_the_requester_cancels(service: OnCallService) -> None:
    req = service.request_swap("john", "james", 4, 5)
    for actor in ("james", "jill"):
        with pytest.raises(Refusal, match="Only John can cancel"):
            service.decide_swap(actor, req.id, SwapStatus.CANCELLED)
    service.decide_swap("john", req.id, SwapStatus.CANCELLED)
    assert service.swap(req.id).status is SwapStatus.CANCELLED
    with pytest.raises(Refusal, match="already cancelled"):
        service.accept_swap("james", req.id)
    with pytest.raises(Refusal, match="already cancelled"):
        service.decide_swap("john", req.id, SwapStatus.CANCELLED)


def test_unknown_request(service: OnCallService) -> None:
    with pytest.raises(Refusal, match="does not exist"):
        service.accept_swap("james", 999)
    with pytest.raises(Refusal, match="does not exist"):
        service.decide_swap("james", 999, SwapStatus.DECLINED)


def test_decide_swap_only_declines_or_cancels(service: OnCallService) -> None:
    req = service.request_swap("john", "james", 4, 5)
    for status in (SwapStatus.ACCEPTED, SwapStatus.EXPIRED, SwapStatus.PENDING):
        with pytest.raises(Refusal):
            service.decide_swap("john", req.id, status)
    assert service.swap(req.id).status is SwapStatus.PENDING


@pytest.mark.parametrize(("mine", "theirs", "earlier"), [(4, 5, 4), (8, 5, 5)])
def test_a_request_expires_when_the_earlier_week_starts(
    service: OnCallService, clock: FixedClock, mine: int, theirs: int, earlier: int
) -> None:
    req = service.request_swap("john", "james", mine, theirs)
    start = week(service.team, earlier).start
    assert req.expires_at == start
    before = plan_of(service)
    clock.set(start)
    with pytest.raises(Refusal, match="expired"):
        service.accept_swap("james", req.id)
    assert plan_of(service) == before
    assert service.swap(req.id).status in (SwapStatus.PENDING, SwapStatus.EXPIRED)
    # one minute earlier it could still have been accepted
    other = service.request_swap("john", "james", mine + 4, theirs + 4)
    clock.set(week(service.team, min(mine, theirs) + 4).start - timedelta(minutes=1))
    assert service.accept_swap("james", other.id).request.status is SwapStatus.ACCEPTED


def test_expire_swaps_marks_due_requests_with_an_audit_row(
    service: OnCallService, clock: FixedClock
) -> None:
    due = service.request_swap("john", "james", 4, 5)
    later = service.request_swap("jill", "davis", 6, cover=True)
    clock.set(week(service.team, 4).start)
    expired = service.expire_swaps()
    assert [r.id for r in expired] == [due.id]
    assert service.swap(due.id).status is SwapStatus.EXPIRED
    assert service.swap(later.id).status is SwapStatus.PENDING
    row = audits(service)[-1]
    assert (row.actor, row.action, row.at) == ("system", "swap_expired", clock.now())
    assert service.expire_swaps() == []


def test_accepting_an_expired_request_audits_whatever_it_changes(
    service: OnCallService, clock: FixedClock
) -> None:
    req = service.request_swap("john", "james", 4, 5)
    clock.set(week(service.team, 4).start + timedelta(hours=1))
    with pytest.raises(Refusal, match="expired"):
        service.accept_swap("james", req.id)
    if service.swap(req.id).status is SwapStatus.EXPIRED:
        assert any(
            r.action == "swap_expired" and f'"id": {req.id}' in r.detail for r in audits(service)
        )


def test_a_stale_swap_is_refused(service: OnCallService) -> None:
    first = service.request_swap("john", "james", 4, 5)
    other = service.request_swap("jill", "john", 6, 4)  # jill wants john's week 4
    service.accept_swap("john", other.id)  # week 4 is now jill's
    plan = plan_of(service)
    assert plan[4] == "jill"
    with pytest.raises(Refusal, match="not John's on-call week any more"):
        service.accept_swap("james", first.id)
    assert plan_of(service) == plan
    assert service.swap(first.id).status is SwapStatus.PENDING


def test_a_swap_is_stale_when_the_counterparts_week_moved(service: OnCallService) -> None:
    first = service.request_swap("john", "james", 4, 5)
    other = service.request_swap("davis", "james", 7, 5)
    service.accept_swap("james", other.id)  # james's week 5 went to davis
    with pytest.raises(Refusal, match="not James's on-call week any more"):
        service.accept_swap("james", first.id)
    assert plan_of(service)[4] == "john"


def test_accept_refused_when_time_off_was_recorded_after_the_request(
    service: OnCallService,
) -> None:
    req = service.request_swap("john", "james", 4, 5)
    service.request_time_off("john", "james", date(2026, 12, 29), date(2026, 12, 29))
    with pytest.raises(Refusal, match="James has time off"):
        service.accept_swap("james", req.id)
    req2 = service.request_swap("jill", "davis", 10, 11)
    service.request_time_off("john", "jill", date(2027, 2, 15), date(2027, 2, 16))  # week 11
    with pytest.raises(Refusal, match="Jill has time off"):
        service.accept_swap("davis", req2.id)
    assert plan_of(service)[4] == "john" and plan_of(service)[10] == "jill"


def test_accept_swap_rule_checks_status_before_expiry(team: Team) -> None:
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(12)}
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    req = SwapRequest(1, "john", "james", 4, 5, SwapStatus.PENDING, now, week(team, 4).start)
    changes = rules.accept_swap(team, plan, [], req, "james", now)
    assert [(a.index, a.member, a.fixed) for a in changes] == [
        (4, "james", True),
        (5, "john", True),
    ]
    offs = [TimeOff("james", date(2026, 12, 28), date(2026, 12, 28))]
    with pytest.raises(Refusal):
        rules.accept_swap(team, plan, offs, req, "james", now)


def test_swap_for_week_zero_before_the_rotation_starts(
    team: Team, make_service: Callable[..., OnCallService]
) -> None:
    service = make_service(team, clock=FixedClock(datetime(2026, 11, 2, 15, tzinfo=UTC)))
    req = service.request_swap("james", "john", 1, 0)
    assert (req.requester_week, req.counterpart_week) == (1, 0)


def test_refusal_for_running_week_zero_gives_the_true_reason(service: OnCallService) -> None:
    with pytest.raises(Refusal, match="already started"):
        service.request_swap("jill", "john", 2, 0)


def test_swap_candidates_rule(team: Team) -> None:
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(20)}
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    offs = [
        TimeOff("james", date(2027, 1, 12), date(2027, 1, 12)),  # james away in week 6
        TimeOff("jill", date(2027, 1, 18), date(2027, 2, 1)),  # jill away in weeks 7 and 8
    ]
    got = rules.swap_candidates(team, plan, offs, "jill", 6, now)
    assert got == [("john", 12), ("davis", 11)]  # john's week 8 falls on jill's time off


# --- two replicas accepting at once -----------------------------------------------------


def _race(
    make_service: Callable[..., OnCallService],
    team: Team,
    clock: FixedClock,
    jobs: list[tuple[str, int]],
) -> list[object]:
    services = [make_service(team, clock=clock, sync=False) for _ in jobs]
    return race(
        [
            partial(service.accept_swap, actor, swap_id)
            for service, (actor, swap_id) in zip(services, jobs, strict=True)
        ]
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_accepts_of_one_request_exactly_one_succeeds(
    service: OnCallService,
    make_service: Callable[..., OnCallService],
    clock: FixedClock,
    attempt: int,
) -> None:
    req = service.request_swap("john", "james", 4, 5)
    results = _race(make_service, service.team, clock, [("james", req.id), ("james", req.id)])
    ok = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(ok) == 1 and len(refused) == 1, results
    plan = plan_of(service)
    assert (plan[4], plan[5]) == ("james", "john")
    assert [a.action for a in audits(service)].count("swap_accept") == 1


def test_concurrent_accepts_of_conflicting_requests_one_wins(
    service: OnCallService, make_service: Callable[..., OnCallService], clock: FixedClock
) -> None:
    a = service.request_swap("john", "james", 4, 5)  # james would take week 4
    b = service.request_swap("jill", "john", 6, 4)  # jill would take week 4
    results = _race(make_service, service.team, clock, [("james", a.id), ("john", b.id)])
    ok = [r for r in results if not isinstance(r, Exception)]
    assert len(ok) == 1, results
    assert all(isinstance(r, Refusal) for r in results if r not in ok)
    plan = plan_of(service)
    assert plan[4] in {"james", "jill"}
    if plan[4] == "james":
        assert (plan[5], plan[6]) == ("john", "jill")
    else:
        assert (plan[5], plan[6]) == ("james", "john")
    statuses = {service.swap(a.id).status, service.swap(b.id).status}
    assert statuses == {SwapStatus.ACCEPTED, SwapStatus.PENDING}


def test_requests_beyond_the_planned_horizon_are_refused_by_the_service(service) -> None:
    from datetime import date

    from bot.core.errors import Refusal

    far = service.current_index() + service.team.plan_weeks + 1
    with pytest.raises(Refusal) as info:
        service.request_swap("john", "james", far)
    assert info.value.field == "my_week"
    with pytest.raises(Refusal) as info:
        service.request_swap("john", "james", 4, -1)
    assert info.value.field == "their_week"
    with pytest.raises(Refusal) as info:
        service.request_time_off("john", "john", date(2030, 1, 1), date(9999, 12, 31))
    assert info.value.field == "end" and "end of the planned rotation" in info.value.message
    assert service.time_off_of("john") == []


# --- the lifecycle: swap back, admins acting for others (issue 16.2) -----------------------


def test_a_swap_back_gives_each_week_back_whoever_asks(service: OnCallService) -> None:
    for asker, other in (("john", "james"), ("james", "john")):
        original = service.request_swap("john", "james", 4, 5)
        service.accept_swap("james", original.id)
        back = service.request_swap_back(asker, original.id)
        assert (back.requester, back.counterpart, back.undoes) == (asker, other, original.id)
        # The asker's week now goes to the other, the other's comes back: a plain swap.
        mine = 4 if asker == "james" else 5
        assert (back.requester_week, back.counterpart_week) == (mine, 9 - mine)
        assert back.expires_at == week(service.team, 4).start
        assert plan_of(service)[4] == "james"  # nothing moves until the other accepts
        outcome = service.accept_swap(other, back.id)
        assert {a.index: a.member for a in outcome.assignments} == {4: "john", 5: "james"}
        plan = plan_of(service)
        assert (plan[4], plan[5]) == ("john", "james")
        row = audits(service)[-2]
        assert (row.actor, row.action) == (asker, "swap_back_request")


def test_a_cover_goes_back_whichever_party_asks(service: OnCallService) -> None:
    for asker in ("john", "jill"):
        cover = service.request_swap("john", "jill", 4, cover=True)
        service.accept_swap("jill", cover.id)
        back = service.request_swap_back(asker, cover.id)
        assert (back.requester_week, back.counterpart_week) == (4, None)
        other = "jill" if asker == "john" else "john"
        service.accept_swap(other, back.id)
        assert plan_of(service)[4] == "john"


def test_swap_back_refusals(service: OnCallService, clock: FixedClock) -> None:
    original = service.request_swap("john", "james", 4, 5)
    with pytest.raises(Refusal, match="was pending, not accepted"):
        service.request_swap_back("john", original.id)
    service.accept_swap("james", original.id)
    with pytest.raises(Refusal, match="Only John or James can ask"):
        service.request_swap_back("jill", original.id)
    with pytest.raises(Refusal, match="does not exist"):
        service.request_swap_back("john", 999)
    back = service.request_swap_back("john", original.id)
    with pytest.raises(Refusal, match=f"already waiting for an answer \\(request #{back.id}\\)"):
        service.request_swap_back("james", original.id)
    service.accept_swap("james", back.id)
    with pytest.raises(Refusal, match=f"already swapped back \\(request #{back.id}\\)"):
        service.request_swap_back("john", original.id)
    with pytest.raises(Refusal, match="already swapped request #.* back"):
        service.request_swap_back("john", back.id)
    # A week that changed hands since, and one that started.
    again = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", again.id)
    davis_next = min(k for k, m in plan_of(service).items() if m == "davis" and k > 5)
    service.accept_swap("davis", service.request_swap("james", "davis", 4, davis_next).id)
    with pytest.raises(Refusal, match="changed hands since .* \\(it is Davis's now\\)"):
        service.request_swap_back("john", again.id)
    later = service.request_swap("jill", "davis", 6, cover=True)
    service.accept_swap("davis", later.id)
    clock.set(week(service.team, 6).start)
    with pytest.raises(Refusal, match="has already started"):
        service.request_swap_back("jill", later.id)


def test_swap_back_is_checked_again_on_accept(service: OnCallService) -> None:
    original = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", original.id)
    back = service.request_swap_back("john", original.id)
    # Meanwhile John records time off in week 4, which he would take back.
    service.request_time_off("john", "john", date(2026, 12, 29), date(2026, 12, 30))
    before = plan_of(service)
    with pytest.raises(Refusal, match="John has time off"):
        service.accept_swap("james", back.id)
    assert plan_of(service) == before
    assert service.swap(back.id).status is SwapStatus.PENDING


def test_an_admin_cancels_anyones_request_but_decides_nothing_else(
    service: OnCallService,
) -> None:
    req = service.request_swap("james", "jill", 5, 6)
    with pytest.raises(Refusal, match="Only Jill can accept or decline"):
        service.decide_swap("john", req.id, SwapStatus.DECLINED)
    with pytest.raises(Refusal, match="Only Jill can accept"):
        service.accept_swap("john", req.id)
    outcome = service.decide_swap("john", req.id, SwapStatus.CANCELLED)
    assert outcome.request.status is SwapStatus.CANCELLED
    row = audits(service)[-1]
    assert (row.actor, row.action) == ("john", "swap_cancelled") and '"james"' in row.detail


def test_an_admin_records_a_swap_checked_by_the_same_rules(service: OnCallService) -> None:
    outcome = service.record_swap("john", "james", "jill", 5, reason="agreed by phone")
    request = outcome.request
    assert (request.status, request.recorded_by, request.counterpart_week) == (
        SwapStatus.ACCEPTED,
        "john",
        6,
    )
    assert request.decided_at == service.now() and request.reason == "agreed by phone"
    with service.store.read() as s:
        stored = service.store.plan(s, 5, 6)
    assert stored[5] == Assignment(5, "jill", "swap with James, recorded by John", True)
    assert stored[6] == Assignment(6, "james", "swap with Jill, recorded by John", True)
    row = audits(service)[-1]
    assert (row.actor, row.action) == ("john", "swap_record")
    before = plan_of(service)
    refusals = [
        ("james", "jill", "davis", 7, "Only an admin can record"),
        ("john", "james", "jill", 5, "is not James's on-call week"),  # it is Jill's now
        ("john", "davis", "zed", 7, "between members of the on-call team"),
        ("john", "davis", "davis", 7, "two different members"),
    ]
    for admin, a, b, k, message in refusals:
        with pytest.raises(Refusal, match=message):
            service.record_swap(admin, a, b, k)
    assert plan_of(service) == before


def test_recording_a_week_someone_asked_about_names_who_asked(service: OnCallService) -> None:
    service.request_swap("james", "jill", 5, 6)
    with pytest.raises(Refusal, match="James already asked Jill about"):
        service.record_swap("john", "james", "davis", 5, 7)


def test_a_take_over_is_accepted_by_its_own_button_only(team: Team) -> None:
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    takeover = SwapRequest(
        1,
        "john",
        "james",
        0,
        None,
        SwapStatus.PENDING,
        now,
        now + timedelta(days=1),
        starts_at=now,
        ends_at=now + timedelta(days=2),
    )
    plan = {0: Assignment(0, "john")}
    with pytest.raises(Refusal, match="take-over's own Accept button"):
        rules.accept_swap(team, plan, [], takeover, "james", now)
    accepted = SwapRequest(**{**takeover.__dict__, "status": SwapStatus.ACCEPTED})
    with pytest.raises(Refusal, match="take-over cannot be swapped back"):
        rules.propose_swap_back(team, plan, [], accepted, "john", now)


def test_standing_leaves_out_what_was_swapped_back(team: Team) -> None:
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)

    def req(id: int, status: SwapStatus, undoes: int | None = None) -> SwapRequest:
        return SwapRequest(id, "john", "james", 4, 5, status, now, now, undoes=undoes)

    swaps = [
        req(1, SwapStatus.ACCEPTED),
        req(2, SwapStatus.ACCEPTED, undoes=1),
        req(3, SwapStatus.ACCEPTED),
        req(4, SwapStatus.DECLINED, undoes=3),
        req(5, SwapStatus.CANCELLED),
    ]
    assert [r.id for r in rules.standing(swaps)] == [3]


def test_the_ledger_and_the_report_count_only_standing_swaps() -> None:
    """A swap and its swap back, a cover and its swap back: none counts, in the ledger
    (`oncall fairness`) as in the report; the swap that stands counts once each."""
    team = bare_team(ORDER)
    t0 = week(team, 0).start

    def req(
        id: int, a: str, b: str, wa: int, wb: int | None, undoes: int | None = None
    ) -> SwapRequest:
        return SwapRequest(id, a, b, wa, wb, SwapStatus.ACCEPTED, t0, t0, undoes=undoes)

    swaps = [
        req(1, "john", "james", 0, 1),
        req(2, "james", "john", 0, 1, undoes=1),  # swapped back
        req(3, "jill", "davis", 2, None),
        req(4, "jill", "davis", 2, None, undoes=3),  # a cover asked back
        req(5, "john", "jill", 4, 6),  # stands
    ]
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(8)}
    ledger = build_ledger(team, plan, {}, swaps, current_week=0)
    first, last = week(team, 0).first_day, week(team, 7).days[-1]
    start, end = range_instants(team, first, last)
    report = build_report(
        team, first, last, shifts(team, plan, (), (), start, end), {}, swaps, (), ()
    )
    expected = {"john": (1, 0, 0), "james": (0, 0, 0), "jill": (1, 0, 0), "davis": (0, 0, 0)}
    for rows in (ledger.rows, report.rows):
        got = {r.member: (r.swaps, r.covers_given, r.covers_received) for r in rows}
        assert got == expected
