"""Store reads for the on-call report: part of `Store`, the one door."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.incidents import Status
from bot.core.report import CalledIn
from bot.storage.tables import IncidentCallRow, IncidentRow


class ReportStore:
    @staticmethod
    def incident_calls(s: Session, start: datetime, end: datetime) -> list[CalledIn]:
        """Calls into incidents made in [start, end), oldest first; an incident that
        failed to open (its channel was never made) called nobody in."""
        query = (
            select(IncidentCallRow.incident_id, IncidentCallRow.member, IncidentCallRow.at)
            .join(IncidentRow, col(IncidentRow.id) == col(IncidentCallRow.incident_id))
            .where(
                col(IncidentCallRow.at) >= start,
                col(IncidentCallRow.at) < end,
                col(IncidentRow.status) != Status.FAILED.value,
            )
            .order_by(col(IncidentCallRow.at), col(IncidentCallRow.id))
        )
        return [CalledIn(incident, member, at) for incident, member, at in s.exec(query)]
