"""Public holidays: the team's calendar and each member's own local calendar."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holidays_lib

from bot.core.model import HolidayCalendar, Member, Team


@lru_cache(maxsize=256)
def _year(country: str, subdiv: str | None, year: int) -> dict[date, str]:
    cal = holidays_lib.country_holidays(country, subdiv=subdiv, years=year)
    return {d: name for d, name in sorted(cal.items())}


def holidays_between(cal: HolidayCalendar | None, first: date, last: date) -> dict[date, str]:
    """Holidays of `cal` between two local dates, inclusive, by date."""
    if cal is None or last < first:
        return {}
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for d, name in _year(cal.country, cal.subdiv, year).items():
            if first <= d <= last:
                found[d] = name
    for d in cal.extra:
        if first <= d <= last:
            found.setdefault(d, "Company holiday")
    return dict(sorted(found.items()))


def member_calendar(team: Team, member: Member) -> HolidayCalendar | None:
    return member.holidays if member.holidays is not None else team.holidays


def team_holidays(team: Team, first: date, last: date) -> dict[date, str]:
    return holidays_between(team.holidays, first, last)


def member_holidays(team: Team, member: Member, first: date, last: date) -> dict[date, str]:
    return holidays_between(member_calendar(team, member), first, last)


def local_holidays(team: Team, member: Member, first: date, last: date) -> dict[date, str]:
    """A member's own holidays that the team does not share (a day they are away
    while the team works); the team's shared holidays are balanced, not avoided."""
    shared = team_holidays(team, first, last)
    own = member_holidays(team, member, first, last)
    return {d: n for d, n in own.items() if d not in shared}
