"""The delivery record is written before Slack's acknowledgement: its lock waits are
bounded (issue 12, item 2), on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from bot.storage.store import Busy, Store

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(any_db_url: str) -> Store:
    store = Store(any_db_url)
    store.create_all()
    return store


def test_a_key_is_new_once_and_can_be_forgotten(store: Store) -> None:
    assert store.record_delivery("view_submission:U1:V1:h:abc", NOW, None)
    assert not store.record_delivery("view_submission:U1:V1:h:abc", NOW, None)
    store.forget_delivery("view_submission:U1:V1:h:abc")
    assert store.record_delivery("view_submission:U1:V1:h:abc", NOW, None)


def test_sqlite_write_lock_held_elsewhere_is_busy_within_the_wait(db_url: str) -> None:
    store = Store(db_url)
    store.create_all()
    other = sqlite3.connect(store.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        with pytest.raises(Busy):
            store.record_delivery("event:Ev1", NOW, None, wait=0.3)
        assert time.monotonic() - start < 1.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.record_delivery("event:Ev1", NOW, None)  # nothing was written before
    # The connection's usual busy timeout is back for the other writers.
    with store.write_engine.connect() as conn:
        waits = conn.connection.dbapi_connection.execute("PRAGMA busy_timeout").fetchone()[0]  # type: ignore[union-attr]
    assert waits > 1000


def test_a_writer_of_this_process_holding_the_lock_is_busy_within_the_wait(db_url: str) -> None:
    store = Store(db_url)
    store.create_all()
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with store.write():
            holding.set()
            release.wait(5)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(5)
        start = time.monotonic()
        with pytest.raises(Busy):
            store.record_delivery("event:Ev2", NOW, None, wait=0.3)
        assert time.monotonic() - start < 1.0
    finally:
        release.set()
        writer.join(5)


def test_postgresql_row_lock_held_elsewhere_is_busy_within_the_wait(pg_url: str) -> None:
    store = Store(pg_url)
    store.create_all()
    other = create_engine(pg_url)
    with other.connect() as conn:
        conn.execute(
            text("INSERT INTO delivery (key, at) VALUES ('event:Ev3', :at)"), {"at": NOW}
        )  # not committed: an insert of the same key waits for this transaction
        start = time.monotonic()
        with pytest.raises(Busy):
            store.record_delivery("event:Ev3", NOW, None, wait=0.3)
        assert time.monotonic() - start < 1.5
        conn.rollback()
    other.dispose()
    assert store.record_delivery("event:Ev3", NOW, None)
