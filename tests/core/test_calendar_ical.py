"""The feeds' iCalendar (bot/ical.py shift_events, feed_calendar): built from shifts(),
read back with `vobject`, a parser independent of the `icalendar` package that writes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import vobject
from teams import bare_team

from bot.core.model import Assignment, Override, TimeOff
from bot.core.shifts import shifts
from bot.core.weeks import week
from bot.ical import feed_calendar, shift_events
from bot.service.calendar import Feed

ORDER = ("ann", "bob", "cat", "dan")


def _plan(n: int, **moved: str) -> dict[int, Assignment]:
    plan = {k: Assignment(k, ORDER[k % 4]) for k in range(n)}
    for k, member in moved.items():
        plan[int(k[1:])] = Assignment(int(k[1:]), member)
    return plan


def _read(body: bytes) -> list[tuple[str, datetime, datetime, str, str]]:
    cal = vobject.readOne(body.decode("utf-8"))
    return [
        (
            e.summary.value,
            e.dtstart.value.astimezone(UTC),
            e.dtend.value.astimezone(UTC),
            e.uid.value,
            e.description.value,
        )
        for e in cal.vevent_list
    ]


def _body(team, plan, member, first, last, time_off=(), overrides=(), holidays=None) -> bytes:
    found = shifts(team, plan, time_off, overrides, week(team, first).start, week(team, last).end)
    feed = Feed(member or "team", member, tuple(found), holidays or {})
    return feed_calendar(team, feed, timedelta(hours=1))


def test_a_personal_feed_has_my_weeks_on_call_and_as_backup() -> None:
    team = bare_team(ORDER)
    events = _read(_body(team, _plan(6), "cat", 0, 4))
    assert [(s, a) for s, a, *_ in events] == [
        ("Backup: Cat", week(team, 1).start),  # bob's week: next week's engineer backs up
        ("On call: Cat", week(team, 2).start),
    ]
    assert events[0][4] == "On call: Bob" and events[1][4] == "Backup: Dan"
    assert events[1][2] == week(team, 3).start


def test_time_off_mid_week_splits_the_events_where_who_changes() -> None:
    team = bare_team(ORDER)
    w = week(team, 1)  # bob's week from Mon 7 Dec 2026 09:00 New York
    away = TimeOff("bob", date(2026, 12, 9), date(2026, 12, 9))
    wednesday = datetime(2026, 12, 9, 5, tzinfo=UTC)  # local midnight
    thursday = wednesday + timedelta(days=1)
    bob = _read(_body(team, _plan(4), "bob", 1, 1, (away,)))
    assert [(s, a, b) for s, a, b, *_ in bob] == [
        ("On call: Bob", w.start, wednesday),
        ("On call: Bob", thursday, w.end),
    ]
    assert len({e[3] for e in bob}) == 2  # the second stretch has a UID of its own
    team_feed = _read(_body(team, _plan(4), None, 1, 1, (away,)))
    assert [(s, a, b) for s, a, b, *_ in team_feed] == [
        ("On call: Bob", w.start, wednesday),
        ("On call: Cat", wednesday, thursday),
        ("On call: Bob", thursday, w.end),
    ]
    assert "Bob is on time off; the backup stands in" in team_feed[1][4]
    assert "Scheduled: Bob" in team_feed[1][4]


def test_a_take_over_is_its_own_event_in_both_feeds() -> None:
    team = bare_team(ORDER)
    w = week(team, 0)
    at = w.start + timedelta(days=2, hours=3)
    takeover = (Override("dan", "ann", at, w.end, "ill"),)
    dan = _read(_body(team, _plan(3), "dan", 0, 0, (), takeover))
    assert [(s, a, b) for s, a, b, *_ in dan] == [("On call: Dan", at, w.end)]
    assert "Dan took over from Ann" in dan[0][4]
    ann = _read(_body(team, _plan(3), "ann", 0, 0, (), takeover))
    assert [(s, a, b) for s, a, b, *_ in ann] == [("On call: Ann", w.start, at)]


def test_a_swap_keeps_the_weeks_uid_in_the_team_feed() -> None:
    team = bare_team(ORDER)
    before = _read(_body(team, _plan(4), None, 0, 2))
    after = _read(_body(team, _plan(4, w1="cat", w2="bob"), None, 0, 2))
    assert [e[3] for e in before] == [e[3] for e in after]
    assert [e[0] for e in after] == ["On call: Ann", "On call: Cat", "On call: Bob"]


def test_the_same_data_gives_the_same_bytes() -> None:
    team = bare_team(ORDER)
    assert _body(team, _plan(5), "bob", 0, 3) == _body(team, _plan(5), "bob", 0, 3)


def test_dst_weeks_keep_nine_local_and_have_their_real_length() -> None:
    team = bare_team(ORDER)  # America/New_York, from Mon 30 Nov 2026
    spring = (date(2027, 3, 8) - team.start).days // 7  # EST -> EDT on Sun 14 Mar
    autumn = (date(2027, 11, 1) - team.start).days // 7  # EDT -> EST on Sun 7 Nov
    plan = _plan(autumn + 3)
    for k, start, end in (
        (spring, datetime(2027, 3, 8, 14, tzinfo=UTC), datetime(2027, 3, 15, 13, tzinfo=UTC)),
        (autumn, datetime(2027, 11, 1, 13, tzinfo=UTC), datetime(2027, 11, 8, 14, tzinfo=UTC)),
    ):
        events = _read(_body(team, plan, None, k, k))
        assert [(a, b) for _, a, b, *_ in events] == [(start, end)]


def test_holidays_and_the_refresh_hint_are_in_the_feed() -> None:
    team = bare_team(ORDER)
    body = _body(team, _plan(6), "ann", 4, 4, holidays={date(2026, 12, 29): "Company day"})
    events = _read(body)
    assert "Holiday: Company day (2026-12-29)" in events[0][4]
    cal = vobject.readOne(body.decode("utf-8"))
    assert cal.contents["refresh-interval"][0].value == "PT1H"
    assert cal.contents["x-published-ttl"][0].value == "PT1H"
    assert cal.contents["x-wr-calname"][0].value.endswith(": Ann")


def test_shift_events_for_nobody_free_says_so() -> None:
    team = bare_team(ORDER)
    w = week(team, 0)
    everyone_away = tuple(TimeOff(m, date(2026, 12, 1), date(2026, 12, 1)) for m in ORDER)
    found = shifts(team, _plan(2), everyone_away, (), w.start, w.end)
    summaries = [e.summary for e in shift_events(team, found, None)]
    assert "On call: nobody free" in summaries
