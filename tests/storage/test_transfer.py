"""`oncall export` / `oncall import`: all state as JSON and back, between any two
databases (SQLite and PostgreSQL), with nothing written unless the whole document
is right and the target is empty (or --replace is given)."""

from __future__ import annotations

import copy
import io
import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE_CONFIG, DEFAULT_NOW
from sqlmodel import SQLModel

import bot.storage.transfer as transfer
from bot.cli import main
from bot.clock import FixedClock
from bot.config import parse_config
from bot.core.model import SwapStatus, Team
from bot.service import OnCallService
from bot.storage.store import Store
from bot.storage.tables import DeliveryRow
from bot.storage.transfer import TABLES, TransferError, export_state, import_state, validate_state

EXPORTED_AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def populate(service: OnCallService, clock: FixedClock) -> None:
    """A little of everything: weeks (synced), time off, swaps in every state, audit rows,
    announcements, meta, odd text, sub-second instants, and a delivery (not exported)."""
    clock.advance(timedelta(seconds=1.234567))
    service.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 3), note='Zoë ⛷️ "x"')
    service.request_time_off("john", "davis", date(2027, 3, 1), date(2027, 3, 2))
    accepted = service.request_swap("john", "james", 4, 5, reason="wedding")
    service.accept_swap("james", accepted.id)
    declined = service.request_swap("jill", "davis", 6, 7)
    service.decide_swap("davis", declined.id, SwapStatus.DECLINED)
    pending = service.request_swap("jill", "john", 10, cover=True)
    service.set_swap_message(pending.id, "D0001", "1700000000.000100")
    store, now = service.store, service.now()
    assert store.claim_announcement("handover", 0, now)
    store.renew_announcement("handover", 0, now, status="posted", channel="C1", ts="1.5")
    assert store.claim_announcement("heads_up", 1, now)
    with store.write() as s:
        store.set_meta(s, "multi\nline", "a\tb\n{}")
        s.add(DeliveryRow(key="event:Ev1", at=now))


@pytest.fixture
def source(
    make_service: Callable[..., OnCallService], team: Team, any_db_url: str, clock: FixedClock
) -> OnCallService:
    """A populated service on SQLite, then on PostgreSQL."""
    service = make_service(team, url=any_db_url)
    populate(service, clock)
    return service


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory) -> OnCallService:
    """One populated SQLite service for the tests that only read it (planning is slow)."""
    folder = tmp_path_factory.mktemp("source")
    clock = FixedClock(DEFAULT_NOW)
    service = OnCallService(
        parse_config(copy.deepcopy(BASE_CONFIG), folder),
        empty_store(f"sqlite:///{folder}/source.db"),
        clock,
    )
    service.sync_plan()
    populate(service, clock)
    return service


@pytest.fixture
def document(sqlite_source: OnCallService) -> dict[str, Any]:
    return snapshot(sqlite_source.store)


def holding(url: str, doc: dict[str, Any]) -> Store:
    """A database that already holds state: the document's."""
    store = empty_store(url)
    import_state(store, doc)
    return store


def empty_store(url: str) -> Store:
    store = Store(url)
    store.create_all()
    return store


def snapshot(store: Store) -> dict[str, Any]:
    return export_state(store, EXPORTED_AT)


def is_empty(store: Store) -> bool:
    return all(rows == [] for rows in snapshot(store)["tables"].values())


# --- the document ---------------------------------------------------------------------


def test_every_table_is_exported_or_deliberately_left_out() -> None:
    assert set(TABLES) | set(transfer.NOT_EXPORTED) == set(SQLModel.metadata.tables)
    assert not set(TABLES) & set(transfer.NOT_EXPORTED)


