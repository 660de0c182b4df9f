"""Store methods for take-overs (`override` rows): part of `Store`, the one door."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from bot.core.model import Override
from bot.storage.tables import OverrideRow

_O: Any = OverrideRow
# Read on every answer that resolves a week: a column query built once (the ORM entity
# query cost ~0.6 ms a call, most of it building and loading objects for an empty table).
_OVERRIDES: Select[Any] = (
    sa_select(_O.member, _O.replaces, _O.start, _O.end, _O.reason, _O.id, _O.created_by)
    .where(_O.end > bindparam("start"), _O.start < bindparam("end"))
    .order_by(_O.start, _O.id)
)


def _override(r: OverrideRow) -> Override:
    return Override(r.member, r.replaces, r.start, r.end, r.reason, r.id, r.created_by)


class OverrideStore:
    @staticmethod
    def overrides(s: Session, start: datetime, end: datetime) -> list[Override]:
        """Take-overs that hold at some instant of [start, end), oldest first."""
        rows = s.execute(_OVERRIDES, {"start": start, "end": end})
        return [Override(*row) for row in rows]

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
