"""The plan's lifecycle: re-plan when the config changes, keep it planned ahead."""

from __future__ import annotations

import hashlib
import json

from bot.core.model import Team
from bot.core.rotation import plan_weeks
from bot.core.weeks import week
from bot.service.base import ServiceBase
from bot.storage.store import Transaction

_FINGERPRINT = "plan_fingerprint"


def plan_fingerprint(team: Team) -> str:
    """What, when it changes, re-plans the weeks past the freeze horizon."""
    key = {
        "order": team.order,
        "members": [(m.id, m.holidays and m.holidays.__dict__) for m in team.members],
        "holidays": team.holidays and team.holidays.__dict__,
        "majors": team.major_holidays,
    }
    return hashlib.sha256(json.dumps(key, default=str, sort_keys=True).encode()).hexdigest()


class Planning(ServiceBase):
    def sync_plan(self) -> list[str]:
        """At start: re-plan past the freeze horizon if the config changed, then make
        sure the plan reaches `plan_weeks` ahead. Returns notes for the log."""
        notes: list[str] = []
        now = self.now()
        current = max(0, self.current_index())
        with self.store.write() as s:
            stored = self.store.get_meta(s, _FINGERPRINT)
            fingerprint = plan_fingerprint(self.team)
            replan_from: int | None = None
            if stored is not None and stored != fingerprint:
                first_free = current + 1 + self.team.freeze_weeks
                members = {m.id for m in self.team.members}
                gone = [
                    k
                    for k, a in self.store.plan(s, current, 1 << 30).items()
                    if a.member not in members
                ]
                self.store.drop_weeks(s, gone)
                dropped = self.store.drop_unfixed_weeks_from(s, first_free)
                replan_from = min([first_free, *gone])
                notes.append(f"config changed: re-planned {dropped} week(s) from week {first_free}")
                self.store.audit(s, now, "system", "replan", from_week=first_free, weeks=dropped)
            self.store.set_meta(s, _FINGERPRINT, fingerprint)
            notes += self._extend(s, current + self.team.plan_weeks, first=replan_from)
        return notes

    def _extend(self, s: Transaction, through: int, first: int | None = None) -> list[str]:
        """Plan the missing weeks up to `through`: after the last planned week, or
        from `first` (after a re-plan), filling gaps left around fixed weeks."""
        last = self.store.last_planned(s)
        if first is None:
            if last is not None and last >= through:
                return []
            first = 0 if last is None else last + 1
        # Plan in blocks of plan_weeks, so fairness is judged over a real horizon.
        through = max(through, first + self.team.plan_weeks - 1, -1 if last is None else last)
        plan = self.store.plan(s, max(0, first - 52), through)
        time_off = self.store.time_off(s, week(self.team, first).first_day)
        result = plan_weeks(self.team, plan, first, through, time_off)
        self.store.put_weeks(s, list(result.assignments), self.now())
        return [f"planner: {b}" for b in result.broken]

    def ensure_plan(self, through: int) -> None:
        if through <= self._planned_through:
            return  # the common case: no query, no transaction
        with self.store.read() as s:
            last = self.store.last_planned(s)
        if last is None or last < through:
            with self.store.write() as s:
                self._extend(s, through)
                last = self.store.last_planned(s)
        if last is not None:
            self._planned_through = max(self._planned_through, last)
