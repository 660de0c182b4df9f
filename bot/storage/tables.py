"""The database tables. Dates are local dates of the team zone; instants are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.core.model import MAX_TEXT


class UTCDateTime(TypeDecorator):
    """Store aware instants as naive UTC and give them back aware, on any database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _utc(nullable: bool = False):
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class WeekRow(SQLModel, table=True):
    """One stored week of the plan: its index is unique, so a week has one engineer."""

    __tablename__ = "planned_week"
    index: int = Field(primary_key=True)
    member: str = Field(max_length=64)
    reason: str | None = Field(default=None, max_length=200)
    fixed: bool = False
    updated_at: datetime = _utc()


class TimeOffRow(SQLModel, table=True):
    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_member_end", "member", "end"),)
    id: int | None = Field(default=None, primary_key=True)
    member: str = Field(max_length=64)
    start: date
    end: date = Field(index=True)
    note: str = Field(default="", max_length=MAX_TEXT)
    created_by: str = Field(max_length=64)
    created_at: datetime = _utc()


class SwapRow(SQLModel, table=True):
    __tablename__ = "swap_request"
    id: int | None = Field(default=None, primary_key=True)
    requester: str = Field(max_length=64, index=True)
    counterpart: str = Field(max_length=64, index=True)
    requester_week: int
    counterpart_week: int | None = None
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str = Field(default="", max_length=MAX_TEXT)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    decided_at: datetime | None = _utc(nullable=True)
    reminders_sent: int = 0
    # Where the counterpart's DM with the buttons is, so it can be updated once decided.
    dm_channel: str | None = Field(default=None, max_length=32)
    dm_ts: str | None = Field(default=None, max_length=32)
    # A take-over ("cover from now"): the counterpart takes the requester's place from
    # starts_at to ends_at (UTC) within requester_week; both None for a whole-week request.
    starts_at: datetime | None = _utc(nullable=True)
    ends_at: datetime | None = _utc(nullable=True)
    undoes: int | None = None  # the accepted swap this request swaps back
    recorded_by: str | None = Field(default=None, max_length=64)  # an admin, acting for both


class AuditRow(SQLModel, table=True):
    """Every change: who, what, when and why."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AnnouncementRow(SQLModel, table=True):
    """The decision to announce something for a week, made once (kind, week) is unique."""

    __tablename__ = "announcement"
    __table_args__ = (UniqueConstraint("kind", "week", name="uq_announcement_kind_week"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    week: int
    decided_at: datetime = _utc()
    status: str = Field(default="pending", max_length=16)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    attempts: int = 0


class DeliveryRow(SQLModel, table=True):
    """Slack deliveries already handled, so a retried delivery has no second effect."""

    __tablename__ = "delivery"
    key: str = Field(primary_key=True, max_length=200)
    at: datetime = _utc()


class WeekChangeRow(SQLModel, table=True):
    """A member's future week that a change moved: kept to tell them, then to show."""

    __tablename__ = "week_change"
    __table_args__ = (Index("ix_week_change_member_at", "member", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    member: str = Field(max_length=64)  # whom the change concerns
    week: int
    role: str = Field(max_length=16)  # "engineer" | "backup"
    before: str | None = Field(default=None, max_length=64)  # who held the role before
    after: str | None = Field(default=None, max_length=64)  # who holds it now
    why: str = Field(default="", max_length=200)
    actor: str = Field(max_length=64)
    at: datetime = _utc()
    notified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True)
    )
    attempts: int = 0  # DMs of it that failed (retried, then given up)


class OverrideRow(SQLModel, table=True):
    """Someone takes another's place from `start` to `end` (UTC): a take-over mid-week."""

    __tablename__ = "override"
    __table_args__ = (Index("ix_override_end", "end"),)
    id: int | None = Field(default=None, primary_key=True)
    member: str = Field(max_length=64)  # who is on call instead
    replaces: str = Field(max_length=64)
    start: datetime = _utc()
    end: datetime = _utc()
    reason: str = Field(default="", max_length=MAX_TEXT)
    created_by: str = Field(max_length=64)
    created_at: datetime = _utc()
    request_id: int | None = None  # the swap_request it came from, if any


class CalendarTokenRow(SQLModel, table=True):
    """A calendar feed's secret, stored hashed: a member's own feed or the team's."""

    __tablename__ = "calendar_token"
    id: int | None = Field(default=None, primary_key=True)
    member: str = Field(max_length=64, index=True)  # whose link it is
    scope: str = Field(max_length=16)  # "member" | "team"
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc(nullable=True)


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"
    id: int | None = Field(default=None, primary_key=True)
    pipeline: str = Field(max_length=64)
    summary: str = Field(default="", max_length=MAX_TEXT)
    channel_id: str | None = Field(default=None, max_length=32)
    channel_name: str = Field(default="", max_length=80)
    opened_by: str = Field(max_length=64)  # a member id, or the Slack user id of a non-member
    opened_at: datetime = _utc()
    status: str = Field(default="open", max_length=16, index=True)  # open | resolved | failed
    resolved_at: datetime | None = _utc(nullable=True)
    resolved_by: str | None = Field(default=None, max_length=64)
    resolution: str = Field(default="", max_length=MAX_TEXT)
    post_ts: str | None = Field(default=None, max_length=32)  # the runbook post in the channel


class IncidentCallRow(SQLModel, table=True):
    """Someone called into an incident: once per person, so a second click calls no one."""

    __tablename__ = "incident_call"
    __table_args__ = (UniqueConstraint("incident_id", "member", name="uq_incident_call"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(index=True)
    member: str = Field(max_length=64)
    role: str = Field(max_length=16)  # "engineer" | "owner" | "backup" | "opener" | ...
    called_by: str = Field(max_length=64)
    at: datetime = _utc()
