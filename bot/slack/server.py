"""HTTP mode: a small WSGI app served by waitress, a production WSGI server.

`POST /slack/events` carries commands, interactions and events to Bolt (which
verifies Slack's signature). `GET /healthz` is readiness: 200 when the process can do
its work (what `health` checks: the database answers and takes a write, the scheduler
runs), else 503 with a short reason. `GET /livez` is liveness: 200 while the process
serves HTTP at all, with no other check.

Before Bolt sees a request, this layer reads the body itself, at most
`max_body` bytes whether or not the client sent a Content-Length (waitress's
`max_request_body_size` bounds chunked bodies too, with a 413 of its own), and
answers what Bolt would turn into a 500: a body that is not the JSON or form Slack
sends gets 400 when it is signed and 401 when it is not.

`GET /calendar/<token>.ics` (and HEAD) serves a calendar feed (`FeedWSGI`): on this
server in HTTP mode, and on a port of its own when CALENDAR_PORT is set (`serve_calendar`).
A token that opens no feed gets the same 404 as any unknown path, and no log line ever
holds a request's path (waitress keeps no access log; errors here are logged without it).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request import BoltRequest
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from bot.ical import feed_calendar
from bot.service import OnCallService
from bot.service.calendar import FEED_PATH, FEED_SUFFIX, FeedSetup
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
        self.feeds: FeedWSGI | None = None  # set by serve_calendar

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            health = self.health()
            status = "200 OK" if health.get("ok") else "503 Service Unavailable"
            return _reply(start_response, status, json.dumps(health).encode(), "application/json")
        if path == "/livez" and method in ("GET", "HEAD"):
            return _reply(start_response, "200 OK", b'{"ok": true}', "application/json")
        if path == "/slack/events" and method == "POST":
            return self._slack(environ, start_response)
        if self.feeds is not None and path.startswith(FEED_PATH):
            return self.feeds(environ, start_response)
        return _not_found(start_response)

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


def _not_found(start_response: StartResponse) -> list[bytes]:
    """The one 404: an unknown path and a token that opens no feed look the same."""
    return _reply(start_response, "404 Not Found", b"not found")


def _reply(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


# Slow clients (slowloris). waitress reads a request whole before a worker thread
# sees it, so a slow sender costs a connection, not a thread; but its idle timeout
# restarts with every byte and, at its connection limit, it stops accepting. So:
REQUEST_TIMEOUT = 10.0  # seconds from a request's first byte to its last (Slack's: ms)
IDLE_TIMEOUT = 60  # seconds a connection may stay open without a byte (keep-alive)
PER_PEER = 20  # connections one address may keep waiting (idle or mid-request)
MAX_WAITING = 200  # connections all addresses together may keep waiting
CONNECTION_LIMIT = 400  # waitress's own cap, for connections being answered as well
MAX_HEADER_BYTES = 64 * 1024  # Slack's headers are well under 4 KB


class GuardedChannel(HTTPChannel):
    """A waitress connection that knows when the request now arriving began."""

    server: GuardedServer
    request_started: float | None = None  # time.time() of its first byte; None between requests

    def __init__(self, server: GuardedServer, sock: Any, addr: Any, adj: Any, map: Any) -> None:
        super().__init__(server, sock, addr, adj, map=map)
        server.admit(self)

    def received(self, data: bytes) -> bool:
        arriving = self.request
        result = bool(super().received(data))
        if self.request is None:
            self.request_started = None
        elif self.request is not arriving or self.request_started is None:
            self.request_started = time.time()
        return result

    def waiting(self) -> bool:
        """Open, with no request being answered and no answer being sent: idle, or a
        request still arriving."""
        return (
            self.connected
            and not self.requests
            and not self.total_outbufs_len
            and not (self.will_close or self.close_when_flushed)
        )

    def since(self) -> float:
        return self.request_started if self.request_started is not None else self.last_activity


class GuardedServer(TcpWSGIServer):
    """waitress's server with bounds for slow clients, and an orderly stop.

    - a request must arrive whole within `request_timeout` seconds of its first byte
      (checked every `cleanup_interval`), however steadily it trickles;
    - one address keeps at most `per_peer` waiting connections, all together at most
      `max_waiting`: a new connection beyond that closes the oldest waiting one, so a
      flood of slow connections pushes out its own, not requests that arrive whole.
    """

    channel_class = GuardedChannel
    request_timeout = REQUEST_TIMEOUT
    per_peer = PER_PEER
    max_waiting = MAX_WAITING
    evicted = 0  # since the last maintenance: logged there, once a second at most
    thread: threading.Thread | None = None  # serve_in_background()'s
    # The app as given to make_server (`application` is waitress's wrapper around it).
    wsgi: OncallWSGI | FeedWSGI | None = None

    def admit(self, channel: GuardedChannel) -> None:
        """Make room for `channel` (just accepted, on the loop thread)."""
        host = channel.addr[0] if channel.addr else None
        for limit, same_peer in ((self.per_peer, True), (self.max_waiting, False)):
            waiting = [
                c
                for c in list(self.active_channels.values())
                if c is not channel
                and isinstance(c, GuardedChannel)
                and c.waiting()
                and (not same_peer or (c.addr and c.addr[0] == host))
            ]
            excess = len(waiting) - (limit - 1)
            if excess > 0:
                for old in sorted(waiting, key=GuardedChannel.since)[:excess]:
                    old.handle_close()
                self.evicted += excess

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # waitress's idle timeout
        late = [
            c
            for c in list(self.active_channels.values())
            if isinstance(c, GuardedChannel)
            and c.request_started is not None
            and not c.requests
            and now - c.request_started > self.request_timeout
        ]
        for c in late:
            c.will_close = True  # closed by the loop, as waitress closes idle ones
        if late or self.evicted:
            log.warning(
                "slow clients: closing %d connection(s) whose request took over %g s to "
                "arrive, and closed %d waiting one(s) for new ones (over %d from one "
                "address or %d in all)",
                len(late),
                self.request_timeout,
                self.evicted,
                self.per_peer,
                self.max_waiting,
            )
            self.evicted = 0

    def busy(self) -> bool:
        """A request is being answered, waits for a thread, or its answer is unsent."""
        tasks = self.task_dispatcher
        with tasks.lock:
            if tasks.queue or tasks.active_count:
                return True
        return any(c.requests or c.total_outbufs_len for c in list(self.active_channels.values()))

    def serve_in_background(self) -> None:
        """Serve on a thread of its own (`stop()` ends it)."""
        self.thread = threading.Thread(target=self.run, name="http", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop accepting, let requests in flight finish and their answers go out (up to
        `timeout` seconds), then close every connection, which ends `run()`. False when
        something was still in flight at the timeout."""
        if self.thread is None:  # bound but never served: nothing in flight
            self.task_dispatcher.shutdown(timeout=0.5)
            wasyncore.close_all(self._map)
            return True
        self.trigger.pull_trigger(self._stop_accepting)
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.02)
        finished = not self.busy()
        self.task_dispatcher.shutdown(cancel_pending=True, timeout=0.5)
        self.trigger.pull_trigger(lambda: wasyncore.close_all(self._map))
        self.thread.join(2)
        return finished

    def _stop_accepting(self) -> None:
        # On the loop thread: the listening socket closes; connections stay.
        self.accepting = False
        wasyncore.dispatcher.close(self)


