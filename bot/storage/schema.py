"""The schema's revision: Alembic migrations, and the check every start makes.

`prepare(db)` (called by `Store.create_all()`) creates the schema of an empty
database, accepts one at this version's revision, and otherwise refuses with one
line that says what to do: `oncall db upgrade` when the database is behind,
upgrading the bot when a newer one has migrated it. `upgrade()` is that command.

A database made by the `SQLModel.metadata.create_all()` of earlier builds has
the tables but no `alembic_version`: it is recognised by comparing its tables
with each revision's, and recorded as that revision.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.storage.engine import Database, StorageError, cannot_open, safe_url

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
HEAD = "0003"
"""This version's revision; equal to `head()` (a test checks)."""

# Tables each revision added: how a database without alembic_version (made by the
# create_all of a build before migrations) is placed. Its tables are compared with
# the metadata minus later additions: tables by name, columns as "table.column".
ADDED_BY = {
    "0002": ("delivery",),
    "0003": (
        "week_change",
        "override",
        "calendar_token",
        "incident",
        "incident_call",
        "swap_request.starts_at",
        "swap_request.ends_at",
        "swap_request.undoes",
        "swap_request.recorded_by",
    ),
}

UPGRADE_HINT = "Run: oncall db upgrade"

# Alembic keeps the running migration in module globals (alembic.context, alembic.op),
# so one process runs one at a time; between processes the database's lock decides.
_RUNNING = threading.RLock()


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic Config built in code; `connection` (if given) is the one migrated."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision among the migrations shipped with this version."""
    h = _scripts().get_current_head()
    assert h is not None
    return h


def known(revision: str) -> bool:
    """Whether `revision` is one of this version's (else a newer version wrote it)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:
        return False


def _our_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) & set(SQLModel.metadata.tables)


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current_revision(engine: Engine | Database) -> str | None:
    """The revision recorded in the database; None when it has none (empty or legacy)."""
    engine = engine.engine if isinstance(engine, Database) else engine
    with engine.connect() as conn:
        return _current(conn)


def _missing(diffs: list[Any]) -> set[str] | None:
    """What a database lacks, named as ADDED_BY names it; None when it differs otherwise.

    The indexes of a missing table come with it."""
    tables = {d[1].name for d in diffs if isinstance(d, tuple) and d[0] == "add_table"}
    missing = set(tables)
    for d in diffs:
        if not isinstance(d, tuple):
            return None
        if d[0] == "add_column":
            missing.add(f"{d[2]}.{d[3].name}")
        elif d[0] == "add_index" and d[1].table.name in tables:
            continue
        elif d[0] != "add_table":
            return None
    return missing


def _legacy_revision(conn: Connection) -> str | None:
    """Which revision an unversioned database's tables match, or None if none."""
    ctx = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "include_name": lambda name, type_, _parents: (
                type_ != "table" or name in SQLModel.metadata.tables
            ),
        },
    )
    diffs = compare_metadata(ctx, SQLModel.metadata)
    # What the database lacks: whole tables ("t") and columns of existing tables ("t.c").
    missing = _missing(diffs)
    if missing is None:
        return None  # something other than added tables and columns differs
    revision = HEAD
    for rev in sorted(ADDED_BY, reverse=True):
        if not missing:
            break
        added = set(ADDED_BY[rev])
        if not added <= missing:
            return None
        missing -= added
        revision = _scripts().get_revision(rev).down_revision  # type: ignore[union-attr,assignment]
    return revision if not missing else None


def state(store: Database) -> tuple[str | None, set[str]]:
    """(The recorded revision or None, which of oncall-bot's tables exist)."""
    with store.engine.connect() as conn:
        return _current(conn), _our_tables(conn)


def _run(store: Database | Engine, revision: str, *, stamp: bool = False) -> None:
    """Upgrade to `revision` (or, with stamp, record an unversioned database as it).

    One transaction holding the write lock (see env.py); what to do is decided
    from the revision read inside it, so a second replica finds nothing left to do.
    """
    script = _scripts()

    def steps(heads: Any, _context: Any) -> Any:
        if stamp:
            return [] if heads else script._stamp_revs(revision, heads)
        return script._upgrade_revs(revision, heads)

    engine = store.write_engine if isinstance(store, Database) else store
    with _RUNNING, engine.connect() as conn:
        cfg = alembic_config(connection=conn)
        with EnvironmentContext(cfg, script, fn=steps, destination_rev=revision):
            script.run_env()


def _behind(current: str, needed: str) -> StorageError:
    return StorageError(
        f"The database is at revision {current}; this version needs {needed}. {UPGRADE_HINT}"
    )


def _ahead(current: str, url: str) -> StorageError:
    return StorageError(
        f"The database {safe_url(url)} is at revision {current}, which this version of "
        f"oncall-bot does not know (it needs {HEAD}): a newer oncall-bot has upgraded it. "
        "Upgrade the bot to that version or later to use it."
    )


def _unrecognised(url: str, tables: set[str]) -> StorageError:
    return StorageError(
        f"The database {safe_url(url)} has oncall-bot tables ({', '.join(sorted(tables))}) "
        "but no schema revision, and they match no revision of oncall-bot. Restore it from "
        "a backup, or start from an empty database and run oncall import with an export."
    )


def _store(target: str | Engine | Database) -> Database | Engine:
    return Database(target) if isinstance(target, str) else target


def _url(target: Database | Engine) -> str:
    return target.url if isinstance(target, Database) else str(target.url)


def upgrade(target: str | Engine | Database, revision: str = "head") -> tuple[str | None, str]:
    """Bring the database to `revision` (default: head); returns (from, to).

    An unversioned database made by an earlier create_all is first recorded as
    the revision its tables match. Refuses (StorageError) a database that a newer
    oncall-bot has migrated.
    """
    store = _store(target)
    engine = store.engine if isinstance(store, Database) else store
    with engine.connect() as conn:
        before, tables = _current(conn), _our_tables(conn)
        legacy = _legacy_revision(conn) if before is None and tables else None
    if before is not None and not known(before):
        raise _ahead(before, _url(store))
    if before is None and tables:
        if legacy is None:
            raise _unrecognised(_url(store), tables)
        _run(store, legacy, stamp=True)
        before = legacy
    _run(store, revision)
    after = current_revision(engine)
    assert after is not None
    return before, after


def prepare(store: Database) -> None:
    """Make sure the database is at this version's revision; create an empty one.

    Raises StorageError (one line, no password) when it is behind, ahead, or not
    recognisable.
    """
    try:
        current, tables = state(store)
        if current == HEAD:
            return
        if current is None and not tables:
            upgrade(store)  # a fresh install needs no manual step
            return
        if current is None:
            with store.engine.connect() as conn:
                legacy = _legacy_revision(conn)
            if legacy is None:
                raise _unrecognised(store.url, tables)
            if legacy == HEAD:
                _run(store, HEAD, stamp=True)  # made by create_all at this version: record it
                return
            current = legacy
        if not known(current):
            raise _ahead(current, store.url)
        raise _behind(current, HEAD)
    except StorageError:
        raise
    except Exception as e:
        raise cannot_open(store.url, e) from None
