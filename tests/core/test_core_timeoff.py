"""Time off: the notice rule, merging, and who stands in while a member is away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from teams import bare_team

from bot.clock import FixedClock
from bot.core.errors import Refusal
from bot.core.model import Assignment, Team, TimeOff
from bot.core.oncall import who
from bot.core.timeoff import away_during, away_on, first_accepted_start, plan_time_off
from bot.core.weeks import local_date, week
from bot.service import OnCallService

TODAY = date(2026, 12, 1)
ORDER = ("john", "james", "jill", "davis")


def d(s: str) -> date:
    return date.fromisoformat(s)


# --- the notice rule ------------------------------------------------------------------


def test_14_days_ahead_is_accepted_13_is_refused_with_the_first_accepted_date(team: Team) -> None:
    ok = plan_time_off(
        team, [], "jill", TODAY + timedelta(days=14), TODAY + timedelta(days=16), TODAY
    )
    assert (ok.merged.start, ok.merged.end) == (d("2026-12-15"), d("2026-12-17"))
    assert ok.replaces == ()
    with pytest.raises(Refusal) as info:
        plan_time_off(
            team, [], "jill", TODAY + timedelta(days=13), TODAY + timedelta(days=16), TODAY
        )
    msg = info.value.message
    assert info.value.field == "start"
    assert "14 days' notice" in msg
    assert "13 day(s) from today" in msg
    assert "2026-12-15" in msg  # the first date that would be accepted
    assert first_accepted_start(team, TODAY) == d("2026-12-15")


def test_notice_period_follows_the_config(make_team: Callable[..., Team], team_config) -> None:
    team_config["policy"]["time_off_notice_days"] = 3
    team = make_team(team_config)
    plan_time_off(team, [], "jill", TODAY + timedelta(days=3), TODAY + timedelta(days=3), TODAY)
    with pytest.raises(Refusal, match="2026-12-04"):
        plan_time_off(team, [], "jill", TODAY + timedelta(days=2), TODAY + timedelta(days=3), TODAY)


def test_admin_may_record_short_notice_and_past_time_off(team: Team) -> None:
    change = plan_time_off(
        team, [], "jill", TODAY, TODAY + timedelta(days=2), TODAY, override_notice=True
    )
    assert change.merged == TimeOff("jill", TODAY, TODAY + timedelta(days=2))
    change = plan_time_off(
        team, [], "jill", TODAY - timedelta(days=3), TODAY, TODAY, override_notice=True
    )
    assert change.merged.start == TODAY - timedelta(days=3)


def test_end_before_start_is_refused(team: Team) -> None:
    with pytest.raises(Refusal) as info:
        plan_time_off(team, [], "jill", d("2027-01-10"), d("2027-01-09"), TODAY)
    assert info.value.field == "end"
    assert "2027-01-09" in info.value.message and "before" in info.value.message
    # even an admin cannot record a backwards range
    with pytest.raises(Refusal):
        plan_time_off(
            team, [], "jill", d("2027-01-10"), d("2027-01-09"), TODAY, override_notice=True
        )


def test_one_day_range_is_fine(team: Team) -> None:
    change = plan_time_off(team, [], "jill", d("2027-01-10"), d("2027-01-10"), TODAY)
    assert change.merged.covers(d("2027-01-10"))
    assert not change.merged.covers(d("2027-01-11"))


# --- merging ----------------------------------------------------------------------------


def test_overlapping_ranges_of_one_member_merge(team: Team) -> None:
    existing = [
        TimeOff("jill", d("2027-01-04"), d("2027-01-08"), "ski", id=1),
        TimeOff("john", d("2027-01-01"), d("2027-01-31"), id=2),
    ]
    change = plan_time_off(
        team, existing, "jill", d("2027-01-06"), d("2027-01-12"), TODAY, note="x"
    )
    assert (change.merged.start, change.merged.end) == (d("2027-01-04"), d("2027-01-12"))
    assert change.merged.member == "jill"
    assert change.replaces == (existing[0],)  # john's range is not touched
    assert change.merged.note == "ski; x"


def test_a_range_bridging_two_ranges_merges_all_three(team: Team) -> None:
    existing = [
        TimeOff("jill", d("2027-01-04"), d("2027-01-06"), id=1),
        TimeOff("jill", d("2027-01-10"), d("2027-01-12"), id=2),
        TimeOff("jill", d("2027-03-01"), d("2027-03-02"), id=3),
    ]
    change = plan_time_off(team, existing, "jill", d("2027-01-05"), d("2027-01-11"), TODAY)
    assert (change.merged.start, change.merged.end) == (d("2027-01-04"), d("2027-01-12"))
    assert {t.id for t in change.replaces} == {1, 2}


def test_adjacent_ranges_merge_but_a_gap_does_not(team: Team) -> None:
    existing = [TimeOff("jill", d("2027-01-04"), d("2027-01-06"), id=1)]
    adjacent = plan_time_off(team, existing, "jill", d("2027-01-07"), d("2027-01-08"), TODAY)
    assert (adjacent.merged.start, adjacent.merged.end) == (d("2027-01-04"), d("2027-01-08"))
    gap = plan_time_off(team, existing, "jill", d("2027-01-08"), d("2027-01-09"), TODAY)
    assert gap.replaces == ()
    assert (gap.merged.start, gap.merged.end) == (d("2027-01-08"), d("2027-01-09"))


def test_away_on_and_away_during() -> None:
    offs = [TimeOff("jill", d("2027-01-04"), d("2027-01-06"))]
    assert away_on(offs, "jill", d("2027-01-06")) == offs[0]
    assert away_on(offs, "jill", d("2027-01-07")) is None
    assert away_on(offs, "john", d("2027-01-05")) is None
    assert away_during(offs, "jill", [d("2027-01-01"), d("2027-01-04")]) == offs[0]
    assert away_during(offs, "jill", [d("2027-01-07"), d("2027-01-09")]) is None
    assert away_during(offs, "jill", []) is None


# --- the service: notice measured from today in the team zone ----------------------------


def test_service_counts_notice_from_the_team_zone_date(
    team: Team, make_service: Callable[..., OnCallService]
) -> None:
    # 03:00 UTC on 1 Dec is 22:00 on 30 Nov in New York: today is 30 Nov there.
    clock = FixedClock(datetime(2026, 12, 1, 3, tzinfo=UTC))
    service = make_service(team, clock=clock)
    assert service.today() == d("2026-11-30")
    result = service.request_time_off("jill", "jill", d("2026-12-14"), d("2026-12-15"))
    assert result.time_off.start == d("2026-12-14")
    with pytest.raises(Refusal, match="first date that would be accepted is 2026-12-14"):
        service.request_time_off("davis", "davis", d("2026-12-13"), d("2026-12-15"))


def test_service_time_off_refused_for_others_unless_admin(service: OnCallService) -> None:
    with pytest.raises(Refusal, match="Only an admin"):
        service.request_time_off("jill", "davis", d("2027-02-01"), d("2027-02-02"))
    with pytest.raises(Refusal, match="not a member"):
        service.request_time_off("john", "zed", d("2027-02-01"), d("2027-02-02"))
    with pytest.raises(Refusal, match="Only members"):
        service.request_time_off("zed", "zed", d("2027-02-01"), d("2027-02-02"))
    # the admin (john) may record for someone else, even at short notice
    result = service.request_time_off("john", "davis", service.today(), service.today())
    assert result.time_off.member == "davis"


def test_service_merges_overlapping_ranges(service: OnCallService) -> None:
    a = service.request_time_off("jill", "jill", d("2027-02-01"), d("2027-02-05"))
    b = service.request_time_off("jill", "jill", d("2027-02-04"), d("2027-02-10"))
    assert b.merged_with == (a.time_off,)
    stored = service.time_off_of("jill")
    assert [(t.start, t.end) for t in stored] == [(d("2027-02-01"), d("2027-02-10"))]


# --- time off over an on-call week -------------------------------------------------------


def test_time_off_in_own_week_proposes_swap_candidates(service: OnCallService) -> None:
    # week 6 (Mon 11 Jan 2027) is jill's: order[6 % 4]
    w6 = week(service.team, 6)
    result = service.request_time_off("jill", "jill", d("2027-01-12"), d("2027-01-14"))
    assert result.weeks_needing_cover == (6,)
    candidates = result.candidates[6]
    assert candidates
    names = [c for c, _ in candidates]
    assert "jill" not in names
    assert set(names) == {"john", "james", "davis"}
    plan = {w.week.index: w.member for w in service.schedule(0, 80)}
    off = service.time_off_of()

    def away(member: str, index: int) -> TimeOff | None:
        return away_during(off, member, week(service.team, index).days)

    for other, give_back in candidates:
        assert away(other, 6) is None
        assert give_back is not None
        assert give_back > 6 and plan[give_back] == other
        assert away("jill", give_back) is None
        assert week(service.team, give_back).start > service.now()
    # time off in a week that is not hers needs no cover
    other = service.request_time_off("jill", "jill", d("2027-01-19"), d("2027-01-20"))
    assert other.weeks_needing_cover == ()
    assert other.candidates == {}
    assert w6.first_day == d("2027-01-11")


def test_candidates_skip_members_away_that_week(service: OnCallService) -> None:
    service.request_time_off("davis", "davis", d("2027-01-11"), d("2027-01-11"))
    result = service.request_time_off("jill", "jill", d("2027-01-12"), d("2027-01-14"))
    assert "davis" not in [c for c, _ in result.candidates[6]]


def test_backup_is_effective_on_call_for_the_overlapping_days_only(
    service: OnCallService,
) -> None:
    service.request_time_off("jill", "jill", d("2027-01-12"), d("2027-01-14"))
    ny = service.team.timezone
    before = service.who(datetime(2027, 1, 11, 12, tzinfo=ny))
    assert (before.on_call, before.backup) == ("jill", "davis")
    assert before.reasons == ()
    during = service.who(datetime(2027, 1, 13, 12, tzinfo=ny))
    assert during.scheduled == "jill"
    assert during.on_call == "davis"  # the week's backup stands in
    assert during.backup not in {"jill", "davis", None}
    assert any("time off" in r and "Jill" in r for r in during.reasons)
    assert [(t.member, t.start) for t in during.time_off] == [("jill", d("2027-01-12"))]
    after = service.who(datetime(2027, 1, 15, 12, tzinfo=ny))
    assert after.on_call == "jill"
    # the schedule flags the week
    w6 = service.schedule(6, 1)[0]
    assert w6.cover_needed and w6.member == "jill"


def test_once_a_swap_is_agreed_the_swapped_engineer_is_on_call(service: OnCallService) -> None:
    result = service.request_time_off("jill", "jill", d("2027-01-12"), d("2027-01-14"))
    counterpart, give_back = result.candidates[6][0]
    req = service.request_swap("jill", counterpart, 6, give_back)
    during = datetime(2027, 1, 13, 12, tzinfo=service.team.timezone)
    assert service.who(during).on_call == "davis"  # not agreed yet: the backup
    service.accept_swap(counterpart, req.id)
    answer = service.who(during)
    assert answer.on_call == answer.scheduled == counterpart
    assert not any("time off" in r for r in answer.reasons)
    assert any("swap" in r for r in answer.reasons)


def test_backup_away_is_replaced_by_the_next_free_member(team: Team) -> None:
    at = datetime(2027, 1, 13, 12, tzinfo=team.timezone)  # week 6: jill, backup davis
    offs = [TimeOff("davis", d("2027-01-13"), d("2027-01-13"))]
    answer = who(team, {}, offs, at)
    assert answer.on_call == "jill"
    assert answer.backup == "john"  # the next in order after davis


def test_everyone_away_leaves_nobody(team: Team) -> None:
    at = datetime(2027, 1, 13, 12, tzinfo=team.timezone)
    offs = [TimeOff(m, d("2027-01-10"), d("2027-01-20")) for m in ORDER]
    answer = who(team, {}, offs, at)
    assert answer.scheduled == "jill"
    assert (answer.on_call, answer.backup) == (None, None)


# --- nobody is ever effective on call or backup over their own time off -----------------


_ranges = st.tuples(
    st.sampled_from(ORDER),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=10),
)


@settings(max_examples=300, deadline=None)
@given(
    ranges=st.lists(_ranges, max_size=8),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 63),
    swaps=st.dictionaries(st.integers(0, 9), st.sampled_from(ORDER), max_size=4),
)
def test_nobody_is_on_call_or_backup_over_their_own_time_off(
    ranges: list[tuple[str, int, int]], minutes: int, swaps: dict[int, str]
) -> None:
    team = bare_team(ORDER)
    base = date(2026, 11, 30)
    offs = [
        TimeOff(m, base + timedelta(days=s), base + timedelta(days=s + n)) for m, s, n in ranges
    ]
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(12)}
    plan.update({k: Assignment(k, m, "swap", True) for k, m in swaps.items()})
    at = datetime(2026, 11, 30, 14, tzinfo=UTC) + timedelta(minutes=minutes)
    answer = who(team, plan, offs, at)
    today = local_date(team, at)
    k = answer.week.index
    assert answer.scheduled == plan[k].member
    for role in (answer.on_call, answer.backup):
        if role is not None:
            assert away_on(offs, role, today) is None, (role, today)
    assert answer.on_call is None or answer.on_call != answer.backup
    free = [m for m in ORDER if away_on(offs, m, today) is None]
    if away_on(offs, answer.scheduled, today) is None:
        assert answer.on_call == answer.scheduled
    else:
        # someone free stands in whenever anyone is: first the week's backup
        assert (answer.on_call is None) == (free == [])
        following = plan[k + 1].member
        if following in free:
            assert answer.on_call == following
    others = [m for m in free if m != answer.on_call and m != answer.scheduled]
    assert (answer.backup is None) == (others == [])
