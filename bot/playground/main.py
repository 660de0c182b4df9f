"""`oncall playground`: the real app, a stand-in for Slack and its web page, on 127.0.0.1.

The app is started by the runner exactly as `oncall run` starts it in HTTP mode (the same
listeners and signing check; the playground signs with a secret it generates) on a
throwaway SQLite database, with its Web API pointed at the stand-in (fakeslack.py). The
scheduler's jobs run on the playground clock (ticker.py) so the clock can jump.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.config import ConfigError
from bot.playground.clock import PlaygroundClock
from bot.playground.fakeslack import BOT_USER_ID, FakeSlack
from bot.playground.interactions import Person, Reply
from bot.playground.ticker import Ticker
from bot.playground.workspace import GUEST_ID, Workspace
from bot.runner import Running, StartupError, start
from bot.scheduler.announcer import Announcer
from bot.settings import DEFAULT_CONFIG_PATH, Settings
from bot.storage.store import StorageError

log = logging.getLogger("bot.playground")

#: How the clock can be moved from the page: to a minute before the next job, or forward.
STEPS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


class PlaygroundError(Exception):
    """Why the playground cannot start; one line for the person who ran it."""


@dataclass
class Playground:
    clock: PlaygroundClock
    fake: FakeSlack
    running: Running
    workspace: Workspace
    ticker: Ticker
    secret: str
    folder: Path
    web: Any = None
    stops: list[Any] = field(default_factory=list)

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.running.port}/slack/events"

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://127.0.0.1:{self.web.server_port}/" if self.web else ""

    def person(self, user: str) -> Person:
        if user not in self.workspace.people or user == BOT_USER_ID:
            raise KeyError(user)
        return Person(self.workspace, self.app_url, self.secret, user)

    # ------------------------------------------------------------------ the clock

    def clock_state(self) -> dict[str, Any]:
        team = self.running.service.team
        now = self.clock.now()
        local = now.astimezone(team.timezone)
        return {
            "utc": now.isoformat(),
            "local": local.strftime("%a %d %b %Y, %H:%M:%S"),
            "timezone": str(team.timezone),
            # Where each "jump" button goes: a minute before the job next fires.
            "jobs": {
                job.name: _local(self.ticker.next_due(job.name), team.timezone)
                for job in self.ticker.jobs
            },
        }

    def move_clock(self, to: str) -> datetime:
        """`to` is a job's name (a minute before it next fires) or a step in STEPS."""
        if to in STEPS:
            self.clock.advance(STEPS[to])
        else:
            due = self.ticker.next_due(to)
            if due is None:
                raise KeyError(to)
            self.clock.set(due - timedelta(minutes=1))
        self.ticker.tick()
        return self.clock.now()

    # ------------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        for stop in reversed(self.stops):
            try:
                stop()
            except Exception:
                log.exception("error while stopping the playground")


def _local(due: datetime | None, zone: Any) -> str | None:
    return (due - timedelta(minutes=1)).astimezone(zone).strftime("%a %d %b %H:%M") if due else None


def start_playground(
    config: Path | None = None,
    *,
    at: datetime | None = None,
    port: int = 0,
    serve_page: bool = True,
) -> Playground:
    """Start the stand-in, the app and (unless `serve_page` is False) the page."""
    path = config or Path(os.environ.get("ONCALL_CONFIG") or DEFAULT_CONFIG_PATH)
    if not path.is_file():
        raise PlaygroundError(
            f"no team file at {path}: run it where oncall.yml is, or set ONCALL_CONFIG"
        )
    folder = Path(tempfile.mkdtemp(prefix="oncall-playground-"))
    secret = secrets.token_hex(16)
    fake = FakeSlack().start()
    clock = PlaygroundClock(at or SystemClock().now())
    settings = Settings(
        bot_token="xoxb-playground",
        signing_secret=secret,
        app_token=None,
        port=0,
        api_url=fake.url,
        database_url=f"sqlite:///{folder}/oncall.db",
        config_path=path,
        log_level="INFO",
    )
    try:
        # The scheduler's jobs run on the playground clock (the ticker), not APScheduler.
        running = start(settings, clock, host="127.0.0.1", scheduler=False, create_db=True)
    except (ConfigError, StorageError, StartupError) as e:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise PlaygroundError(str(e)) from None
    if at is not None:
        clock.set(at)  # from the instant asked for, however long the start took
    # The app's own server serves the calendar feeds: its address makes the links of
    # `/oncall calendar` work on this machine, with no PUBLIC_URL to set.
    service = running.service
    service.feed_setup = replace(service.feed_setup, public_url=f"http://127.0.0.1:{running.port}")
    workspace = Workspace(fake, running.service.team)
    announcer = Announcer(running.service, running.notifier)
    ticker = Ticker(announcer, clock)
    playground = Playground(clock, fake, running, workspace, ticker, secret, folder)
    playground.stops += [
        lambda: shutil.rmtree(folder, ignore_errors=True),
        fake.stop,
        running.stop,
    ]
    announcer.catch_up()  # as `oncall run` does at start
    ticker.start()
    playground.stops.append(ticker.stop)
    if serve_page:
        from bot.playground.web import serve

        playground.web = serve(playground, act, port)
        playground.stops.append(playground.web.close)
    return playground


def run_playground(config: Path | None = None, *, port: int = 0) -> int:
    """The `oncall playground` command: start, print the address, wait for Ctrl-C."""
    # Warnings and errors only: the page is where the playground talks.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        playground = start_playground(config, port=port)
    except PlaygroundError as e:
        print(f"oncall: cannot start the playground: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"oncall: cannot start the playground: {e.strerror or e}", file=sys.stderr)
        return 1
    team = playground.running.service.team
    print(
        f"The playground for {team.name} is at {playground.url}\n"
        "Open it in a browser; nothing leaves this machine. Ctrl-C stops it "
        "(its database is thrown away).",
        flush=True,
    )
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        playground.stop()  # and its throwaway database is deleted
    return 0


def act(playground: Playground, request: dict[str, Any]) -> Reply:
    """One thing done on the page: `request["op"]` says what, `request["as"]` by whom."""
    op = str(request.get("op", ""))
    if op == "clock":
        playground.move_clock(str(request.get("to", "")))
        return Reply(200, playground.clock_state())
    person = playground.person(str(request.get("as", GUEST_ID)))
    state = request.get("state") if isinstance(request.get("state"), dict) else {}
    if op == "command":
        text = str(request.get("text", "")).strip()
        channel = str(request.get("channel", ""))
        command, _, rest = text.partition(" ")
        if not command.startswith("/"):
            playground.workspace.add_person_message(channel, person.user, text, only_me=False)
            return Reply(200, None)
        return person.command(channel, rest.strip(), command)
    if op == "action":
        action = request.get("action")
        if not isinstance(action, dict):
            raise KeyError("action")
        if request.get("view_id"):
            return person.click_in_view(str(request["view_id"]), action, state or {})
        return person.click_in_message(
            str(request.get("channel", "")), str(request.get("ts", "")), action, state or {}
        )
    if op == "submit":
        return person.submit(str(request.get("view_id", "")), state or {})
    if op == "close":
        return person.close(str(request.get("view_id", "")))
    if op == "home":
        return person.open_home()
    raise KeyError(op)
