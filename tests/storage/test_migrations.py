"""Alembic manages the schema: a fresh database is created at head, the migrations
build exactly the tables of bot/storage/tables.py, an old database keeps every row
through `oncall db upgrade`, and a start on a database that is behind (or ahead)
says exactly what to do, in one line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from racing import race
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.cli import main
from bot.clock import FixedClock
from bot.core.model import SwapStatus
from bot.storage import schema
from bot.storage.store import StorageError, Store
from bot.storage.tables import DeliveryRow

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
BEHIND = (
    "oncall: The database is at revision 0001; this version needs 0003. Run: oncall db upgrade\n"
)
ROWS_0001: dict[str, list[dict[str, Any]]] = {
    "meta": [{"key": "note", "value": "kept"}],
    "planned_week": [
        {"index": 0, "member": "john", "reason": None, "fixed": False, "at": "2026-11-20 10:00:00"},
        {"index": 1, "member": "jill", "reason": "swap #1", "fixed": True, "at": "2026-11-21"},
    ],
    "time_off": [
        {
            "id": 7,
            "member": "jill",
            "start": date(2027, 2, 1),
            "end": date(2027, 2, 5),
            "note": "skiing",
            "by": "jill",
            "at": datetime(2026, 11, 20, 10, 0),
        }
    ],
    "swap_request": [
        {
            "id": 3,
            "requester": "john",
            "counterpart": "james",
            "rw": 4,
            "cw": 5,
            "status": "pending",
            "reason": "wedding",
            "at": datetime(2026, 11, 20, 11, 0),
            "expires": datetime(2026, 12, 28, 14, 0),
            "decided": None,
            "dm_channel": "D1",
            "dm_ts": "1.2",
        }
    ],
    "audit_log": [
        {"id": 9, "at": datetime(2026, 11, 20, 11, 0), "detail": '{"id": 3}'},
    ],
    "announcement": [
        {"id": 2, "kind": "handover", "week": 0, "at": datetime(2026, 11, 30, 14, 0)},
    ],
}


def env_for(tmp_path: Path, url: str, team_config: dict[str, Any]) -> dict[str, str]:
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    return {"ONCALL_CONFIG": str(path), "DATABASE_URL": url}


def run(argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple:
    code = main(argv, clock=FixedClock(NOW), env=env)
    out, err = capsys.readouterr()
    return code, out, err


def differences(url: str) -> list[Any]:
    """What alembic's autogenerate would change to make the database match the tables."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def fill_0001(url: str) -> None:
    """Rows written with plain SQL by a bot at revision 0001: weeks, time off, a swap,
    an audit row, an announcement."""
    engine = create_engine(url)
    r = ROWS_0001
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO meta (key, value) VALUES (:key, :value)"), r["meta"])
            conn.execute(
                text(
                    'INSERT INTO planned_week ("index", member, reason, fixed, updated_at) '
                    "VALUES (:index, :member, :reason, :fixed, :at)"
                ),
                [{**w, "at": datetime.fromisoformat(w["at"])} for w in r["planned_week"]],
            )
            conn.execute(
                text(
                    'INSERT INTO time_off (id, member, start, "end", note, created_by, created_at)'
                    " VALUES (:id, :member, :start, :end, :note, :by, :at)"
                ),
                r["time_off"],
            )
            conn.execute(
                text(
                    "INSERT INTO swap_request (id, requester, counterpart, requester_week, "
                    "counterpart_week, status, reason, created_at, expires_at, decided_at, "
                    "reminders_sent, dm_channel, dm_ts) VALUES (:id, :requester, :counterpart, "
                    ":rw, :cw, :status, :reason, :at, :expires, :decided, 1, :dm_channel, :dm_ts)"
                ),
                r["swap_request"],
            )
            conn.execute(
                text(
                    "INSERT INTO audit_log (id, at, actor, action, detail) "
                    "VALUES (:id, :at, 'john', 'swap_request', :detail)"
                ),
                r["audit_log"],
            )
            conn.execute(
                text(
                    "INSERT INTO announcement (id, kind, week, decided_at, status, channel, ts, "
                    "attempts) VALUES (:id, :kind, :week, :at, 'posted', 'C1', '9.9', 1)"
                ),
                r["announcement"],
            )
    finally:
        engine.dispose()


