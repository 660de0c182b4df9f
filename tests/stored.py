"""What a service stored, read straight from its Store: the plan and the audit rows."""

from __future__ import annotations

from sqlmodel import select

from bot.service import OnCallService
from bot.storage.tables import AuditRow


def plan_of(service: OnCallService, first: int = 0, last: int = 40) -> dict[int, str]:
    with service.store.read() as s:
        return {k: a.member for k, a in service.store.plan(s, first, last).items()}


def audits(service: OnCallService) -> list[AuditRow]:
    """Every audit row, oldest first."""
    with service.store.read() as s:
        return list(s.exec(select(AuditRow).order_by(AuditRow.id)))
