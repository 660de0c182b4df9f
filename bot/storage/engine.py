"""Opening a database: engines for reads and for writes, and the one error users see.

Shared by the store (bot.storage.store) and the schema check (bot.storage.schema),
which would otherwise import each other.

A SQLite file is created only when the caller says so (`create=True`), and its
connections open it read-write without creating it: a file deleted under a running
process is then never silently recreated empty. `Database` remembers which file it
opened and refuses to write once that file is gone or replaced (`check_file`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

LOCK_KEY = 0x6F6E63616C6C  # "oncall": the advisory lock every writer takes on PostgreSQL

log = logging.getLogger("bot.storage")


class StorageError(Exception):
    """The database cannot be used; the message is safe to show (no password)."""


class MissingDatabase(StorageError):
    """The SQLite file does not exist and the caller did not ask to create one."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class DatabaseGone(StorageError):
    """The SQLite file this process opened was deleted or replaced since: no write
    is made (it would land in a file nobody will read again)."""


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable DATABASE_URL>"


# What psycopg puts before the server's own words, and the severity PostgreSQL prefixes.
_CONNECTION_PREFIX = re.compile(
    r"(connection failed: )?connection to server (at|on) .*? failed: |\b(FATAL|ERROR):\s+"
)


def reason(error: BaseException, url: str) -> str:
    """What the database (or its driver) said about `error`, on one line, with the
    URL's password masked: `database "nope" does not exist`, `Connection refused`."""
    cause = getattr(error, "orig", None) or error
    text = _CONNECTION_PREFIX.sub("", str(cause))
    parts = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    said = "; ".join(parts)[:300] or cause.__class__.__name__
    return _mask_password(said, url)


def _mask_password(text: str, url: str) -> str:
    try:
        password = make_url(url).password
    except Exception:
        return text
    if password:
        for form in sorted({str(password), quote(str(password), safe=""), unquote(str(password))}):
            text = text.replace(form, "***")
    return text


def cannot_open(url: str, error: BaseException) -> StorageError:
    """The one-line error for a database that could not be opened or used."""
    return StorageError(f"cannot open the database {safe_url(url)}: {reason(error, url)}")


def sqlite_path(url: str) -> str | None:
    """The absolute path of a SQLite file URL; None for other databases and :memory:."""
    try:
        parsed = make_url(url)
    except Exception:
        return None
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    if parsed.query.get("uri") in ("true", "1") or path.startswith("file:"):
        return None  # a SQLite URI the operator manages: left as given
    return os.path.abspath(path)


def make_engine(url: str, *, immediate: bool = False, create: bool = True) -> Engine:
    """An engine for `url`. A missing SQLite file is created (readable by its owner
    only) when `create`, else MissingDatabase says how to create one."""
    try:
        parsed = make_url(url)
    except Exception:
        raise StorageError(
            "DATABASE_URL is not a database URL (like sqlite:///oncall.db): "
            "see README, section Configuration"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if path is not None:
            if not os.path.exists(path):
                if not create:
                    raise MissingDatabase(
                        f"there is no database at {path} (DATABASE_URL={safe_url(url)}). "
                        "If it was moved or deleted, restore it (or fix DATABASE_URL); to "
                        "start a new, empty one: oncall run --create-db",
                        path,
                    )
                _create_file(path)
            _use_wal(path)
            # Opened read-write, never created: a file deleted under us stays deleted
            # (a new empty one would be taken for the real database at the next start).
            uri = f"file:{quote(path)}?mode=rw"
            options = {
                "creator": lambda: sqlite3.connect(
                    uri, uri=True, check_same_thread=False, timeout=30
                )
            }
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin() below decide how a transaction starts.
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A writer takes SQLite's write lock when it starts, not at its first
            # write, so read-then-write cannot interleave with another writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except Exception as e:
        raise StorageError(f"cannot use {safe_url(url)}: {reason(e, url)}") from None


def _create_file(path: str) -> None:
    # Readable by its owner only: it holds the team's schedule. O_EXCL: if another
    # process created it a moment ago, that one is the database.
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as e:
        raise StorageError(f"cannot create the SQLite file {path}: {e.strerror}") from None
    os.close(fd)


def _use_wal(path: str) -> None:
    """Put the SQLite file in WAL mode (persistent, so once is enough): readers never
    wait for a writer, and a commit is one append. Done here, on a connection of its
    own, because switching modes needs the file to itself; if another process holds
    it right now, the switch is simply left for the next start."""
    try:
        uri = f"file:{quote(path)}?mode=rw"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        pass


FileIdentity = tuple[int, int]  # (st_dev, st_ino)


def _identity(path: str) -> FileIdentity | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class Database:
    """A database URL opened for reads (`engine`) and writes (`write_engine`: on SQLite
    its transactions start with BEGIN IMMEDIATE, taking the write lock at once).

    `create`: make the SQLite file when it does not exist (`created` then says so, for
    the caller to tell the person: "creating a new database at …");
    otherwise a missing file raises MissingDatabase. On PostgreSQL there is no file:
    a dropped database fails every statement with the server's own error."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.created = self.path is not None and not os.path.exists(self.path)
        self.engine = make_engine(url, create=create)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.write_engine = (
            make_engine(url, immediate=True, create=create) if self.is_sqlite else self.engine
        )
        # The file opened, by identity: a path can be deleted and made again.
        self._file = _identity(self.path) if self.path is not None else None

    def check_file(self) -> None:
        """Raise DatabaseGone (and log an ERROR) when the SQLite file opened at start
        was deleted or replaced; one stat. Nothing to check elsewhere."""
        if self.path is None:
            return
        now = _identity(self.path)
        if now is not None and now == self._file:
            return
        what = "deleted" if now is None else "replaced by another file"
        log.error(
            "the database file %s was %s while the bot was running: every change is "
            "refused (nothing is written). Restore the file and restart the bot.",
            self.path,
            what,
        )
        raise DatabaseGone(
            f"the database file {self.path} was {what} while the bot was running; "
            "nothing was changed"
        )