def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                # the columns revision 0001 had: later revisions add columns, not rows
                name: [
                    tuple(row)[: len(ROWS_0001[name][0])]
                    for row in conn.execute(
                        text(f"SELECT * FROM {name} ORDER BY 1")  # noqa: S608 - our table names
                    )
                ]
                for name in ROWS_0001
            }
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def at_0001(any_db_url: str) -> Iterator[str]:
    """A database migrated to revision 0001 and filled with rows, as an old bot left it."""
    before, after = schema.upgrade(any_db_url, "0001")
    assert (before, after) == (None, "0001")
    fill_0001(any_db_url)
    yield any_db_url


# --- a fresh database ----------------------------------------------------------------------


def test_head_is_the_newest_shipped_revision() -> None:
    assert schema.HEAD == schema.head() == "0003"
    assert (schema.MIGRATIONS / "env.py").is_file()
    assert (schema.MIGRATIONS / "versions" / "__init__.py").is_file()


def test_a_fresh_database_is_created_at_head_without_a_manual_step(any_db_url: str) -> None:
    store = Store(any_db_url)
    assert schema.current_revision(store.engine) is None
    store.create_all()
    assert schema.current_revision(store.engine) == schema.HEAD
    assert tables(any_db_url) == set(SQLModel.metadata.tables) | {"alembic_version"}
    store.create_all()  # a second start: nothing to do
    assert schema.current_revision(store) == schema.HEAD


def test_the_migrations_build_exactly_the_tables(any_db_url: str) -> None:
    assert schema.upgrade(any_db_url) == (None, schema.HEAD)
    assert differences(any_db_url) == []


def _missing(diffs: list[Any]) -> set[str] | None:
    return schema._missing(diffs)


def test_revision_0001_is_the_tables_without_later_additions(any_db_url: str) -> None:
    schema.upgrade(any_db_url, "0001")
    assert _missing(differences(any_db_url)) == {DeliveryRow.__tablename__} | set(
        schema.ADDED_BY["0003"]
    )


def test_revision_0002_is_the_tables_without_0003s(any_db_url: str) -> None:
    schema.upgrade(any_db_url, "0002")
    assert _missing(differences(any_db_url)) == set(schema.ADDED_BY["0003"])


def test_replicas_starting_together_on_an_empty_database_both_start(any_db_url: str) -> None:
    stores = [Store(any_db_url) for _ in range(3)]
    errors = [r for r in race([s.create_all for s in stores]) if isinstance(r, BaseException)]
    assert errors == []
    assert schema.current_revision(stores[0]) == schema.HEAD
    assert differences(any_db_url) == []


# --- an old database ---------------------------------------------------------------------