def make_server(
    wsgi: OncallWSGI | FeedWSGI,
    host: str,
    port: int,
    threads: int = 8,
    *,
    request_timeout: float = REQUEST_TIMEOUT,
    per_peer: int = PER_PEER,
    max_waiting: int = MAX_WAITING,
    idle_timeout: int = IDLE_TIMEOUT,
) -> GuardedServer:
    """A waitress server bound to `host`:`port` (OSError when it cannot be, e.g. the
    port is in use), not yet serving: `.serve_in_background()`, then `.stop()`."""
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident="oncall-bot",
        max_request_body_size=wsgi.max_body,
        max_request_header_size=MAX_HEADER_BYTES,
        channel_timeout=idle_timeout,
        cleanup_interval=1,
        connection_limit=max(CONNECTION_LIMIT, max_waiting + 2 * threads),
        asyncore_use_poll=True,  # select() cannot watch file descriptors past 1024
    )
    server = GuardedServer(wsgi, map={}, adj=adj, sockinfo=adj.listen[0])
    server.wsgi = wsgi
    server.request_timeout = request_timeout
    server.per_peer = per_peer
    server.max_waiting = max_waiting
    return server


# --- calendar feeds ---------------------------------------------------------------------

FEED_REFRESH = timedelta(hours=1)  # what a feed asks calendar apps for (most poll less often)
FEED_THREADS = 2
FEED_DRAIN_SECONDS = 2.0
Stop = tuple[str, Callable[[], Any], float]  # as bot.runner's: what, how, within how long
_MAX_VERSIONS = 10_000  # feeds whose Last-Modified is remembered (one per member and team)


