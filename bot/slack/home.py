"""The App Home: rendering and publishing one person's Home, and the publisher that
does it off the listener threads, coalescing per person."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.service import OnCallService
from bot.slack.blocks.home import home_view
from bot.slack.common import member_of

HOME_WEEKS = 6
HOME_WORKERS = 4  # views.publish waits on the network; a few at once keep a burst short

log = logging.getLogger(__name__)


def publish_home(client: WebClient, service: OnCallService, user_id: str) -> None:
    """Render and publish the App Home for one Slack user (views.publish).

    Slack API errors propagate: the caller decides whether to log or surface them.
    """
    team = service.team
    rendered_at = service.now()
    answer = service.who(rendered_at)
    member = member_of(team, user_id)
    if member is None:
        view = home_view(team, answer, None, rendered_at=rendered_at)
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
            rendered_at=rendered_at,
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
    waits on views.publish. Waiting refreshes are served first asked, first served.
    """

    def __init__(
        self, client: WebClient, service: OnCallService, *, workers: int = HOME_WORKERS
    ) -> None:
        self.client = client
        self.service = service
        self.workers = max(1, workers)
        self._cond = threading.Condition()
        self._waiting: dict[str, None] = {}  # Slack user ids, in the order asked
        self._rendering: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._stopped = False

    def refresh(self, *slack_ids: str) -> None:
        """Ask for each person's Home to be published again; returns at once."""
        with self._cond:
            if self._stopped:
                return
            for slack_id in slack_ids:
                if slack_id:
                    self._waiting.setdefault(slack_id, None)
            if len(self._threads) < self.workers:
                self._start_threads()
            self._cond.notify(len(slack_ids))  # a worker each, not the whole pool

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is waiting or rendering; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and not self._rendering, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish what was asked for (up to `timeout`), then stop the threads."""
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

    def _next(self) -> str | None:
        """The first waiting person whose Home is not being rendered (holding the lock)."""
        for slack_id in self._waiting:
            if slack_id not in self._rendering:
                del self._waiting[slack_id]
                self._rendering.add(slack_id)
                return slack_id
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                slack_id = self._next()
                while slack_id is None:
                    if self._stopped:
                        return
                    self._cond.wait()
                    slack_id = self._next()
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
