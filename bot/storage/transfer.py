"""Backup and move: all of the bot's state as one JSON document, and back.

`oncall export` / `oncall import` use this; it is also the way to move between
SQLite and PostgreSQL (export from one DATABASE_URL, import into the other).

The document:

    {"format": "oncall-bot-state", "version": 1,
     "exported_at": "2026-12-01T15:00:00+00:00", "revision": "0002",
     "tables": {"announcement": [{...}, ...], "audit_log": [...], "meta": [...],
                "planned_week": [...], "swap_request": [...], "time_off": [...]}}

Every row of every table except `delivery` (Slack retry bookkeeping, worthless
elsewhere), in primary-key order, one object per row with every column: dates
as "YYYY-MM-DD", instants as ISO 8601 in UTC. `revision` is informative; the
format `version` is the contract. An import checks the whole document before
writing anything and writes it in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.storage.schema import ADDED_BY, current_revision
from bot.storage.store import Store

FORMAT = "oncall-bot-state"
VERSION = 2
# Adding a table to bot/storage/tables.py means deciding here (a test checks that every
# table is either exported or deliberately left out).
TABLES = (
    "announcement",
    "audit_log",
    "meta",
    "planned_week",
    "swap_request",
    "time_off",
    "week_change",
    "override",
    "calendar_token",
    "incident",
    "incident_call",
)
NOT_EXPORTED = ("delivery",)
# What version 1 (schema revision 0002) did not have: what revision 0003 added. A version
# 1 document is still read, these tables as empty and these (nullable) columns as null.
_NEW_IN_2 = frozenset(ADDED_BY["0003"])

_REQUIRED = ("format", "version", "exported_at", "tables")
_OPTIONAL = ("revision",)

Rows = dict[str, list[dict[str, Any]]]


class TransferError(ValueError):
    """The document cannot be imported, or the database refuses it; says where and why."""


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _kind(column: Any) -> str:
    t = column.type
    if isinstance(t, TypeDecorator):
        t = t.impl_instance
    for cls, kind in (
        (Boolean, "bool"),
        (Integer, "int"),
        (DateTime, "instant"),
        (Date, "date"),
        (String, "str"),
    ):
        if isinstance(t, cls):
            return kind
    raise TypeError(f"no JSON form for {column.table.name}.{column.name} ({t!r})")


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime: give an aware instant")
    return value.astimezone(UTC).isoformat()


def _dump(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "instant":
        return _instant(value)
    if kind == "date":
        return value.isoformat()
    return value


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """One read transaction, so every table is read as of the same moment."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def export_state(store: Store, now: datetime) -> dict[str, Any]:
    """Every row of every exported table; `now` (aware) becomes `exported_at`."""
    exported_at = _instant(now)
    tables: dict[str, list[dict[str, Any]]] = {}
    with _snapshot(store) as conn:
        for name in TABLES:
            table = _table(name)
            kinds = [(c.name, _kind(c)) for c in table.columns]
            result = conn.execute(select(table).order_by(*table.primary_key.columns))
            tables[name] = [{c: _dump(k, row._mapping[c]) for c, k in kinds} for row in result]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "revision": current_revision(store.engine),
        "tables": tables,
    }


# --- validation ---------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _load(kind: str, value: Any, column: Any, where: str) -> Any:
    if value is None:
        if not column.nullable:
            raise TransferError(f"{where}: must not be null")
        return None
    if kind == "bool":
        if not isinstance(value, bool):
            raise TransferError(f"{where}: expected true or false, got {_type_name(value)}")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TransferError(f"{where}: expected an integer, got {_type_name(value)}")
        if not -(2**31) <= value < 2**31:
            raise TransferError(f"{where}: {value} is out of range")
        return value
    if not isinstance(value, str):
        raise TransferError(f"{where}: expected a string, got {_type_name(value)}")
    if kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or day.isoformat() != value:
            raise TransferError(f"{where}: '{value[:40]}' is not a date like 2026-12-07")
        return day
    if kind == "instant":
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise TransferError(
                f"{where}: '{value[:40]}' is not an instant like 2026-12-07T14:00:00+00:00"
            )
        return at.astimezone(UTC)
    length = getattr(column.type, "length", None)
    if length is not None and len(value) > length:
        raise TransferError(f"{where}: longer than {length} characters")
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise TransferError(f"{where}: contains a NUL character")
    return value


