"""Pipeline ownership: who answers for a pipeline on a given day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.calendars import member_holidays, team_holidays
from bot.core.model import Pipeline, Team, TimeOff
from bot.core.timeoff import away_on


@dataclass(frozen=True)
class Ownership:
    pipeline: Pipeline
    owner: str | None  # the effective owner; the on-call engineer when both owners are away
    reason: str | None  # why the owner is not the primary; None when it is


def absence(team: Team, member_id: str, day: date, time_off: Sequence[TimeOff]) -> str | None:
    """Why a member is away on `day` ("time off", "holiday: Christmas Day"), or None."""
    t = away_on(time_off, member_id, day)
    if t is not None:
        return "time off"
    try:
        member = team.member(member_id)
    except KeyError:
        return "not in the team"
    hol = member_holidays(team, member, day, day)
    if day in hol:
        return f"holiday: {hol[day]}"
    return None


def effective_owner(
    team: Team, pipeline: Pipeline, day: date, time_off: Sequence[TimeOff], on_call: str | None
) -> Ownership:
    """The primary, else the secondary when the primary is away, else the on-call engineer."""
    primary_away = absence(team, pipeline.primary, day, time_off)
    if primary_away is None:
        return Ownership(pipeline, pipeline.primary, None)
    secondary_away = absence(team, pipeline.secondary, day, time_off)
    if secondary_away is None:
        return Ownership(
            pipeline, pipeline.secondary, f"{team.name_of(pipeline.primary)} away ({primary_away})"
        )
    away = {pipeline.primary: primary_away, pipeline.secondary: secondary_away}
    return Ownership(pipeline, on_call, _both_away(team, day, away, on_call))


def _both_away(team: Team, day: date, away: dict[str, str], on_call: str | None) -> str:
    """Why the on-call engineer answers for a pipeline whose two owners are away.

    The on-call engineer stays on call over public holidays, so on a team holiday, or
    when the engineer on call is one of the owners, they are named as covering, not as
    away and covering at once."""
    name = team.name_of
    covers = "" if on_call is None else f"the on-call engineer {name(on_call)} covers"
    holiday = team_holidays(team, day, day).get(day)
    if holiday is not None and set(away.values()) == {f"holiday: {holiday}"}:
        return f"team holiday ({holiday})" + (f": {covers}" if covers else "")
    if on_call in away:
        others = "; ".join(f"{name(m)} away ({why})" for m, why in away.items() if m != on_call)
        return f"{others}; {name(on_call)}, on call this week ({away[on_call]}), covers"
    reason = "both owners away: " + ", ".join(f"{name(m)} ({why})" for m, why in away.items())
    return reason + (f"; {covers}" if covers else "")


def owners_on(
    team: Team, day: date, time_off: Sequence[TimeOff], on_call: str | None
) -> tuple[Ownership, ...]:
    return tuple(effective_owner(team, p, day, time_off, on_call) for p in team.pipelines)
