"""Web API work after the acknowledgement, on threads of its own.

Bolt runs each listener on its listener pool and waits up to 3 seconds for it to call
ack(); a listener that has not even started by then is never acknowledged, and Bolt
tries the next matching listener (the catch-all in bot/slack/listeners/fallback.py).
So the listener pool runs only the acknowledgement and the decision (one service
operation); everything that waits on Slack's Web API (DMs, chat.update, views.open,
response_url, with slack_sdk's retries sleeping in-thread on 429/5xx) runs here. A slow
or failing Slack then delays the messages, never the next request's acknowledgement.

Each listener hands over one task (or a few in the order they must run), so what one
request tells is told in its order.

Two lanes: a task handed over by a listener (or the scheduler) is what a request
answers, the thing its person waits to see (the clicked message updated, the reply to a
command); a task that a follow-up hands over in turn is an effect fanned out for others
(the other party's DM, the channel line). Answers go first: a burst of decisions no
longer queues each clicker's answer behind the DMs of every decision before it. An
effect is not starved: one that waited EFFECT_WAIT_SECONDS goes before new answers.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from logging import Logger
from typing import Any

FOLLOW_UP_THREADS = 8
#: The longest an effect waits while answers keep coming before it goes first anyway.
EFFECT_WAIT_SECONDS = 2.0

log = logging.getLogger("bot.slack")


class FollowUps:
    """A thread pool for Web API calls after a change, answers before effects (see the
    module's docstring); a failure is logged, never raised."""

    def __init__(
        self,
        logger: Logger | None = None,
        threads: int = FOLLOW_UP_THREADS,
        effect_wait: float = EFFECT_WAIT_SECONDS,
    ) -> None:
        self.logger = logger or log
        self.effect_wait = effect_wait
        # Each submitted job runs the most urgent task queued when it starts (the pool
        # only says when a thread is free), so there is one job per task.
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="slack-follow-up")
        self._idle = threading.Condition()
        self._pending = 0
        # What each queued or running task is for, so a stop can say what was not sent.
        self._waiting: dict[int, tuple[str, Logger]] = {}
        self._ids = itertools.count()
        self._started: set[int] = set()
        self._answers: deque[_Task] = deque()
        self._effects: deque[_Task] = deque()
        self._inside = threading.local()  # set on this pool's own threads

    def run(
        self,
        what: str,
        call: Callable[[], Any],
        *,
        logger: Logger | None = None,
        on_failure: Callable[[], Any] | None = None,
    ) -> None:
        """Run `call` soon, off the caller's thread. If it raises, the error is logged
        (as "could not <what>") and `on_failure` runs (e.g. telling the person)."""
        logger = logger or self.logger
        lane = self._effects if getattr(self._inside, "yes", False) else self._answers
        with self._idle:
            self._pending += 1
            task = _Task(next(self._ids), what, call, logger, on_failure, time.monotonic())
            self._waiting[task.id] = (what, logger)
            lane.append(task)
        try:
            self._executor.submit(self._run_next)
        except RuntimeError:  # shut down: the app is stopping, nobody waits for it
            with self._idle:
                lane.remove(task)
            self._done(task.id)
            logger.warning("could not %s: the app is stopping (not sent)", what)

    def _take(self) -> _Task:
        """The next task: the oldest answer, unless the oldest effect waited too long."""
        with self._idle:
            effects = self._effects
            late = bool(effects) and time.monotonic() - effects[0].queued > self.effect_wait
            task = (self._answers if self._answers and not late else effects).popleft()
            self._started.add(task.id)
            return task

    def _run_next(self) -> None:
        self._inside.yes = True
        task = self._take()
        try:
            task.call()
        except Exception:
            task.logger.exception("could not %s", task.what)
            if task.on_failure is not None:
                try:
                    task.on_failure()
                except Exception:
                    task.logger.exception("could not say that %s failed", task.what)
        finally:
            self._done(task.id)

    def _done(self, task: int) -> None:
        with self._idle:
            self._waiting.pop(task, None)
            self._started.discard(task)
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no task is pending (including tasks that tasks submitted); False if
        some still are after `timeout` seconds. For tests and an orderly stop."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Let pending tasks finish (up to `timeout`), then refuse new ones; each task
        still queued or running then is logged as not sent (nothing is lost silently)."""
        self.drain(timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._idle:
            left = [(task in self._started, *self._waiting[task]) for task in self._waiting]
        for started, what, logger in left:
            if started:
                logger.warning("still trying to %s when the app stopped (may not be sent)", what)
            else:
                logger.warning("could not %s: the app stopped first (not sent)", what)


@dataclass
class _Task:
    id: int
    what: str
    call: Callable[[], Any]
    logger: Logger
    on_failure: Callable[[], Any] | None
    queued: float  # time.monotonic()
