"""Week swaps and covers: two-way, with the counterpart's consent.

A request is checked when it is made and again when it is accepted, against the
plan as it is then; accepting changes two weeks (one for a cover) at once.

The same rules serve the whole lifecycle: an admin may cancel anyone's pending request
and record a swap or cover between two members directly (checked by `check_swap` like
any request, applied at once); either party of an accepted request may ask to swap it
back (`propose_swap_back`), which the other accepts like any request while both weeks
are still ahead and where the swap left them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import Refusal
from bot.core.model import Assignment, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.timeoff import away_during
from bot.core.weeks import week

LOOKAHEAD_WEEKS = 60
"""How far past a request's weeks the rules look for a colleague's next week to give
back, and so how much of the plan the service loads for them."""


def _owner(plan: Mapping[int, Assignment], index: int) -> str | None:
    a = plan.get(index)
    return a.member if a else None


def _describe(team: Team, index: int) -> str:
    w = week(team, index)
    return f"the week of {w.first_day.isoformat()}"


def next_week_of(plan: Mapping[int, Assignment], member: str, after: int, last: int) -> int | None:
    for k in range(after + 1, last + 1):
        if _owner(plan, k) == member:
            return k
    return None


@dataclass(frozen=True)
class SwapWeeks:
    """Who gives which week to whom: what the rules check, in a request or a proposal."""

    requester: str
    counterpart: str
    requester_week: int
    counterpart_week: int | None  # None: a cover


@dataclass(frozen=True)
class SwapProposal(SwapWeeks):
    """A validated request, not yet stored."""

    expires_at: datetime


def _check_week(
    team: Team, plan: Mapping[int, Assignment], member: str, index: int, now: datetime, field: str
) -> None:
    """Week `index` is still `member`'s and has not started."""
    owner = _owner(plan, index)
    if owner != member:
        theirs = f" (it is {team.name_of(owner)}'s)" if owner else ""
        raise Refusal(
            f"{_describe(team, index)} is not {team.name_of(member)}'s on-call week "
            f"any more{theirs}.",
            field,
        )
    if week(team, index).start <= now:
        raise Refusal(f"{_describe(team, index)} has already started.", field)


def _check_free(
    team: Team, time_off: Sequence[TimeOff], member: str, index: int, field: str
) -> None:
    """`member` has no time off during week `index`, which they would take."""
    away = away_during(time_off, member, week(team, index).days)
    if away:
        raise Refusal(
            f"{team.name_of(member)} has time off from {away.start.isoformat()} to "
            f"{away.end.isoformat()}, during {_describe(team, index)}.",
            field,
        )


def check_swap(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    swap: SwapWeeks | SwapRequest,
    now: datetime,
) -> None:
    """Raise Refusal unless the two weeks can change hands now."""
    if swap.requester == swap.counterpart:
        raise Refusal("You cannot swap with yourself.", "counterpart")
    _check_week(team, plan, swap.requester, swap.requester_week, now, "my_week")
    if swap.counterpart_week is not None:
        _check_week(team, plan, swap.counterpart, swap.counterpart_week, now, "their_week")
    _check_free(team, time_off, swap.counterpart, swap.requester_week, "counterpart")
    if swap.counterpart_week is not None:
        _check_free(team, time_off, swap.requester, swap.counterpart_week, "their_week")


def propose_swap(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    requester: str,
    counterpart: str,
    requester_week: int,
    counterpart_week: int | None,
    now: datetime,
    *,
    cover: bool = False,
    pending: Sequence[SwapRequest] = (),
    actor: str | None = None,
) -> SwapProposal:
    """Validate a new request. Without `counterpart_week` and not a cover, the
    counterpart gives back their next week after the requester's. `actor` is who asks
    when it is not the requester (an admin recording a swap for two members)."""
    if not cover and counterpart_week is None:
        last = max(plan) if plan else requester_week
        counterpart_week = next_week_of(plan, counterpart, requester_week, last)
        if counterpart_week is None:
            raise Refusal(
                f"{team.name_of(counterpart)} has no planned week after "
                f"{_describe(team, requester_week)} to give back; ask for a cover instead.",
                "their_week",
            )
    if cover:
        counterpart_week = None
    weeks = SwapWeeks(requester, counterpart, requester_week, counterpart_week)
    check_swap(team, plan, time_off, weeks, now)
    for p in pending:
        if (
            p.status is SwapStatus.PENDING
            and p.requester_week == requester_week
            and (p.requester == requester)
        ):
            who = "You" if actor in (None, requester) else team.name_of(requester)
            raise Refusal(
                f"{who} already asked {team.name_of(p.counterpart)} about "
                f"{_describe(team, requester_week)} (request #{p.id}); cancel it first.",
                "my_week",
            )
    indexes = [requester_week] + ([counterpart_week] if counterpart_week is not None else [])
    expires = min(week(team, k).start for k in indexes)
    return SwapProposal(requester, counterpart, requester_week, counterpart_week, expires)


