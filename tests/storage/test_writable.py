"""`Store.check_writable`: the readiness check of `oncall run`'s start and of /healthz.

It proves a write can be made (an insert rolled back), leaves nothing behind, and says
why not within its timeout. The read-only SQLite file (chmod 444) is in
tests/test_runner.py: it needs a process without root's override of file modes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.storage.store import StorageError, Store


def meta_rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT key, value FROM meta ORDER BY key"))]


@contextmanager
def write_lock_held(store: Store) -> Iterator[None]:
    """Another connection holds what a writer of `meta` needs, until the block ends."""
    if store.is_sqlite:
        path = store.engine.url.database
        other = sqlite3.connect(str(path), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(store.url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE meta IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def test_check_writable_leaves_nothing_behind(any_db_url: str) -> None:
    store = Store(any_db_url)
    store.create_all()
    before = meta_rows(store)
    store.check_writable()
    store.check_writable()
    assert meta_rows(store) == before


def test_a_held_write_lock_is_reported_within_the_timeout(any_db_url: str) -> None:
    store = Store(any_db_url)
    store.create_all()
    with write_lock_held(store):
        began = time.monotonic()
        with pytest.raises(StorageError, match="cannot write to the database"):
            store.check_writable(timeout=0.3)
        assert time.monotonic() - began < 2.0
    store.check_writable(timeout=0.3)  # free again
    if store.is_sqlite:  # the lock wait of the store's own writers is as it was
        with store.write_engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] > 300


def test_a_read_only_postgresql_database_is_reported(pg_url: str) -> None:
    store = Store(pg_url)
    store.create_all()
    name = store.engine.url.database
    store.engine.dispose()
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        reopened = Store(pg_url)
        with pytest.raises(StorageError, match="read-only transaction") as error:
            reopened.check_writable()
        password = make_url(pg_url).password
        assert not password or str(password) not in str(error.value)
        reopened.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
    finally:
        admin.dispose()
