"""What every part of the service shares: the team, the store, the clock, and time."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import Clock
from bot.core.model import Team
from bot.core.weeks import last_plannable_week, local_date, week_index_at, week_of_day
from bot.storage.store import Store


class ServiceBase:
    def __init__(self, team: Team, store: Store, clock: Clock) -> None:
        self.team = team
        self.store = store
        self.clock = clock
        # A lower bound of the last planned week. The stored plan only ever grows (a
        # re-plan drops and re-plans weeks in one transaction), so once seen it stays
        # true, on every replica: requests skip ensure_plan's query while it suffices.
        self._planned_through = -1

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.team, self.now())

    def current_index(self) -> int:
        return week_index_at(self.team, self.now())

    def week_for_date(self, day: date) -> int:
        return week_of_day(self.team, day)

    def last_plannable_week(self) -> int:
        """The furthest week a request may name: see bot.core.weeks.last_plannable_week."""
        return last_plannable_week(self.team, self.now())
