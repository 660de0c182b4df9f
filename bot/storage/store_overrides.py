"""Store methods for take-overs (`override` rows): part of `Store`, the one door."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.core.model import Override
from bot.storage.tables import OverrideRow


def _override(r: OverrideRow) -> Override:
    return Override(r.member, r.replaces, r.start, r.end, r.reason, r.id, r.created_by)


class OverrideStore:
    @staticmethod
    def overrides(s: Session, start: datetime, end: datetime) -> list[Override]:
        """Take-overs that hold at some instant of [start, end), oldest first."""
        query = (
            select(OverrideRow)
            .where(OverrideRow.end > start, OverrideRow.start < end)
            .order_by(OverrideRow.start, OverrideRow.id)
        )
        return [_override(r) for r in s.exec(query)]

    @staticmethod
    def add_override(
        s: Session, o: Override, now: datetime, request_id: int | None = None
    ) -> Override:
        row = OverrideRow(
            member=o.member,
            replaces=o.replaces,
            start=o.start,
            end=o.end,
            reason=o.reason,
            created_by=o.created_by,
            created_at=now,
            request_id=request_id,
        )
        s.add(row)
        s.flush()
        return _override(row)
