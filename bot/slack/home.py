"""The App Home: rendering and publishing one person's Home, and the publisher that
does it off the listener threads, coalescing per person."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.service import OnCallService
from bot.slack.blocks import incidents as incident_blocks
from bot.slack.blocks.home import home_view
from bot.slack.common import HOMES_KEY, member_of

HOME_WEEKS = 6
HOME_WORKERS = 4  # views.publish waits on the network; a few at once keep a burst short
# A change's refresh waits this long, so a run of changes costs one render per person.
AFTER_CHANGE_SECONDS = 0.5

log = logging.getLogger(__name__)


def homes_from(context: Any) -> HomePublisher:
    """The app's App Home publisher (put in every request's context with the service)."""
    return context[HOMES_KEY]


def publish_home(client: WebClient, service: OnCallService, user_id: str) -> None:
    """Render and publish the App Home for one Slack user (views.publish).

    Slack API errors propagate: the caller decides whether to log or surface them.
    """
    team = service.team
    rendered_at = service.now()
    answer = service.who(rendered_at)
    member = member_of(team, user_id)
    involved = service.open_incidents_of(member.id if member else user_id)
    incidents = incident_blocks.home_blocks(team, involved)
    if member is None:
        view = home_view(team, answer, None, rendered_at=rendered_at, incidents=incidents)
    else:
        swaps = service.swaps_of(member.id)
        view = home_view(
            team,
            answer,
            member,
            my_weeks=service.weeks_of(member.id, count=HOME_WEEKS),
            swaps_to_me=[s for s in swaps if s.counterpart == member.id],
            swaps_from_me=[s for s in swaps if s.requester == member.id],
            my_time_off=service.time_off_of(member.id),
            my_changes=service.recent_changes(member.id),
            rendered_at=rendered_at,
            incidents=incidents,
        )
    client.views_publish(user_id=user_id, view=view)


class HomePublisher:
    """Publishes App Homes on a few background threads, at most one render per person
    at a time.

    Opening the Home tab, and every change that shows on someone's Home, asks for a
    refresh. A refresh asked for while that person's is still waiting is the same
    refresh (it reads the state when it runs); one asked for while theirs is being
    rendered runs once more afterwards. So every request is answered by a Home rendered
    after it, a burst (everyone opening the Home at the Monday handover, a run of swap
    decisions) costs at most one waiting render per person, and no listener thread
    waits on views.publish. Waiting refreshes are served first asked, first served; a
    change's refresh first waits a moment (`after_change`) for the rest of its burst.
    """

    def __init__(
        self,
        client: WebClient,
        service: OnCallService,
        *,
        workers: int = HOME_WORKERS,
        after_change: float = AFTER_CHANGE_SECONDS,
    ) -> None:
        self.client = client
        self.service = service
        self.workers = max(1, workers)
        self.after_change = after_change
        self._cond = threading.Condition()
        # Slack user id -> when its refresh is due (time.monotonic()), in the order asked.
        self._waiting: dict[str, float] = {}
        self._rendering: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._stopped = False

    def refresh(self, *slack_ids: str, changed: bool = False) -> None:
        """Ask for each person's Home to be published again; returns at once.

        `changed`: the refresh follows a change rather than the person opening the tab.
        It waits `after_change` seconds, so that the changes of a burst (a run of swap
        decisions, a colleague's time off) are shown by one render; the person is
        looking at the message they clicked, not at the Home. An open is served at once.
        """
        due = time.monotonic() + (self.after_change if changed else 0.0)
        with self._cond:
            if self._stopped:
                return
            for slack_id in slack_ids:
                if slack_id:
                    self._waiting[slack_id] = min(due, self._waiting.get(slack_id, due))
            if len(self._threads) < self.workers:
                self._start_threads()
            self._cond.notify(len(slack_ids))  # a worker each, not the whole pool

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is waiting or rendering; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and not self._rendering, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish what was asked for (up to `timeout`, changes' refreshes without their
        wait), then stop the threads."""
        with self._cond:
            self._waiting = dict.fromkeys(self._waiting, 0.0)
            self._cond.notify_all()
        self.drain(timeout)
        with self._cond:
            self._stopped = True
            self._waiting.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(
                target=self._work, name=f"home-publisher-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _next(self) -> tuple[str | None, float | None]:
        """(The first waiting person due whose Home is not being rendered, None) or
        (None, seconds until the next one is due), holding the lock."""
        now = time.monotonic()
        soonest: float | None = None
        for slack_id, due in self._waiting.items():
            if slack_id in self._rendering:
                continue
            if due <= now:
                del self._waiting[slack_id]
                self._rendering.add(slack_id)
                return slack_id, None
            soonest = due - now if soonest is None else min(soonest, due - now)
        return None, soonest

    def _work(self) -> None:
        while True:
            with self._cond:
                slack_id, wait = self._next()
                while slack_id is None:
                    if self._stopped:
                        return
                    self._cond.wait(wait)
                    slack_id, wait = self._next()
            try:
                publish_home(self.client, self.service, slack_id)
            except SlackApiError as e:
                # Nothing to show the person: the tab keeps its last view; the log says why.
                log.warning("views.publish for %s failed: %s", slack_id, e.response.get("error"))
            except Exception:
                log.exception("publishing the App Home for %s failed", slack_id)
            finally:
                with self._cond:
                    self._rendering.discard(slack_id)
                    self._cond.notify_all()
