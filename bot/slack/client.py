"""The Slack Web API client: one per process, reusing its connections, with slack_sdk's
retry handlers on every call.

slack_sdk's `WebClient` sends each call through `urllib.request.urlopen`, which opens a
new TCP (and TLS) connection per call and closes it after: in production every call
pays a handshake on top of its round trip. `PooledWebClient` sends the same requests
over kept-alive `http.client` connections, so slack_sdk's retry loop (429 with
Retry-After, 5xx, connection errors) runs unchanged around it.
"""

from __future__ import annotations

import http.client
import io
import logging
import select
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient, WebhookResponse

DEFAULT_API_URL = "https://slack.com/api/"
#: Idle connections kept per host; more concurrent calls open more, and the extra ones
#: are closed when they come back.
IDLE_CONNECTIONS = 8

_Origin = tuple[str, str, int]  # scheme, host, port


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """True when the server closed this idle connection (it is readable: EOF), so it is not
    reused. What races past this check fails like any dropped connection, and slack_sdk's
    ConnectionErrorRetryHandler retries it; a request is never resent silently."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class ConnectionPool:
    """Idle HTTP connections per origin, shared by every thread (a connection is used by
    one call at a time). Counts the connections it opened, for tests and the bench."""

    def __init__(self, timeout: float, context: ssl.SSLContext | None, idle: int) -> None:
        self.timeout = timeout
        self.context = context
        self.idle = idle
        self.opened = 0
        self.closed = False  # by close(): connections given back from then on are closed
        self._lock = threading.Lock()
        self._free: dict[_Origin, list[http.client.HTTPConnection]] = {}

    def _new(self, origin: _Origin) -> http.client.HTTPConnection:
        scheme, host, port = origin
        with self._lock:
            self.opened += 1
        if scheme == "https":
            context = self.context or ssl.create_default_context()
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=context)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _take(self, origin: _Origin) -> http.client.HTTPConnection:
        """An idle connection to `origin` the server still holds open, or a new one."""
        while True:
            with self._lock:
                free = self._free.get(origin)
                connection = free.pop() if free else None
            if connection is None:
                return self._new(origin)
            if not _dropped(connection):
                return connection
            connection.close()

    def _give_back(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            free = self._free.setdefault(origin, [])
            if not self.closed and len(free) < self.idle:
                free.append(connection)
                return
        connection.close()

    @contextmanager
    def connection(self, origin: _Origin) -> Iterator[http.client.HTTPConnection]:
        """Lend a connection; it goes back to the pool if the body yielded with it ended
        cleanly and the server keeps it open, else it is closed."""
        connection = self._take(origin)
        keep = False
        try:
            yield connection
            keep = True
        finally:
            if keep and connection.sock is not None:
                self._give_back(origin, connection)
            else:
                connection.close()

    def send(self, origin: _Origin, url: str, req: Request) -> tuple[int, HTTPMessage, bytes]:
        """POST `req` to `origin` on a lent connection: (status, headers, body) of a 2xx
        answer. Other answers raise HTTPError and a failure to connect URLError, as
        urlopen's do, so slack_sdk's retry handlers see what they know."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {key: str(value) for key, value in req.header_items()}
        sent: bytes | None = req.data  # type: ignore[assignment]
        with self.connection(origin) as connection:
            try:
                connection.request("POST", path, body=sent, headers=headers)
            except OSError as error:  # as urlopen says it: refused, unreachable, timed out
                raise URLError(error) from error
            # A connection dropped before the answer raises RemoteDisconnected, as urlopen's
            # does; slack_sdk's ConnectionErrorRetryHandler retries both.
            response = connection.getresponse()
            data = response.read()
            if response.will_close:
                connection.close()
        message = response.msg
        if not 200 <= response.status < 300:
            where = f"{origin[0]}://{origin[1]}:{origin[2]}{path}"
            raise HTTPError(where, response.status, response.reason, message, io.BytesIO(data))
        return response.status, message, data

    def close(self) -> None:
        """Close every idle connection, and each lent one when it comes back (a call still
        running at a stop finishes on its connection; a later one opens its own, closed
        after it)."""
        with self._lock:
            self.closed = True
            free, self._free = self._free, {}
        for connections in free.values():
            for connection in connections:
                connection.close()


