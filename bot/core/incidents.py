"""Incidents: the rules of who is in one, who may be called in, and what its channel is named.

Pure: plain data in, plain data out. The service stores what these decide; the Slack
layer makes the channel and tells people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.core.errors import Refusal
from bot.core.model import Pipeline, Team
from bot.core.ownership import Ownership

MAX_CHANNEL_NAME = 80  # Slack's limit on a channel name
MAX_NAME_ATTEMPTS = 20  # `inc-...`, then `-2` ... `-20`: taken that often, something is off
MAX_SUMMARY = 200  # characters of an incident's summary, as stored and shown
MAX_RESOLUTION = 300  # characters of the resolution note


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    FAILED = "failed"  # the channel could not be made: recorded, and the opener told


class Role(StrEnum):
    """Why someone is in an incident."""

    ENGINEER = "engineer"  # on call when it opened
    OWNER = "owner"  # the pipeline's effective owner
    OTHER_OWNER = "other owner"  # the pipeline's other owner
    BACKUP = "backup"
    OPENER = "opener"


class CallTarget(StrEnum):
    """What the buttons call in."""

    BACKUP = "backup"
    OTHER_OWNER = "owner"


@dataclass(frozen=True)
class IncidentCall:
    """Someone in an incident: once per person (invited at opening, or called in)."""

    member: str  # a member id, or the Slack user id of an opener outside the team
    role: Role
    called_by: str
    at: datetime


@dataclass(frozen=True)
class Incident:
    id: int
    pipeline: str
    summary: str
    channel_id: str | None
    channel_name: str
    opened_by: str
    opened_at: datetime
    status: Status
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str = ""
    post_ts: str | None = None
    calls: tuple[IncidentCall, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def duration(self) -> timedelta | None:
        """How long it was open; None while it is."""
        return None if self.resolved_at is None else self.resolved_at - self.opened_at

    def involves(self, person: str) -> bool:
        return person == self.opened_by or any(c.member == person for c in self.calls)

    def called(self, person: str) -> IncidentCall | None:
        return next((c for c in self.calls if c.member == person), None)


def pipeline_of(team: Team, pipeline_id: str) -> Pipeline | None:
    return next((p for p in team.pipelines if p.id == pipeline_id), None)


def shown_pipeline(team: Team, pipeline_id: str) -> Pipeline:
    """An incident's pipeline, or a stand-in named by its id once it is no longer in the
    team file (an incident outlives a config change)."""
    return pipeline_of(team, pipeline_id) or Pipeline(pipeline_id, pipeline_id, "", "", "")


# --- the channel's name ---------------------------------------------------------------

_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def slug(text: str) -> str:
    """What Slack allows in a channel name: lower-case letters, digits, `-` and `_`."""
    return _NOT_ALLOWED.sub("-", text.lower()).strip("-_") or "pipeline"


def channel_name(day: date, pipeline_id: str, attempt: int = 1) -> str:
    """`inc-YYYYMMDD-<pipeline>`, `-2`, `-3`... when taken; at most 80 characters."""
    suffix = "" if attempt <= 1 else f"-{attempt}"
    head = f"inc-{day:%Y%m%d}-"
    room = MAX_CHANNEL_NAME - len(head) - len(suffix)
    return head + slug(pipeline_id)[:room].rstrip("-_") + suffix


# --- who is in it -------------------------------------------------------------------------


def invitees(
    ownership: Ownership, on_call: str | None, opener: str
) -> tuple[tuple[str, Role], ...]:
    """Who an incident's channel starts with, once each, in the order named: the on-call
    engineer, the pipeline's effective owner (bot/core/ownership.py), the other owner(s)
    when the primary is away (so the owner who knows it is in the channel, not paged), and
    the person who opened it."""
    wanted: list[tuple[str | None, Role]] = [
        (on_call, Role.ENGINEER),
        (ownership.owner, Role.OWNER),
    ]
    if ownership.reason is not None:
        wanted += [(m, Role.OTHER_OWNER) for m in other_owners(ownership)]
    wanted.append((opener, Role.OPENER))
    out: list[tuple[str, Role]] = []
    for person, role in wanted:
        if person and all(person != p for p, _ in out):
            out.append((person, role))
    return tuple(out)


def other_owners(ownership: Ownership) -> tuple[str, ...]:
    """The pipeline's owners who are not its effective owner today."""
    p = ownership.pipeline
    return tuple(m for m in dict.fromkeys((p.primary, p.secondary)) if m != ownership.owner)


def call_target(
    incident: Incident, target: CallTarget, ownership: Ownership, backup: str | None
) -> tuple[str, Role]:
    """Whom a "Call in" button calls, or a Refusal saying why nobody (closed, no backup
    this week, already in it: a second click calls no one twice)."""
    if not incident.is_open:
        raise Refusal("This incident is resolved: nobody was called.")
    if target is CallTarget.BACKUP:
        if backup is None:
            raise Refusal("There is no backup this week: nobody was called.")
        candidates, role = (backup,), Role.BACKUP
    else:
        candidates, role = other_owners(ownership), Role.OTHER_OWNER
    for person in candidates:
        if incident.called(person) is None:
            return person, role
    if not candidates:
        raise Refusal("This pipeline has no other owner: nobody was called.")
    raise AlreadyCalled(incident.called(candidates[0]))  # type: ignore[arg-type]


class AlreadyCalled(Refusal):
    """The person is in the incident already: nobody is called twice."""

    def __init__(self, call: IncidentCall) -> None:
        super().__init__("They are in this incident already, so nobody was called.")
        self.call = call


def check_resolution(incident: Incident, note: str) -> str:
    """The one-line note, cleaned; a Refusal when the incident cannot be resolved."""
    if incident.status is Status.RESOLVED:
        raise Refusal("This incident is resolved already.")
    if incident.status is not Status.OPEN:
        raise Refusal("This incident never opened: there is nothing to resolve.")
    line = " ".join(note.split())
    if not line:
        raise Refusal("Say in one line how it was resolved.", "resolution")
    if len(line) > MAX_RESOLUTION:
        raise Refusal(
            f"Keep the note to one line of at most {MAX_RESOLUTION} characters.", "resolution"
        )
    return line


def summary_line(summary: str) -> str:
    """A summary as stored: one line, at most MAX_SUMMARY characters."""
    line = " ".join(summary.split())
    if len(line) > MAX_SUMMARY:
        raise Refusal(f"Keep the summary to at most {MAX_SUMMARY} characters.")
    return line


def describe_duration(span: timedelta) -> str:
    """`2 h 05 min`, `45 min`, `3 d 4 h`: how long an incident was open."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"