def _load_table(name: str, rows: Any, version: int = VERSION) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        raise TransferError(f"tables.{name}: expected a list of rows, got {_type_name(rows)}")
    table = _table(name)
    columns = [(c, _kind(c)) for c in table.columns]
    names = {c.name for c, _k in columns}
    loaded = []
    for i, row in enumerate(rows):
        where = f"tables.{name}[{i}]"
        if not isinstance(row, dict):
            raise TransferError(f"{where}: expected an object, got {_type_name(row)}")
        if version < 2:
            row = {**{c: None for c in names if f"{name}.{c}" in _NEW_IN_2}, **row}
        missing = [c.name for c, _k in columns if c.name not in row]
        if missing:
            raise TransferError(f"{where}: missing {', '.join(repr(m) for m in missing)}")
        unknown = sorted(set(row) - names)
        if unknown:
            raise TransferError(f"{where}: unknown {', '.join(repr(u) for u in unknown)}")
        loaded.append({c.name: _load(k, row[c.name], c, f"{where}.{c.name}") for c, k in columns})
    # What the database would refuse halfway through, refused before anything is written.
    keys = [[c.name for c in table.primary_key.columns]]
    keys += [
        [c.name for c in u.columns] for u in table.constraints if isinstance(u, UniqueConstraint)
    ]
    for key in keys:
        seen: dict[tuple[Any, ...], int] = {}
        for i, row in enumerate(loaded):
            value = tuple(row[k] for k in key)
            if None in value:
                continue
            if value in seen:
                raise TransferError(
                    f"tables.{name}[{i}]: same {', '.join(key)} as tables.{name}[{seen[value]}]"
                )
            seen[value] = i
    return loaded


def validate_state(data: Any) -> Rows:
    """Check a whole document; the rows as Python values, or TransferError."""
    if not isinstance(data, dict):
        raise TransferError(f"expected a JSON object at the top, got {_type_name(data)}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise TransferError(f"missing {', '.join(repr(m) for m in missing)} at the top")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise TransferError(f"unknown {', '.join(repr(u) for u in unknown)} at the top")
    if data["format"] != FORMAT:
        raise TransferError(f"not an oncall-bot export: format is {data['format']!r}")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version not in (1, VERSION):
        raise TransferError(
            f"export format version {version!r} is not supported: "
            f"this oncall-bot reads versions 1 and {VERSION}"
        )
    exported_at = data["exported_at"]
    if not isinstance(exported_at, str):
        raise TransferError(f"exported_at: expected a string, got {_type_name(exported_at)}")
    try:
        if datetime.fromisoformat(exported_at).tzinfo is None:
            raise ValueError
    except ValueError:
        raise TransferError(f"exported_at: '{exported_at[:40]}' is not an ISO instant") from None
    if "revision" in data and not isinstance(data["revision"], str | None):
        raise TransferError(f"revision: expected a string, got {_type_name(data['revision'])}")
    tables = data["tables"]
    if not isinstance(tables, dict):
        raise TransferError(f"tables: expected an object, got {_type_name(tables)}")
    if version < 2:
        tables = {**{t: [] for t in TABLES if t in _NEW_IN_2}, **tables}
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise TransferError(f"tables: missing {', '.join(repr(m) for m in missing)}")
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise TransferError(f"tables: unknown {', '.join(repr(u) for u in unknown)}")
    return {name: _load_table(name, tables[name], version) for name in TABLES}


# --- import -------------------------------------------------------------------------


def _counts(conn: Connection) -> dict[str, int]:
    return {
        name: int(conn.execute(select(func.count()).select_from(_table(name))).scalar_one())
        for name in TABLES
    }


def _reset_sequences(conn: Connection) -> None:
    """After explicit ids on PostgreSQL: the next generated id follows the largest."""
    for name in TABLES:
        table = _table(name)
        col = table.autoincrement_column
        if col is None:
            continue
        following = select(func.coalesce(func.max(col), 0) + 1).scalar_subquery()
        conn.execute(
            select(func.setval(func.pg_get_serial_sequence(table.name, col.name), following, False))
        )


def import_state(store: Store, data: Any, *, replace: bool = False) -> dict[str, int]:
    """Write a document's rows into `store` in one transaction; rows per table.

    Refuses (TransferError, nothing written) a malformed document, and a database
    that already holds state unless `replace`, which first deletes that state.
    """
    rows = validate_state(data)
    with store.write() as s:
        conn = s.connection()
        held = {k: n for k, n in _counts(conn).items() if n}
        if held and not replace:
            detail = ", ".join(f"{n} in {k}" for k, n in sorted(held.items()))
            raise TransferError(
                f"the database already holds state ({detail}): "
                "import into an empty database, or pass --replace to overwrite it"
            )
        for name in reversed(TABLES):
            if held.get(name):
                conn.execute(sql_delete(_table(name)))
        for name in TABLES:
            if rows[name]:
                conn.execute(_table(name).insert(), rows[name])
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
    return {name: len(rows[name]) for name in TABLES}