class FeedWSGI:
    """`GET|HEAD /calendar/<token>.ics`: the feed as stored at this moment, with an ETag
    (the body's hash) and a Last-Modified, and 304 when the client's copy is current.

    Every request builds the feed anew from the database, so a swap or a take-over shows
    in the next fetch. Last-Modified is the moment this process first served the feed's
    current body (the data does not say when a change to a feed took effect), so it is
    never earlier than the change, and moves forward by a second at least per change.
    Everything else, and a token that opens no feed, is the same 404."""

    max_body = 1024  # nothing here reads a body: a GET has none

    def __init__(self, service: OnCallService) -> None:
        self.service = service
        self._versions: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD", "GET")
        if (
            method not in ("GET", "HEAD")
            or not path.startswith(FEED_PATH)
            or not path.endswith(FEED_SUFFIX)
        ):
            return _not_found(start_response)
        token = path[len(FEED_PATH) : -len(FEED_SUFFIX)]
        try:
            feed = self.service.calendar_feed(token)
            body = feed_calendar(self.service.team, feed, FEED_REFRESH) if feed else None
        except Exception as e:
            # Never the path or the token: only what failed.
            log.error("a calendar feed could not be built: %s", type(e).__name__, exc_info=True)
            return _reply(start_response, "500 Internal Server Error", b"internal error")
        if feed is None or body is None:
            return _not_found(start_response)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = self._modified(feed.key, etag)
        headers = [
            ("ETag", etag),
            ("Last-Modified", format_datetime(modified, usegmt=True)),
            # Calendar apps may keep it, but must ask again before using it (304 is cheap).
            ("Cache-Control", "private, no-cache"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Robots-Tag", "noindex"),
        ]
        if _not_modified(environ, etag, modified):
            start_response("304 Not Modified", headers)
            return []
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Length", str(len(body))),
                *headers,
            ],
        )
        return [b"" if method == "HEAD" else body]

    def _modified(self, key: str, etag: str) -> datetime:
        """When this process first served `key`'s current body (whole seconds, as HTTP
        dates are), later than the previous body's by a second at least."""
        now = self.service.now().astimezone(UTC).replace(microsecond=0)
        with self._lock:
            previous = self._versions.get(key)
            if previous is not None and previous[0] == etag:
                return previous[1]
            if previous is not None:
                now = max(now, previous[1] + timedelta(seconds=1))
            if len(self._versions) >= _MAX_VERSIONS:
                self._versions.clear()  # forgetting only makes Last-Modified later: safe
            self._versions[key] = (etag, now)
            return now


def _not_modified(environ: dict[str, Any], etag: str, modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match when sent (weak comparison), else If-Modified-Since."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = [t.strip() for t in str(if_none_match).split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(str(since))
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored, as the RFC says
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return modified <= when


def serve_calendar(running: Any, host: str) -> Stop:
    """Serve the calendar feeds of a process `bot.runner.start` has built (`running`): on
    its HTTP server (HTTP mode), and on CALENDAR_PORT, a server of its own, when set. Tells
    the service how its links are reached (FeedSetup). Returns how to stop the feeds'
    own server (nothing to stop without one). OSError when CALENDAR_PORT cannot be bound."""
    settings, service = running.settings, running.service
    feeds = FeedWSGI(service)
    if running.server is not None and isinstance(running.server.wsgi, OncallWSGI):
        running.server.wsgi.feeds = feeds
    server = None
    if settings.calendar_port:
        server = make_server(feeds, host, settings.calendar_port, threads=FEED_THREADS)
        server.serve_in_background()
    service.feed_setup = FeedSetup(
        public_url=settings.public_url,
        served=running.server is not None or server is not None,
        socket_mode=settings.socket_mode,
        calendar_port=settings.calendar_port,
    )
    if server is None:
        return ("the calendar feeds", lambda: True, 1.0)
    return ("the calendar feed server", lambda: server.stop(FEED_DRAIN_SECONDS), 5.0)
