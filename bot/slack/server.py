"""HTTP mode: a small WSGI app served by waitress, a production WSGI server.

`POST /slack/events` carries commands, interactions and events to Bolt (which
verifies Slack's signature); `GET /healthz` answers load balancers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

MAX_BODY_BYTES = 256 * 1024  # Slack's largest payloads (view submissions) are far smaller

StartResponse = Callable[..., Any]


class OncallWSGI:
    def __init__(
        self,
        app: App,
        health: Callable[[], dict[str, Any]] | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.health = health or (lambda: {"ok": True})
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _reply(
                start_response, "200 OK", json.dumps(self.health()).encode(), "application/json"
            )
        if path == "/slack/events" and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > self.max_body:
                return _reply(start_response, "413 Payload Too Large", b"request too large")
            return self.slack(environ, start_response)
        return _reply(start_response, "404 Not Found", b"not found")


def _reply(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def make_server(wsgi: OncallWSGI, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server, not yet serving: call `.run()` (blocks) or `.close()`."""
    from waitress.server import create_server

    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="oncall-bot",
        max_request_body_size=MAX_BODY_BYTES,
    )
