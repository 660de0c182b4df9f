"""Opening a database: engines for reads and for writes, and the one error users see.

Shared by the store (bot.storage.store) and the schema check (bot.storage.schema),
which would otherwise import each other.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

LOCK_KEY = 0x6F6E63616C6C  # "oncall": the advisory lock every writer takes on PostgreSQL


class StorageError(Exception):
    """The database cannot be used; the message is safe to show (no password)."""


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable DATABASE_URL>"


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:
        raise StorageError(
            "DATABASE_URL is not a database URL (like sqlite:///oncall.db): "
            "see README, section Configuration"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not os.path.exists(path):
            # Created readable by its owner only: it holds the team's schedule.
            try:
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            except OSError as e:
                raise StorageError(f"cannot create the SQLite file {path}: {e.strerror}") from None
            os.close(fd)
        if path and path != ":memory:":
            _use_wal(path)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

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
        raise StorageError(f"cannot use {safe_url(url)}: {e.__class__.__name__}") from None


def _use_wal(path: str) -> None:
    """Put the SQLite file in WAL mode (persistent, so once is enough): readers never
    wait for a writer, and a commit is one append. Done here, on a connection of its
    own, because switching modes needs the file to itself; if another process holds
    it right now, the switch is simply left for the next start."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        pass


class Database:
    """A database URL opened for reads (`engine`) and writes (`write_engine`: on SQLite
    its transactions start with BEGIN IMMEDIATE, taking the write lock at once)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.write_engine = make_engine(url, immediate=True) if self.is_sqlite else self.engine
