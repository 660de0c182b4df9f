"""HTTP mode: a small WSGI app served by waitress, a production WSGI server.

`POST /slack/events` carries commands, interactions and events to Bolt (which
verifies Slack's signature); `GET /healthz` answers load balancers.

Before Bolt sees a request, this layer reads the body itself, at most
`max_body` bytes whether or not the client sent a Content-Length (waitress's
`max_request_body_size` bounds chunked bodies too, with a 413 of its own), and
answers what Bolt would turn into a 500: a body that is not the JSON or form Slack
sends gets 400 when it is signed and 401 when it is not.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request import BoltRequest

from bot.slack.errors import signature_ok
from bot.slack.middleware import shape_problem

MAX_BODY_BYTES = 256 * 1024  # Slack's largest payloads (view submissions) are far smaller

StartResponse = Callable[..., Any]

log = logging.getLogger("bot.slack")

# Headers that steer Bolt's internals (lazy listeners): never taken from outside.
_INTERNAL_HEADERS = ("HTTP_X_SLACK_BOLT_LAZY_ONLY", "HTTP_X_SLACK_BOLT_LAZY_FUNCTION_NAME")


class OncallWSGI:
    def __init__(
        self,
        app: App,
        health: Callable[[], dict[str, Any]] | None = None,
        max_body: int = MAX_BODY_BYTES,
        signing_secret: str | None = None,
    ) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.health = health or (lambda: {"ok": True})
        self.max_body = max_body
        # For telling a signed broken body (400) from an unsigned one (401).
        self.signing_secret = signing_secret or getattr(app, "_signing_secret", None)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _reply(
                start_response, "200 OK", json.dumps(self.health()).encode(), "application/json"
            )
        if path == "/slack/events" and method == "POST":
            return self._slack(environ, start_response)
        return _reply(start_response, "404 Not Found", b"not found")

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = self._read_body(environ)
        if body is None:
            return _reply(start_response, "413 Payload Too Large", b"request too large")
        # Bolt reads exactly CONTENT_LENGTH bytes: give it the body as read.
        environ = {k: v for k, v in environ.items() if k not in _INTERNAL_HEADERS}
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        headers = _headers(environ)
        problem = _unreadable(headers, body)
        if problem is not None:
            if not signature_ok(self.signing_secret, body, headers):
                return _reply(start_response, "401 Unauthorized", b"")
            log.warning("refused a signed request whose body cannot be read: %s", problem)
            return _reply(start_response, "400 Bad Request", b"malformed Slack request")
        try:
            return self.slack(environ, start_response)
        except Exception:
            # Bolt answers its own errors; this is the adapter itself failing.
            log.exception("the Slack request adapter failed")
            return _reply(start_response, "500 Internal Server Error", b"internal error")

    def _read_body(self, environ: dict[str, Any]) -> bytes | None:
        """The request body, or None when it is larger than `max_body`."""
        raw = environ.get("CONTENT_LENGTH")
        stream = environ.get("wsgi.input")
        try:
            length = int(raw) if raw not in (None, "") else None
        except ValueError:
            return None
        if length is not None and (length < 0 or length > self.max_body):
            return None
        if stream is None:
            return b""
        if length is not None:
            return stream.read(length)
        # No Content-Length (chunked): read one byte past the limit to know it was passed.
        body = stream.read(self.max_body + 1)
        return None if len(body) > self.max_body else body


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers as Bolt names them (lower case, dashes)."""
    headers = {
        k[5:].lower().replace("_", "-"): str(v) for k, v in environ.items() if k.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _unreadable(headers: dict[str, str], body: bytes) -> str | None:
    """Why Bolt could not take this body (it would raise, hence a 500), or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    timestamp = headers.get("x-slack-request-timestamp")
    if timestamp is not None and not (timestamp.isascii() and timestamp.strip().isdigit()):
        return "a timestamp that is not a number"
    try:
        request = BoltRequest(body=text, headers=dict(headers))
    except Exception as e:
        return f"{type(e).__name__} while parsing"
    return shape_problem(request.body)


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
        max_request_body_size=wsgi.max_body,
    )
