"""shifts(): who is on call over an interval, from the one resolver."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from teams import bare_team

from bot.core.model import Assignment, Override, TimeOff
from bot.core.oncall import who
from bot.core.shifts import shifts
from bot.core.weeks import week

ORDER = ("ann", "bob", "cat", "dan")


def _plan(n: int) -> dict[int, Assignment]:
    return {k: Assignment(k, ORDER[k % 4]) for k in range(n)}


def test_plain_weeks_are_one_shift_each_from_handover_to_handover() -> None:
    team = bare_team(ORDER, "Europe/Berlin")
    out = shifts(team, _plan(4), (), (), week(team, 0).start, week(team, 3).start)
    assert [(s.week, s.on_call, s.backup) for s in out] == [
        (0, "ann", "bob"),
        (1, "bob", "cat"),
        (2, "cat", "dan"),
    ]
    assert [s.start for s in out] == [week(team, k).start for k in range(3)]
    assert out[-1].end == week(team, 3).start


def test_a_week_across_a_dst_change_has_its_real_hours() -> None:
    # Europe/Berlin: clocks go forward on Sun 28 Mar 2027 and back on Sun 31 Oct 2027.
    team = bare_team(ORDER, "Europe/Berlin")
    spring = (date(2027, 3, 22) - team.start).days // 7
    autumn = (date(2027, 10, 25) - team.start).days // 7
    plan = _plan(autumn + 2)
    for k, hours in ((spring, 167), (autumn, 169), (spring + 1, 168)):
        w = week(team, k)
        out = shifts(team, plan, (), (), w.start, w.end)
        assert sum(s.hours for s in out) == hours
        assert {s.on_call for s in out} == {ORDER[k % 4]}


def test_time_off_and_a_take_over_split_a_week_where_who_changes() -> None:
    team = bare_team(ORDER)
    w = week(team, 1)  # bob's week, Mon 7 Dec 2026 09:00 New York
    away = TimeOff("bob", date(2026, 12, 9), date(2026, 12, 9))  # Wednesday
    takeover = Override("dan", "bob", w.start + timedelta(days=3, hours=5), w.end)
    out = shifts(team, _plan(3), (away,), (takeover,), w.start, w.end)
    assert [s.on_call for s in out] == ["bob", "cat", "bob", "dan"]
    assert sum(s.hours for s in out) == 168
    # every shift agrees with who() at its start and just before its end
    for s in out:
        for at in (s.start, s.end - timedelta(seconds=1)):
            assert who(team, _plan(3), (away,), at, (takeover,)).on_call == s.on_call


def test_a_take_over_of_someone_no_longer_on_call_changes_nothing() -> None:
    team = bare_team(ORDER)
    w = week(team, 1)
    stale = Override("dan", "ann", w.start, w.end)  # ann is not on call in week 1
    assert who(team, _plan(3), (), w.start + timedelta(hours=1), (stale,)).on_call == "bob"


def test_before_the_rotation_starts_there_is_no_shift() -> None:
    team = bare_team(ORDER)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = shifts(team, _plan(2), (), (), start, week(team, 1).start)
    assert [(s.start, s.on_call) for s in out] == [(week(team, 0).start, "ann")]
