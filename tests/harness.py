"""Drive the real app over HTTP: the waitress server, signed Slack requests, a fake Web API.

with SlackHarness(tmp_path, clock) as h:
    status, body = h.command("now", user="U0000000001")
    call = h.fake.wait_for_call("chat.postMessage")
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import slackreq
from fakeslack import FakeSlack

from bot.clock import FixedClock
from bot.runner import Running, start
from bot.settings import Settings

SECRET = "test-signing-secret"
TEAM_FILE = Path(__file__).parent / "data" / "team.yml"
# The Slack ids in tests/data/team.yml
JOHN, JAMES, JILL, DAVIS = "U0000000001", "U0000000002", "U0000000003", "U0000000004"
STRANGER = "U0000000999"
USERS = {"john": JOHN, "james": JAMES, "jill": JILL, "davis": DAVIS}


class SlackHarness:
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

    def close(self) -> None:
        self.running.stop()
        self.fake.stop()

    def __enter__(self) -> SlackHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _url(self) -> str:
        self._n += 1
        return self.fake.response_url(f"r{self._n}")

    def command(
        self, text: str = "", user: str = JOHN, channel: str = "C0000000001", **kw: Any
    ) -> tuple[int, Any]:
        """Send `/oncall <text>`; returns the HTTP status and the ack body (JSON or text)."""
        kw.setdefault("response_url", self._url())
        status, _headers, raw = slackreq.post_command(
            self.base, SECRET, text=text, user_id=user, channel_id=channel, **kw
        )
        return status, _decode(raw)

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
