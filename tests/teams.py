"""A bare Team built directly (no team file parsed) for the pure core's tests."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from bot.core.model import HolidayCalendar, Member, Team


def bare_team(
    order: tuple[str, ...], zone: str = "America/New_York", holidays: HolidayCalendar | None = None
) -> Team:
    """Members named after their ids (U0, U1, ...), from Mon 30 Nov 2026, handover Monday 09:00."""
    return Team(
        name="t",
        timezone=ZoneInfo(zone),
        channel="C0",
        members=tuple(Member(m, m.title(), f"U{i}") for i, m in enumerate(order)),
        order=order,
        start=date(2026, 11, 30),
        handover_weekday=0,
        handover_time=time(9, 0),
        holidays=holidays,
    )
