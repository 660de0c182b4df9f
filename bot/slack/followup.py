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
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from logging import Logger
from typing import Any

FOLLOW_UP_THREADS = 8

log = logging.getLogger("bot.slack")


class FollowUps:
    """A thread pool for Web API calls after a change; a failure is logged, never raised."""

    def __init__(self, logger: Logger | None = None, threads: int = FOLLOW_UP_THREADS) -> None:
        self.logger = logger or log
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="slack-follow-up")
        self._idle = threading.Condition()
        self._pending = 0
        # What each queued or running task is for, so a stop can say what was not sent.
        self._waiting: dict[int, tuple[str, Logger]] = {}
        self._ids = itertools.count()
        self._started: set[int] = set()

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
        with self._idle:
            self._pending += 1
            task = next(self._ids)
            self._waiting[task] = (what, logger)
        try:
            self._executor.submit(self._run, task, what, call, logger, on_failure)
        except RuntimeError:  # shut down: the app is stopping, nobody waits for it
            self._done(task)
            logger.warning("could not %s: the app is stopping (not sent)", what)

    def _run(
        self,
        task: int,
        what: str,
        call: Callable[[], Any],
        logger: Logger,
        on_failure: Callable[[], Any] | None,
    ) -> None:
        with self._idle:
            self._started.add(task)
        try:
            call()
        except Exception:
            logger.exception("could not %s", what)
            if on_failure is not None:
                try:
                    on_failure()
                except Exception:
                    logger.exception("could not say that %s failed", what)
        finally:
            self._done(task)

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