def swap_assignments(
    team: Team, swap: SwapWeeks | SwapRequest, recorded_by: str | None = None
) -> list[Assignment]:
    """The weeks a swap or cover writes: each to its new holder, fixed, with the reason
    the schedule shows (naming the admin who recorded it, if one did)."""
    requester, counterpart = team.name_of(swap.requester), team.name_of(swap.counterpart)
    by = f", recorded by {team.name_of(recorded_by)}" if recorded_by else ""
    if swap.counterpart_week is None:
        return [Assignment(swap.requester_week, swap.counterpart, f"covers {requester}{by}", True)]
    return [
        Assignment(swap.requester_week, swap.counterpart, f"swap with {requester}{by}", True),
        Assignment(swap.counterpart_week, swap.requester, f"swap with {counterpart}{by}", True),
    ]


def accept_swap(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    request: SwapRequest,
    actor: str,
    now: datetime,
    original: SwapRequest | None = None,
) -> list[Assignment]:
    """The assignments that accepting `request` writes, or a Refusal. A swap back
    (`request.undoes`) needs the request it swaps back as `original`."""
    if request.is_takeover:
        raise Refusal("This is a take-over: use the take-over's own Accept button.")
    check_answer(team, request, actor)
    if now >= request.expires_at:
        raise Refusal("This request has expired: its week has already started.")
    if request.undoes is not None:
        if original is None or original.id != request.undoes:
            raise Refusal(f"Request #{request.undoes}, which this swaps back, does not exist.")
        check_swap_back(team, plan, time_off, original, now)
        return swap_back_assignments(team, original)
    check_swap(team, plan, time_off, request, now)
    return swap_assignments(team, request)


def check_answer(team: Team, request: SwapRequest, actor: str) -> None:
    """Only the counterpart answers (accepts or declines) a request, swap or take-over,
    and only while it is pending."""
    if actor != request.counterpart:
        raise Refusal(
            f"Only {team.name_of(request.counterpart)} can accept or decline this request."
        )
    _check_pending(request)


def _check_pending(request: SwapRequest) -> None:
    if request.status is not SwapStatus.PENDING:
        raise Refusal(f"This request was already {request.status.value}.")


def check_decision(team: Team, request: SwapRequest, actor: str, decision: SwapStatus) -> None:
    """Who may decline (the counterpart) or cancel (the requester, or an admin) a
    pending request."""
    if decision is SwapStatus.DECLINED:
        check_answer(team, request, actor)
    elif decision is SwapStatus.CANCELLED:
        if actor != request.requester and not team.is_admin(actor):
            raise Refusal(
                f"Only {team.name_of(request.requester)} can cancel this request "
                "(an admin can too)."
            )
        _check_pending(request)
    else:
        raise Refusal("A request can only be declined or cancelled here.")


# --- swapping back (undo) ----------------------------------------------------------------


def restored(original: SwapRequest) -> dict[int, str]:
    """Who held each week of `original` before it was accepted: swapping back gives
    each week back to them."""
    back = {original.requester_week: original.requester}
    if original.counterpart_week is not None:
        back[original.counterpart_week] = original.counterpart
    return back


def _other(request: SwapRequest, member: str) -> str:
    return request.counterpart if member == request.requester else request.requester


