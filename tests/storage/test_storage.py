"""Storage: one transaction per change with an audit row, a private SQLite file,
UTC instants, and nothing half-written when an operation fails."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import StatementError
from stored import audits

from bot.clock import FixedClock
from bot.core.errors import Refusal
from bot.core.model import Assignment, Member, SwapStatus, Team, TimeOff
from bot.core.weeks import week
from bot.service import OnCallService
from bot.storage.store import StorageError, Store
from bot.storage.tables import WeekRow


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def dump(url: str) -> list[str]:
    """Every row of every table, as SQL text (schema included)."""
    con = sqlite3.connect(db_path(url))
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# --- the file ---------------------------------------------------------------------------


def test_sqlite_file_is_created_owner_only(tmp_path: Path, umask_zero: None) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    store = Store(url)
    store.create_all()
    mode = stat.S_IMODE(os.stat(tmp_path / "x.db").st_mode)
    assert mode == 0o600, oct(mode)
    # and it is a working database
    with store.write() as s:
        store.set_meta(s, "k", "v")
    with store.read() as s:
        assert store.get_meta(s, "k") == "v"


def test_an_existing_file_is_reused_not_recreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    first = Store(url)
    first.create_all()
    with first.write() as s:
        first.set_meta(s, "k", "v1")
    second = Store(url)
    second.create_all()
    with second.read() as s:
        assert second.get_meta(s, "k") == "v1"


def test_a_bad_database_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        Store("not a url at all")


def test_a_sqlite_path_in_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        Store(f"sqlite:///{tmp_path}/no/such/dir/x.db").create_all()


# --- audit rows: who, what, when --------------------------------------------------------


def test_every_change_writes_one_audit_row(service: OnCallService, clock: FixedClock) -> None:
    start = len(audits(service))
    steps: list[tuple[Callable[[], object], str, str]] = [
        (
            lambda: service.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 2)),
            "jill",
            "time_off",
        ),
        (lambda: service.request_swap("john", "james", 4, 5), "john", "swap_request"),
        (lambda: service.accept_swap("james", 1), "james", "swap_accept"),
        (lambda: service.request_swap("jill", "davis", 6, 7), "jill", "swap_request"),
        (lambda: service.decide_swap("davis", 2, SwapStatus.DECLINED), "davis", "swap_declined"),
        (lambda: service.request_swap("jill", "davis", 10, 11), "jill", "swap_request"),
        (lambda: service.decide_swap("jill", 3, SwapStatus.CANCELLED), "jill", "swap_cancelled"),
    ]
    for i, (step, actor, action) in enumerate(steps, start=1):
        clock.advance(timedelta(minutes=1))
        step()
        rows = audits(service)
        assert len(rows) == start + i, action
        row = rows[-1]
        assert (row.actor, row.action, row.at) == (actor, action, clock.now())
        assert row.at.tzinfo is not None
        assert isinstance(json.loads(row.detail), dict)


def test_audit_detail_says_what_changed(service: OnCallService) -> None:
    service.request_time_off("john", "davis", date(2027, 2, 1), date(2027, 2, 2), note="dentist")
    row = audits(service)[-1]
    detail = json.loads(row.detail)
    assert (row.actor, detail["member"]) == ("john", "davis")
    assert (detail["start"], detail["end"], detail["note"]) == (
        "2027-02-01",
        "2027-02-02",
        "dentist",
    )
    req = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", req.id)
    detail = json.loads(audits(service)[-1].detail)
    assert detail == {"id": req.id, "weeks": {"4": "james", "5": "john"}}


def test_the_audit_log_reads_newest_first(service: OnCallService) -> None:
    service.request_swap("john", "james", 4, 5)
    service.request_swap("jill", "davis", 6, 7)
    with service.store.read() as s:
        log = service.store.audit_log(s, limit=2)
    assert [json.loads(r.detail)["id"] for r in log] == [2, 1]


# --- a failed operation leaves the database unchanged ------------------------------------


def test_refusals_leave_the_database_byte_for_byte_unchanged(
    service: OnCallService, db_url: str
) -> None:
    req = service.request_swap("john", "james", 4, 5)
    service.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 3))
    before = dump(db_url)
    refused = [
        lambda: service.request_time_off("jill", "jill", date(2026, 12, 2), date(2026, 12, 3)),
        lambda: service.request_time_off("jill", "jill", date(2027, 3, 2), date(2027, 3, 1)),
        lambda: service.request_time_off("jill", "jill", date(2027, 2, 2), date(2027, 2, 2)),
        lambda: service.request_time_off("jill", "davis", date(2027, 3, 1), date(2027, 3, 2)),
        lambda: service.request_swap("john", "james", 4, 5),  # already asked
        lambda: service.request_swap("john", "john", 8, 12),
        lambda: service.request_swap("james", "jill", 4, 6),  # not james's week
        lambda: service.accept_swap("jill", req.id),  # not the counterpart
        lambda: service.decide_swap("james", req.id, SwapStatus.CANCELLED),
    ]
    for i, attempt in enumerate(refused):
        with pytest.raises(Refusal):
            attempt()
        assert dump(db_url) == before, i


def test_second_accept_leaves_the_database_unchanged(service: OnCallService, db_url: str) -> None:
    req = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", req.id)
    before = dump(db_url)
    with pytest.raises(Refusal):
        service.accept_swap("james", req.id)
    assert dump(db_url) == before


def test_an_error_midway_through_a_write_rolls_everything_back(
    service: OnCallService, db_url: str
) -> None:
    before = dump(db_url)
    now = service.now()
    with pytest.raises(RuntimeError), service.store.write() as s:
        service.store.put_weeks(s, [Assignment(3, "john", "x", True)], now)
        service.store.replace_time_off(
            s, TimeOff("jill", date(2027, 1, 1), date(2027, 1, 2)), (), "jill", now
        )
        service.store.add_swap(s, "john", "james", 4, 5, now, now)
        service.store.audit(s, now, "john", "half")
        raise RuntimeError("crash after the writes")
    assert dump(db_url) == before


def test_a_merge_is_one_transaction(service: OnCallService) -> None:
    service.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 3))
    service.request_time_off("jill", "jill", date(2027, 2, 6), date(2027, 2, 8))
    n = len(audits(service))
    service.request_time_off("jill", "jill", date(2027, 2, 3), date(2027, 2, 6))
    ranges = [(t.start, t.end) for t in service.time_off_of("jill")]
    assert ranges == [(date(2027, 2, 1), date(2027, 2, 8))]
    assert len(audits(service)) == n + 1
    assert len(json.loads(audits(service)[-1].detail)["merged"]) == 2


# --- instants are UTC --------------------------------------------------------------------


def test_instants_are_stored_as_naive_utc_and_read_back_aware(
    service: OnCallService, db_url: str, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 1, 10, 30, tzinfo=service.team.timezone))  # 15:30 UTC
    req = service.request_swap("john", "james", 4, 5)
    con = sqlite3.connect(db_path(db_url))
    try:
        created, expires = con.execute(
            "SELECT created_at, expires_at FROM swap_request WHERE id = ?", (req.id,)
        ).fetchone()
    finally:
        con.close()
    assert created.startswith("2026-12-01 15:30:00")
    assert expires.startswith("2026-12-28 14:00:00")  # 09:00 EST
    got = service.swap(req.id)
    assert got.created_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert got.created_at.tzinfo is UTC
    assert got.expires_at == week(service.team, 4).start


def test_a_naive_datetime_is_refused_by_the_database_layer(service: OnCallService) -> None:
    with pytest.raises(StatementError, match="naive"), service.store.write() as s:
        service.store.audit(s, datetime(2026, 12, 1, 12), "john", "x")
        s.flush()


# --- plan rows ----------------------------------------------------------------------------


def test_put_weeks_updates_in_place_and_drop_keeps_fixed(service: OnCallService) -> None:
    now = service.now()
    with service.store.write() as s:
        service.store.put_weeks(s, [Assignment(10, "davis", "swap", True)], now)
        service.store.put_weeks(s, [Assignment(10, "john", "cover", True)], now)
    with service.store.read() as s:
        assert service.store.plan(s, 10, 10) == {10: Assignment(10, "john", "cover", True)}
        total = len(service.store.plan(s, 0, 10_000))
    with service.store.write() as s:
        dropped = service.store.drop_unfixed_weeks_from(s, 8)
    with service.store.read() as s:
        left = service.store.plan(s, 0, 10_000)
        assert service.store.last_planned(s) == 10
    assert dropped == total - 8 - 1
    assert sorted(left) == [*range(8), 10]


def test_week_index_is_unique(service: OnCallService, db_url: str) -> None:
    con = sqlite3.connect(db_path(db_url))
    try:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(
                f'INSERT INTO {WeekRow.__tablename__} ("index", member, fixed, updated_at) '
                "VALUES (0, 'x', 0, '2026-01-01 00:00:00')"
            )
    finally:
        con.close()


def test_swap_rows_round_trip(service: OnCallService) -> None:
    now = service.now()
    with service.store.write() as s:
        req = service.store.add_swap(s, "jill", "john", 6, None, now + timedelta(days=1), now, "r")
    with service.store.read() as s:
        assert service.store.swap_message(s, req.id) is None
        got = service.store.swap(s, req.id)
        assert service.store.swaps(s, member="john") == [got]
        assert service.store.swaps(s, member="davis") == []
        assert service.store.swaps(s, status=SwapStatus.ACCEPTED) == []
    assert got.is_cover and got.status is SwapStatus.PENDING and got.reason == "r"
    service.set_swap_message(req.id, "D0001", "1700000000.000100")
    assert service.swap_message(req.id) == ("D0001", "1700000000.000100")


def test_separate_stores_on_one_file_see_each_others_commits(
    team: Team, make_service: Callable[..., OnCallService]
) -> None:
    a = make_service(team)
    b = make_service(team, sync=False)
    a.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 2))
    assert [t.start for t in b.time_off_of("jill")] == [date(2027, 2, 1)]


def test_a_reminder_is_claimed_once_and_never_for_a_decided_request(
    service: OnCallService,
) -> None:
    req = service.request_swap("john", "james", 4, 5)
    assert not service.claim_swap_reminder(req.id, 0)  # nothing due yet
    assert service.claim_swap_reminder(req.id, 1)
    assert not service.claim_swap_reminder(req.id, 1)
    assert service.claim_swap_reminder(req.id, 2)
    other = service.request_swap("jill", "davis", 6, 7)
    service.decide_swap("davis", other.id, SwapStatus.DECLINED)
    assert not service.claim_swap_reminder(other.id, 1)
    assert not service.claim_swap_reminder(999, 1)


def test_a_delivery_key_is_new_once_and_old_keys_are_pruned(service: OnCallService) -> None:
    store, now = service.store, service.now()
    assert store.record_delivery("event:Ev1", now, None)
    assert not store.record_delivery("event:Ev1", now, None)
    later = now + timedelta(days=2)
    assert store.record_delivery("event:Ev2", later, prune_before=later - timedelta(days=1))
    assert store.record_delivery("event:Ev1", later, None)  # pruned, so new again


# --- members: the people history names ----------------------------------------------------


def test_record_members_remembers_who_left_and_writes_only_on_change(db_url: str) -> None:
    store = Store(db_url)
    store.create_all()
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    john, jill = Member("john", "John", "U1"), Member("jill", "Jill", "U3")
    with store.write() as s:
        first = store.record_members(s, (john, jill), now)
    assert (first.former, first.removed_now) == ((), ())
    with store.write() as s:
        left = store.record_members(s, (jill,), now + timedelta(days=7))
    assert (left.former, left.removed_now) == ((john,), ("john",))
    before = dump(db_url)
    with store.write() as s:
        again = store.record_members(s, (jill,), now + timedelta(days=14))
    assert (again.former, again.removed_now) == ((john,), ())
    assert dump(db_url) == before  # nothing changed, nothing written
    with store.write() as s:
        back = store.record_members(s, (Member("john", "John Smith", "U1"), jill), now)
    assert back.former == ()
