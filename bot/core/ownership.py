"""Pipeline ownership: who answers for a pipeline on a given day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.calendars import member_holidays
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
    name = team.name_of

    primary_away = absence(team, pipeline.primary, day, time_off)
    if primary_away is None:
        return Ownership(pipeline, pipeline.primary, None)
    secondary_away = absence(team, pipeline.secondary, day, time_off)
    if secondary_away is None:
        return Ownership(
            pipeline, pipeline.secondary, f"{name(pipeline.primary)} away ({primary_away})"
        )
    reason = (
        f"both owners away: {name(pipeline.primary)} ({primary_away}), "
        f"{name(pipeline.secondary)} ({secondary_away})"
    )
    if on_call is not None:
        reason += f"; the on-call engineer {name(on_call)} covers"
    return Ownership(pipeline, on_call, reason)


def owners_on(
    team: Team, day: date, time_off: Sequence[TimeOff], on_call: str | None
) -> tuple[Ownership, ...]:
    return tuple(effective_owner(team, p, day, time_off, on_call) for p in team.pipelines)
