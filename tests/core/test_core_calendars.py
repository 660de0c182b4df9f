"""Public holidays and major holidays: the same on every server, whatever its locale."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import holidays as holidays_lib
import pytest
from teams import bare_team

import bot.core.planner
from bot.core import calendars
from bot.core.calendars import (
    COMPANY_HOLIDAY,
    holiday_language,
    holidays_between,
    major_holidays_between,
    public_holidays,
    team_holidays,
)
from bot.core.model import HolidayCalendar, Team
from bot.core.rotation import plan_weeks

ROOT = Path(__file__).resolve().parents[2]
ORDER = ("john", "james", "jill", "davis")
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# What a server may have set; gettext (and so the holidays package) takes the first of
# LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set, on every call.
SERVER_LOCALES: tuple[dict[str, str], ...] = (
    {},
    {"LANG": "C.UTF-8"},
    {"LANGUAGE": "de"},
    {"LC_ALL": "de_DE.UTF-8"},
    {"LANGUAGE": "uk"},
    {"LANG": "fr_FR.UTF-8"},
    {"LANGUAGE": "en_US"},
)


def team_in(country: str, subdiv: str | None = None) -> Team:
    zone = "Europe/Berlin" if country == "DE" else "America/New_York"
    return bare_team(ORDER, zone, HolidayCalendar(country, subdiv, ()))


def clear_caches() -> None:
    for value in vars(calendars).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


@pytest.fixture
def server_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Sets the process's locale variables as a server would have them."""

    def set_locale(env: dict[str, str]) -> None:
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        clear_caches()  # names read under another locale must not be served from a cache

    yield set_locale
    monkeypatch.undo()
    clear_caches()


def planned(team: Team, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[date, str], list[Any]]:
    """The major holidays the planner is given, and the plan, for 60 weeks."""
    seen: list[dict[date, str]] = []
    real = bot.core.planner.plan_rotation

    def spy(req: bot.core.planner.PlanRequest) -> bot.core.planner.Plan:
        seen.append(dict(req.major))
        return real(req)

    monkeypatch.setattr(bot.core.planner, "plan_rotation", spy)
    result = plan_weeks(team, {}, 0, 59)
    monkeypatch.setattr(bot.core.planner, "plan_rotation", real)
    assert len(seen) == 1
    return seen[0], [(a.index, a.member, a.reason) for a in result.assignments]


@pytest.mark.parametrize(
    ("country", "subdiv", "majors"),
    [
        (
            "DE",
            None,
            {
                date(2026, 12, 25): "Christmas Day",
                date(2027, 1, 1): "New Year's Day",
                date(2027, 12, 25): "Christmas Day",
                date(2028, 1, 1): "New Year's Day",
            },
        ),
        (
            "US",
            "NY",
            {
                date(2026, 12, 25): "Christmas Day",
                date(2027, 1, 1): "New Year's Day",
                date(2027, 12, 24): "Christmas Day",  # observed (the 25th is a Saturday)
                date(2027, 12, 31): "New Year's Day",  # observed for 2028-01-01
            },
        ),
    ],
)
def test_holidays_and_the_plan_do_not_depend_on_the_server_locale(
    country: str,
    subdiv: str | None,
    majors: dict[date, str],
    server_locale: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = team_in(country, subdiv)
    first, last = date(2026, 11, 30), date(2028, 1, 23)
    results = []
    for env in SERVER_LOCALES:
        server_locale(env)
        names = team_holidays(team, first, last)
        major, plan = planned(team, monkeypatch)
        results.append((env, names, major, plan))
        assert {d: k for d, k in major.items() if d in majors} == majors, env
        assert names[date(2026, 12, 25)] == "Christmas Day", env
    for env, names, major, plan in results[1:]:
        assert names == results[0][1], env
        assert major == results[0][2], env
        assert plan == results[0][3], env


def test_the_locale_reaches_the_holidays_package_at_call_time(server_locale: Any) -> None:
    """Proof that the test above runs under a hostile locale: asked for no language,
    the package itself answers in German under LANGUAGE=de."""
    server_locale({"LANGUAGE": "de"})
    assert holidays_lib.country_holidays("DE", years=2026)[date(2026, 12, 25)] == (
        "Erster Weihnachtstag"
    )
    server_locale({"LANGUAGE": "en_US"})
    assert holidays_lib.country_holidays("DE", years=2026)[date(2026, 12, 25)] == "Christmas Day"


def test_names_are_english_where_the_package_has_english() -> None:
    assert holiday_language("US") == "en_US"
    assert holiday_language("GB") == "en_GB"
    assert holiday_language("DE") == "en_US"
    de = holidays_between(HolidayCalendar("DE"), date(2026, 12, 24), date(2026, 12, 26))
    assert de == {
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 26): "Second Day of Christmas",
    }


def test_an_observed_day_counts_as_the_holiday_it_is_observed_for() -> None:
    england = HolidayCalendar("GB", "ENG")
    days = public_holidays(england, date(2027, 12, 25), date(2028, 1, 3))
    assert [(h.day, h.name, h.holiday) for h in days] == [
        (date(2027, 12, 25), "Christmas Day", "Christmas Day"),
        (date(2027, 12, 26), "Boxing Day", "Boxing Day"),
        (date(2027, 12, 27), "Christmas Day (observed)", "Christmas Day"),
        (date(2027, 12, 28), "Boxing Day (observed)", "Boxing Day"),
        (date(2028, 1, 1), "New Year's Day", "New Year's Day"),
        (date(2028, 1, 3), "New Year's Day (observed)", "New Year's Day"),
    ]
    majors = major_holidays_between(
        england, date(2027, 12, 20), date(2028, 1, 9), ("Christmas Day", "New Year's Day")
    )
    assert majors == {
        date(2027, 12, 25): "Christmas Day",
        date(2027, 12, 27): "Christmas Day",
        date(2028, 1, 1): "New Year's Day",
        date(2028, 1, 3): "New Year's Day",
    }


def test_company_days_are_named_and_never_hide_a_public_holiday() -> None:
    cal = HolidayCalendar("US", "NY", (date(2026, 12, 24), date(2026, 12, 25)))
    names = holidays_between(cal, date(2026, 12, 24), date(2026, 12, 25))
    assert names == {date(2026, 12, 24): COMPANY_HOLIDAY, date(2026, 12, 25): "Christmas Day"}
    assert major_holidays_between(
        cal, date(2026, 12, 24), date(2026, 12, 25), ("Christmas Day",)
    ) == {date(2026, 12, 25): "Christmas Day"}


def test_a_day_with_two_holidays_keeps_both_names_and_each_is_its_own_holiday() -> None:
    india = HolidayCalendar("IN")
    day = date(2025, 10, 2)
    assert holidays_between(india, day, day) == {day: "Dussehra; Mahatma Gandhi's Jayanti"}
    assert major_holidays_between(india, day, day, ("Mahatma Gandhi's Jayanti",)) == {
        day: "Mahatma Gandhi's Jayanti"
    }


def test_the_bench_uses_the_bots_definition_of_a_major_holiday() -> None:
    spec = importlib.util.spec_from_file_location(
        "planner_bench", ROOT / "bench" / "planner_bench.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    req = bench.request(bench.SEED, 104)
    first, last = req.slots[0].days[0], req.slots[-1].days[-1]
    expected = major_holidays_between(HolidayCalendar("US"), first, last, bench.MAJOR_KEYS)
    assert dict(req.major) == expected
    assert date(2027, 12, 24) in expected  # observed days count in both
