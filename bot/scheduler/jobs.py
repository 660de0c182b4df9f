"""Placeholder until the handover job lands."""

from __future__ import annotations

from typing import Any


def start_scheduler(service: Any, client: Any) -> Any:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=service.team.timezone)
    scheduler.start()
    return scheduler
