"""The on-call report: hours, weekend and holiday days, covers and incidents per person.

A read: it loads the plan (a projection past the stored plan, never stored), time off,
take-overs, accepted requests and incident calls over the range, asks `shifts()` who
was on call when, and hands it all to the pure `build_report`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.core.calendars import team_holidays
from bot.core.errors import Refusal
from bot.core.model import SwapStatus
from bot.core.report import Report, build_report, month_range, range_instants
from bot.core.shifts import shifts
from bot.core.weeks import week, week_index_at, week_of_day
from bot.service.reads import Reads


class Reports(Reads):
    def report(self, first: date, last: date) -> Report:
        """The report for the local dates `first`..`last`, both included (the CLI's:
        whoever runs it can read the database anyway)."""
        if last < first:
            raise Refusal(
                f"The report would end ({last.isoformat()}) before it starts ({first.isoformat()})."
            )
        team = self.team
        # Refused past the readable horizon, and nothing before the rotation starts, from
        # the dates alone: instants of dates like 9999-12-31 or 0001-01-01 do not exist.
        self._readable(week_of_day(team, last) + 1)
        if last < team.start:
            return Report(first, last, (), {}, 0.0)  # nobody was on call yet
        asked, first = first, max(first, team.start)  # the days before count nothing
        start, end = range_instants(team, first, last)
        if end <= week(team, 0).start:
            return build_report(team, first, last, (), {}, (), (), ())
        first_week = max(0, week_index_at(team, start))
        last_week = week_index_at(team, end - timedelta(microseconds=1))
        self._readable(last_week + 1)  # shifts() asks for the week after the last
        with self.store.read() as s:
            plan = self.projection(s, first_week, last_week + 1)
            time_off = self.store.time_off(s, first, last)
            overrides = self.store.overrides(s, start, end)
            accepted = self.store.swaps(s, status=SwapStatus.ACCEPTED)
            calls = self.store.incident_calls(s, start, end)
        report = build_report(
            team,
            first,
            last,
            shifts(team, plan, time_off, overrides, start, end),
            team_holidays(team, first, last),
            accepted,
            overrides,
            calls,
        )
        return replace(report, first=asked)

    def monthly_report(self, actor: str | None, month: str) -> Report:
        """The report of the month `month` names (`month_range`: empty for this one), as
        asked in Slack: admins only. `actor` is the caller's member id, None for someone
        outside the team."""
        if actor is None or not self.team.is_admin(actor):
            raise Refusal("Only a team admin can see the on-call report.")
        first, last = month_range(month, self.today())
        return self.report(first, last)
