"""Swap requests: ask, accept, decline or cancel, swap back, record (an admin), remember
the request DM, expire."""

from __future__ import annotations

from datetime import datetime

from bot.core import swaps as swap_rules
from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT, SwapRequest, SwapStatus
from bot.core.weeks import week
from bot.service.changes import ChangeTracking
from bot.service.results import SwapOutcome
from bot.storage.store import Store, Transaction


def expire(store: Store, s: Transaction, request: SwapRequest, now: datetime) -> bool:
    """Mark `request` expired, with its audit row, if it is pending and past its deadline
    (a swap's or a take-over's alike); True if it did."""
    if request.status is not SwapStatus.PENDING or now < request.expires_at:
        return False
    store.set_swap_status(s, request.id, SwapStatus.EXPIRED, now)
    store.audit(s, now, "system", "swap_expired", id=request.id)
    return True


def keep_expired(store: Store, s: Transaction, request: SwapRequest, now: datetime) -> None:
    """An accept refused (the caller re-raises, so `s` rolls back): a request found past
    its deadline stays expired all the same."""
    if expire(store, s, request, now):
        s.commit()


class SwapRequests(ChangeTracking):
    def _add_request(
        self,
        s: Transaction,
        actor: str,
        requester: str,
        counterpart: str,
        my_week: int,
        their_week: int | None,
        cover: bool,
        horizon: int,
        reason: str,
        now: datetime,
        *,
        recorded_by: str | None = None,
        status: SwapStatus = SwapStatus.PENDING,
    ) -> SwapRequest:
        """Check a request (asked by `requester`, or recorded for them by `actor`) against
        the plan and time off as stored (planned to `horizon`: `_check_weeks`), inside the
        write transaction `s`, and store it (an admin's: `recorded_by` them, accepted)."""
        first = my_week if their_week is None else min(my_week, their_week)
        proposal = swap_rules.propose_swap(
            self.team,
            self.store.plan(s, first, horizon),
            self.store.time_off(s, self.today()),
            requester,
            counterpart,
            my_week,
            their_week,
            now,
            cover=cover,
            pending=self.store.swaps(s, member=requester),
            actor=actor,
        )
        return self.store.add_swap(
            s,
            requester,
            counterpart,
            proposal.requester_week,
            proposal.counterpart_week,
            proposal.expires_at,
            now,
            reason[:MAX_TEXT],
            recorded_by=recorded_by,
            status=status,
        )

    def _check_weeks(self, my_week: int, their_week: int | None) -> int:
        """Both weeks within the rotation; returns how far the rules look ahead (planned)."""
        limit = self.last_plannable_week()
        for k, field_name in ((my_week, "my_week"), (their_week, "their_week")):
            if k is not None and not 0 <= k <= limit:
                raise Refusal("That week is outside the planned rotation.", field_name)
        horizon = max(my_week, their_week or 0) + swap_rules.LOOKAHEAD_WEEKS
        self.ensure_plan(horizon)
        return horizon

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
        horizon = self._check_weeks(my_week, their_week)
        with self.store.write() as s:
            request = self._add_request(
                s, actor, actor, counterpart, my_week, their_week, cover, horizon, reason, now
            )
            self.store.audit(
                s,
                now,
                actor,
                "swap_request",
                id=request.id,
                counterpart=counterpart,
                my_week=my_week,
                their_week=request.counterpart_week,
            )
        return request

    def record_swap(
        self,
        actor: str,
        requester: str,
        counterpart: str,
        my_week: int,
        their_week: int | None = None,
        *,
        cover: bool = False,
        reason: str = "",
    ) -> SwapOutcome:
        """An admin records a swap or cover between two members (agreed elsewhere): checked
        by the same rules as a request, and accepted at once (`recorded_by` the admin)."""
        if not self.team.is_member(actor) or not self.team.is_admin(actor):
            raise Refusal("Only an admin can record a swap or cover between two members.")
        for member, field_name in ((requester, "requester"), (counterpart, "counterpart")):
            if not self.team.is_member(member):
                raise Refusal(
                    "A swap can only be recorded between members of the on-call team.", field_name
                )
        if requester == counterpart:
            raise Refusal("A swap needs two different members.", "counterpart")
        now = self.now()
        horizon = self._check_weeks(my_week, their_week)
        with self.store.write() as s:
            request = self._add_request(
                s,
                actor,
                requester,
                counterpart,
                my_week,
                their_week,
                cover,
                horizon,
                reason,
                now,
                recorded_by=actor,
                status=SwapStatus.ACCEPTED,
            )
            changes = swap_rules.swap_assignments(self.team, request, recorded_by=actor)
            with self.tracking_swap(s, actor, request):
                self.store.put_weeks(s, changes, now)
            self.store.audit(
                s,
                now,
                actor,
                "swap_record",
                id=request.id,
                requester=requester,
                counterpart=counterpart,
                weeks={a.index: a.member for a in changes},
            )
        return SwapOutcome(request, tuple(changes))

    def request_swap_back(self, actor: str, swap_id: int) -> SwapRequest:
        """Either party of accepted request `swap_id` asks the other to swap it back: a
        new pending request (`undoes` = swap_id) that gives each week back."""
        if not self.team.is_member(actor):
            raise Refusal("Only members of the on-call team can swap weeks.")
        now = self.now()
        with self.store.write() as s:
            original = self.store.swap(s, swap_id)
            if original is None:
                raise Refusal("That swap request does not exist.")
            weeks = sorted(swap_rules.restored(original))
            plan = self.store.plan(s, weeks[0], weeks[-1])
            time_off = self.store.time_off(
                s, week(self.team, weeks[0]).first_day, week(self.team, weeks[-1]).days[-1]
            )
            proposal = swap_rules.propose_swap_back(
                self.team,
                plan,
                time_off,
                original,
                actor,
                now,
                related=self.store.swaps(s, status=None, member=actor),
            )
            if not self.team.is_member(proposal.counterpart):
                raise Refusal(
                    f"{self.team.name_of(proposal.counterpart)} is no longer in the on-call "
                    "team: ask an admin to change the schedule."
                )
            request = self.store.add_swap(
                s,
                actor,
                proposal.counterpart,
                proposal.requester_week,
                proposal.counterpart_week,
                proposal.expires_at,
                now,
                undoes=original.id,
            )
            self.store.audit(
                s,
                now,
                actor,
                "swap_back_request",
                id=request.id,
                undoes=original.id,
                counterpart=proposal.counterpart,
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
            original = self.store.swap(s, request.undoes) if request.undoes is not None else None
            try:
                changes = swap_rules.accept_swap(
                    self.team, plan, time_off, request, actor, now, original
                )
            except Refusal:
                keep_expired(self.store, s, request, now)
                raise
            with self.tracking_swap(s, actor, request):
                self.store.put_weeks(s, changes, now)
            self.store.set_swap_status(s, swap_id, SwapStatus.ACCEPTED, now)
            self.store.audit(
                s, now, actor, "swap_accept", id=swap_id, weeks={a.index: a.member for a in changes}
            )
            decided = self.store.swap(s, swap_id)
        assert decided is not None
        return SwapOutcome(decided, tuple(changes))

    def decide_swap(self, actor: str, swap_id: int, decision: SwapStatus) -> SwapOutcome:
        """Decline (the counterpart) or cancel (the requester, or an admin) a pending
        request."""
        now = self.now()
        with self.store.write() as s:
            request = self.store.swap(s, swap_id)
            if request is None:
                raise Refusal("That swap request does not exist.")
            swap_rules.check_decision(self.team, request, actor, decision)
            self.store.set_swap_status(s, swap_id, decision, now)
            detail = {"requester": request.requester} if actor != request.requester else {}
            self.store.audit(s, now, actor, f"swap_{decision.value}", id=swap_id, **detail)
            decided = self.store.swap(s, swap_id)
        assert decided is not None
        return SwapOutcome(decided)

    def requests_to_act_on(self, member: str) -> tuple[list[SwapRequest], bool]:
        """(The pending requests `member` may act on, whether they are an admin): their own,
        and for an admin everyone's that has not expired (to cancel)."""
        if self.team.is_admin(member):
            now = self.now()
            return [r for r in self.pending_swaps() if r.expires_at > now], True
        return self.swaps_of(member), False

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
                if expire(self.store, s, r, now):
                    stored = self.store.swap(s, r.id)
                    assert stored is not None
                    expired.append(stored)
        return expired
