"""Recording time off, and proposing who could take the weeks it leaves uncovered."""

from __future__ import annotations

from datetime import date

from bot.core import swaps as swap_rules
from bot.core.changes import time_off_why
from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT
from bot.core.timeoff import plan_time_off
from bot.core.weeks import local_date, week, weeks_overlapping
from bot.service.changes import ChangeTracking
from bot.service.results import TimeOffResult


class TimeOffRequests(ChangeTracking):
    def _check_actor(self, actor: str, member: str) -> None:
        if not self.team.is_member(actor):
            raise Refusal("Only members of the on-call team can do this.")
        if not self.team.is_member(member):
            raise Refusal(f"'{member}' is not a member of the team.", "member")
        if actor != member and not self.team.is_admin(actor):
            raise Refusal("Only an admin can record time off for someone else.", "member")

    def request_time_off(
        self, actor: str, member: str, start: date, end: date, note: str = ""
    ) -> TimeOffResult:
        self._check_actor(actor, member)
        last_day = week(self.team, self.last_plannable_week()).days[-1]
        if end > last_day:
            raise Refusal(
                f"Time off can be recorded up to {last_day.isoformat()}, the end of the "
                "planned rotation; record the rest nearer the time.",
                "end",
            )
        now = self.now()
        with self.store.write() as s:
            existing = self.store.time_off(s, member=member)
            change = plan_time_off(
                self.team,
                existing,
                member,
                start,
                end,
                local_date(self.team, now),
                override_notice=self.team.is_admin(actor),
                note=note[:MAX_TEXT],
            )
            with self.tracking_changes(s, actor, time_off_why(self.team, change.merged)):
                saved = self.store.replace_time_off(s, change.merged, change.replaces, actor, now)
            self.store.audit(
                s,
                now,
                actor,
                "time_off",
                member=member,
                start=saved.start,
                end=saved.end,
                merged=[t.id for t in change.replaces],
                note=saved.note,
            )
        weeks = list(weeks_overlapping(self.team, start, end))
        self.ensure_plan(max(weeks, default=0) + self.team.plan_weeks // 4)
        with self.store.read() as s:
            first = min(weeks, default=0)
            plan = self.store.plan(s, first, max(weeks, default=0) + swap_rules.LOOKAHEAD_WEEKS)
            all_off = self.store.time_off(s, self.today())
        mine = tuple(k for k in weeks if plan.get(k) and plan[k].member == member)
        candidates = {
            k: swap_rules.swap_candidates(self.team, plan, all_off, member, k, now)
            for k in mine
            if week(self.team, k).start > now
        }
        return TimeOffResult(saved, change.replaces, mine, candidates)
