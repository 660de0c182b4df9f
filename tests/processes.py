"""Helpers for tests that start `oncall run` as a real process and talk to it over HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def launch_script(*argv: str) -> str:
    """Python source that runs `oncall <argv>` with the process clock at sys.argv[1] (an
    ISO instant, then ticking), for `python -c`."""
    return (
        "import sys, datetime, time_machine\n"
        "from bot.cli import main\n"
        "start = datetime.datetime.fromisoformat(sys.argv[1])\n"
        "with time_machine.travel(start, tick=True):\n"
        f"    sys.exit(main({list(argv)!r}))\n"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """(status, body) of a GET; an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read()


def wait_healthy(port: int, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Until `/healthz` answers 200; fails at once if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"oncall run exited: {proc.communicate()[1][-3000:]}")
        try:
            if http_get(f"http://127.0.0.1:{port}/healthz", timeout=1)[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise AssertionError("oncall run did not become healthy")
