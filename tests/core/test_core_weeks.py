"""Week arithmetic: handovers are wall-clock times in the team zone, stored as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.model import Member, Team
from bot.core.oncall import who
from bot.core.weeks import (
    local_date,
    local_instant,
    week,
    week_index_at,
    week_of_day,
    weeks_overlapping,
)

NY = ZoneInfo("America/New_York")
START = date(2026, 11, 30)


def ny(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NY)


def index_of(day: date) -> int:
    return (day - START).days // 7


def test_week_zero_bounds(team: Team) -> None:
    w = week(team, 0)
    assert w.index == 0
    assert w.start == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert w.end == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert w.start.tzinfo is UTC and w.end.tzinfo is UTC
    assert (w.first_day, w.last_day) == (date(2026, 11, 30), date(2026, 12, 7))
    assert w.days == tuple(date(2026, 11, 30) + timedelta(days=i) for i in range(7))


@pytest.mark.parametrize("k", [0, 1, 5, 52, 500])
def test_week_k_starts_on_start_plus_7k_days_at_the_local_handover(team: Team, k: int) -> None:
    w = week(team, k)
    local = w.start.astimezone(NY)
    assert local.date() == START + timedelta(days=7 * k)
    assert local.time() == time(9, 0)
    assert w.end == week(team, k + 1).start


def test_march_dst_week_is_167_hours(team: Team) -> None:
    k = index_of(date(2027, 3, 14))  # Sunday of the spring-forward change
    w = week(team, k)
    assert w.first_day == date(2027, 3, 8)
    assert w.start == datetime(2027, 3, 8, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert w.end == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert w.end - w.start == timedelta(hours=167)
    assert w.end.astimezone(NY).time() == time(9, 0)
    # the weeks either side are ordinary
    assert week(team, k - 1).end - week(team, k - 1).start == timedelta(hours=168)
    assert week(team, k + 1).end - week(team, k + 1).start == timedelta(hours=168)


def test_november_dst_week_is_169_hours(team: Team) -> None:
    k = index_of(date(2027, 11, 7))  # Sunday of the fall-back change
    w = week(team, k)
    assert w.first_day == date(2027, 11, 1)
    assert w.start == datetime(2027, 11, 1, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert w.end == datetime(2027, 11, 8, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert w.end - w.start == timedelta(hours=169)
    assert w.end.astimezone(NY).time() == time(9, 0)


@pytest.mark.parametrize(
    ("monday", "label"),
    [(date(2027, 3, 15), "march"), (date(2027, 11, 8), "november")],
)
def test_0859_is_the_previous_week_and_0900_the_new_one(
    team: Team, monday: date, label: str
) -> None:
    k = index_of(monday)
    before = ny(monday.year, monday.month, monday.day, 8, 59)
    at = ny(monday.year, monday.month, monday.day, 9, 0)
    assert week_index_at(team, before) == k - 1
    assert week_index_at(team, at) == k
    assert week_index_at(team, at - timedelta(microseconds=1)) == k - 1
    # and so the on-call engineer changes exactly at 09:00 local
    n = len(team.order)
    assert who(team, {}, [], before).on_call == team.order[(k - 1) % n]
    assert who(team, {}, [], at).on_call == team.order[k % n]
    assert who(team, {}, [], at).week.start == at.astimezone(UTC)


def test_dst_sunday_itself_belongs_to_the_week_that_started_monday(team: Team) -> None:
    k = index_of(date(2027, 3, 8))
    for hour in (1, 3, 4, 12, 23):
        assert week_index_at(team, ny(2027, 3, 14, hour)) == k
    # 01:30 on fall-back Sunday happens twice; both are in the same week
    first = datetime(2027, 11, 7, 1, 30, tzinfo=NY, fold=0).astimezone(UTC)
    second = datetime(2027, 11, 7, 1, 30, tzinfo=NY, fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    assert week_index_at(team, first) == week_index_at(team, second) == index_of(date(2027, 11, 1))


def test_before_week_zero_the_index_is_negative(team: Team) -> None:
    assert week_index_at(team, ny(2026, 11, 30, 8, 59)) == -1
    assert week_index_at(team, ny(2026, 11, 30, 9, 0)) == 0
    assert week_index_at(team, ny(2026, 11, 1, 12)) < 0
    assert week_index_at(team, ny(2020, 1, 1, 0)) < 0


def test_local_instant_and_local_date() -> None:
    assert local_instant(date(2027, 7, 5), time(9), NY) == datetime(2027, 7, 5, 13, tzinfo=UTC)
    assert local_instant(date(2027, 1, 4), time(9), NY) == datetime(2027, 1, 4, 14, tzinfo=UTC)


def test_local_date_uses_the_team_zone(team: Team) -> None:
    # 02:00 UTC on 1 Dec is still 30 Nov in New York
    assert local_date(team, datetime(2026, 12, 1, 2, tzinfo=UTC)) == date(2026, 11, 30)


def test_week_of_day_and_overlap(team: Team) -> None:
    assert week_of_day(team, date(2026, 11, 30)) == 0
    assert week_of_day(team, date(2026, 12, 6)) == 0
    assert week_of_day(team, date(2026, 12, 7)) == 1
    assert week_of_day(team, date(2026, 11, 29)) == -1
    assert list(weeks_overlapping(team, date(2026, 12, 5), date(2026, 12, 15))) == [0, 1, 2]
    assert list(weeks_overlapping(team, date(2026, 11, 1), date(2026, 12, 1))) == [0]


ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def team_in(zone: str, handover: str) -> Team:
    """A bare Team (no config parsing) with the given zone and 'weekday HH:MM' handover."""
    day, hhmm = handover.split()
    weekday = WEEKDAYS.index(day)
    return Team(
        name="t",
        timezone=ZoneInfo(zone),
        channel="C0",
        members=(Member("a", "A", "U1"), Member("b", "B", "U2")),
        order=("a", "b"),
        start=START + timedelta(days=weekday),
        handover_weekday=weekday,
        handover_time=time.fromisoformat(hhmm),
    )


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    handover=st.sampled_from(
        ["monday 09:00", "sunday 02:30", "sunday 01:30", "friday 23:59", "monday 00:00"]
    ),
    offset=st.integers(min_value=0, max_value=60 * 24 * 7 * 300),
)
def test_every_instant_is_in_exactly_the_week_week_index_at_names(
    zone: str, handover: str, offset: int
) -> None:
    """Including handovers inside DST gaps and folds, and half-hour DST zones."""
    team = team_in(zone, handover)
    at = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(minutes=offset)
    k = week_index_at(team, at)
    assert week(team, k).start <= at < week(team, k).end
    assert week(team, k).end == week(team, k + 1).start


@settings(max_examples=100, deadline=None)
@given(k=st.integers(min_value=0, max_value=2000))
def test_handover_is_always_0900_local_on_the_handover_weekday(k: int) -> None:
    w = week(team_in("America/New_York", "monday 09:00"), k)
    local = w.start.astimezone(NY)
    assert (local.weekday(), local.time()) == (0, time(9, 0))
    assert timedelta(hours=167) <= w.end - w.start <= timedelta(hours=169)
