"""A throwaway PostgreSQL server for the test session, from Debian's binaries.

`initdb` + `pg_ctl` into a temporary folder; the server listens only on 127.0.0.1
on a free port, with its unix socket in that folder, and trusts loopback. As root
(CI) the server runs as the `postgres` system user, because initdb refuses root.

- `pg_server` (session): the running server, stopped and removed at session end.
- `pg_url` (function): a fresh, empty database per test, dropped afterwards.

Without the binaries the PostgreSQL tests are skipped, except under CI (`CI` set),
where they fail: CI must not pass by silently testing SQLite only.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from processes import free_port

SERVER_USER = "postgres"
_START_TIMEOUT = 60


def bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb, else initdb on PATH."""

    def version(path: str) -> int:
        m = re.search(r"/postgresql/(\d+)/", path)
        return int(m.group(1)) if m else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@dataclass
class PgServer:
    bin: Path
    root: Path
    port: int = 0
    run_as: str | None = None  # the system user that owns and runs the server (as root)
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *args: str, timeout: float = _START_TIMEOUT) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as and shutil.which("runuser"):
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        elif self.run_as:
            cmd = ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}"
            )

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        # A throwaway server: durability off, for speed; many short-lived test pools.
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300 -c shared_buffers=32MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as con:
            con.execute(sql)

    def create_database(self) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        # FORCE ends the connections the test's engines still pool.
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    """Start a server or skip/fail (see the module docstring) saying why not."""
    found = bin_dir()
    if found is None:
        _unavailable(
            "no initdb under /usr/lib/postgresql/*/bin or on PATH "
            "(apt-get install postgresql, as .ci/run does)"
        )
    assert found is not None
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            _unavailable(f"running as root and there is no '{SERVER_USER}' user to run the server")
    root = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    os.chmod(root, 0o700)
    server = PgServer(found, root, run_as=SERVER_USER if owner is not None else None)
    try:
        server.init()
        for attempt in range(3):  # a free port can be taken between the check and the start
            server.port = free_port()
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    atexit.register(server.stop)  # should the session end without the fixture teardown
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh empty database on the session's server, as a SQLAlchemy URL."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        try:
            pg_server.drop_database(name)
        except Exception:  # noqa: BLE001 - the server goes away at session end anyway
            pass