def check_swap_back(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    original: SwapRequest,
    now: datetime,
) -> None:
    """Raise Refusal unless `original`'s weeks can go back to who held them before:
    each is still where `original` put it, has not started, and its old holder is free."""
    for index, holder in sorted(restored(original).items()):
        owner = _owner(plan, index)
        if owner != _other(original, holder):
            now_theirs = f" (it is {team.name_of(owner)}'s now)" if owner else ""
            raise Refusal(
                f"{_describe(team, index)} changed hands since request #{original.id}"
                f"{now_theirs}: it cannot be swapped back."
            )
        if week(team, index).start <= now:
            raise Refusal(
                f"{_describe(team, index)} has already started: request #{original.id} "
                "can no longer be swapped back."
            )
        _check_free(team, time_off, holder, index, "counterpart")


def propose_swap_back(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    original: SwapRequest,
    actor: str,
    now: datetime,
    related: Sequence[SwapRequest] = (),
) -> SwapProposal:
    """Validate a request to swap `original` back, asked by `actor` (either party) of
    the other party. `related`: requests that may already swap it back (any status).

    The proposal's weeks are the actor's view: the week they hold now goes back
    (`requester_week`), and the other's, if any (`counterpart_week`). For a cover asked
    back by the member who was covered, `requester_week` is that week, which the other
    gives back (see `restored`)."""
    if actor not in (original.requester, original.counterpart):
        raise Refusal(
            f"Only {team.name_of(original.requester)} or {team.name_of(original.counterpart)} "
            f"can ask to swap request #{original.id} back."
        )
    if original.is_takeover:
        raise Refusal("A take-over cannot be swapped back; ask for a new one instead.")
    if original.undoes is not None:
        raise Refusal(
            f"Request #{original.id} already swapped request #{original.undoes} back; "
            "ask for a new swap instead."
        )
    if original.status is not SwapStatus.ACCEPTED:
        raise Refusal(
            f"Request #{original.id} was {original.status.value}, not accepted: "
            "there is nothing to swap back."
        )
    for r in related:
        if r.undoes == original.id and r.status is SwapStatus.PENDING:
            raise Refusal(
                f"A swap back of request #{original.id} is already waiting for an answer "
                f"(request #{r.id})."
            )
        if r.undoes == original.id and r.status is SwapStatus.ACCEPTED:
            raise Refusal(f"Request #{original.id} was already swapped back (request #{r.id}).")
    check_swap_back(team, plan, time_off, original, now)
    other = _other(original, actor)
    back = restored(original)
    mine = next((k for k, holder in back.items() if holder == other), None)
    theirs = next((k for k, holder in back.items() if holder == actor), None)
    if mine is None:  # a cover the actor had: nothing of theirs goes back to the other
        mine, theirs = original.requester_week, None
    expires = min(week(team, k).start for k in back)
    return SwapProposal(actor, other, mine, theirs, expires)


def swap_back_assignments(team: Team, original: SwapRequest) -> list[Assignment]:
    """The weeks a swap back writes: each to who held it before `original`."""
    return [
        Assignment(
            index, holder, f"swapped back with {team.name_of(_other(original, holder))}", True
        )
        for index, holder in sorted(restored(original).items())
    ]


def swap_candidates(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    member: str,
    member_week: int,
    now: datetime,
    limit: int = 5,
) -> list[tuple[str, int | None]]:
    """Who could take `member_week`: members free that week, each with a later
    week of theirs that `member` could take back (None when only a cover fits)."""
    out: list[tuple[str, int | None]] = []
    last = max(plan) if plan else member_week
    for other in team.order:
        if other == member:
            continue
        if away_during(time_off, other, week(team, member_week).days):
            continue
        give_back: int | None = None
        k = member_week
        while (k := next_week_of(plan, other, k, last)) is not None:
            if not away_during(time_off, member, week(team, k).days) and week(team, k).start > now:
                give_back = k
                break
        out.append((other, give_back))
        if len(out) >= limit:
            break
    return out


def standing(swaps: Sequence[SwapRequest]) -> list[SwapRequest]:
    """The accepted requests that still stand: a request swapped back and its swap back
    both drop out (for counting swaps and covers, e.g. in the fairness ledger)."""
    accepted = [r for r in swaps if r.status is SwapStatus.ACCEPTED]
    undone = {r.undoes for r in accepted if r.undoes is not None}
    return [r for r in accepted if r.undoes is None and r.id not in undone]
