"""Pipeline ownership and who(T): the effective owner of each pipeline, and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from bot.core.model import Assignment, Team, TimeOff
from bot.core.oncall import who
from bot.core.ownership import absence, effective_owner, owners_on
from bot.core.weeks import week

# A Wednesday in week 6 (jill on call, davis backup); no US holiday that day.
DAY = date(2027, 1, 13)
AT = datetime(2027, 1, 13, 17, tzinfo=UTC)


def owner_map(team: Team, day: date, offs: list[TimeOff], on_call: str | None) -> dict:
    return {o.pipeline.id: (o.owner, o.reason) for o in owners_on(team, day, offs, on_call)}


def test_everyone_present_primary_owns_everything(team: Team) -> None:
    assert owner_map(team, DAY, [], "jill") == {
        "unit-level-profit": ("john", None),
        "aggregate-profit": ("james", None),
        "aggregate-growth": ("jill", None),
        "daily-growth": ("davis", None),
        "aggregate-engagement": ("john", None),
    }


def test_primary_on_time_off_hands_to_the_secondary(team: Team) -> None:
    offs = [TimeOff("john", date(2027, 1, 11), date(2027, 1, 15))]
    got = owner_map(team, DAY, offs, "jill")
    assert got["unit-level-profit"] == ("james", "John away (time off)")
    assert got["aggregate-engagement"] == ("davis", "John away (time off)")
    assert got["daily-growth"] == ("davis", None)  # john is only its secondary
    # the day after the time off ends, john is back
    assert owner_map(team, date(2027, 1, 16), offs, "jill")["unit-level-profit"] == ("john", None)


def test_both_owners_away_names_the_on_call_engineer(team: Team) -> None:
    offs = [
        TimeOff("james", date(2027, 1, 13), date(2027, 1, 13)),
        TimeOff("jill", date(2027, 1, 10), date(2027, 1, 20)),
    ]
    o = effective_owner(team, team.pipelines[1], DAY, offs, "davis")  # aggregate-profit
    assert o.owner == "davis"
    assert "both owners away" in o.reason
    assert "James (time off)" in o.reason and "Jill (time off)" in o.reason
    assert "the on-call engineer Davis covers" in o.reason
    # nobody on call either: the owner is None but the reason still says why
    o = effective_owner(team, team.pipelines[1], DAY, offs, None)
    assert o.owner is None and "both owners away" in o.reason


def _with_calendars(
    make_team: Callable[..., Team], team_config: dict, davis_country: str | None
) -> Team:
    team_config["team"]["holidays"] = {"country": "US", "subdiv": "NY", "extra": ["2027-01-13"]}
    if davis_country:
        team_config["members"][3]["holidays"] = {"country": davis_country}
    return make_team(team_config)


def test_team_holiday_makes_both_owners_away(make_team: Callable[..., Team], team_config) -> None:
    team = _with_calendars(make_team, team_config, None)
    assert absence(team, "jill", DAY, []) == "holiday: Company holiday"
    got = owner_map(team, DAY, [], "jill")
    assert all(owner == "jill" for owner, _ in got.values())
    # jill owns aggregate-growth and is on call: named once, as covering, not as away
    assert got["aggregate-growth"][1] == (
        "team holiday (Company holiday): the on-call engineer Jill covers"
    )
    assert got["unit-level-profit"][1] == got["aggregate-growth"][1]
    # nobody on call: the reason still says why, and names nobody as covering
    assert owner_map(team, DAY, [], None)["aggregate-growth"] == (
        None,
        "team holiday (Company holiday)",
    )


def test_christmas_reads_as_a_team_holiday_not_davis_away_and_covering(
    make_team: Callable[..., Team], team_config
) -> None:
    """The issue's message: "both owners away: Jill (holiday), Davis (holiday); the
    on-call engineer Davis covers" on Christmas, Davis on call (week 3)."""
    team = _with_calendars(make_team, team_config, None)
    christmas = date(2026, 12, 25)
    answer = who(team, {}, [], datetime(2026, 12, 25, 15, tzinfo=UTC))
    assert answer.on_call == "davis"
    growth = next(o for o in answer.owners if o.pipeline.id == "aggregate-growth")
    assert (growth.owner, growth.reason) == (
        "davis",
        "team holiday (Christmas Day): the on-call engineer Davis covers",
    )
    assert all("away" not in (o.reason or "") for o in owners_on(team, christmas, [], "davis"))


