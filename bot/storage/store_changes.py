"""Store methods for week changes (`week_change` rows): part of `Store`, the one door."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from bot.core.changes import Role, WeekChange
from bot.storage.tables import WeekChangeRow

_WHY = 200  # characters of `week_change.why`: longer is shown cut, with an ellipsis


def _change(r: WeekChangeRow) -> WeekChange:
    return WeekChange(r.member, r.week, Role(r.role), r.before, r.after, r.why, r.id, r.at)


class ChangeStore:
    @staticmethod
    def add_week_changes(
        s: Session, changes: Sequence[WeekChange], actor: str, now: datetime
    ) -> None:
        if not changes:
            return
        # One INSERT of many rows: a swap records a few, a re-plan can record hundreds.
        rows = [
            {
                "member": c.member,
                "week": c.week,
                "role": c.role.value,
                "before": c.before,
                "after": c.after,
                "why": c.why if len(c.why) <= _WHY else c.why[: _WHY - 1] + "…",
                "actor": actor,
                "at": now,
                "attempts": 0,
            }
            for c in changes
        ]
        s.execute(insert(WeekChangeRow), rows)

    @staticmethod
    def members_with_due_changes(s: Session, cutoff: datetime) -> list[str]:
        """Members whose oldest untold change was recorded at or before `cutoff`."""
        query = (
            select(WeekChangeRow.member)
            .where(col(WeekChangeRow.notified_at).is_(None))
            .group_by(WeekChangeRow.member)
            .having(func.min(WeekChangeRow.at) <= cutoff)
            .order_by(WeekChangeRow.member)
        )
        return list(s.exec(query))

    @staticmethod
    def untold_changes(s: Session, members: Sequence[str]) -> list[WeekChange]:
        """Every untold change of `members`, oldest first."""
        if not members:
            return []
        query = (
            select(WeekChangeRow)
            .where(col(WeekChangeRow.notified_at).is_(None))
            .where(col(WeekChangeRow.member).in_(members))
            .order_by(col(WeekChangeRow.id))
        )
        return [_change(r) for r in s.exec(query)]

    @staticmethod
    def latest_changes(s: Session, since_id: int) -> dict[tuple[int, Role], WeekChange]:
        """The newest change of each week and role recorded from row `since_id` on."""
        query = (
            select(WeekChangeRow)
            .where(col(WeekChangeRow.id) >= since_id)
            .order_by(col(WeekChangeRow.id))
        )
        return {(r.week, Role(r.role)): _change(r) for r in s.exec(query)}

    @staticmethod
    def mark_changes_told(s: Session, ids: Sequence[int], now: datetime) -> None:
        if ids:
            s.exec(
                update(WeekChangeRow)  # type: ignore[call-overload]
                .where(col(WeekChangeRow.id).in_(ids))
                .values(notified_at=now)
            )

    @staticmethod
    def release_changes(s: Session, ids: Sequence[int], max_attempts: int) -> bool:
        """Count a failed DM against rows `ids`; untell them (to retry) unless that makes
        `max_attempts`. True when released."""
        rows = list(s.exec(select(WeekChangeRow).where(col(WeekChangeRow.id).in_(ids))))
        released = False
        for r in rows:
            r.attempts += 1
            if r.attempts < max_attempts:
                r.notified_at = None
                released = True
        s.flush()
        return released

    @staticmethod
    def recent_changes(s: Session, member: str, limit: int) -> list[WeekChange]:
        """The member's last `limit` changes, the newest first."""
        query = (
            select(WeekChangeRow)
            .where(WeekChangeRow.member == member)
            .order_by(col(WeekChangeRow.at).desc(), col(WeekChangeRow.id))
            .limit(limit)
        )
        return [_change(r) for r in s.exec(query)]