class PooledWebClient(WebClient):
    """A WebClient whose calls reuse kept-alive connections (thread-safe: the pool lends
    each connection to one call at a time). A proxy, or a URL with user:password@ in it,
    goes through slack_sdk's own urllib path as before."""

    def __init__(self, *args: Any, idle_connections: int = IDLE_CONNECTIONS, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pool = ConnectionPool(self.timeout, self.ssl, idle_connections)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        origin = _pooled_origin(url, self.proxy)
        if origin is None:
            return super()._perform_urllib_http_request_internal(url, req)  # type: ignore[no-any-return]
        status, message, data = self.pool.send(origin, url, req)
        if message.get_content_type() == "application/gzip":
            body: bytes | str = data
        else:
            body = data.decode(message.get_content_charset() or "utf-8")
        if self._logger.level <= logging.DEBUG:  # as slack_sdk logs it
            shown = "(binary)" if isinstance(body, bytes) else body
            self._logger.debug(
                "Received the following response - status: %s, headers: %s, body: %s",
                status,
                dict(message),
                shown,
            )
        return {"status": status, "headers": message, "body": body}

    def responder(self, response_url: str | None) -> PooledRespond:
        """Bolt's `respond` for one request, its posts to `response_url` sent over this
        client's pool with this client's retry handlers."""
        return PooledRespond(
            response_url=response_url,
            pool=self.pool,
            retry_handlers=self.retry_handlers,
            proxy=self.proxy,
            ssl_context=self.ssl,
        )


class PooledWebhookClient(WebhookClient):
    """A WebhookClient (a response_url, an incoming webhook) whose posts reuse the pool's
    kept-alive connections; its retry loop is slack_sdk's own, unchanged."""

    def __init__(self, url: str, pool: ConnectionPool, **kwargs: Any) -> None:
        super().__init__(url, timeout=int(pool.timeout), **kwargs)
        self.pool = pool

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        origin = _pooled_origin(url, self.proxy)
        if origin is None:
            return super()._perform_http_request_internal(url, req)  # type: ignore[no-any-return]
        status, message, data = self.pool.send(origin, url, req)
        body = data.decode(message.get_content_charset() or "utf-8")
        return WebhookResponse(url=url, status_code=status, body=body, headers=dict(message))


class PooledRespond(Respond):
    """Bolt's `respond` (same arguments, same answer), posting through a
    PooledWebhookClient: Bolt's own opens a new connection for every reply."""

    def __init__(
        self,
        *,
        response_url: str | None,
        pool: ConnectionPool,
        retry_handlers: list[RetryHandler],
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(response_url=response_url, proxy=proxy, ssl=ssl_context)
        self.pool = pool
        self.retry_handlers = retry_handlers

    def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        if isinstance(text, dict):  # a whole message, as Bolt's respond takes it
            message = _build_message(**text)
        else:
            message = _build_message(text, **fields)
        client = PooledWebhookClient(
            self.response_url,
            self.pool,
            proxy=self.proxy,
            ssl=self.ssl,
            retry_handlers=self.retry_handlers,
        )
        return client.send_dict(message)


def _pooled_origin(url: str, proxy: str | None) -> _Origin | None:
    """Where a call to `url` goes over the pool; None for what slack_sdk's own urllib
    path must send (through a proxy, a URL with user:password@ in it, not http(s))."""
    parts = urlsplit(url)
    if proxy or parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname or "", parts.port or default_port


def make_client(token: str, api_url: str | None = None, *, retries: int = 3) -> PooledWebClient:
    """429 (honouring Retry-After), 5xx and connection errors are retried with backoff."""
    return PooledWebClient(
        token=token,
        base_url=api_url or DEFAULT_API_URL,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
