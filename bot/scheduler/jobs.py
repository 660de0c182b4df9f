"""The APScheduler jobs `oncall run` starts, in the team's zone.

Triggers get the team's zone explicitly: a CronTrigger built without one uses
the server's zone, and 09:00 would drift by the offset (and by DST).
Every replica may run these: exactly-once is decided in the database.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import WEEKDAYS
from bot.core.model import Team
from bot.core.weeks import week_index_at
from bot.scheduler.announcer import Announcements, Announcer
from bot.scheduler.takeover import hand_back_groups
from bot.service import OnCallService

log = logging.getLogger("bot.scheduler")


# How late each job may still run (APScheduler's misfire grace; the playground's ticker
# skips a job its clock jumped further past), and how often housekeeping runs.
HEADS_UP_GRACE = timedelta(hours=1)
HOUSEKEEPING_EVERY = timedelta(minutes=15)
CHANGES_EVERY = timedelta(minutes=1)  # "your weeks changed" goes out this soon after its window


def handover_grace(team: Team) -> timedelta:
    """A start within `catch_up_hours` of the handover still runs it (at least a minute)."""
    return timedelta(seconds=max(60, team.catch_up_hours * 3600))


def _weekly(team: Team, day: int, at: time) -> CronTrigger:
    return CronTrigger(
        day_of_week=WEEKDAYS[day][:3],
        hour=at.hour,
        minute=at.minute,
        second=0,
        timezone=team.timezone,
    )


def handover_trigger(team: Team) -> CronTrigger:
    return _weekly(team, team.handover_weekday, team.handover_time)


def heads_up_trigger(team: Team) -> CronTrigger | None:
    if team.heads_up is None:
        return None
    return _weekly(team, *team.heads_up)


def run_handover(announcer: Announcer) -> None:
    # The job fires at the handover instant; a minute later is unambiguously in
    # the new week even if the scheduler woke a hair early.
    now = announcer.service.now()
    index = week_index_at(announcer.team, now + timedelta(minutes=1))
    keep_plan_ahead(announcer.service)
    if index >= 0:
        announcer.announce(index)


def keep_plan_ahead(service: OnCallService) -> None:
    """Store the plan `plan_weeks` past the current week. Reads never extend it (past
    the stored plan they project in memory), so this job and requests are what do."""
    for note in service.sync_plan():
        log.info(note)


def housekeeping(announcer: Announcer) -> None:
    announcer.expire_swaps()
    announcer.remind_swaps()
    hand_back_groups(announcer)  # a take-over that ended mid-week
    keep_plan_ahead(announcer.service)
    # Also here, so a runner of housekeeping alone (the playground's ticker) tells them.
    announcer.tell_changes()


def start_scheduler(
    service: OnCallService, notify: Announcements, *, catch_up: bool = True
) -> BackgroundScheduler:
    """Start the jobs; `notify` says what each announcement tells whom (the app's
    bot.slack.notifier.Notifier)."""
    team = service.team
    announcer = Announcer(service, notify)
    scheduler = BackgroundScheduler(timezone=team.timezone)
    scheduler.add_job(
        run_handover,
        handover_trigger(team),
        args=[announcer],
        id="handover",
        misfire_grace_time=int(handover_grace(team).total_seconds()),
        coalesce=True,
        max_instances=1,
    )
    heads_up = heads_up_trigger(team)
    if heads_up is not None:
        scheduler.add_job(
            announcer.heads_up,
            heads_up,
            id="heads_up",
            misfire_grace_time=int(HEADS_UP_GRACE.total_seconds()),
            coalesce=True,
        )
    scheduler.add_job(
        housekeeping,
        IntervalTrigger(seconds=HOUSEKEEPING_EVERY.total_seconds(), timezone=team.timezone),
        args=[announcer],
        id="housekeeping",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        announcer.tell_changes,
        IntervalTrigger(seconds=CHANGES_EVERY.total_seconds(), timezone=team.timezone),
        id="week_changes",
        coalesce=True,
        max_instances=1,
    )
    if catch_up:
        scheduler.add_job(announcer.catch_up, id="catch_up")  # once, now
    scheduler.start()
    log.info("scheduler started: handover %s", handover_trigger(team))
    return scheduler
