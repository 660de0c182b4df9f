"""`oncall run` as a real process: how it stops, and what it refuses at start.

Each test launches `python -m bot run` (HTTP mode) against a fake Slack Web API, with
its wall clock moved (time-machine, ticking) to Monday 30 Nov 2026 10:00 in New York:
an hour after week 0's handover, so the scheduler's start-up catch-up posts it.

- SIGTERM (systemd, Docker, Kubernetes) stops it as Ctrl-C does: the request in
  flight is answered, the shutdown is logged, exit status 0.
- A port in use: one line, exit 1, and no handover posted (the port is taken before
  the scheduler starts).
- A read-only database (chmod 444): one line, exit 1, before serving anything.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fakeslack import FakeSlack
from harness import TEAM_FILE
from processes import ROOT, free_port, http_get, launch_script, wait_healthy

from bot.storage.store import Store

START = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("America/New_York"))
LAUNCH = launch_script("run", "--create-db")


def launch(fake: FakeSlack, tmp_path: Path, port: int, **popen: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ONCALL_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-runner-test",
        SLACK_SIGNING_SECRET="runner-test-secret",
        SLACK_API_URL=fake.url,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path}/oncall.db",
        ONCALL_CONFIG=str(TEAM_FILE),
        LOG_LEVEL="INFO",
    )
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, START.isoformat()],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def finish(proc: subprocess.Popen[str], timeout: float = 30.0) -> tuple[int, str]:
    """The exit status and stderr; killed (and failed) when it does not end in time."""
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        raise AssertionError(
            f"oncall run did not exit within {timeout} s:\n{err[-3000:]}"
        ) from None
    return proc.returncode, err


def test_sigterm_finishes_the_request_in_flight_logs_and_exits_0(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        port = free_port()
        proc = launch(fake, tmp_path, port)
        try:
            wait_healthy(port, proc)
            fake.wait_for_call("chat.postMessage", timeout=15)  # the catch-up is done
            readiness_kept = 1.1  # /healthz keeps its last answer for a second
            time.sleep(readiness_kept)
            # A request in flight when SIGTERM comes: /healthz waits (up to 2 s) for
            # the SQLite write lock, which this test holds for a moment.
            holder = sqlite3.connect(str(tmp_path / "oncall.db"), isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            answers: list[tuple[int, bytes]] = []
            client = threading.Thread(
                target=lambda: answers.append(http_get(f"http://127.0.0.1:{port}/healthz"))
            )
            client.start()
            time.sleep(0.5)  # the request has reached the process and waits for the lock
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            holder.execute("ROLLBACK")
            holder.close()
            client.join(10)
            code, err = finish(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert answers and answers[0][0] == 200, (answers, err[-3000:])
    assert json.loads(answers[0][1])["ok"] is True
    assert code == 0, err[-3000:]
    assert "SIGTERM received: stopping" in err, err[-3000:]
    assert "oncall-bot stopped" in err, err[-3000:]
    assert "Traceback" not in err, err[-3000:]


def test_a_port_in_use_is_one_line_exit_1_and_posts_no_handover(tmp_path: Path) -> None:
    with FakeSlack() as fake, socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = finish(launch(fake, tmp_path, port))
        time.sleep(0.5)  # a catch-up posting on another thread would show by now
        posted = fake.calls_to("chat.postMessage")
    assert code == 1, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    lines = [line for line in err.splitlines() if "cannot start" in line]
    assert lines == [
        f"oncall: cannot start: cannot listen on port {port}: it is in use (another oncall run?)"
    ], err[-3000:]
    assert posted == [], "a start that failed posted the handover"

    # Control: with the port free, the same start does post week 0's handover.
    with FakeSlack() as fake:
        port = free_port()
        proc = launch(fake, tmp_path, port)
        try:
            wait_healthy(port, proc)
            assert fake.wait_for_call("chat.postMessage", timeout=15)
        finally:
            proc.send_signal(signal.SIGTERM)
            finish(proc)


def drop_dac_override() -> None:
    """In the child, before exec: root without CAP_DAC_OVERRIDE (and DAC_READ_SEARCH),
    so that a file's mode binds root too, as it binds every other user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_read_only_database_is_refused_at_start_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    store = Store(f"sqlite:///{db}")
    store.create_all()
    store.engine.dispose()
    store.write_engine.dispose()
    db.chmod(0o444)
    popen: dict[str, object] = {}
    if os.geteuid() == 0:  # chmod binds root only without CAP_DAC_OVERRIDE
        if not sys.platform.startswith("linux"):
            pytest.skip("as root, a read-only file needs Linux capabilities to be read-only")
        popen["preexec_fn"] = drop_dac_override
    with FakeSlack() as fake:
        code, err = finish(launch(fake, tmp_path, free_port(), **popen))
        assert fake.calls_to("chat.postMessage") == []
    assert code == 1, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    lines = [line for line in err.splitlines() if "cannot start" in line]
    assert len(lines) == 1, err[-3000:]
    assert lines[0].startswith(f"oncall: cannot start: cannot write to the database sqlite:///{db}")
    assert "readonly" in lines[0], lines
