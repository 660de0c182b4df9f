"""One resolver for a week: who(), the schedule and a member's weeks give one answer.

Defect 1 of issue 11: the schedule took next week's engineer as the backup even when
they were on time off, while who() skipped them, so /oncall now and /oncall schedule
named different backups (README: "Nobody is ever on call or backup over their own
time off").
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import FixedClock
from bot.core.model import Assignment, SwapStatus, Team, TimeOff
from bot.core.oncall import resolve_week, who
from bot.core.weeks import week
from bot.service import OnCallService


def _record_time_off(service: OnCallService, member: str, start: date, end: date) -> None:
    service.request_time_off("john", member, start, end)  # john is an admin: no notice


def test_now_and_schedule_name_the_same_backup_when_next_weeks_engineer_is_away(
    service: OnCallService,
) -> None:
    k = service.current_index()
    (this_week, next_week) = service.schedule(k, 2)
    away = next_week.member
    assert away != this_week.member
    _record_time_off(service, away, service.today(), service.today() + timedelta(days=2))

    now = service.who()
    shown = service.schedule(k, 1)[0]
    assert now.backup is not None and now.backup != away
    assert shown.backup == now.backup
    assert shown.on_call == now.on_call and shown.reasons == now.reasons


def test_every_scheduled_week_is_who_at_its_handover(service: OnCallService) -> None:
    k = service.current_index()
    weeks = service.schedule(k, 6)
    # The engineer after week k+2 is away over its handover day: not its backup.
    away = weeks[3].member
    handover_day = weeks[2].week.first_day
    _record_time_off(service, away, handover_day, handover_day + timedelta(days=1))
    for shown in service.schedule(k + 1, 5):
        at = shown.week.start
        answer = service.who(at)
        assert (shown.member, shown.on_call, shown.backup) == (
            answer.scheduled,
            answer.on_call,
            answer.backup,
        ), shown.week.index
    assert service.schedule(k + 2, 1)[0].backup not in (None, away)


def test_a_members_weeks_use_the_same_resolver(service: OnCallService) -> None:
    k = service.current_index()
    target = service.schedule(k + 2, 2)
    mine, following = target
    _record_time_off(
        service, following.member, mine.week.first_day, mine.week.first_day + timedelta(days=6)
    )
    (week_of_mine,) = [w for w in service.weeks_of(mine.member, 8) if w.week.index == k + 2]
    assert week_of_mine.backup == service.schedule(k + 2, 1)[0].backup
    assert week_of_mine.backup not in (None, following.member)


def test_resolve_week_skips_anyone_away_and_says_why(team: Team) -> None:
    k = 3
    w = week(team, k)
    plan = {k: Assignment(k, "davis"), k + 1: Assignment(k + 1, "john")}
    off = [
        TimeOff("davis", w.first_day, w.first_day + timedelta(days=3)),
        TimeOff("john", w.first_day, w.first_day),
    ]
    at = w.start + timedelta(hours=1)
    r = resolve_week(team, plan, off, k, at)
    assert r.scheduled == "davis"
    assert r.on_call not in ("davis", "john") and r.on_call is not None
    assert r.backup not in ("davis", "john", r.on_call) and r.backup is not None
    assert any("time off" in reason for reason in r.reasons)
    answer = who(team, plan, off, at)
    assert (answer.on_call, answer.backup, answer.reasons) == (r.on_call, r.backup, r.reasons)
    # A later week is resolved on its own handover day, not on the day of `at`.
    later = resolve_week(team, {}, off, k + 5, at)
    assert later.day == week(team, k + 5).first_day


def test_a_read_never_expires_a_request(service: OnCallService, clock: FixedClock) -> None:
    k = service.current_index()
    mine = next(w for w in service.schedule(k + 3, 8) if w.member == "john")
    theirs = next(
        w for w in service.schedule(mine.week.index + 1, 8) if w.member == "james"
    ).week.index
    request = service.request_swap("john", "james", mine.week.index, theirs)
    clock.advance(request.expires_at - clock.now() + timedelta(minutes=1))

    assert service.swaps_of("james") == []  # overdue: not shown ...
    assert service.swap(request.id).status is SwapStatus.PENDING  # ... and not written
    assert [r.id for r in service.expire_swaps()] == [request.id]  # the job's to record
    assert service.swap(request.id).status is SwapStatus.EXPIRED


def test_removed_members_show_by_their_stored_id(team: Team) -> None:
    assert team.name_of("jill") == "Jill"
    assert team.name_of("gone") == "gone"
    assert TimeOff("x", date(2027, 1, 4), date(2027, 1, 6)).overlaps(
        date(2027, 1, 6), date(2027, 1, 9)
    )
    assert not TimeOff("x", date(2027, 1, 4), date(2027, 1, 6)).overlaps(
        date(2027, 1, 7), date(2027, 1, 9)
    )
