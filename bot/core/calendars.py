"""Public holidays: the team's calendar, each member's own local calendar, and which
days are major holidays.

Names are read in one fixed language per country (English wherever the `holidays`
package has it, else the country's own), never in the server's locale: asked for no
language, the package reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG on every call, so
the same team would see other names, and lose its major holidays, on another server.

A major holiday is matched by its name in that language (`policy.major_holidays`, as
the bot shows it: "Christmas Day"). An observed day counts as the holiday it stands in
for ("Christmas Day (observed)" is Christmas Day): it is the day the team has off.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import holidays as holidays_lib

from bot.core.model import HolidayCalendar, Member, Team

COMPANY_HOLIDAY = "Company holiday"


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str  # as people see it, e.g. "Christmas Day (observed)"
    holiday: str  # the holiday it is or is observed for, e.g. "Christmas Day"


@cache
def holiday_language(country: str) -> str | None:
    """The language `country`'s holiday names are read in: English where the package
    has it, else the country's own (None: the package has one language for it)."""
    entity = holidays_lib.country_holidays(country)
    supported: tuple[str, ...] = tuple(entity.supported_languages)
    default: str | None = entity.default_language
    if default and default.startswith("en"):
        return default
    english = [lang for lang in ("en_US", "en_GB", *sorted(supported)) if lang in supported]
    english = [lang for lang in english if lang.startswith("en")]
    return english[0] if english else default


@lru_cache(maxsize=256)
def _year(country: str, subdiv: str | None, year: int) -> tuple[PublicHoliday, ...]:
    language = holiday_language(country)
    shown = holidays_lib.country_holidays(country, subdiv=subdiv, years=year, language=language)
    actual = holidays_lib.country_holidays(
        country, subdiv=subdiv, years=year, language=language, observed=False
    )
    actual_names = {name for d in actual for name in actual.get_list(d)}
    found: list[PublicHoliday] = []
    for d in sorted(shown):
        for name in shown.get_list(d):
            found.append(PublicHoliday(d, name, _holiday_of(name, actual_names)))
    return tuple(found)


def _holiday_of(name: str, actual_names: Collection[str]) -> str:
    """The holiday a name stands for: itself, or for an observed day ("Christmas Day
    (observed)", "(substitute day)", ... whatever the country's label) the longest
    real holiday name it contains."""
    if name in actual_names:
        return name
    inside = [real for real in actual_names if real in name]
    return max(inside, key=len) if inside else name


def public_holidays(cal: HolidayCalendar | None, first: date, last: date) -> list[PublicHoliday]:
    """Each holiday of `cal` between two local dates, inclusive, in date order; a day
    with two holidays appears twice. Company days off are their own holiday."""
    if cal is None or last < first:
        return []
    found = [
        h
        for year in range(first.year, last.year + 1)
        for h in _year(cal.country, cal.subdiv, year)
        if first <= h.day <= last
    ]
    public_days = {h.day for h in found}
    found += [
        PublicHoliday(d, COMPANY_HOLIDAY, COMPANY_HOLIDAY)
        for d in sorted(set(cal.extra))
        if first <= d <= last and d not in public_days
    ]
    return sorted(found, key=lambda h: h.day)


def holidays_between(cal: HolidayCalendar | None, first: date, last: date) -> dict[date, str]:
    """Holidays of `cal` between two local dates, inclusive, by date (names of one
    day joined with "; ")."""
    found: dict[date, list[str]] = {}
    for h in public_holidays(cal, first, last):
        found.setdefault(h.day, []).append(h.name)
    return {d: "; ".join(names) for d, names in found.items()}


def major_holidays_between(
    cal: HolidayCalendar | None, first: date, last: date, majors: Collection[str]
) -> dict[date, str]:
    """Days between two local dates that are one of `majors` or observed for one, by
    date: the major holiday's name (the planner's key for rule 4)."""
    found: dict[date, str] = {}
    for h in public_holidays(cal, first, last):
        if h.holiday in majors:
            found.setdefault(h.day, h.holiday)
    return found


def member_calendar(team: Team, member: Member) -> HolidayCalendar | None:
    return member.holidays if member.holidays is not None else team.holidays


def team_holidays(team: Team, first: date, last: date) -> dict[date, str]:
    return holidays_between(team.holidays, first, last)


def team_major_holidays(team: Team, first: date, last: date) -> dict[date, str]:
    """The team calendar's major holidays (`policy.major_holidays`), observed days
    included, by date."""
    return major_holidays_between(team.holidays, first, last, team.major_holidays)


def member_holidays(team: Team, member: Member, first: date, last: date) -> dict[date, str]:
    return holidays_between(member_calendar(team, member), first, last)


def local_holidays(team: Team, member: Member, first: date, last: date) -> dict[date, str]:
    """A member's own holidays that the team does not share (a day they are away
    while the team works); the team's shared holidays are balanced, not avoided."""
    shared = team_holidays(team, first, last)
    own = member_holidays(team, member, first, last)
    return {d: n for d, n in own.items() if d not in shared}
