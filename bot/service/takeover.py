"""Take-overs: a colleague takes the rest of the current week (or some days) from now.

The engineer on call asks (a `swap_request` row with `starts_at`/`ends_at`: requester the
engineer, counterpart the colleague, no week given back); the colleague's accept writes an
`Override` from that instant, which the one resolver applies, so `who()` answers the
colleague at once. An admin may record one for the engineer without the colleague's click.
Decline and cancel are the swap requests' own (`decide_swap`), as is expiry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core import takeover as rules
from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT, Override, SwapRequest, SwapStatus
from bot.core.weeks import week, week_index_at
from bot.service.changes import ChangeTracking
from bot.service.results import Handover, TakeoverOutcome
from bot.service.swaps import keep_expired
from bot.storage.store import Transaction

HANDED_BACK = "takeover_end"
"""The announcement kind that claims, once per override id, giving the user group back
when a take-over ends before its week does."""


class Takeovers(ChangeTracking):
    def request_takeover(
        self,
        actor: str,
        colleague: str,
        until: date | None = None,
        *,
        replaces: str | None = None,
        reason: str = "",
    ) -> TakeoverOutcome:
        """`actor`, on call now, asks `colleague` to take over from now until the end of
        local day `until` (at most the week's handover). With `replaces` an admin records
        it for that engineer: in effect at once, nobody's click needed."""
        if not self.team.is_member(actor):
            raise Refusal("Only members of the on-call team can hand over their week.")
        now = self.now()
        with self.store.write() as s:
            answer = self.who_in(s, now)
            time_off = self.store.time_off(s, self.today())
            ask = rules.propose_takeover(
                self.team,
                time_off,
                answer.on_call,
                actor,
                colleague,
                now,
                until,
                replaces=replaces,
                pending=[r for r in self.store.swaps(s) if r.expires_at > now],
            )
            if replaces is None:
                request = self._add_takeover(s, ask, reason, now)
                self.store.audit(
                    s,
                    now,
                    actor,
                    "takeover_request",
                    id=request.id,
                    colleague=colleague,
                    until=ask.end.isoformat(),
                )
                return TakeoverOutcome(request)
            why = f"{self.team.name_of(actor)} recorded a take-over"
            with self.tracking_changes(s, actor, why):
                request = self._add_takeover(
                    s, ask, reason, now, recorded_by=actor, status=SwapStatus.ACCEPTED
                )
                override = self.store.add_override(
                    s, rules.takeover_override(self.team, ask, actor), now, request.id
                )
                self.store.audit(
                    s,
                    now,
                    actor,
                    "takeover_record",
                    id=request.id,
                    member=override.member,
                    replaces=override.replaces,
                    until=override.end.isoformat(),
                )
            return TakeoverOutcome(request, override, self._handover_now(s, override))

    def record_takeover_now(
        self, actor: str, colleague: str, until: date | None = None, *, reason: str = ""
    ) -> TakeoverOutcome:
        """An admin records `colleague` taking over from whoever is on call now."""
        on_call = self.who().on_call
        if on_call is None:
            raise Refusal("Nobody is on call now, so there is nobody to take over from.")
        return self.request_takeover(actor, colleague, until, replaces=on_call, reason=reason)

    def _add_takeover(
        self,
        s: Transaction,
        ask: rules.TakeoverAsk,
        reason: str,
        now: datetime,
        *,
        recorded_by: str | None = None,
        status: SwapStatus = SwapStatus.PENDING,
    ) -> SwapRequest:
        """Store take-over `ask` as a request (an admin's: `recorded_by` them, accepted):
        requester the engineer, counterpart the colleague, no week given back."""
        return self.store.add_swap(
            s,
            ask.replaces,
            ask.colleague,
            ask.week,
            None,
            ask.expires_at,
            now,
            reason[:MAX_TEXT],
            starts_at=ask.start,
            ends_at=ask.end,
            recorded_by=recorded_by,
            status=status,
        )

    def ended_takeovers(self, within: timedelta = timedelta(days=1)) -> list[Handover]:
        """Take-overs that ended within `within` before now, before their week's handover
        (`until` a day): each claimed once, as the week now stands (whom the on-call user
        group should follow again). Those ending at the handover are the handover's."""
        now = self.now()
        with self.store.read() as s:
            ended = [
                o
                for o in self.store.overrides(s, now - within, now)
                if o.end <= now and o.end < week(self.team, week_index_at(self.team, o.start)).end
            ]
        out: list[Handover] = []
        for o in ended:
            if o.id is None or not self.store.claim_announcement(HANDED_BACK, o.id, now):
                continue
            # Decided once: a failed update is not retried (the next handover sets it).
            self.store.renew_announcement(HANDED_BACK, o.id, now, status="sent")
            with self.store.read() as s:
                out.append(self._handover_now(s, o, at=now, outgoing=o.member))
        return out

    def accept_takeover(self, actor: str, swap_id: int) -> TakeoverOutcome:
        """The colleague accepts: the override holds from now on."""
        now = self.now()
        with self.store.write() as s:
            request = self.store.swap(s, swap_id)
            if request is None:
                raise Refusal("That take-over request does not exist.")
            answer = self.who_in(s, now)
            time_off = self.store.time_off(s, self.today())
            try:
                found = rules.accept_takeover(
                    self.team, time_off, request, answer.on_call, actor, now
                )
            except Refusal:
                keep_expired(self.store, s, request, now)
                raise
            with self.tracking_swap(s, actor, request):
                override = self.store.add_override(s, found, now, swap_id)
                self.store.set_swap_status(s, swap_id, SwapStatus.ACCEPTED, now)
                self.store.audit(
                    s,
                    now,
                    actor,
                    "takeover_accept",
                    id=swap_id,
                    replaces=override.replaces,
                    until=override.end.isoformat(),
                )
            decided = self.store.swap(s, swap_id)
            assert decided is not None
            return TakeoverOutcome(decided, override, self._handover_now(s, override))

    def _handover_now(
        self,
        s: Transaction,
        override: Override,
        *,
        at: datetime | None = None,
        outgoing: str | None = None,
    ) -> Handover:
        """The current week as it stands at `at` (the take-over's start), in the handover's
        terms: who comes in, who goes out (what the user group follows)."""
        answer = self.who_in(s, at or override.start)
        assert answer.week is not None
        return Handover(
            week=week(self.team, answer.week.index),
            incoming=answer.on_call or answer.scheduled or override.member,
            outgoing=outgoing or override.replaces,
            backup=answer.backup,
            answer=answer,
        )
