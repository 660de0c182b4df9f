"""The playground's web page and the small JSON API it calls, on 127.0.0.1 only.

GET /            the page (static/index.html, app.js, style.css: no build step, no CDN)
GET /pg/state    what one person sees (?as=<slack id>), and the clock
POST /pg/do      one thing a person does (`act`: bot.playground.main.act)

The Content-Security-Policy allows nothing from outside and no inline script: even a
rendering mistake could not run a message's text or fetch from the network.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("bot.playground")

STATIC = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "mrkdwn.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
MAX_BODY = 256 * 1024


class PageServer(ThreadingHTTPServer):
    daemon_threads = True
    playground: Any
    act: Callable[[Any, dict[str, Any]], Any]  # (playground, request) -> Reply

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def serve(playground: Any, act: Callable[[Any, dict[str, Any]], Any], port: int = 0) -> PageServer:
    server = PageServer(("127.0.0.1", port), _Handler)
    server.playground = playground
    server.act = act
    threading.Thread(target=server.serve_forever, name="playground-page", daemon=True).start()
    return server


def _static(name: str) -> bytes:
    return resources.files("bot.playground").joinpath("static", name).read_bytes()


class _Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """The page polls: no line per request."""

    def _local(self) -> bool:
        """Only this machine's names: a page elsewhere that points its own name at
        127.0.0.1 (DNS rebinding) gets nothing."""
        port = self.server.server_port
        if self.headers.get("Host") in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return True
        self._send(421, b"the playground answers 127.0.0.1 only", "text/plain")
        return False

    def do_GET(self) -> None:  # noqa: N802
        if not self._local():
            return
        split = urlsplit(self.path)
        name = "index.html" if split.path == "/" else split.path.removeprefix("/static/")
        if name in STATIC:
            self._send(200, _static(name), STATIC[name])
        elif split.path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif split.path == "/pg/state":
            query = parse_qs(split.query)
            user = (query.get("as") or [""])[0]
            playground = self.server.playground
            if user not in playground.workspace.people:
                self._json(404, {"error": "no such person"})
                return
            seen = playground.workspace.seen_by(user)
            seen["clock"] = playground.clock_state()
            self._json(200, seen)
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        if not self._local():
            return
        if urlsplit(self.path).path != "/pg/do":
            self._send(404, b"not found", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY or self.headers.get_content_type() != "application/json":
            self._json(400, {"error": "send JSON"})
            return
        try:
            request = json.loads(self.rfile.read(length))
            if not isinstance(request, dict):
                raise ValueError("not an object")
            reply = self.server.act(self.server.playground, request)
        except (ValueError, KeyError) as e:
            self._json(400, {"error": f"cannot do that: {e}"})
            return
        except Exception:
            log.exception("playground: %s failed", self.path)
            self._json(500, {"error": "the playground failed; see its terminal"})
            return
        self._json(200, {"status": reply.status, "body": reply.body})

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
