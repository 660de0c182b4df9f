"""build_report and month_range: pure rules over plain data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
from teams import bare_team

from bot.core.calendars import team_holidays
from bot.core.errors import Refusal
from bot.core.ledger import build_ledger
from bot.core.model import (
    Assignment,
    HolidayCalendar,
    Member,
    Override,
    SwapRequest,
    SwapStatus,
    Team,
    TimeOff,
)
from bot.core.report import (
    CalledIn,
    Report,
    build_report,
    day_anchor,
    month_range,
    range_instants,
)
from bot.core.shifts import shifts
from bot.core.weeks import local_date, week

ORDER = ("ann", "bob", "cat", "dan")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _plan(n: int) -> dict[int, Assignment]:
    return {k: Assignment(k, ORDER[k % 4]) for k in range(n)}


def _report(
    team: Team,
    plan: Mapping[int, Assignment],
    first: date,
    last: date,
    swaps: Sequence[SwapRequest] = (),
    overrides: Sequence[Override] = (),
    calls: Sequence[CalledIn] = (),
) -> Report:
    start, end = range_instants(team, first, last)
    spans = shifts(team, plan, (), overrides, start, end)
    hols = team_holidays(team, first, last)
    return build_report(team, first, last, spans, hols, swaps, overrides, calls)


def _swap(i: int, a: str, b: str, wa: int, wb: int | None, **kw: object) -> SwapRequest:
    return SwapRequest(i, a, b, wa, wb, SwapStatus.ACCEPTED, T0, T0, **kw)  # type: ignore[arg-type]


# --- month_range ---------------------------------------------------------------------------

TODAY = date(2027, 2, 14)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("", date(2027, 2, 1), date(2027, 2, 28)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2028-2", date(2028, 2, 1), date(2028, 2, 29)),
        ("december", date(2026, 12, 1), date(2026, 12, 31)),  # the latest December begun
        ("February", date(2027, 2, 1), date(2027, 2, 28)),
        ("jan", date(2027, 1, 1), date(2027, 1, 31)),
        ("Sept. 2025", date(2025, 9, 1), date(2025, 9, 30)),
        ("  MARCH   2027 ", date(2027, 3, 1), date(2027, 3, 31)),
    ],
)
def test_month_range(text: str, first: date, last: date) -> None:
    assert month_range(text, TODAY) == (first, last)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "ju", "next month", "0000-01", "*x*"])
def test_month_range_refuses_what_is_not_a_month(text: str) -> None:
    with pytest.raises(Refusal, match="is not a month"):
        month_range(text, TODAY)


# --- which day counts for whom ---------------------------------------------------------------


def test_a_day_counts_at_noon_or_at_a_later_handover() -> None:
    team = dataclasses.replace(
        bare_team(ORDER, "Europe/Berlin"),
        start=date(2026, 12, 2),
        handover_weekday=2,
        handover_time=time(18, 0),
    )
    handover_day, other = date(2027, 1, 13), date(2027, 1, 14)  # a Wednesday, a Thursday
    assert day_anchor(team, handover_day) == week(team, 6).start  # 18:00, the new week
    assert local_date(team, day_anchor(team, other)) == other
    assert day_anchor(team, other).astimezone(team.timezone).time() == time(12, 0)


@pytest.mark.parametrize(("weekday", "at"), [(0, time(9, 0)), (2, time(18, 0)), (5, time(0, 0))])
def test_holiday_and_weekend_days_agree_with_the_ledger(weekday: int, at: time) -> None:
    """With nobody away and no take-over, each member's holiday and weekend days over the
    ledger's weeks are the ledger's, whatever the handover time (before or after noon)."""
    start = date(2026, 11, 30) + timedelta(days=weekday)
    # A company day off on a handover day: counted in the week that begins that day.
    cal = HolidayCalendar("DE", "BE", extra=(start + timedelta(days=7 * 6),))
    team = dataclasses.replace(
        bare_team(ORDER, "Europe/Berlin", cal),
        start=start,
        handover_weekday=weekday,
        handover_time=at,
    )
    plan = _plan(61)
    plan[7] = Assignment(7, "ann", "swapped", fixed=True)  # any plan: the ledger's input
    weeks = {k: a for k, a in plan.items() if k < 60}
    last = week(team, 59).days[-1]
    swaps = [_swap(1, "bob", "cat", 5, 9), _swap(2, "dan", "ann", 7, None)]
    hols = team_holidays(team, team.start, last)
    ledger = build_ledger(team, weeks, hols, swaps, current_week=0)
    report = _report(team, plan, team.start, last, swaps)
    assert [r.member for r in report.rows] == list(ORDER)
    for lr, rr in zip(ledger.rows, report.rows, strict=True):
        assert (rr.holiday_days, rr.weekend_days) == (lr.holiday_days, lr.weekend_days)
        assert (rr.covers_given, rr.covers_received, rr.swaps) == (
            lr.covers_given,
            lr.covers_received,
            lr.swaps,
        )
    assert sum(r.holiday_days for r in report.rows) == len(hols) > 10
    company_day = _report(team, plan, cal.extra[0], cal.extra[0])  # week 6's first day
    assert {r.member: r.holiday_days for r in company_day.rows} == {
        "ann": 0,
        "bob": 0,
        "cat": 1,  # week 6's engineer, as in the ledger, even with an 18:00 handover
        "dan": 0,
    }
    assert sum(r.on_call_hours for r in report.rows) == pytest.approx(
        (range_instants(team, team.start, last)[1] - week(team, 0).start).total_seconds() / 3600
    )


# --- covers, take-overs, incidents, former members -----------------------------------------


def test_a_take_over_counts_once_by_its_override() -> None:
    """An accepted take-over request and its override are one cover, dated by when the
    override starts (the accept); an override of its own (an admin's) counts too."""
    team = bare_team(ORDER)
    w = week(team, 1)  # Bob's week
    first, last = w.first_day, w.days[-1]
    mid = w.start + timedelta(days=2)
    requested = Override("cat", "bob", mid, w.end, id=10)
    recorded = Override("dan", "bob", w.start + timedelta(days=1), mid, id=11)  # no request
    # Asked on Sunday evening (week 0), accepted on Wednesday: the override starts then.
    asked = w.start - timedelta(hours=12)
    request = _swap(3, "bob", "cat", 1, None, starts_at=asked, ends_at=w.end)
    report = _report(team, _plan(4), first, last, [request], [requested, recorded])
    got = {r.member: (r.covers_given, r.covers_received) for r in report.rows}
    assert got == {"ann": (0, 0), "bob": (0, 2), "cat": (1, 0), "dan": (1, 0)}
    # Mon 7 Dec 00:00-09:00 is Ann's week 0; Bob Mon 09:00 - Tue 09:00, Dan to Wed 09:00,
    # Cat from then to Mon 14 Dec 00:00.
    hours = {r.member: r.on_call_hours for r in report.rows}
    assert hours == {"ann": 9, "bob": 24, "cat": 4 * 24 + 15, "dan": 24}
    # Not in the range in which it was asked: it took effect in the next one.
    before = _report(
        team,
        _plan(4),
        week(team, 0).first_day,
        week(team, 0).days[-1],
        [request],
        [requested, recorded],
    )
    assert all(r.covers_given == r.covers_received == 0 for r in before.rows)


def test_incidents_count_each_once_within_the_range() -> None:
    team = bare_team(ORDER)
    w = week(team, 0)
    first, last = w.first_day, w.days[-1]
    start, end = range_instants(team, first, last)
    calls = [
        CalledIn(1, "ann", start),
        CalledIn(1, "ann", start + timedelta(hours=1)),  # the same incident
        CalledIn(2, "ann", end - timedelta(seconds=1)),
        CalledIn(3, "bob", end),  # the next range's
        CalledIn(4, "bob", start - timedelta(seconds=1)),  # the previous one's
    ]
    report = _report(team, _plan(3), first, last, calls=calls)
    assert {r.member: r.incidents for r in report.rows} == {
        "ann": 2,
        "bob": 0,
        "cat": 0,
        "dan": 0,
    }


def test_a_former_member_shows_when_history_names_them() -> None:
    team = dataclasses.replace(
        bare_team(("ann", "bob", "cat")), former=(Member("dan", "Dan", "U9"),)
    )
    plan = {k: Assignment(k, ("ann", "bob", "cat", "dan")[k % 4]) for k in range(8)}
    w = week(team, 3)  # Dan's, before he left
    report = _report(team, plan, w.first_day, w.days[-1])
    assert [r.member for r in report.rows] == ["ann", "bob", "cat", "dan"]
    assert report.rows[-1].name == "Dan" and report.rows[-1].on_call_hours > 0
    w = week(team, 1)
    assert [r.member for r in _report(team, plan, w.first_day, w.days[-1]).rows] == [
        "ann",
        "bob",
        "cat",
    ]


def test_nobody_free_is_uncovered_time() -> None:
    team = bare_team(("ann",))
    w = week(team, 0)
    start, end = range_instants(team, w.first_day, w.days[-1])
    away = (TimeOff("ann", date(2026, 12, 2), date(2026, 12, 2)),)
    spans = shifts(team, {0: Assignment(0, "ann"), 1: Assignment(1, "ann")}, away, (), start, end)
    report = build_report(team, w.first_day, w.days[-1], spans, {}, (), (), ())
    assert report.uncovered_hours == 24
    # from the first handover, Mon 30 Nov 09:00, to Mon 7 Dec 00:00, but Wednesday
    assert report.rows[0].on_call_hours == (7 * 24 - 9) - 24
