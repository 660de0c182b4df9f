"""The baseline for bench/http_bench.py: a Bolt app whose listeners only acknowledge.

Served exactly as `oncall run` serves the real app (bot.slack.server: the same WSGI
wrapper with /healthz, the same waitress server and thread count), configured from
the same environment variables (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, PORT,
LOG_LEVEL, SLACK_API_URL). It answers `/oncall`, every block action and `app_home_opened`, and
calls the Web API only for Bolt's own one-time auth.test.

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... PORT=3001 .venv/bin/python bench/bare_app.py
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_bare_app(signing_secret: str, token: str, api_url: str | None = None) -> Any:
    from slack_bolt import App

    from bot.slack.client import make_client

    app = App(
        signing_secret=signing_secret,
        # The same client as the real app's: Bolt's authorization middleware calls
        # auth.test once, on the first request, so it must reach SLACK_API_URL too.
        client=make_client(token, api_url),
        token_verification_enabled=False,
        logger=logging.getLogger("bare.slack"),
    )

    @app.command("/oncall")
    def command(ack: Any) -> None:
        ack()

    @app.action(re.compile(".*"))
    def action(ack: Any) -> None:
        ack()

    @app.event("app_home_opened")
    def home(ack: Any) -> None:
        ack()

    return app


def main() -> int:
    from bot.slack.server import OncallWSGI, make_server

    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = build_bare_app(
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_BOT_TOKEN"],
        os.environ.get("SLACK_API_URL"),
    )
    wsgi = OncallWSGI(app, health=lambda: {"ok": True, "team": "bare"})
    server = make_server(wsgi, os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread = threading.Thread(target=server.run, name="http", daemon=True)
    thread.start()
    logging.getLogger("bare").info("bare Bolt app on port %s", server.effective_port)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