def test_upgrade_from_0001_keeps_every_row(
    at_0001: str,
    tmp_path: Path,
    team_config: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = every_row(at_0001)
    assert sum(len(rows) for rows in before.values()) == 7
    env = env_for(tmp_path, at_0001, team_config)

    assert run(["db", "current"], env, capsys)[:2] == (
        0,
        "0001 (behind: this version needs 0003; run: oncall db upgrade)\n",
    )
    assert run(["db", "upgrade"], env, capsys) == (
        0,
        "Upgraded the database from revision 0001 to 0003.\n",
        "",
    )
    assert schema.current_revision(Store(at_0001)) == schema.HEAD
    assert every_row(at_0001) == before
    assert differences(at_0001) == []
    assert run(["db", "upgrade"], env, capsys)[:2] == (
        0,
        "The database is already at revision 0003; nothing to do.\n",
    )

    # and the app reads the old rows through its own layer
    code, out, err = run(["who"], env, capsys)
    assert (code, err) == (0, "")
    store = Store(at_0001)
    store.create_all()
    with store.read() as s:
        [off] = store.time_off(s, member="jill")
        [swap] = store.swaps(s, status=SwapStatus.PENDING)
        [audit] = store.audit_log(s)
        assert store.get_meta(s, "note") == "kept"
    assert (off.id, off.start, off.end, off.note) == (
        7,
        date(2027, 2, 1),
        date(2027, 2, 5),
        "skiing",
    )
    assert (swap.id, swap.requester, swap.counterpart_week) == (3, "john", 5)
    assert swap.expires_at == datetime(2026, 12, 28, 14, tzinfo=UTC)
    assert (audit.id, audit.at) == (9, datetime(2026, 11, 20, 11, tzinfo=UTC))
    announced = store.get_announcement("handover", 0)
    assert (announced.status, announced.channel, announced.attempts) == ("posted", "C1", 1)


def test_a_start_on_a_database_behind_says_exactly_what_to_run(
    at_0001: str,
    tmp_path: Path,
    team_config: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = every_row(at_0001)
    env = env_for(tmp_path, at_0001, team_config)
    for argv in (["who"], ["schedule"], ["export"]):
        assert run(argv, env, capsys) == (1, "", BEHIND), argv
    with pytest.raises(StorageError) as raised:
        Store(at_0001).create_all()
    assert f"oncall: {raised.value}\n" == BEHIND
    # refusing changed nothing: still 0001, same rows, no delivery table
    assert schema.current_revision(Store(at_0001)) == "0001"
    assert every_row(at_0001) == before
    assert "delivery" not in tables(at_0001)


def test_a_database_from_a_newer_bot_asks_for_a_newer_bot(
    any_db_url: str,
    tmp_path: Path,
    team_config: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = make_url(any_db_url)
    if url.get_backend_name() == "postgresql":  # trust auth: the password is only shown
        url = url.set(password="s3cret-pw")
    secret_url = url.render_as_string(hide_password=False)
    schema.upgrade(secret_url)
    engine = create_engine(secret_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    env = env_for(tmp_path, secret_url, team_config)
    for argv in (["who"], ["db", "upgrade"]):
        code, out, err = run(argv, env, capsys)
        assert (code, out) == (1, ""), argv
        assert err.startswith("oncall: The database ") and err.count("\n") == 1
        assert "revision 0099" in err and "needs 0003" in err and "Upgrade the bot" in err
        assert "s3cret-pw" not in err
    assert run(["db", "current"], env, capsys)[:2] == (
        0,
        "0099 (newer than this version, which needs 0003: upgrade the bot)\n",
    )


# --- databases made by create_all before migrations existed ------------------------------


def create_all_without_alembic(url: str, *, without: tuple[str, ...] = ()) -> None:
    engine = create_engine(url)
    try:
        keep = [t for t in SQLModel.metadata.sorted_tables if t.name not in without]
        SQLModel.metadata.create_all(engine, tables=keep)
        with engine.begin() as conn:
            for name in without:
                if "." in name:  # a column a later revision added
                    table, column = name.split(".")
                    conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    finally:
        engine.dispose()


def test_a_create_all_database_of_this_version_is_recorded_at_head(db_url: str) -> None:
    create_all_without_alembic(db_url)
    store = Store(db_url)
    store.create_all()
    assert schema.current_revision(store) == schema.HEAD


def test_a_create_all_database_without_delivery_is_0001_and_upgrades(
    db_url: str, tmp_path: Path, team_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    create_all_without_alembic(db_url, without=("delivery", *schema.ADDED_BY["0003"]))
    fill_0001(db_url)
    before = every_row(db_url)
    env = env_for(tmp_path, db_url, team_config)
    assert run(["who"], env, capsys) == (1, "", BEHIND)
    assert run(["db", "upgrade"], env, capsys)[:2] == (
        0,
        "Upgraded the database from revision 0001 to 0003.\n",
    )
    assert every_row(db_url) == before
    assert run(["who"], env, capsys)[0] == 0


def test_unrecognised_tables_are_refused_not_touched(
    db_url: str, tmp_path: Path, team_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY)"))  # no value column
    engine.dispose()
    env = env_for(tmp_path, db_url, team_config)
    for argv in (["who"], ["db", "upgrade"]):
        code, out, err = run(argv, env, capsys)
        assert (code, out) == (1, "") and err.count("\n") == 1, argv
        assert "match no revision" in err and "meta" in err
    assert tables(db_url) == {"meta"}


def test_db_current_on_an_empty_database(
    db_url: str, tmp_path: Path, team_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    Store(db_url).engine.dispose()  # an empty database (a new file on SQLite)
    env = env_for(tmp_path, db_url, team_config)
    assert run(["db", "current"], env, capsys) == (
        0,
        "none: the database is empty; oncall db upgrade creates revision 0003\n",
        "",
    )
    assert run(["db", "upgrade"], env, capsys)[:2] == (
        0,
        "Upgraded the database from revision (empty) to 0003.\n",
    )
    assert run(["db", "current"], env, capsys)[:2] == (0, "0003 (head: up to date)\n")
    code, _out, err = run(["db"], env, capsys)
    assert code == 2 and err.startswith("oncall: ") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["db", "current"], ["export"]])
def test_reading_a_missing_database_creates_no_file(
    argv: list[str],
    tmp_path: Path,
    team_config: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "missing.db"
    code, out, err = run(argv, env_for(tmp_path, f"sqlite:///{path}", team_config), capsys)
    assert not path.exists()
    if argv == ["export"]:
        assert (code, out) == (1, "")
        assert err.startswith(f"oncall: there is no database at {path} ") and err.count("\n") == 1
    else:
        assert (code, out) == (
            0,
            f"none: there is no database at {path}; oncall db upgrade creates it\n",
        )
