"""PUBLIC_URL and CALENDAR_PORT: the settings, and the feeds on a port of their own (what
Socket Mode needs, having no HTTP server)."""

from __future__ import annotations

import http.client
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from harness import TEAM_FILE

from bot.clock import FixedClock
from bot.config import load_config
from bot.runner import StartupError, start
from bot.service import OnCallService
from bot.settings import Settings, SettingsError, load_settings
from bot.slack.server import serve_calendar
from bot.storage.store import Store

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_public_url_and_calendar_port_are_read_and_checked() -> None:
    s = load_settings(
        {**BASE, "PUBLIC_URL": " https://oncall.example.com/bot/ ", "CALENDAR_PORT": "8089"}
    )
    assert (s.public_url, s.calendar_port) == ("https://oncall.example.com/bot", 8089)
    assert load_settings(BASE).public_url is None and load_settings(BASE).calendar_port is None
    for env, needle in (
        ({"PUBLIC_URL": "oncall.example.com"}, "PUBLIC_URL must be an http:// or https:// URL"),
        ({"PUBLIC_URL": "ftp://oncall.example.com"}, "PUBLIC_URL must be an http"),
        ({"PUBLIC_URL": "https://u:secret@oncall.example.com"}, "PUBLIC_URL must be a plain"),
        ({"PUBLIC_URL": "https://oncall.example.com/?a=1"}, "PUBLIC_URL must be a plain"),
        ({"CALENDAR_PORT": "http"}, "CALENDAR_PORT must be a whole number"),
        ({"CALENDAR_PORT": "70000"}, "CALENDAR_PORT must be a whole number"),
        ({"CALENDAR_PORT": "3000"}, "CALENDAR_PORT is the same as PORT"),
    ):
        with pytest.raises(SettingsError) as e:
            load_settings({**BASE, **env})
        assert needle in str(e.value)
        assert "secret" not in str(e.value)
    # Socket Mode serves no PORT, so the same number is free for the feeds there.
    socket_mode = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
    assert load_settings({**socket_mode, "CALENDAR_PORT": "3000"}).calendar_port == 3000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_calendar_port_serves_the_feeds_alone_in_socket_mode(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/oncall.db")
    store.create_all()
    service = OnCallService(load_config(TEAM_FILE), store, FixedClock(NOW))
    service.sync_plan()
    port = _free_port()
    settings = SimpleNamespace(
        public_url="https://oncall.example.com", calendar_port=port, socket_mode=True
    )
    stops: list[Any] = []
    running = SimpleNamespace(settings=settings, service=service, server=None)
    what, stop, _seconds = serve_calendar(running, "127.0.0.1")
    stops.append(stop)
    try:
        setup = service.feed_setup
        assert (setup.served, setup.socket_mode, setup.calendar_port) == (True, True, port)
        assert service.calendar_unavailable() is None
        links = service.calendar_links("davis")
        path = links.team.removeprefix("https://oncall.example.com")
        status, body = _get(port, path)
        assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
        assert _get(port, "/slack/events")[0] == 404
        assert _get(port, "/healthz")[0] == 404
    finally:
        assert stop() is not False
    assert what == "the calendar feed server"


def test_a_calendar_port_in_use_stops_the_start_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = Settings(
            bot_token="xoxb-test-token",
            signing_secret="s",
            app_token=None,
            port=0,
            api_url="http://127.0.0.1:9/api/",
            database_url=f"sqlite:///{tmp_path}/oncall.db",
            config_path=TEAM_FILE,
            log_level="INFO",
            calendar_port=port,
        )
        with pytest.raises(StartupError) as e:
            start(settings, FixedClock(NOW), host="127.0.0.1", check_token=False, scheduler=False)
    assert str(e.value).startswith(f"cannot listen on CALENDAR_PORT {port}: ")