def test_the_export_holds_every_row_in_order_as_plain_json(source: OnCallService) -> None:
    doc = snapshot(source.store)
    assert json.loads(json.dumps(doc)) == doc
    assert (doc["format"], doc["version"], doc["revision"]) == ("oncall-bot-state", 2, "0003")
    assert doc["exported_at"] == "2026-12-02T09:30:00+00:00"
    tables = doc["tables"]
    assert list(tables) == list(TABLES) and "delivery" not in tables
    assert [len(tables[t]) for t in ("time_off", "swap_request", "announcement")] == [2, 3, 2]
    assert len(tables["audit_log"]) >= 7 and len(tables["planned_week"]) > 20
    assert [r["index"] for r in tables["planned_week"]] == sorted(
        r["index"] for r in tables["planned_week"]
    )
    off = tables["time_off"][0]
    assert (off["start"], off["end"], off["note"]) == ("2027-02-01", "2027-02-03", 'Zoë ⛷️ "x"')
    assert off["created_at"] == "2026-12-01T15:00:01.234567+00:00"
    swaps = {r["status"]: r for r in tables["swap_request"]}
    assert swaps["pending"]["counterpart_week"] is None and swaps["pending"]["decided_at"] is None
    assert swaps["pending"]["dm_ts"] == "1700000000.000100"
    assert swaps["accepted"]["decided_at"] == off["created_at"]
    assert snapshot(source.store) == doc  # deterministic


def test_export_needs_an_aware_now(sqlite_source: OnCallService) -> None:
    with pytest.raises(ValueError, match="naive"):
        export_state(sqlite_source.store, datetime(2026, 12, 2, 9, 30))


# --- round trips ----------------------------------------------------------------------


def check_round_trip(source: OnCallService, target_url: str) -> OnCallService:
    doc = snapshot(source.store)
    target = empty_store(target_url)
    counts = import_state(target, json.loads(json.dumps(doc)))
    assert counts == {t: len(doc["tables"][t]) for t in TABLES}
    again = snapshot(target)
    assert again == doc
    assert json.dumps(again, indent=2) == json.dumps(doc, indent=2)
    moved = OnCallService(source.team, target, source.clock)
    assert moved.sync_plan() == []  # same fingerprint: nothing to re-plan
    assert snapshot(target) == doc
    assert moved.who() == source.who()
    assert moved.time_off_of() == source.time_off_of()
    assert moved.pending_swaps() == source.pending_swaps()
    # New rows get new ids after the imported ones (PostgreSQL's sequences are reset).
    newest = max(r["id"] for r in doc["tables"]["swap_request"])
    assert moved.request_swap("davis", "jill", 11, 14).id == newest + 1
    return moved


def test_round_trip_into_an_empty_sqlite_database(source: OnCallService, tmp_path: Path) -> None:
    check_round_trip(source, f"sqlite:///{tmp_path}/copy.db")


def test_round_trip_from_sqlite_into_any_database(
    sqlite_source: OnCallService, any_db_url: str
) -> None:
    check_round_trip(sqlite_source, any_db_url)


def test_replace_overwrites_a_database_that_holds_state(
    document: dict[str, Any], any_db_url: str, team: Team, clock: FixedClock
) -> None:
    target = empty_store(any_db_url)
    other = OnCallService(team, target, clock)
    other.sync_plan()
    other.request_time_off("davis", "davis", date(2027, 5, 3), date(2027, 5, 4))
    with target.write() as s:
        s.add(DeliveryRow(key="event:kept", at=clock.now()))
    held = snapshot(target)
    with pytest.raises(TransferError, match="already holds state .*--replace"):
        import_state(target, document)
    assert snapshot(target) == held
    import_state(target, document, replace=True)
    assert snapshot(target) == document
    with target.read() as s:
        assert s.get(DeliveryRow, "event:kept") is not None  # delivery is not state


