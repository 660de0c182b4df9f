"""Take-overs: the on-call engineer falls ill mid-week and a colleague takes over from now.

Pure rules over plain data: who may ask (the engineer on call now, or an admin acting for
them), until when (the end of a local day, at the latest the week's closing handover: a
take-over never reaches into a week the plan has not handed over yet), who may take over
(a team member other than the engineer, not away during it), and the `Override` that
accepting writes. The resolver (bot.core.oncall.resolve_week) applies the override.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.errors import Refusal
from bot.core.model import Override, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.swaps import check_answer
from bot.core.timeoff import away_during
from bot.core.weeks import Week, local_date, local_instant, week, week_index_at

ANSWER_WITHIN = timedelta(hours=4)
"""How long the colleague has to answer: someone is ill now, so the request is urgent and
the engineer should soon ask someone else (or an admin record it)."""

SHORTEST = timedelta(minutes=30)
"""Less than this left of the range is not worth a take-over: the handover is near."""

# The inputs a Refusal points at (the modal's block ids in bot.slack.ids equal them).
COLLEAGUE = "colleague"
UNTIL = "until"


@dataclass(frozen=True)
class TakeoverAsk:
    """A validated take-over, not yet stored: `colleague` takes `replaces`'s place in week
    `week` from `start` to `end` (UTC); a request must be answered by `expires_at`."""

    replaces: str
    colleague: str
    week: int
    start: datetime
    end: datetime
    expires_at: datetime


def end_of_day(team: Team, day: date) -> datetime:
    """The UTC instant local `day` ends (the next local midnight), DST-correct."""
    return local_instant(day + timedelta(days=1), time(0), team.timezone)


def takeover_end(team: Team, w: Week, now: datetime, until: date | None) -> datetime:
    """When a take-over asked at `now` in week `w` ends: the week's closing handover, or
    the end of local day `until` when that is earlier. A day past the handover day is
    refused (a swap of whole weeks covers later weeks), as is a day already over."""
    if until is None:
        return w.end
    if until > w.last_day:
        raise Refusal(
            f"A take-over lasts at most until this week's handover, {w.last_day:%a %d %b}. "
            "For later weeks ask for a swap or a cover with `/oncall swap`.",
            UNTIL,
        )
    end = min(end_of_day(team, until), w.end)
    if end <= now:
        raise Refusal(f"{until:%a %d %b} is already over: choose today or a later day.", UNTIL)
    return end


def _check_colleague(
    team: Team,
    time_off: Sequence[TimeOff],
    replaces: str,
    colleague: str,
    start: datetime,
    end: datetime,
) -> None:
    if not team.is_member(colleague):
        raise Refusal("Only a member of the on-call team can take over.", COLLEAGUE)
    if colleague == replaces:
        who = team.name_of(replaces)
        raise Refusal(f"{who} is the one on call: choose a colleague to take over.", COLLEAGUE)
    days = _days(team, start, end)
    away = away_during(time_off, colleague, days)
    if away:
        raise Refusal(
            f"{team.name_of(colleague)} has time off from {away.start.isoformat()} to "
            f"{away.end.isoformat()}: choose someone who is around.",
            COLLEAGUE,
        )


def _days(team: Team, start: datetime, end: datetime) -> tuple[date, ...]:
    """The local dates an interval [start, end) touches."""
    first, last = local_date(team, start), local_date(team, end - timedelta(microseconds=1))
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def propose_takeover(
    team: Team,
    time_off: Sequence[TimeOff],
    on_call_now: str | None,
    actor: str,
    colleague: str,
    now: datetime,
    until: date | None = None,
    *,
    replaces: str | None = None,
    pending: Sequence[SwapRequest] = (),
) -> TakeoverAsk:
    """Validate a take-over asked by `actor` at `now`. `on_call_now` is who the resolver
    says is on call at `now`; `replaces`, when an admin records for someone, names them
    (they must be that person). `pending` are the requests still open."""
    index = week_index_at(team, now)
    if index < 0:
        raise Refusal("The rotation has not started: nobody is on call to take over from.")
    if on_call_now is None:
        raise Refusal("Nobody is on call now, so there is nobody to take over from.")
    for_someone = replaces is not None
    if for_someone and not team.is_admin(actor):
        raise Refusal("Only an admin can record a take-over for someone else.")
    if for_someone and replaces != on_call_now:
        raise Refusal(
            f"{team.name_of(replaces or '')} is not on call now "
            f"({team.name_of(on_call_now)} is): only the engineer on call can be taken over.",
            COLLEAGUE,
        )
    if not for_someone and actor != on_call_now:
        hint = (
            f" As an admin, record it for them: `/oncall cover @colleague for "
            f"@{team.name_of(on_call_now)}`."
            if team.is_admin(actor)
            else ""
        )
        raise Refusal(
            f"Only the engineer on call now ({team.name_of(on_call_now)}) can hand over "
            f"the rest of their week.{hint}"
        )
    w = week(team, index)
    end = takeover_end(team, w, now, until)
    if end - now < SHORTEST:
        raise Refusal(
            "Nothing is left of the week to hand over: the next handover is at "
            f"{end.astimezone(team.timezone):%a %d %b %H:%M}.",
            UNTIL,
        )
    _check_colleague(team, time_off, on_call_now, colleague, now, end)
    for p in pending:
        if p.is_takeover and p.status is SwapStatus.PENDING and p.requester == on_call_now:
            raise Refusal(
                f"{team.name_of(on_call_now)} already asked {team.name_of(p.counterpart)} to "
                f"take over (request #{p.id}); cancel it first.",
                COLLEAGUE,
            )
    return TakeoverAsk(on_call_now, colleague, index, now, end, min(end, now + ANSWER_WITHIN))


def takeover_override(team: Team, ask: TakeoverAsk, actor: str) -> Override:
    """The override a take-over recorded at once (by an admin) writes."""
    return _override(team, ask.colleague, ask.replaces, ask.start, ask.end, actor)


def _override(
    team: Team, member: str, replaces: str, start: datetime, end: datetime, actor: str
) -> Override:
    reason = f"takes over from {team.name_of(replaces)}"
    return Override(member, replaces, start, end, reason, created_by=actor)


def accept_takeover(
    team: Team,
    time_off: Sequence[TimeOff],
    request: SwapRequest,
    on_call_now: str | None,
    actor: str,
    now: datetime,
) -> Override:
    """The override that accepting take-over `request` at `now` writes, or a Refusal:
    only the colleague accepts, while the request is open, its week runs and the
    requester is still the one on call."""
    if not request.is_takeover or request.ends_at is None:
        raise Refusal("That is not a take-over request.")
    check_answer(team, request, actor)
    if now >= request.expires_at or week_index_at(team, now) != request.requester_week:
        raise Refusal("This request has expired: ask again if help is still needed.")
    if on_call_now != request.requester:
        raise Refusal(
            f"{team.name_of(request.requester)} is no longer on call "
            f"({team.name_of(on_call_now)} is): there is nothing to take over."
        )
    _check_colleague(team, time_off, request.requester, actor, now, request.ends_at)
    return _override(team, actor, request.requester, now, request.ends_at, actor)
