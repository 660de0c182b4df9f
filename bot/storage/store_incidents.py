"""Store methods for incidents (`incident`, `incident_call` rows): part of `Store`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.incidents import Incident, IncidentCall, Role, Status
from bot.storage.tables import IncidentCallRow, IncidentRow


def _call(r: IncidentCallRow) -> IncidentCall:
    return IncidentCall(r.member, Role(r.role), r.called_by, r.at)


def _incident(r: IncidentRow, calls: Iterable[IncidentCallRow]) -> Incident:
    assert r.id is not None
    return Incident(
        id=r.id,
        pipeline=r.pipeline,
        summary=r.summary,
        channel_id=r.channel_id,
        channel_name=r.channel_name,
        opened_by=r.opened_by,
        opened_at=r.opened_at,
        status=Status(r.status),
        resolved_at=r.resolved_at,
        resolved_by=r.resolved_by,
        resolution=r.resolution,
        post_ts=r.post_ts,
        calls=tuple(_call(c) for c in calls),
    )


def _calls_of(s: Session, ids: list[int]) -> dict[int, list[IncidentCallRow]]:
    out: dict[int, list[IncidentCallRow]] = {i: [] for i in ids}
    if ids:
        query = (
            select(IncidentCallRow)
            .where(col(IncidentCallRow.incident_id).in_(ids))
            .order_by(IncidentCallRow.at, IncidentCallRow.id)
        )
        for c in s.exec(query):
            out[c.incident_id].append(c)
    return out


class IncidentStore:
    @staticmethod
    def add_incident(
        s: Session,
        pipeline: str,
        summary: str,
        opened_by: str,
        now: datetime,
        channel_id: str | None = None,
    ) -> Incident:
        row = IncidentRow(
            pipeline=pipeline,
            summary=summary,
            opened_by=opened_by,
            opened_at=now,
            channel_id=channel_id,
        )
        s.add(row)
        s.flush()
        return _incident(row, ())

    @staticmethod
    def incident(s: Session, incident_id: int) -> Incident | None:
        row = s.get(IncidentRow, incident_id)
        if row is None:
            return None
        return _incident(row, _calls_of(s, [incident_id])[incident_id])

    @staticmethod
    def incident_in_channel(s: Session, channel_id: str) -> Incident | None:
        """The newest incident held in this channel (open ones first)."""
        query = (
            select(IncidentRow)
            .where(IncidentRow.channel_id == channel_id)
            .order_by(col(IncidentRow.status) != Status.OPEN.value, col(IncidentRow.id).desc())
        )
        row = s.exec(query).first()
        if row is None or row.id is None:
            return None
        return _incident(row, _calls_of(s, [row.id])[row.id])

    @staticmethod
    def open_incidents(s: Session) -> list[Incident]:
        query = (
            select(IncidentRow)
            .where(IncidentRow.status == Status.OPEN.value)
            .order_by(col(IncidentRow.id))
        )
        rows = list(s.exec(query))
        calls = _calls_of(s, [r.id for r in rows if r.id is not None])
        return [_incident(r, calls[r.id]) for r in rows if r.id is not None]

    @staticmethod
    def update_incident(s: Session, incident_id: int, **fields: object) -> Incident:
        """Set columns of one incident (channel, post, status, resolution)."""
        row = s.get(IncidentRow, incident_id)
        if row is None:
            raise KeyError(incident_id)
        for name, value in fields.items():
            if not hasattr(row, name) or name == "id":
                raise AttributeError(name)
            setattr(row, name, value)
        s.add(row)
        s.flush()
        return _incident(row, _calls_of(s, [incident_id])[incident_id])

    @staticmethod
    def add_incident_call(s: Session, incident_id: int, call: IncidentCall) -> IncidentCall | None:
        """Record that someone is in an incident; None when they were already (the unique
        key incident_id + member: a second click calls no one twice). The caller holds the
        write lock, so the check and the insert cannot interleave with another writer's."""
        query = select(IncidentCallRow).where(
            IncidentCallRow.incident_id == incident_id, IncidentCallRow.member == call.member
        )
        if s.exec(query).first() is not None:
            return None
        s.add(
            IncidentCallRow(
                incident_id=incident_id,
                member=call.member,
                role=call.role.value,
                called_by=call.called_by,
                at=call.at,
            )
        )
        s.flush()
        return call