# --- refusals leave the target unchanged -------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    """A mutation of the document: set (or with value=KeyError, delete) a dotted path."""

    def mutate(doc: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        node: Any = doc
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        key: Any = int(last) if isinstance(node, list) else last
        if value is KeyError:
            del node[key]
        else:
            node[key] = value
        return doc

    return mutate


def _dup(table: str, row: int = 0) -> Callable[[dict[str, Any]], Any]:
    def mutate(doc: dict[str, Any]) -> Any:
        rows = doc["tables"][table]
        rows.append(copy.deepcopy(rows[row]))
        return doc

    return mutate


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "not an object": (lambda d: [d], "expected a JSON object at the top, got a list"),
    "no format": (_set("format", KeyError), "missing 'format'"),
    "no tables": (_set("tables", KeyError), "missing 'tables'"),
    "unknown top key": (_set("extra", 1), "unknown 'extra' at the top"),
    "other format": (_set("format", "something-else"), "not an oncall-bot export"),
    "version 3": (_set("version", 3), "format version 3 is not supported"),
    "version as text": (_set("version", "1"), "format version '1' is not supported"),
    "version true": (_set("version", True), "format version True is not supported"),
    "naive exported_at": (_set("exported_at", "2026-12-02T09:30:00"), "not an ISO instant"),
    "tables a list": (_set("tables", []), "tables: expected an object, got a list"),
    "missing table": (_set("tables.time_off", KeyError), "tables: missing 'time_off'"),
    "unknown table": (_set("tables.delivery", []), "tables: unknown 'delivery'"),
    "rows an object": (_set("tables.meta", {}), "tables.meta: expected a list of rows"),
    "row a list": (_set("tables.meta.0", ["k", "v"]), r"tables.meta\[0\]: expected an object"),
    "missing column": (_set("tables.time_off.0.end", KeyError), r"time_off\[0\]: missing 'end'"),
    "unknown column": (_set("tables.time_off.0.why", "x"), r"time_off\[0\]: unknown 'why'"),
    "text for an integer": (
        _set("tables.swap_request.0.requester_week", "4"),
        r"swap_request\[0\].requester_week: expected an integer, got a string",
    ),
    "bool for an integer": (
        _set("tables.announcement.0.attempts", True),
        "attempts: expected an integer, got true/false",
    ),
    "huge integer": (_set("tables.planned_week.0.index", 2**40), "out of range"),
    "integer for a bool": (
        _set("tables.planned_week.0.fixed", 0),
        "fixed: expected true or false, got int",
    ),
    "number for text": (_set("tables.meta.0.value", 3.5), "value: expected a string, got float"),
    "null where required": (_set("tables.audit_log.0.actor", None), "actor: must not be null"),
    "bad date": (_set("tables.time_off.0.start", "2027-02-30"), "is not a date like"),
    "non-ISO date": (_set("tables.time_off.0.start", "20270201"), "is not a date like"),
    "naive instant": (
        _set("tables.audit_log.0.at", "2026-12-01T15:00:00"),
        "at: '2026-12-01T15:00:00' is not an instant",
    ),
    "too long": (_set("tables.time_off.0.member", "x" * 65), "longer than 64 characters"),
    "NUL in text": (_set("tables.audit_log.0.detail", "a\x00b"), "detail: contains a NUL"),
    "same id twice": (_dup("swap_request"), r"swap_request\[3\]: same id as .*\[0\]"),
    "same kind and week": (
        _set("tables.announcement.1.kind", "handover"),
        r"announcement\[1\]: same kind, week",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_document_is_refused_and_nothing_changes(
    case: str, document: dict[str, Any], tmp_path: Path
) -> None:
    mutate, message = MALFORMED[case]
    bad = mutate(copy.deepcopy(document))
    if case == "same kind and week":
        bad["tables"]["announcement"][1]["week"] = 0
    empty = empty_store(f"sqlite:///{tmp_path}/empty.db")
    held = holding(f"sqlite:///{tmp_path}/held.db", document)
    with pytest.raises(TransferError, match=message):
        import_state(empty, bad)
    with pytest.raises(TransferError, match=message):
        import_state(held, bad, replace=True)  # checked before the old state is deleted
    assert is_empty(empty)
    assert snapshot(held) == document
    with pytest.raises(TransferError, match=message):
        validate_state(bad)


def test_a_database_error_midway_rolls_the_whole_import_back(
    document: dict[str, Any], tmp_path: Path, team: Team, clock: FixedClock, monkeypatch
) -> None:
    rows = validate_state(document)
    rows["audit_log"].append(dict(rows["audit_log"][0]))  # a duplicate the checks would catch
    monkeypatch.setattr(transfer, "validate_state", lambda _data: rows)
    held = empty_store(f"sqlite:///{tmp_path}/held.db")
    OnCallService(team, held, clock).sync_plan()
    before = snapshot(held)
    with pytest.raises(Exception, match="(?i)unique|integrity"):
        import_state(held, document, replace=True)  # deletes, inserts some tables, then fails
    assert snapshot(held) == before


# --- the command line --------------------------------------------------------------------


def cli(
    argv: list[str], url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> tuple[int, str, str]:
    config = tmp_path / "oncall.yml"
    if not config.exists():
        config.write_text(yaml.safe_dump(BASE_CONFIG))
    env = {"DATABASE_URL": url, "ONCALL_CONFIG": str(config)}
    code = main(argv, clock=FixedClock(EXPORTED_AT), env=env)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_round_trip_through_files(
    sqlite_source: OnCallService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    target = f"sqlite:///{tmp_path}/copy.db"
    code, out, err = cli(["export", "-o", str(first)], sqlite_source.store.url, capsys, tmp_path)
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {first}: ") and out.count("\n") == 1
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    code, out, err = cli(["import", str(first)], target, capsys, tmp_path)
    assert (code, err) == (0, "")
    assert out.startswith("imported ") and f"into {target}" in out
    assert cli(["export", "--output", str(second)], target, capsys, tmp_path)[0] == 0
    assert first.read_text() == second.read_text()
    assert json.loads(first.read_text()) == snapshot(sqlite_source.store)
    # standard output by default, and '-' reads standard input
    code, out, err = cli(["export"], target, capsys, tmp_path)
    assert (code, err) == (0, "") and out == first.read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO(out))
    piped = f"sqlite:///{tmp_path}/piped.db"
    assert cli(["import", "-"], piped, capsys, tmp_path)[0] == 0
    assert snapshot(Store(piped)) == json.loads(out)


def test_cli_import_refusals_are_one_line_and_change_nothing(
    sqlite_source: OnCallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    assert cli(["export", "-o", str(good)], sqlite_source.store.url, capsys, tmp_path)[0] == 0
    doc = json.loads(good.read_text())
    target = f"sqlite:///{tmp_path}/copy.db"
    files = {
        "truncated.json": good.read_text()[:200],
        "version.json": json.dumps({**doc, "version": 9}),
        "types.json": json.dumps(_set("tables.time_off.0.id", "7")(copy.deepcopy(doc))),
        "binary.json": None,
    }
    expected = {
        "truncated.json": "is not valid JSON (",
        "version.json": "format version 9 is not supported",
        "types.json": "tables.time_off[0].id: expected an integer",
        "binary.json": "is not UTF-8 text",
        "missing.json": "cannot read",
    }
    for name, text in files.items():
        if text is None:
            (tmp_path / name).write_bytes(b"\xff\xfe\x00{")
        else:
            (tmp_path / name).write_text(text)
    for name, message in expected.items():
        code, out, err = cli(["import", str(tmp_path / name)], target, capsys, tmp_path)
        assert (code, out) == (2, ""), name
        assert err.startswith("oncall: ") and err.count("\n") == 1, err
        assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "copy.db").exists()  # refused before the database was opened

    assert cli(["import", str(good)], target, capsys, tmp_path)[0] == 0
    before = snapshot(Store(target))
    code, out, err = cli(["import", str(good)], target, capsys, tmp_path)
    assert (code, out) == (2, "") and "pass --replace" in err and err.count("\n") == 1
    assert snapshot(Store(target)) == before
    assert cli(["import", "--replace", str(good)], target, capsys, tmp_path)[0] == 0
    assert snapshot(Store(target)) == before


def test_a_version_1_export_is_still_imported(document: dict[str, Any], tmp_path: Path) -> None:
    """An export of an older oncall-bot (format 1, schema 0002) has no table or column that
    revision 0003 added: they are read as empty and null, every other row as it was."""
    old = copy.deepcopy(document)
    old["version"], old["revision"] = 1, "0002"
    for name in transfer._NEW_IN_2:
        if "." in name:
            table, column = name.split(".")
            for row in old["tables"][table]:
                del row[column]
        else:
            del old["tables"][name]
    store = empty_store(f"sqlite:///{tmp_path}/from-v1.db")
    import_state(store, old)
    tables = snapshot(store)["tables"]
    for name, rows in old["tables"].items():
        new_columns = {n.split(".")[1] for n in transfer._NEW_IN_2 if n.startswith(f"{name}.")}
        assert [{k: v for k, v in r.items() if k not in new_columns} for r in tables[name]] == rows
        assert all(r[c] is None for r in tables[name] for c in new_columns)
    assert all(tables[t] == [] for t in transfer._NEW_IN_2 if "." not in t)
    assert old["tables"]["swap_request"], "the document has swap rows to check"
