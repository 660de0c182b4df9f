"""Runs the scheduler's jobs against the playground clock.

`oncall run` hands the jobs to APScheduler, which waits on the wall clock. In the
playground time jumps, so this ticker looks at the clock a few times a second and runs
the same jobs (bot.scheduler.jobs: the handover, the heads-up, housekeeping) through the
app's own Announcer when their trigger time has been passed, with the same grace
periods: a jump far past a job's time skips it, as a long-stopped scheduler would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.scheduler.announcer import Announcer
from bot.scheduler.jobs import (
    CHANGES_EVERY,
    HEADS_UP_GRACE,
    HOUSEKEEPING_EVERY,
    handover_grace,
    handover_trigger,
    heads_up_trigger,
    housekeeping,
    run_handover,
)

log = logging.getLogger("bot.playground")


@dataclass
class Job:
    name: str
    trigger: Any  # an APScheduler trigger: get_next_fire_time(previous, now)
    run: Callable[[], Any]
    grace: timedelta


class Ticker:
    def __init__(self, announcer: Announcer, clock: Clock, interval: float = 0.2) -> None:
        team = announcer.team
        self.announcer = announcer
        self.clock = clock
        self.interval = interval
        self.jobs = [
            Job(
                "handover",
                handover_trigger(team),
                lambda: run_handover(announcer),
                handover_grace(team),
            )
        ]
        heads_up = heads_up_trigger(team)
        if heads_up is not None:
            self.jobs.append(Job("heads_up", heads_up, announcer.heads_up, HEADS_UP_GRACE))
        self.last = clock.now()
        self.last_housekeeping = self.last
        self.last_changes = self.last
        self.fired: list[tuple[str, datetime]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def tick(self) -> list[str]:
        """Run every job whose time lies in (last tick, now]; returns their names."""
        with self._lock:
            now = self.clock.now()
            last, self.last = self.last, now
            if now <= last:  # the clock was moved back: nothing became due
                self.last_housekeeping = min(self.last_housekeeping, now)
                self.last_changes = min(self.last_changes, now)
                return []
            ran = []
            for job in self.jobs:
                due = job.trigger.get_next_fire_time(None, last)
                if due is None or not last < due <= now:
                    continue
                if now - due > job.grace:
                    log.info("playground: skipped %s due %s (jumped past it)", job.name, due)
                    continue
                self._run(job.name, job.run, now)
                ran.append(job.name)
            if now - self.last_housekeeping >= HOUSEKEEPING_EVERY:
                self.last_housekeeping = now
                self._run("housekeeping", lambda: housekeeping(self.announcer), now)
            elif now - self.last_changes >= CHANGES_EVERY:  # housekeeping tells them too
                self.last_changes = now
                self._run("week_changes", self.announcer.tell_changes, now, record=False)
            return ran

    def _run(
        self, name: str, run: Callable[[], Any], now: datetime, *, record: bool = True
    ) -> None:
        """Run one job; `fired` lists the scheduled ones (not the minutely week changes)."""
        try:
            run()
            if record:
                self.fired.append((name, now))
        except Exception:  # a failed job must not stop the ticker, as in APScheduler
            log.exception("playground: the %s job failed", name)

    def next_due(self, name: str) -> datetime | None:
        """When the job `name` next fires after the clock's now."""
        job = next(j for j in self.jobs if j.name == name)
        due = job.trigger.get_next_fire_time(None, self.clock.now())
        return due if isinstance(due, datetime) else None

    def start(self) -> Ticker:
        self._thread = threading.Thread(target=self._loop, name="playground-ticker", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
