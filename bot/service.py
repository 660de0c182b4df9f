"""The application layer: each method is one core operation in one transaction.

Edges (Slack listeners, the scheduler, the CLI) translate their input, call one
method here and render the result. Rules live in `bot.core`; this module loads
the state they need, calls them with the injected clock's "now", and stores
what they decide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.clock import Clock
from bot.core import swaps as swap_rules
from bot.core.calendars import team_holidays
from bot.core.errors import Refusal
from bot.core.ledger import Ledger, build_ledger
from bot.core.model import Assignment, Member, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.oncall import OnCall, who
from bot.core.rotation import plan_weeks
from bot.core.timeoff import away_during, plan_time_off
from bot.core.weeks import Week, local_date, week, week_index_at, week_of_day, weeks_overlapping
from bot.storage.store import Store

_FINGERPRINT = "plan_fingerprint"


@dataclass(frozen=True)
class ScheduledWeek:
    week: Week
    member: str
    backup: str | None
    reason: str | None
    fixed: bool
    holidays: dict[date, str]
    time_off: tuple[TimeOff, ...]
    cover_needed: bool  # the engineer has time off in the week and no swap yet


@dataclass(frozen=True)
class TimeOffResult:
    time_off: TimeOff
    merged_with: tuple[TimeOff, ...]
    weeks_needing_cover: tuple[int, ...]
    candidates: dict[int, list[tuple[str, int | None]]] = field(default_factory=dict)


@dataclass(frozen=True)
class SwapOutcome:
    request: SwapRequest
    assignments: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class Handover:
    """What the Monday announcement says about week `week.index`."""

    week: Week
    incoming: str  # effective on-call at the handover instant
    outgoing: str | None  # last week's engineer; None for week 0
    backup: str | None
    answer: OnCall  # who() at the handover instant: owners, holidays, time off, reasons
    pending_swaps: tuple[SwapRequest, ...] = ()


def plan_fingerprint(team: Team) -> str:
    """What, when it changes, re-plans the weeks past the freeze horizon."""
    key = {
        "order": team.order,
        "members": [(m.id, m.holidays and m.holidays.__dict__) for m in team.members],
        "holidays": team.holidays and team.holidays.__dict__,
        "majors": team.major_holidays,
    }
    return hashlib.sha256(json.dumps(key, default=str, sort_keys=True).encode()).hexdigest()


class OnCallService:
    def __init__(self, team: Team, store: Store, clock: Clock) -> None:
        self.team = team
        self.store = store
        self.clock = clock
        # A lower bound of the last planned week. The stored plan only ever grows (a
        # re-plan drops and re-plans weeks in one transaction), so once seen it stays
        # true, on every replica: reads skip ensure_plan's query while it suffices.
        self._planned_through = -1

    # --- time -----------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.team, self.now())

    def current_index(self) -> int:
        return week_index_at(self.team, self.now())

    def member(self, member_id: str) -> Member:
        return self.team.member(member_id)

    # --- the plan -----------------------------------------------------------
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

    def _extend(self, s: Session, through: int, first: int | None = None) -> list[str]:
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

    def _plan(self, s: Session, first: int, last: int) -> dict[int, Assignment]:
        return self.store.plan(s, first, last)

    # --- reads --------------------------------------------------------------
    def who(self, at: datetime | None = None) -> OnCall:
        at = at or self.now()
        k = week_index_at(self.team, at)
        self.ensure_plan(k + 1)
        with self.store.read() as s:
            plan = self._plan(s, k, k + 1)
            w = week(self.team, max(k, 0))
            time_off = self.store.time_off(s, w.first_day, w.days[-1])
        return who(self.team, plan, time_off, at)

    def schedule(self, first: int | None = None, count: int = 8) -> list[ScheduledWeek]:
        first = max(0, self.current_index()) if first is None else max(0, first)
        count = max(1, count)
        last = first + count - 1
        self.ensure_plan(last + 1)
        with self.store.read() as s:
            plan = self._plan(s, first, last + 1)
            time_off = self.store.time_off(
                s, week(self.team, first).first_day, week(self.team, last).days[-1]
            )
        return self._scheduled(range(first, last + 1), plan, time_off)

    def _scheduled(
        self, indexes: Sequence[int], plan: dict[int, Assignment], time_off: Sequence[TimeOff]
    ) -> list[ScheduledWeek]:
        """The weeks `indexes` (ascending) as shown: `plan` holds them and the week after
        each; `time_off` holds at least the ranges that overlap them."""
        if not indexes:
            return []
        weeks = [week(self.team, k) for k in indexes]
        hols = team_holidays(self.team, weeks[0].first_day, weeks[-1].first_day + timedelta(6))
        out: list[ScheduledWeek] = []
        for w in weeks:
            k = w.index
            a = plan[k]
            nxt = plan.get(k + 1)
            first_day, last_day = w.first_day, w.first_day + timedelta(6)
            off = tuple(t for t in time_off if t.start <= last_day and first_day <= t.end)
            out.append(
                ScheduledWeek(
                    week=w,
                    member=a.member,
                    backup=nxt.member if nxt and nxt.member != a.member else None,
                    reason=a.reason,
                    fixed=a.fixed,
                    holidays={d: n for d, n in hols.items() if first_day <= d <= last_day},
                    time_off=off,
                    cover_needed=any(t.member == a.member for t in off),
                )
            )
        return out

    def weeks_of(self, member: str, count: int = 4, horizon: int = 52) -> list[ScheduledWeek]:
        """A member's next `count` weeks (the current one included) within `horizon` weeks."""
        first = max(0, self.current_index())
        last = first + max(1, horizon) - 1
        self.ensure_plan(last + 1)
        with self.store.read() as s:
            plan = self._plan(s, first, last + 1)
            # Only the member's weeks are shown: only they need time off and holidays.
            mine = [k for k in range(first, last + 1) if plan[k].member == member][:count]
            if not mine:
                return []
            time_off = self.store.time_off(
                s, week(self.team, mine[0]).first_day, week(self.team, mine[-1]).days[-1]
            )
        return self._scheduled(mine, plan, time_off)

    def time_off_of(self, member: str | None = None) -> list[TimeOff]:
        with self.store.read() as s:
            return self.store.time_off(s, self.today(), member=member)

    def swaps_of(self, member: str) -> list[SwapRequest]:
        """The member's pending requests (either side), after expiring the overdue ones."""
        now = self.now()
        with self.store.read() as s:
            pending = self.store.swaps(s)
        if any(r.expires_at <= now for r in pending):
            self.expire_swaps()
            with self.store.read() as s:
                return self.store.swaps(s, member=member)
        return [r for r in pending if member in (r.requester, r.counterpart)]

    def swap(self, swap_id: int) -> SwapRequest | None:
        with self.store.read() as s:
            return self.store.swap(s, swap_id)

    def pending_swaps(self) -> list[SwapRequest]:
        with self.store.read() as s:
            return self.store.swaps(s)

    def handover(self, index: int) -> Handover:
        w = week(self.team, index)
        answer = self.who(w.start)
        with self.store.read() as s:
            previous = self._plan(s, index - 1, index - 1).get(index - 1)
            pending = tuple(
                r
                for r in self.store.swaps(s)
                if index in (r.requester_week, r.counterpart_week)
                or (answer.on_call in (r.requester, r.counterpart))
            )
        assert answer.on_call is not None or answer.scheduled is not None
        return Handover(
            week=w,
            incoming=answer.on_call or answer.scheduled or "",
            outgoing=previous.member if previous else None,
            backup=answer.backup,
            answer=answer,
            pending_swaps=pending,
        )

    def ledger(self) -> Ledger:
        """The fairness ledger over everything stored: the past and the planned horizon."""
        self.ensure_plan(max(0, self.current_index()) + self.team.plan_weeks)
        with self.store.read() as s:
            last = self.store.last_planned(s) or 0
            plan = self._plan(s, 0, last)
            swaps = self.store.swaps(s, status=SwapStatus.ACCEPTED)
        hols = team_holidays(self.team, self.team.start, week(self.team, last).days[-1])
        return build_ledger(self.team, plan, hols, swaps, max(0, self.current_index()))

    def _last_allowed_week(self) -> int:
        """Requests reach as far as the plan is kept ahead, never years beyond it (which
        would make a request plan and store every week up to a typo'd year 9999)."""
        return max(0, self.current_index()) + self.team.plan_weeks

    # --- time off -------------------------------------------------------------
    def _check_actor(self, actor: str, member: str) -> None:
        if actor not in {m.id for m in self.team.members}:
            raise Refusal("Only members of the on-call team can do this.")
        if member not in {m.id for m in self.team.members}:
            raise Refusal(f"'{member}' is not a member of the team.", "member")
        if actor != member and not self.team.is_admin(actor):
            raise Refusal("Only an admin can record time off for someone else.", "member")

    def request_time_off(
        self, actor: str, member: str, start: date, end: date, note: str = ""
    ) -> TimeOffResult:
        self._check_actor(actor, member)
        last_day = week(self.team, self._last_allowed_week()).days[-1]
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
                note=note[:500],
            )
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
            plan = self._plan(s, min(weeks, default=0), max(weeks, default=0) + 60)
            all_off = self.store.time_off(s, self.today())
        mine = tuple(k for k in weeks if plan.get(k) and plan[k].member == member)
        candidates = {
            k: swap_rules.swap_candidates(self.team, plan, all_off, member, k, now)
            for k in mine
            if week(self.team, k).start > now
        }
        return TimeOffResult(saved, change.replaces, mine, candidates)

    def cancel_time_off(self, actor: str, time_off_id: int) -> TimeOff:
        now = self.now()
        with self.store.write() as s:
            found = [t for t in self.store.time_off(s) if t.id == time_off_id]
            if not found:
                raise Refusal("That time off is not recorded (maybe already cancelled).")
            self._check_actor(actor, found[0].member)
            gone = self.store.delete_time_off(s, time_off_id)
            self.store.audit(
                s, now, actor, "time_off_cancel", id=time_off_id, member=found[0].member
            )
        assert gone is not None
        return gone

    # --- swaps ------------------------------------------------------------------
    def request_swap(
        self,
        actor: str,
        counterpart: str,
        my_week: int,
        their_week: int | None = None,
        *,
        cover: bool = False,
        reason: str = "",
    ) -> SwapRequest:
        if actor not in {m.id for m in self.team.members}:
            raise Refusal("Only members of the on-call team can swap weeks.")
        if counterpart not in {m.id for m in self.team.members}:
            raise Refusal("You can only swap with a member of the on-call team.", "counterpart")
        now = self.now()
        limit = self._last_allowed_week()
        for k, field_name in ((my_week, "my_week"), (their_week, "their_week")):
            if k is not None and not 0 <= k <= limit:
                raise Refusal("That week is outside the planned rotation.", field_name)
        horizon = max(my_week, their_week or 0) + 60
        self.ensure_plan(horizon)
        with self.store.write() as s:
            first = my_week if their_week is None else min(my_week, their_week)
            plan = self._plan(s, first, horizon)
            time_off = self.store.time_off(s, self.today())
            proposal = swap_rules.propose_swap(
                self.team,
                plan,
                time_off,
                actor,
                counterpart,
                my_week,
                their_week,
                now,
                cover=cover,
                pending=self.store.swaps(s, member=actor),
            )
            request = self.store.add_swap(
                s,
                actor,
                counterpart,
                proposal.requester_week,
                proposal.counterpart_week,
                proposal.expires_at,
                now,
                reason[:500],
            )
            self.store.audit(
                s,
                now,
                actor,
                "swap_request",
                id=request.id,
                counterpart=counterpart,
                my_week=my_week,
                their_week=proposal.counterpart_week,
            )
        return request

    def accept_swap(self, actor: str, swap_id: int) -> SwapOutcome:
        now = self.now()
        with self.store.write() as s:
            request = self.store.swap(s, swap_id)
            if request is None:
                raise Refusal("That swap request does not exist.")
            weeks = [request.requester_week, request.counterpart_week or request.requester_week]
            plan = self._plan(s, min(weeks), max(weeks))
            # The rules look at time off during the two weeks only: read no more than the
            # weeks they span (not every future range), while holding the write lock.
            time_off = self.store.time_off(
                s, week(self.team, min(weeks)).first_day, week(self.team, max(weeks)).days[-1]
            )
            try:
                changes = swap_rules.accept_swap(self.team, plan, time_off, request, actor, now)
            except Refusal:
                if request.status is SwapStatus.PENDING and now >= request.expires_at:
                    self.store.set_swap_status(s, swap_id, SwapStatus.EXPIRED, now)
                    self.store.audit(s, now, "system", "swap_expired", id=swap_id)
                    s.commit()
                raise
            self.store.put_weeks(s, changes, now)
            self.store.set_swap_status(s, swap_id, SwapStatus.ACCEPTED, now)
            self.store.audit(
                s, now, actor, "swap_accept", id=swap_id, weeks={a.index: a.member for a in changes}
            )
            decided = self.store.swap(s, swap_id)
        assert decided is not None
        return SwapOutcome(decided, tuple(changes))

    def decide_swap(self, actor: str, swap_id: int, decision: SwapStatus) -> SwapOutcome:
        """Decline (the counterpart) or cancel (the requester) a pending request."""
        now = self.now()
        with self.store.write() as s:
            request = self.store.swap(s, swap_id)
            if request is None:
                raise Refusal("That swap request does not exist.")
            swap_rules.check_decision(self.team, request, actor, decision)
            self.store.set_swap_status(s, swap_id, decision, now)
            self.store.audit(s, now, actor, f"swap_{decision.value}", id=swap_id)
            decided = self.store.swap(s, swap_id)
        assert decided is not None
        return SwapOutcome(decided)

    def set_swap_message(self, swap_id: int, channel: str, ts: str) -> None:
        """Remember where the counterpart's request DM is, to update it once decided."""
        with self.store.write() as s:
            row = self.store.swap_row(s, swap_id)
            if row is not None:
                row.dm_channel, row.dm_ts = channel, ts

    def swap_message(self, swap_id: int) -> tuple[str, str] | None:
        """(channel, ts) of the request DM, if it was sent."""
        with self.store.read() as s:
            row = self.store.swap_row(s, swap_id)
            if row is None or not row.dm_channel or not row.dm_ts:
                return None
            return row.dm_channel, row.dm_ts

    def expire_swaps(self) -> list[SwapRequest]:
        now = self.now()
        expired: list[SwapRequest] = []
        with self.store.read() as s:
            due = [r for r in self.store.swaps(s) if r.expires_at <= now]
        if not due:
            return []
        with self.store.write() as s:
            for r in self.store.swaps(s):
                if r.expires_at <= now:
                    self.store.set_swap_status(s, r.id, SwapStatus.EXPIRED, now)
                    self.store.audit(s, now, "system", "swap_expired", id=r.id)
                    expired.append(r)
        return expired

    def swap_candidates(self, member: str, week_index: int) -> list[tuple[str, int | None]]:
        self.ensure_plan(week_index + 60)
        with self.store.read() as s:
            plan = self._plan(s, week_index, week_index + 60)
            time_off = self.store.time_off(s, self.today())
        return swap_rules.swap_candidates(self.team, plan, time_off, member, week_index, self.now())

    def away_in_week(self, member: str, index: int) -> TimeOff | None:
        with self.store.read() as s:
            time_off = self.store.time_off(s, member=member)
        return away_during(time_off, member, week(self.team, index).days)

    def week_for_date(self, day: date) -> int:
        return week_of_day(self.team, day)
