"""Drive the real app over HTTP: the waitress server, signed Slack requests, a fake Web API.

with SlackHarness(tmp_path, clock) as h:
    status, body = h.command("now", user="U0000000001")
    call = h.fake.wait_for_call("chat.postMessage")

A module-scoped harness shared by many tests (the `harness` and `h` fixtures in
conftest.py): `h.fresh_database(tmp_path, NOW)` before each, `h.settle()` after. Bolt's
listeners run on a TrackingExecutor, so `h.executor.drain()` (and `settle()`) wait for every
listener started so far and the Web API work it handed on: a barrier, not a sleep.
`h.snapshot()` compares the stored state before and after; `h.announcer()` runs the
scheduler's jobs by hand.
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import date, datetime
from pathlib import Path
from typing import Any

import slackreq
from fakeslack import FakeSlack
from sqlalchemy import text

from bot.clock import FixedClock
from bot.runner import Running, start
from bot.scheduler.announcer import Announcer
from bot.settings import Settings
from bot.storage.store import Store

SECRET = "test-signing-secret"
TEAM_FILE = Path(__file__).parent / "data" / "team.yml"
# The Slack ids in tests/data/team.yml
JOHN, JAMES, JILL, DAVIS = "U0000000001", "U0000000002", "U0000000003", "U0000000004"
STRANGER = "U0000000999"
USERS = {"john": JOHN, "james": JAMES, "jill": JILL, "davis": DAVIS}

# Every table a person could change through Slack (see SlackHarness.snapshot).
PERSON_TABLES = ("planned_week", "time_off", "swap_request", "audit_log", "announcement")
# Names that betray an exception when they reach Slack, and the calls that show a message.
EXCEPTION_NAMES = sorted(
    {n for n in dir(builtins) if n.endswith(("Error", "Exception"))}
    | {"SlackApiError", "Refusal", "IntegrityError", "OperationalError", "StorageError"}
    | {"StopIteration", "KeyboardInterrupt", "BoltError", "JSONDecodeError"}
)
SENDS = ("response_url", "chat.postEphemeral", "chat.postMessage", "chat.update")


def leaks(shown: str, typed: str) -> list[str]:
    """Traceback material in `shown` that the person did not type themselves."""
    found = [w for w in ("Traceback", 'File "/', "Exception:") if w in shown and w not in typed]
    return found + [n for n in EXCEPTION_NAMES if n in shown and n not in typed]


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, remembering what it ran so a test can wait for all of it."""

    def __init__(self, homes: Any = None, followups: Any = None) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self.futures: list[Future[Any]] = []
        self.lock = threading.Lock()
        self.homes = homes  # the app's HomePublisher: listeners hand it Home refreshes
        # The notifier's FollowUps: listeners hand it their Web API work after the ack.
        self.followups = followups

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self.lock:
            self.futures.append(future)
        return future

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for every listener submitted so far, the App Homes they asked for, and
        any error being told."""
        with self.lock:
            futures, self.futures = self.futures, []
        _done, pending = wait(futures, timeout=timeout)
        assert not pending, "a listener did not finish"
        if self.followups is not None:
            assert self.followups.drain(timeout), "a listener's Web API work did not finish"
        if self.homes is not None:
            assert self.homes.drain(timeout), "an App Home was not published"
        for t in threading.enumerate():
            if t.name == "tell-error":
                t.join(timeout)


class SlackHarness:
    # Set by track_listeners().
    executor: TrackingExecutor

    def __init__(
        self,
        tmp_path: Path,
        clock: FixedClock | None = None,
        config: Path = TEAM_FILE,
        *,
        scheduler: bool = False,
        database_url: str | None = None,
    ) -> None:
        self.clock = clock or FixedClock(datetime.fromisoformat("2026-12-01T15:00:00+00:00"))
        self.fake = FakeSlack().start()
        self.settings = Settings(
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            app_token=None,
            port=0,
            api_url=self.fake.url,
            database_url=database_url or f"sqlite:///{tmp_path}/oncall.db",
            config_path=config,
            log_level="INFO",
        )
        self.running: Running = start(
            self.settings, self.clock, host="127.0.0.1", scheduler=scheduler
        )
        self.base = f"http://127.0.0.1:{self.running.port}"
        self.service = self.running.service
        self.team = self.service.team
        self._n = 0
        self.track_listeners()

    def close(self) -> None:
        self.running.stop()
        self.fake.stop()

    def __enter__(self) -> SlackHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fresh_database(self, path: Path, now: datetime) -> None:
        """Start over: a new SQLite database in the folder `path`, planned from `now` (the
        clock is set to it), and an empty call log. For a harness shared by a module."""
        old = self.service.store
        store = Store(f"sqlite:///{path}/oncall.db")
        store.create_all()
        self.service.store = store
        old.engine.dispose()
        self.clock.set(now)
        self.service.sync_plan()
        self.fake.reset()

    def settle(self, quiet: float = 0.1, limit: float = 3.0) -> None:
        """Wait until the app stops calling Slack (listeners run after the ack): every
        listener started so far has finished (the barrier), then the call log has not
        grown for `quiet` seconds and no App Home is waiting to be published (a change's
        refresh waits a moment: HomePublisher), or `limit` seconds passed."""
        self.executor.drain(limit)
        deadline = time.monotonic() + limit
        seen = -1
        while time.monotonic() < deadline:
            count = len(self.fake.calls)
            if count == seen and self.running.homes.drain(0):
                return
            seen = count
            time.sleep(quiet)

    def track_listeners(self) -> TrackingExecutor:
        """Run Bolt's listeners on a TrackingExecutor (also `self.executor`), so that a
        test can wait for all of them with `drain()`."""
        runner = self.running.app._listener_runner
        self.executor = runner.listener_executor = TrackingExecutor(
            self.running.homes, self.running.notifier.followups
        )
        return self.executor

    def protect_some_state(self) -> None:
        """State a hostile request must leave as it is: a pending request James -> Jill
        (#1, weeks 1 and 2) and Jill's time off, 21-23 Dec 2026."""
        self.service.request_swap("james", "jill", 1)
        self.service.request_time_off("jill", "jill", date(2026, 12, 21), date(2026, 12, 23))

    def announcer(self) -> Announcer:
        """The scheduler's announcer wired as the runner wires it, to run its jobs (the
        handover post, the heads-up, reminders) by hand at a moved clock."""
        return Announcer(self.service, self.running.notifier)

    def snapshot(self) -> dict[str, Any]:
        """Every row a person could change, as stored."""
        with self.service.store.engine.connect() as conn:
            return {
                t: conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in PERSON_TABLES
            }

    def _url(self) -> str:
        self._n += 1
        return self.fake.response_url(f"r{self._n}")

    def command(
        self, text: str = "", user: str = JOHN, channel: str = "C0000000001", **kw: Any
    ) -> tuple[int, Any]:
        """Send `/oncall <text>`; returns the HTTP status and the ack body (JSON or text).

        An acknowledgement that carries a message is shown as Slack shows it: as a post
        to the command's response_url (`FakeSlack.show_acknowledgement`)."""
        kw.setdefault("response_url", self._url())
        status, _headers, raw = slackreq.post_command(
            self.base, SECRET, text=text, user_id=user, channel_id=channel, **kw
        )
        body = _decode(raw)
        if status == 200:
            self.fake.show_acknowledgement(kw["response_url"], body)
        return status, body

    def click(
        self, action_id: str, value: str | None, user: str = JOHN, **kw: Any
    ) -> tuple[int, Any]:
        kw.setdefault("response_url", self._url())
        body = slackreq.block_actions_body(action_id, value, user, **kw)
        status, _h, raw = slackreq.post_interaction(self.base, SECRET, body)
        return status, _decode(raw)

    def submit(
        self, callback_id: str, values: dict[str, Any], user: str = JOHN, **kw: Any
    ) -> tuple[int, Any]:
        body = slackreq.view_submission_body(callback_id, values, user, **kw)
        status, _h, raw = slackreq.post_interaction(self.base, SECRET, body)
        return status, _decode(raw)

    def event(self, event: dict[str, Any], **kw: Any) -> tuple[int, Any]:
        body = slackreq.event_body(event, **kw)
        status, _h, raw = slackreq.post_event(self.base, SECRET, body)
        return status, _decode(raw)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
