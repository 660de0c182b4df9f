"""The plan's lifecycle: re-plan when the config changes, keep it planned ahead.

Only writes extend the stored plan: `sync_plan` at start and from the scheduler's
housekeeping, and requests (swaps, time off) that need weeks planned. Reads look
past the stored plan through `projection`, which plans in memory and stores nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from bot.core.model import Assignment, SwapStatus, Team
from bot.core.rotation import PlanResult, plan_weeks
from bot.core.rules import encode_rules
from bot.core.weeks import week
from bot.service.base import ServiceBase
from bot.service.results import ClosedRequest
from bot.storage.store import Transaction

_FINGERPRINT = "plan_fingerprint"
_ORDER = "plan_order"  # the rotation order the stored plan was made for (JSON list)
PLAN_RULES = "plan_rules"
"""Store meta key: the planner's per-rule results (`encode_rules`) of the last plan stored."""
REPLANNED = "re-planned after a change to the team file or its holidays"
"""Why a re-plan moved a week, when the plan gives no reason of its own."""


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
    def tracking_changes(
        self, s: Transaction, actor: str, why: str, *, plan_first: bool = False
    ) -> AbstractContextManager[None]:
        """Records whose future weeks the wrapped change moved: see ChangeTracking, which
        `OnCallService` mixes in over this (a plan alone tracks nothing)."""
        return nullcontext()

    def sync_plan(self) -> list[str]:
        """At start (and from the scheduler): remember the team file's members, re-plan
        past the freeze horizon if the config changed, then make sure the plan reaches
        the planned horizon (`last_plannable_week`: `plan_weeks` weeks, this one first).
        Returns notes for the log."""
        notes: list[str] = []
        now = self.now()
        current = max(0, self.current_index())
        with (
            self.store.write() as s,
            self.tracking_changes(s, "system", REPLANNED, plan_first=True),
        ):
            members = self.store.record_members(s, self.team.members, now)
            if members.former != self.team.former:
                self.team = dataclasses.replace(self.team, former=members.former)
            stored = self.store.get_meta(s, _FINGERPRINT)
            stored_order = json.loads(self.store.get_meta(s, _ORDER) or "null")
            fingerprint = plan_fingerprint(self.team)
            replan_from: int | None = None
            previous: dict[int, str] = {}
            if stored is not None and stored != fingerprint:
                first_free = current + 1 + self.team.freeze_weeks
                ahead = self.store.plan(s, current, 1 << 30)
                gone = [k for k, a in ahead.items() if not self.team.is_member(a.member)]
                if stored_order == list(self.team.order):
                    # Holidays or calendars changed, not the order: the planner keeps as
                    # many of the dropped weeks as the rules allow. A new order is the
                    # rotation asked for, so then its round-robin is the target instead.
                    previous = {
                        k: a.member for k, a in ahead.items() if k >= first_free and not a.fixed
                    }
                self.store.drop_weeks(s, gone)
                dropped = self.store.drop_unfixed_weeks_from(s, first_free)
                replan_from = min([first_free, *gone])
                notes.append(f"config changed: re-planned {dropped} week(s) from week {first_free}")
                self.store.audit(s, now, "system", "replan", from_week=first_free, weeks=dropped)
            if stored != fingerprint:
                self.store.set_meta(s, _FINGERPRINT, fingerprint)
            if stored_order != list(self.team.order):
                self.store.set_meta(s, _ORDER, json.dumps(self.team.order))
            notes += self._extend(
                s, self.last_plannable_week(), first=replan_from, previous=previous
            )
        return notes

    def close_requests_of_former_members(self) -> tuple[ClosedRequest, ...]:
        """Cancel every pending request that names someone no longer in the team file:
        nobody is left to answer it, or the week it offers is no longer theirs. Called
        by `oncall run` after `sync_plan` (which learns who left), where both parties
        can be told; a CLI command never closes requests behind people's backs."""
        with self.store.write() as s:
            return self._close_requests_of_former_members(s, self.now())

    def _close_requests_of_former_members(
        self, s: Transaction, now: datetime
    ) -> tuple[ClosedRequest, ...]:
        closed: list[ClosedRequest] = []
        for r in self.store.swaps(s):
            parties = (r.requester, r.counterpart)
            gone = next((m for m in parties if not self.team.is_member(m)), None)
            if gone is None:
                continue
            self.store.set_swap_status(s, r.id, SwapStatus.CANCELLED, now)
            self.store.audit(s, now, "system", "swap_closed", id=r.id, member_removed=gone)
            decided = self.store.swap(s, r.id)
            assert decided is not None
            reason = f"{self.team.name_of(gone)} is no longer in the on-call team"
            closed.append(ClosedRequest(decided, gone, reason))
        return tuple(closed)

    def _missing_weeks(
        self,
        s: Transaction,
        through: int,
        first: int | None = None,
        previous: Mapping[int, str] | None = None,
    ) -> PlanResult:
        """The weeks missing up to `through`, planned (not stored): after the last planned
        week, or from `first` (after a re-plan, with `previous` the dropped weeks' members,
        so as few of them as the rules allow move), filling gaps left around fixed weeks."""
        last = self.store.last_planned(s)
        if first is None:
            if last is not None and last >= through:
                return PlanResult((), ())
            first = 0 if last is None else last + 1
        # Plan in blocks of plan_weeks, so fairness is judged over a real horizon.
        through = max(through, first + self.team.plan_weeks - 1, -1 if last is None else last)
        plan = self.store.plan(s, max(0, first - 52), through)
        time_off = self.store.time_off(s, week(self.team, first).first_day)
        return plan_weeks(
            self.team, plan, first, through, time_off, previous, self.team.planner_seconds
        )

    def _extend(
        self,
        s: Transaction,
        through: int,
        first: int | None = None,
        previous: Mapping[int, str] | None = None,
    ) -> list[str]:
        """Store the missing weeks up to `through` (see `_missing_weeks`) and the planner's
        per-rule results for the ledger: writes only."""
        result = self._missing_weeks(s, through, first, previous)
        if result.assignments:
            self.store.put_weeks(s, list(result.assignments), self.now())
            self.store.set_meta(s, PLAN_RULES, encode_rules(result.rules))
        return [f"planner: {b}" for b in result.broken]

    def projection(self, s: Transaction, first: int, last: int) -> dict[int, Assignment]:
        """Weeks first..last of the plan: the stored ones, and past the end of the stored
        plan the weeks the plan's extensions would store (block by block, as `_extend`
        stores them), planned in memory and never stored."""
        plan = self.store.plan(s, first, last)
        if len(plan) == last - first + 1:
            return plan
        stored_last = self.store.last_planned(s)
        start = 0 if stored_last is None else stored_last + 1
        if start > last:
            return plan  # a gap inside the stored plan: nothing to project
        known = self.store.plan(s, max(0, start - 52), start - 1)
        time_off = self.store.time_off(s, week(self.team, start).first_day)
        while start <= last:
            through = start + self.team.plan_weeks - 1
            planned = plan_weeks(
                self.team, known, start, through, time_off, seconds=self.team.planner_seconds
            )
            for a in planned.assignments:
                known[a.index] = a
            start = through + 1
        return {k: a for k, a in known.items() if first <= k <= last} | plan

    def ensure_plan(self, through: int) -> None:
        """Store the plan through week `through`: for writes (requests) only."""
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