def test_an_owner_on_call_over_their_own_holiday_is_named_as_covering(
    make_team: Callable[..., Team], team_config
) -> None:
    """Davis (GB calendar) is on call over a UK bank holiday while John, the other
    owner of Daily Growth, is on time off: Davis covers, and is not called away."""
    team = _with_calendars(make_team, team_config, "GB")
    may_day = date(2027, 5, 3)
    offs = [TimeOff("john", may_day, may_day)]
    daily = team.pipelines[3]  # davis primary, john secondary
    o = effective_owner(team, daily, may_day, offs, "davis")
    assert o.owner == "davis"
    assert o.reason == ("John away (time off); Davis, on call this week (holiday: May Day), covers")
    # the same day with someone else on call: both owners away, the on-call covers
    o = effective_owner(team, daily, may_day, offs, "jill")
    assert o.reason == (
        "both owners away: Davis (holiday: May Day), John (time off); "
        "the on-call engineer Jill covers"
    )


def test_a_holiday_of_the_primarys_own_calendar_hands_to_the_secondary(
    make_team: Callable[..., Team], team_config
) -> None:
    team = _with_calendars(make_team, team_config, "GB")
    may_day = date(2027, 5, 3)  # a UK bank holiday, a working day in New York
    assert absence(team, "davis", may_day, []) is not None
    assert absence(team, "davis", may_day, []).startswith("holiday: ")
    assert absence(team, "john", may_day, []) is None
    got = owner_map(team, may_day, [], "john")
    owner, reason = got["daily-growth"]  # davis primary, john secondary
    assert owner == "john"
    assert reason.startswith("Davis away (holiday: ")
    assert got["aggregate-growth"] == ("jill", None)  # davis is only its secondary
    # the team's own extra day is not a holiday on davis's calendar
    assert absence(team, "davis", DAY, []) is None
    # Thanksgiving is a holiday for the team, not for davis (GB)
    assert absence(team, "jill", date(2027, 11, 25), []) == "holiday: Thanksgiving Day"
    assert absence(team, "davis", date(2027, 11, 25), []) is None


def test_absence_of_an_unknown_member(team: Team) -> None:
    assert absence(team, "zed", DAY, []) == "not in the team"


# --- who(T) -------------------------------------------------------------------------


def test_who_reports_week_bounds_engineers_and_owners(team: Team) -> None:
    answer = who(team, {}, [], AT)
    assert answer.started and answer.week.index == 6
    assert answer.week.start == week(team, 6).start
    assert answer.week.end == week(team, 7).start
    assert (answer.scheduled, answer.on_call, answer.backup) == ("jill", "jill", "davis")
    assert answer.reasons == ()
    assert [o.owner for o in answer.owners] == ["john", "james", "jill", "davis", "john"]
    assert answer.holidays == {}
    assert answer.time_off == ()


def test_who_explains_time_off_swap_and_holiday(
    make_team: Callable[..., Team], team_config
) -> None:
    team = _with_calendars(make_team, team_config, None)
    plan = {
        6: Assignment(6, "james", "swap with Jill", True),
        7: Assignment(7, "jill", "swap with James", True),
    }
    offs = [TimeOff("james", date(2027, 1, 14), date(2027, 1, 15))]
    on_holiday = who(team, plan, offs, AT)  # Wed 13 Jan: the company holiday
    assert on_holiday.on_call == "james"
    assert on_holiday.backup == "jill"
    assert on_holiday.reasons == ("swap with Jill",)
    assert on_holiday.holidays == {date(2027, 1, 13): "Company holiday"}
    assert all("holiday" in o.reason for o in on_holiday.owners)
    assert [t.member for t in on_holiday.time_off] == ["james"]

    away = who(team, plan, offs, datetime(2027, 1, 14, 17, tzinfo=UTC))
    assert away.scheduled == "james"
    assert away.on_call == "jill"  # next week's engineer stands in
    assert away.reasons == ("swap with Jill", "James is on time off; the backup stands in")
    profit = next(o for o in away.owners if o.pipeline.id == "aggregate-profit")
    assert (profit.owner, profit.reason) == ("jill", "James away (time off)")


def test_who_week_with_christmas_lists_the_team_holiday(
    make_team: Callable[..., Team], team_config
) -> None:
    team = _with_calendars(make_team, team_config, None)
    answer = who(team, {}, [], datetime(2026, 12, 22, 15, tzinfo=UTC))
    assert answer.week.index == 3
    assert answer.holidays[date(2026, 12, 25)] == "Christmas Day"
    assert date(2026, 12, 24) not in answer.holidays  # extra only lists 2027-01-13 here


@pytest.mark.parametrize("hour", [0, 12, 23])
def test_owners_are_judged_on_the_local_day(team: Team, hour: int) -> None:
    offs = [TimeOff("john", DAY, DAY)]
    at = datetime(2027, 1, 13, hour, tzinfo=team.timezone)
    answer = who(team, {}, offs, at)
    assert next(o for o in answer.owners if o.pipeline.id == "unit-level-profit").owner == "james"
