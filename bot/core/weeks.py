"""Week arithmetic: week k runs from the handover on `start + 7k days` to the next.

The handover is a wall-clock time in the team's zone, so 09:00 stays 09:00 on
both sides of a DST change; the instants themselves are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import Team


@dataclass(frozen=True)
class Week:
    index: int
    start: datetime  # UTC instant of the handover that opens the week
    end: datetime  # UTC instant of the next handover
    first_day: date  # local date of the opening handover
    last_day: date  # local date of the closing handover

    @property
    def days(self) -> tuple[date, ...]:
        """The seven local dates the week covers (the handover day first)."""
        return tuple(self.first_day + timedelta(days=i) for i in range(7))

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`.

    A wall time skipped by a spring-forward gap resolves to the instant just
    after the gap (fold=0 semantics of zoneinfo, then normalised through UTC).
    """
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC)


def week(team: Team, index: int) -> Week:
    first = team.start + timedelta(days=7 * index)
    last = first + timedelta(days=7)
    return Week(
        index=index,
        start=local_instant(first, team.handover_time, team.timezone),
        end=local_instant(last, team.handover_time, team.timezone),
        first_day=first,
        last_day=last,
    )


def local_date(team: Team, at: datetime) -> date:
    return at.astimezone(team.timezone).date()


def week_index_at(team: Team, at: datetime) -> int:
    """The week that contains instant `at`; negative before the rotation starts."""
    days = (local_date(team, at) - team.start).days
    index = days // 7
    # The opening handover only (not week(), whose closing one can lie past date.max).
    opening = local_instant(
        team.start + timedelta(days=7 * index), team.handover_time, team.timezone
    )
    if at < opening:
        index -= 1
    return index


def week_of_day(team: Team, day: date) -> int:
    """The week whose handover day is on or before `day` (the week a date belongs to)."""
    return (day - team.start).days // 7


def weeks_overlapping(team: Team, first: date, last: date) -> range:
    """Indexes of the weeks whose days overlap the local dates first..last."""
    return range(max(0, week_of_day(team, first)), week_of_day(team, last) + 1)


def last_plannable_week(team: Team, at: datetime) -> int:
    """The last week of the planned horizon at instant `at`: `plan_weeks` weeks, the
    current one first. The ONE horizon: `sync_plan` stores the plan through it, the
    fairness ledger ends at it, and requests never reach beyond it (a typo'd year 9999
    would otherwise make the service plan and store every week up to it)."""
    return max(0, week_index_at(team, at)) + team.plan_weeks - 1


READ_AHEAD_WEEKS = 520
"""How far past the current week a read may look (ten years; twice the planned horizon
when that is longer): see `last_readable_week`."""


def last_readable_week(team: Team, at: datetime) -> int:
    """The furthest week a read (who, schedule, a handover preview) answers for at `at`.

    Past the stored plan a read answers from a projection it does not store; past this
    week it refuses, so a typo'd year 9999 neither plans 400,000 weeks nor overflows."""
    return max(0, week_index_at(team, at)) + max(READ_AHEAD_WEEKS, 2 * team.plan_weeks)
