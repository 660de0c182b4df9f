"""Plain data that describes a team and the state of its rotation."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.plan_check import DEFAULT_SECONDS

MAX_TEXT = 500  # characters of a swap reason or a time-off note, as stored


@dataclass(frozen=True)
class HolidayCalendar:
    """A public-holiday calendar from the `holidays` package, plus extra days."""

    country: str
    subdiv: str | None = None
    extra: tuple[date, ...] = ()


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    slack_id: str
    holidays: HolidayCalendar | None = None  # None: the team's calendar


@dataclass(frozen=True)
class Pipeline:
    id: str
    name: str
    audience: str  # "investors" | "experiments"
    primary: str
    secondary: str
    runbook: Path | None = None


@dataclass(frozen=True)
class Team:
    name: str
    timezone: ZoneInfo
    channel: str
    members: tuple[Member, ...]
    order: tuple[str, ...]
    start: date
    handover_weekday: int  # Monday is 0
    handover_time: time
    pipelines: tuple[Pipeline, ...] = ()
    usergroup: str | None = None
    admins: frozenset[str] = frozenset()
    holidays: HolidayCalendar | None = None
    time_off_notice_days: int = 14
    freeze_weeks: int = 2  # weeks ahead that a new order or member never moves
    plan_weeks: int = 104  # how far ahead the plan is stored
    planner_seconds: float = DEFAULT_SECONDS  # the exact planner's budget per plan
    swap_expiry_days: int | None = None  # None: a request expires when its earlier week starts
    major_holidays: tuple[str, ...] = ("Christmas Day", "New Year's Day")
    catch_up_hours: int = 24
    heads_up: tuple[int, time] | None = (4, time(15, 0))  # weekday and local time, or off
    # Members since removed from the team file, as the database remembers them: history
    # (past weeks, old requests) still names them. Never on call, never asked to swap.
    former: tuple[Member, ...] = ()

    def member(self, member_id: str) -> Member:
        """A member of the team, or a former one that history names; KeyError otherwise."""
        for m in self.members + self.former:
            if m.id == member_id:
                return m
        raise KeyError(member_id)

    def is_member(self, member_id: str) -> bool:
        """Whether `member_id` is in the team file now (a former member is not)."""
        return any(m.id == member_id for m in self.members)

    def name_of(self, member_id: str) -> str:
        """The member's name, a former member's stored name; an id nothing names shows as is."""
        try:
            return self.member(member_id).name
        except KeyError:
            return member_id

    def member_by_slack(self, slack_id: str) -> Member | None:
        for m in self.members:
            if m.slack_id == slack_id:
                return m
        return None

    def is_admin(self, member_id: str) -> bool:
        return member_id in self.admins

    @property
    def has_holidays(self) -> bool:
        return self.holidays is not None or any(m.holidays for m in self.members)


@dataclass(frozen=True)
class TimeOff:
    """A member away from `start` to `end`, both local dates, inclusive."""

    member: str
    start: date
    end: date
    note: str = ""
    id: int | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first: date, last: date) -> bool:
        """Whether any day of the range is within first..last (inclusive)."""
        return self.start <= last and first <= self.end


class SwapStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SwapRequest:
    """A offers week `requester_week` to B, in exchange for B's `counterpart_week`.

    Without a counterpart week it is a cover: B takes A's week and gives none back.
    """

    id: int
    requester: str
    counterpart: str
    requester_week: int
    counterpart_week: int | None
    status: SwapStatus
    created_at: datetime
    expires_at: datetime
    reason: str = ""
    decided_at: datetime | None = None
    # A take-over: the counterpart takes the requester's place from `starts_at` to
    # `ends_at` (UTC, within requester_week) rather than for the whole week.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    undoes: int | None = None  # the accepted swap this request swaps back
    recorded_by: str | None = None  # an admin who recorded it for both members

    @property
    def is_cover(self) -> bool:
        return self.counterpart_week is None

    @property
    def is_takeover(self) -> bool:
        return self.starts_at is not None


@dataclass(frozen=True)
class Override:
    """`member` is on call instead of `replaces` from `start` to `end` (UTC instants,
    end exclusive): a take-over for part of a week, which the plan's weeks cannot say."""

    member: str
    replaces: str
    start: datetime
    end: datetime
    reason: str = ""
    id: int | None = None
    created_by: str = ""

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Assignment:
    """Who a stored plan puts on call in week `index`, and why it is so."""

    index: int
    member: str
    reason: str | None = None  # None: plain rotation order
    fixed: bool = False  # set by a swap or cover: never re-planned
