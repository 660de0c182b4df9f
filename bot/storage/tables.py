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
