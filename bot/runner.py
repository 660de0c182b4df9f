"""`oncall run`: settings, config and database checked first, then serve Slack.

Every problem found before serving is one clear message and a non-zero exit.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import ConfigError, load_config
from bot.service import OnCallService
from bot.settings import RedactingFilter, Settings, SettingsError, load_settings
from bot.storage.store import StorageError, Store

log = logging.getLogger("bot")


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
    server: Any = None
    socket_handler: Any = None
    scheduler: Any = None
    stops: list[Callable[[], None]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.effective_port) if self.server else 0

    def stop(self) -> None:
        for stop in reversed(self.stops):
            try:
                stop()
            except Exception:  # stopping must not hide the other stops
                log.exception("error while stopping")


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


def open_service(settings: Settings, clock: Clock) -> OnCallService:
    team = load_config(settings.config_path)
    store = Store(settings.database_url)
    store.create_all()
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
) -> Running:
    """Build everything and start serving in background threads."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import build_app
    from bot.slack.client import make_client
    from bot.slack.home import HomePublisher
    from bot.slack.notifier import Notifier

    service = open_service(settings, clock)
    client = make_client(settings.bot_token, settings.api_url)
    if check_token:
        try:
            client.auth_test()
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
    app = build_app(service, client, signing_secret=settings.signing_secret, notifier=notifier)
    running = Running(settings, service, app, client, homes, notifier)
    running.stops.append(homes.stop)
    if scheduler:
        from bot.scheduler.jobs import start_scheduler

        running.scheduler = start_scheduler(service, notifier)
        running.stops.append(lambda: running.scheduler.shutdown(wait=False))
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(app, settings.app_token)
        handler.connect()
        running.socket_handler = handler
        running.stops.append(handler.close)
    else:
        from bot.slack.server import OncallWSGI, make_server

        wsgi = OncallWSGI(
            app,
            health=lambda: {"ok": True, "team": service.team.name},
            signing_secret=settings.signing_secret,
        )
        server = make_server(wsgi, host, settings.port)
        thread = threading.Thread(target=server.run, name="http", daemon=True)
        thread.start()
        running.server = server

        def stop_http() -> None:
            # Finish requests in flight, then close the sockets and the loop.
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
            server.close()
            thread.join(timeout=5)

        running.stops.append(stop_http)
    # What start-up built (Bolt, SQLAlchemy, the team, the holiday tables) lives as long
    # as the process: moved out of the garbage collector's sight, a full collection
    # under load scans only what requests made (it took ~60 ms, stalling every request).
    gc.collect()
    gc.freeze()
    return running


def run(clock: Clock, env: dict[str, str] | None = None) -> int:
    """The `oncall run` command: start, then wait until interrupted."""
    try:
        settings = load_settings(os.environ if env is None else env)
    except SettingsError as e:
        print(f"oncall: cannot start:\n{e}", file=sys.stderr)
        return 2
    setup_logging(settings)
    try:
        running = start(settings, clock)
    except (ConfigError, StorageError, StartupError) as e:
        print(f"oncall: cannot start: {e}", file=sys.stderr)
        return 1
    mode = "Socket Mode" if settings.socket_mode else f"HTTP on port {running.port}"
    log.info("oncall-bot running (%s) for %s", mode, running.service.team.name)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0
