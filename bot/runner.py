"""`oncall run`: settings, config and database checked first, then serve Slack.

Every problem found before serving is one clear message and a non-zero exit. The port
is taken before the scheduler starts; SIGTERM and Ctrl-C stop everything in order
(requests in flight first) and exit 0. See docs/deployment.md.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import ConfigError, load_config
from bot.service import OnCallService
from bot.settings import RedactingFilter, Settings, SettingsError, load_settings
from bot.storage.store import StorageError, Store

log = logging.getLogger("bot")

STOP_SECONDS = 5.0  # what each part of the process may take to stop
STOP_BUDGET = 15.0  # what all of them may take together (docs/deployment.md: allow 20 s)
HTTP_DRAIN_SECONDS = 5.0  # what requests in flight get to finish after SIGTERM

Stop = tuple[str, Callable[[], Any], float]  # what stops, how, and in at most how long


class StartupError(Exception):
    """Something to fix before the bot can start; the message says what and where."""


@dataclass
class Running:
    """What `start` built, for `oncall run` and for tests that drive the real server."""

    settings: Settings
    service: OnCallService
    app: Any
    client: Any
    homes: Any = None  # the App Home publisher (bot.slack.home.HomePublisher)
    notifier: Any = None  # what changes tell whom (bot.slack.notifier.Notifier)
    server: Any = None  # bot.slack.server.GuardedServer (HTTP mode)
    socket_handler: Any = None
    scheduler: Any = None
    scheduler_wanted: bool = False  # readiness requires it running
    readiness: Readiness | None = None  # what GET /healthz answers (HTTP mode)
    # Run in reverse order by stop(): each is (what, stop, seconds it may take).
    stops: list[Stop] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.effective_port) if self.server else 0

    def on_stop(self, what: str, stop: Callable[[], Any], seconds: float = STOP_SECONDS) -> None:
        self.stops.append((what, stop, seconds))

    def stop(self) -> bool:
        """Stop in the reverse order of starting: the HTTP server (finishing requests in
        flight) or the Socket Mode connection, the scheduler, the work queued after
        acknowledgements, the App Home publisher, the Web API client's connections.
        Each part gets a bounded time; False when one did not finish in it (its threads
        are abandoned)."""
        clean = True
        deadline = time.monotonic() + STOP_BUDGET
        while self.stops:
            what, stop, seconds = self.stops.pop()
            left = max(0.5, deadline - time.monotonic())
            clean = _within(min(seconds, left), what, stop) and clean
        return clean


def _within(seconds: float, what: str, stop: Callable[[], Any]) -> bool:
    """Run `stop` for at most `seconds`; an error or an overrun is logged, not raised
    (stopping one part must not keep the others from stopping)."""
    outcome: list[bool] = []

    def run() -> None:
        try:
            outcome.append(stop() is not False)
        except Exception:
            log.exception("error while stopping %s", what)
            outcome.append(False)

    thread = threading.Thread(target=run, name=f"stop-{what}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        log.warning("%s did not stop within %g s; going on without it", what, seconds)
        return False
    if outcome and not outcome[0]:
        log.warning("%s stopped with work unfinished", what)
    return bool(outcome and outcome[0])


class Readiness:
    """What `GET /healthz` says: ready when the database answers and takes a write
    (Store.check_writable) and the scheduler runs. The answer is kept for `ttl`
    seconds and one check runs at a time (others get the last answer), so a flood of
    probes is not a flood of write locks. A change is logged once, with the detail;
    the HTTP answer carries only a short reason (no paths, no URLs)."""

    def __init__(self, running: Running, ttl: float = 1.0, timeout: float = 2.0) -> None:
        self.running = running
        self.ttl = ttl
        self.timeout = timeout
        self._lock = threading.Lock()
        self._answer: dict[str, Any] | None = None
        self._at = 0.0

    def __call__(self) -> dict[str, Any]:
        answer = self._answer
        if answer is not None and time.monotonic() - self._at < self.ttl:
            return answer
        if not self._lock.acquire(blocking=answer is None):
            return answer or {"ok": False, "reason": "starting"}
        try:
            if self._answer is not None and time.monotonic() - self._at < self.ttl:
                return self._answer  # checked while this probe waited for the lock
            return self._check()
        finally:
            self._lock.release()

    def _check(self) -> dict[str, Any]:
        reasons: list[str] = []
        details: list[str] = []
        try:
            # The service's store at call time: a test harness may swap databases.
            self.running.service.store.check_writable(self.timeout)
        except StorageError as e:
            reasons.append("the database does not accept writes")
            details.append(str(e))
        scheduler = self.running.scheduler
        if self.running.scheduler_wanted and not (scheduler is not None and scheduler.running):
            reasons.append("the scheduler is not running")
            details.append("the scheduler is not running")
        if reasons:
            answer: dict[str, Any] = {"ok": False, "reason": "; ".join(reasons)}
        else:
            answer = {"ok": True, "team": self.running.service.team.name}
        previous = self._answer
        # "ok" and "reason" change together: a reason is given exactly when not ok.
        if previous is None or previous.get("reason") != answer.get("reason"):
            if reasons:
                log.warning("not ready (/healthz answers 503): %s", "; ".join(details))
            elif previous is not None:
                log.info("ready again")
        self._answer, self._at = answer, time.monotonic()
        return answer


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # On the handler, so records from slack_sdk and waitress are redacted too.
    handler.addFilter(RedactingFilter(settings.secret_values()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    if settings.log_level != "DEBUG":
        # Alembic narrates every start at INFO; our own line says what matters.
        logging.getLogger("alembic").setLevel(logging.WARNING)


def open_service(settings: Settings, clock: Clock, *, create_db: bool = False) -> OnCallService:
    """The team file, the database (which must answer and take a write: a read-only
    file is refused here, not at the first change) and the plan brought up to date.
    A missing SQLite file is created only with `create_db` (`oncall run --create-db`),
    and loudly; otherwise StorageError says how."""
    team = load_config(settings.config_path)
    store = Store(settings.database_url, create=create_db)
    if store.created:
        log.warning("creating a new database at %s", store.path)
    store.create_all()
    store.check_writable()
    service = OnCallService(team, store, clock)
    for note in service.sync_plan():
        log.info(note)
    return service


def start(
    settings: Settings,
    clock: Clock,
    *,
    host: str = "0.0.0.0",
    check_token: bool = True,
    scheduler: bool = True,
    create_db: bool = True,
) -> Running:
    """Build everything and start serving in background threads. `create_db`: make a
    missing SQLite file (tests and embedders; `oncall run` asks: --create-db).

    In HTTP mode the port is bound before the scheduler starts: a start that cannot
    listen (StartupError) has run no job, so it posted no handover. Whatever had
    started when something fails is stopped again.
    """
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import build_app
    from bot.slack.client import make_client
    from bot.slack.home import HomePublisher
    from bot.slack.notifier import Notifier

    service = open_service(settings, clock, create_db=create_db)
    client = make_client(settings.bot_token, settings.api_url)
    identity = None
    if check_token:
        try:
            identity = client.auth_test()
        except SlackApiError as e:
            raise StartupError(
                f"Slack refused SLACK_BOT_TOKEN ({e.response.get('error', 'error')}): "
                "see README, section Connect to Slack"
            ) from None
        except Exception as e:
            raise StartupError(
                f"cannot reach the Slack Web API ({e.__class__.__name__}); check SLACK_API_URL "
                "and the network: see README, section Configuration"
            ) from None
    homes = HomePublisher(client, service)
    notifier = Notifier(client, service, homes)
    for closed in service.close_requests_of_former_members():
        log.info("closed swap request #%s: %s", closed.request.id, closed.reason)
        notifier.swap_closed(closed)
    app = build_app(
        service,
        client,
        signing_secret=settings.signing_secret,
        notifier=notifier,
        identity=identity,
    )
    running = Running(settings, service, app, client, homes, notifier, scheduler_wanted=scheduler)
    # Stopped in reverse: what runs after acknowledgements (listeners, then the Web API
    # follow-ups they queue), then the Homes they asked for, then the kept-alive
    # connections all of them used.
    running.on_stop("the Slack connections", client.pool.close)
    running.on_stop("the App Home publisher", homes.stop)
    running.on_stop("the Slack follow-ups", notifier.followups.stop)
    running.on_stop("the listeners", lambda: app.listener_runner.listener_executor.shutdown())
    stop_serving: Stop | None = None
    try:
        serve, stop_serving = _listen(running, host)
        from bot.slack.server import serve_calendar  # the calendar feeds (CALENDAR_PORT)

        try:
            running.on_stop(*serve_calendar(running, host))
        except OSError as e:
            raise StartupError(
                f"cannot listen on CALENDAR_PORT {settings.calendar_port}: {e.strerror}"
            ) from None
        if scheduler:
            from bot.scheduler.jobs import start_scheduler

            running.scheduler = start_scheduler(service, notifier)
            running.on_stop("the scheduler", lambda: _stop_scheduler(running.scheduler))
        # Stopped first: requests in flight finish while everything they use still runs.
        running.on_stop(*stop_serving)
        stop_serving = None
        serve()
    except BaseException:
        if stop_serving is not None:
            running.on_stop(*stop_serving)
        running.stop()
        raise
    # What start-up built (Bolt, SQLAlchemy, the team, the holiday tables) lives as long
    # as the process: moved out of the garbage collector's sight, a full collection
    # under load scans only what requests made (it took ~60 ms, stalling every request).
    gc.collect()
    gc.freeze()
    return running


def _stop_scheduler(scheduler: Any) -> None:
    # Waits for a job in progress (a handover being posted) to finish.
    if scheduler.running:
        scheduler.shutdown(wait=True)


def _listen(running: Running, host: str) -> tuple[Callable[[], None], Stop]:
    """Take the port (HTTP mode) or connect (Socket Mode). Returns what starts serving
    and what stops it (for Running.on_stop)."""
    settings = running.settings
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(running.app, settings.app_token)
        handler.connect()
        running.socket_handler = handler
        return (lambda: None), ("the Socket Mode connection", handler.close, STOP_SECONDS)

    from bot.slack.server import OncallWSGI, make_server

    running.readiness = Readiness(running)
    wsgi = OncallWSGI(running.app, health=running.readiness, signing_secret=settings.signing_secret)
    try:
        server = make_server(wsgi, host, settings.port)
    except OSError as e:
        why = "it is in use (another oncall run?)" if e.errno == errno.EADDRINUSE else e.strerror
        raise StartupError(f"cannot listen on port {settings.port}: {why}") from None
    running.server = server
    stop = ("the HTTP server", lambda: server.stop(HTTP_DRAIN_SECONDS), HTTP_DRAIN_SECONDS + 3)
    return server.serve_in_background, stop


def run(clock: Clock, env: dict[str, str] | None = None, *, create_db: bool = False) -> int:
    """The `oncall run` command: start, then serve until SIGTERM or SIGINT (Ctrl-C),
    which stop it the same way: requests in flight are finished, then the scheduler
    and the rest stop, and the exit status is 0. A second signal exits at once."""
    try:
        settings = load_settings(os.environ if env is None else env)
    except SettingsError as e:
        print(f"oncall: cannot start:\n{e}", file=sys.stderr)
        return 2
    setup_logging(settings)
    try:
        running = start(settings, clock, create_db=create_db)
    except (ConfigError, StorageError, StartupError) as e:
        print(f"oncall: cannot start: {e}", file=sys.stderr)
        return 1
    mode = "Socket Mode" if settings.socket_mode else f"HTTP on port {running.port}"
    log.info("oncall-bot running (%s) for %s", mode, running.service.team.name)
    name = _wait_for_stop_signal()
    log.info("%s received: stopping (finishing the requests in flight)", name)
    clean = running.stop()
    log.info("oncall-bot stopped%s", "" if clean else " (some work was cut short)")
    if not clean:
        # Threads still stuck (e.g. on a Web API call) would hold the exit up.
        logging.shutdown()
        os._exit(0)
    return 0


def _wait_for_stop_signal() -> str:
    """Block until SIGTERM or SIGINT; returns its name. Each signal's usual handling is
    back in place afterwards, so a second one ends the process at once."""
    received: list[str] = []
    wake = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)
        wake.set()

    stops = (signal.SIGTERM, signal.SIGINT)
    if threading.current_thread() is not threading.main_thread():
        # Signal handlers belong to the main thread: only Ctrl-C, as KeyboardInterrupt.
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        return "SIGINT"
    previous = {s: signal.signal(s, on_signal) for s in stops}
    try:
        while not wake.wait(1.0):
            pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return received[0]
