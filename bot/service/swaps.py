"""Swap requests: ask, accept, decline or cancel, remember the request DM, expire."""

from __future__ import annotations

from bot.core import swaps as swap_rules
from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT, SwapRequest, SwapStatus
from bot.core.weeks import week
from bot.service.reads import Reads
from bot.service.results import SwapOutcome


class SwapRequests(Reads):
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
        if not self.team.is_member(actor):
            raise Refusal("Only members of the on-call team can swap weeks.")
        if not self.team.is_member(counterpart):
            raise Refusal("You can only swap with a member of the on-call team.", "counterpart")
        now = self.now()
        limit = self.last_plannable_week()
        for k, field_name in ((my_week, "my_week"), (their_week, "their_week")):
            if k is not None and not 0 <= k <= limit:
                raise Refusal("That week is outside the planned rotation.", field_name)
        horizon = max(my_week, their_week or 0) + swap_rules.LOOKAHEAD_WEEKS
        self.ensure_plan(horizon)
        with self.store.write() as s:
            first = my_week if their_week is None else min(my_week, their_week)
            plan = self.store.plan(s, first, horizon)
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
                reason[:MAX_TEXT],
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
            plan = self.store.plan(s, min(weeks), max(weeks))
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
            self.store.set_swap_message(s, swap_id, channel, ts)

    def claim_swap_reminder(self, swap_id: int, due: int) -> bool:
        """True (and recorded) when reminder number `due` of a pending request is still
        to send; False when it was sent already or the request is decided."""
        with self.store.write() as s:
            return self.store.claim_reminder(s, swap_id, due)

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
