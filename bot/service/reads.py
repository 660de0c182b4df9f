"""Reads: who is on call, the schedule, a member's weeks, requests, the ledger.

A read never writes: past the end of the stored plan it answers from a projection
planned in memory (`Planning.projection`), and past `last_readable_week` it refuses.
Nor does it decide anything, such as expiring a request (the scheduler's job does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime, timedelta

from bot.core.calendars import team_holidays
from bot.core.errors import Refusal
from bot.core.ledger import Ledger, build_ledger
from bot.core.model import Assignment, Override, SwapRequest, SwapStatus, TimeOff
from bot.core.oncall import resolve_week, who
from bot.core.rules import decode_rules
from bot.core.weeks import last_readable_week, week, week_index_at
from bot.service.plan import PLAN_RULES, Planning
from bot.service.results import Handover, OnCallNow, ScheduledWeek
from bot.storage.store import Transaction


class Reads(Planning):
    def _readable(self, last: int) -> None:
        """Refuse a read that reaches past `last_readable_week`."""
        limit = last_readable_week(self.team, self.now())
        if last > limit:
            raise Refusal(
                f"That is beyond the week of {week(self.team, limit).first_day.isoformat()}: "
                f"the rotation can be shown up to {limit - max(0, self.current_index())} "
                "weeks ahead."
            )

    def who(self, at: datetime | None = None) -> OnCallNow:
        at = at or self.now()
        self._readable(week_index_at(self.team, at) + 1)
        with self.store.read() as s:
            return self.who_in(s, at)

    def who_in(self, s: Transaction, at: datetime) -> OnCallNow:
        """Who is on call at `at`, read in transaction `s` (a read, or a change's write):
        the plan, time off and the take-overs that hold then, through the one resolver."""
        k = week_index_at(self.team, at)
        plan = self.projection(s, k, k + 1)
        w = week(self.team, max(k, 0))
        time_off = self.store.time_off(s, w.first_day, w.last_day)
        overrides = self.store.overrides(s, w.start, w.end)
        answer = who(self.team, plan, time_off, at, overrides)
        takeover = next((o for o in overrides if o.holds(at) and o.member == answer.on_call), None)
        values = {f.name: getattr(answer, f.name) for f in fields(answer)}
        return OnCallNow(**values, takeover=takeover)

    def schedule(self, first: int | None = None, count: int = 8) -> list[ScheduledWeek]:
        first = max(0, self.current_index()) if first is None else max(0, first)
        count = max(1, count)
        last = first + count - 1
        self._readable(last + 1)
        with self.store.read() as s:
            plan = self.projection(s, first, last + 1)
            time_off = self.store.time_off(
                s, week(self.team, first).first_day, week(self.team, last).last_day
            )
            overrides = self.store.overrides(
                s, week(self.team, first).start, week(self.team, last).end
            )
        return self._scheduled(range(first, last + 1), plan, time_off, overrides)

    def _scheduled(
        self,
        indexes: Sequence[int],
        plan: Mapping[int, Assignment],
        time_off: Sequence[TimeOff],
        overrides: Sequence[Override] = (),
    ) -> list[ScheduledWeek]:
        """The weeks `indexes` (ascending) as shown: `plan` holds them and the week after
        each; `time_off` and `overrides` hold at least those that overlap them."""
        if not indexes:
            return []
        now = self.now()
        weeks = [week(self.team, k) for k in indexes]
        hols = team_holidays(self.team, weeks[0].first_day, weeks[-1].days[-1])
        out: list[ScheduledWeek] = []
        for w in weeks:
            a = plan[w.index]
            r = resolve_week(self.team, plan, time_off, w.index, now, overrides)
            first_day, last_day = w.first_day, w.days[-1]
            off = tuple(t for t in time_off if t.overlaps(first_day, last_day))
            out.append(
                ScheduledWeek(
                    week=w,
                    member=r.scheduled,
                    backup=r.backup,
                    reason=a.reason,
                    fixed=a.fixed,
                    holidays={d: n for d, n in hols.items() if first_day <= d <= last_day},
                    time_off=off,
                    cover_needed=any(t.member == a.member for t in off),
                    on_call=r.on_call,
                    reasons=r.reasons,
                    takeovers=tuple(o for o in overrides if o.overlaps(w.start, w.end)),
                )
            )
        return out

    def weeks_of(self, member: str, count: int = 4, horizon: int = 52) -> list[ScheduledWeek]:
        """A member's next `count` weeks (the current one included) within `horizon` weeks."""
        first = max(0, self.current_index())
        last = first + max(1, horizon) - 1
        self._readable(last + 1)
        with self.store.read() as s:
            plan = self.projection(s, first, last + 1)
            # Only the member's weeks are shown: only they need time off and holidays.
            mine = [k for k in range(first, last + 1) if plan[k].member == member][:count]
            if not mine:
                return []
            time_off = self.store.time_off(
                s, week(self.team, mine[0]).first_day, week(self.team, mine[-1]).last_day
            )
            overrides = self.store.overrides(
                s, week(self.team, mine[0]).start, week(self.team, mine[-1]).end
            )
        return self._scheduled(mine, plan, time_off, overrides)

    def time_off_of(self, member: str | None = None) -> list[TimeOff]:
        with self.store.read() as s:
            return self.store.time_off(s, self.today(), member=member)

    def swaps_of(self, member: str) -> list[SwapRequest]:
        """The member's pending requests (either side) that have not expired by now.

        Overdue ones are left out, not expired here: the scheduler's expiry job (and an
        accept that finds one overdue) records that."""
        now = self.now()
        with self.store.read() as s:
            pending = self.store.swaps(s, member=member)
        return [r for r in pending if r.expires_at > now]

    def swap(self, swap_id: int) -> SwapRequest | None:
        with self.store.read() as s:
            return self.store.swap(s, swap_id)

    def pending_swaps(self) -> list[SwapRequest]:
        with self.store.read() as s:
            return self.store.swaps(s)

    def swap_message(self, swap_id: int) -> tuple[str, str] | None:
        """(channel, ts) of the counterpart's request DM, if it was sent."""
        with self.store.read() as s:
            return self.store.swap_message(s, swap_id)

    def handover(self, index: int) -> Handover:
        self._readable(index + 1)
        w = week(self.team, index)
        # One read for both the outgoing and the incoming week.
        with self.store.read() as s:
            plan = self.projection(s, index - 1, index + 1)
            time_off = self.store.time_off(s, w.first_day - timedelta(days=1), w.last_day)
            overrides = self.store.overrides(s, w.start - timedelta(days=1), w.end)
            answer = who(self.team, plan, time_off, w.start, overrides)
            # Who hands over: on call at the last instant of the week before, which a
            # take-over of its last days makes the colleague who took it over.
            before = w.start - timedelta(microseconds=1)
            outgoing = (
                resolve_week(self.team, plan, time_off, index - 1, before, overrides).on_call
                if index > 0
                else None
            )
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
            outgoing=outgoing,
            backup=answer.backup,
            answer=answer,
            pending_swaps=pending,
        )

    def ledger(self) -> Ledger:
        """The fairness ledger from week 0 to the planned horizon (`last_plannable_week`),
        whatever else is stored (a block planned ahead, a long schedule)."""
        current = max(0, self.current_index())
        last = self.last_plannable_week()
        with self.store.read() as s:
            plan = self.projection(s, 0, last)
            swaps = self.store.swaps(s, status=SwapStatus.ACCEPTED)
            rules = decode_rules(self.store.get_meta(s, PLAN_RULES))
        hols = team_holidays(self.team, self.team.start, week(self.team, last).days[-1])
        return build_ledger(self.team, plan, hols, swaps, current, rules)
