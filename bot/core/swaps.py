"""Week swaps and covers: two-way, with the counterpart's consent.

A request is checked when it is made and again when it is accepted, against the
plan as it is then; accepting changes two weeks (one for a cover) at once.
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
) -> SwapProposal:
    """Validate a new request. Without `counterpart_week` and not a cover, the
    counterpart gives back their next week after the requester's."""
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
            raise Refusal(
                f"You already asked {team.name_of(p.counterpart)} about "
                f"{_describe(team, requester_week)} (request #{p.id}); cancel it first.",
                "my_week",
            )
    indexes = [requester_week] + ([counterpart_week] if counterpart_week is not None else [])
    expires = min(week(team, k).start for k in indexes)
    return SwapProposal(requester, counterpart, requester_week, counterpart_week, expires)


def accept_swap(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    request: SwapRequest,
    actor: str,
    now: datetime,
) -> list[Assignment]:
    """The assignments that accepting `request` writes, or a Refusal."""
    if actor != request.counterpart:
        raise Refusal(
            f"Only {team.name_of(request.counterpart)} can accept or decline this request."
        )
    if request.status is not SwapStatus.PENDING:
        raise Refusal(f"This request was already {request.status.value}.")
    if now >= request.expires_at:
        raise Refusal("This request has expired: its week has already started.")
    check_swap(team, plan, time_off, request, now)
    requester, counterpart = team.name_of(request.requester), team.name_of(request.counterpart)
    if request.counterpart_week is None:
        return [
            Assignment(request.requester_week, request.counterpart, f"covers {requester}", True)
        ]
    return [
        Assignment(request.requester_week, request.counterpart, f"swap with {requester}", True),
        Assignment(request.counterpart_week, request.requester, f"swap with {counterpart}", True),
    ]


def check_decision(team: Team, request: SwapRequest, actor: str, decision: SwapStatus) -> None:
    """Who may decline (the counterpart) or cancel (the requester) a pending request."""
    if decision not in (SwapStatus.DECLINED, SwapStatus.CANCELLED):
        raise Refusal("A request can only be declined or cancelled here.")
    if decision is SwapStatus.CANCELLED and actor != request.requester:
        raise Refusal(f"Only {team.name_of(request.requester)} can cancel this request.")
    if decision is SwapStatus.DECLINED and actor != request.counterpart:
        raise Refusal(
            f"Only {team.name_of(request.counterpart)} can accept or decline this request."
        )
    if request.status is not SwapStatus.PENDING:
        raise Refusal(f"This request was already {request.status.value}.")


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
