"""The key storage behaviours on both databases: SQLite and a real PostgreSQL server.

Each test runs twice through `any_db_url` (tests/conftest.py): on a SQLite file and on
a fresh database of the session's throwaway PostgreSQL server (tests/pg.py). The
concurrency tests use separate Store/OnCallService objects per thread, as two
replicas would: only the database's write lock keeps them apart.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fakeslack import FakeSlack
from pg import PgServer
from racing import race
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import select
from stored import audits, plan_of

from bot.clock import FixedClock
from bot.core.errors import Refusal
from bot.core.model import Assignment, SwapStatus, Team, TimeOff
from bot.core.weeks import week
from bot.scheduler.announcer import HANDOVER, Announcer
from bot.service import OnCallService
from bot.slack.client import make_client
from bot.slack.notifier import Notifier
from bot.storage.engine import reason
from bot.storage.store import StorageError, Store
from bot.storage.tables import TimeOffRow

ORDER = ("john", "james", "jill", "davis")  # with the conftest clock, week k is ORDER[k % 4]


@pytest.fixture
def new_service(
    make_service: Callable[..., OnCallService], team: Team, any_db_url: str, clock: FixedClock
) -> Callable[..., OnCallService]:
    """Another OnCallService on its own Store and engine, on the test's database."""

    def _new(sync: bool = False) -> OnCallService:
        return make_service(team, clock=clock, url=any_db_url, sync=sync)

    return _new


@pytest.fixture
def svc(new_service: Callable[..., OnCallService]) -> OnCallService:
    return new_service(sync=True)


def ranges(service: OnCallService, member: str) -> list[tuple[date, date]]:
    with service.store.read() as s:
        rows = s.exec(select(TimeOffRow).where(TimeOffRow.member == member))
        return sorted((r.start, r.end) for r in rows)


# --- the database ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "dbname", "said"),
    [
        ("postgres", "nope", 'database "nope" does not exist'),
        ("nobody", "postgres", 'role "nobody" does not exist'),
    ],
)
def test_a_database_that_cannot_be_opened_says_what_the_server_said(
    pg_server: PgServer, user: str, dbname: str, said: str
) -> None:
    """Issue 12, item 12: the server's reason, not just `OperationalError`; no password."""
    password = "SECRETpgpassword"
    url = f"postgresql+psycopg://{user}:{password}@127.0.0.1:{pg_server.port}/{dbname}"
    with pytest.raises(StorageError) as info:
        Store(url).create_all()
    assert str(info.value) == (
        f"cannot open the database postgresql+psycopg://{user}:***@127.0.0.1:"
        f"{pg_server.port}/{dbname}: {said}"
    )


def test_a_server_that_is_not_there_says_so() -> None:
    url = "postgresql+psycopg://oncall:SECRETpgpassword@127.0.0.1:1/oncall"
    with pytest.raises(StorageError) as info:
        Store(url).create_all()
    message = str(info.value)
    assert message.startswith("cannot open the database postgresql+psycopg://oncall:***@")
    assert "Connection refused" in message and "SECRETpgpassword" not in message
    assert "\n" not in message


def test_a_password_the_driver_repeats_is_masked() -> None:
    url = "postgresql+psycopg://oncall:p%40ssw0rd@db/oncall"
    said = reason(RuntimeError("FATAL:  password p@ssw0rd (p%40ssw0rd) rejected"), url)
    assert said == "password *** (***) rejected"


def test_the_dialect_is_the_one_asked_for(svc: OnCallService, any_db_url: str) -> None:
    expected = "postgresql" if any_db_url.startswith("postgresql") else "sqlite"
    assert svc.store.engine.dialect.name == expected
    assert svc.store.is_sqlite == (expected == "sqlite")


def test_a_write_holds_the_lock_until_it_commits(
    svc: OnCallService, new_service: Callable[..., OnCallService]
) -> None:
    """A second writer waits for the first: the write lock, on either database."""
    other = new_service()
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with svc.store.write() as s:
            svc.store.set_meta(s, "who", "first")
            inside.set()
            release.wait(10)
            order.append("first commits")

    def second() -> None:
        inside.wait(10)
        with other.store.write() as s:
            other.store.set_meta(s, "who", "second")  # SQLite locks at the first statement
            order.append("second writes")

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    b.join(0.5)
    assert b.is_alive(), "the second writer did not wait for the lock"
    release.set()
    a.join(10)
    b.join(10)
    assert order == ["first commits", "second writes"]
    with other.store.read() as s:
        assert other.store.get_meta(s, "who") == "second"


def test_an_error_midway_through_a_write_rolls_everything_back(svc: OnCallService) -> None:
    now = svc.now()
    before = (plan_of(svc), ranges(svc, "jill"), len(audits(svc)))
    with pytest.raises(RuntimeError), svc.store.write() as s:
        svc.store.put_weeks(s, [Assignment(3, "john", "x", True)], now)
        svc.store.replace_time_off(
            s, TimeOff("jill", date(2027, 1, 1), date(2027, 1, 2)), (), "jill", now
        )
        svc.store.audit(s, now, "john", "half")
        raise RuntimeError("crash after the writes")
    assert (plan_of(svc), ranges(svc, "jill"), len(audits(svc))) == before


def test_instants_round_trip_as_aware_utc(svc: OnCallService, clock: FixedClock) -> None:
    clock.set(datetime(2026, 12, 1, 10, 30, tzinfo=svc.team.timezone))  # 15:30 UTC
    req = svc.request_swap("john", "james", 4, 5)
    with svc.store.read() as s:
        raw = s.connection().execute(
            text("SELECT created_at FROM swap_request WHERE id = :i"), {"i": req.id}
        )
        stored = raw.scalar_one()
    stored = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    assert stored.replace(tzinfo=None) == datetime(2026, 12, 1, 15, 30)
    got = svc.swap(req.id)
    assert got is not None
    assert got.created_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert got.expires_at == week(svc.team, 4).start
    with pytest.raises(StatementError, match="naive"), svc.store.write() as s:
        svc.store.audit(s, datetime(2026, 12, 1, 12), "john", "x")
        s.flush()


# --- the plan -------------------------------------------------------------------------


def test_sync_plan_and_schedule(svc: OnCallService, new_service: Callable[..., OnCallService]):
    weeks = svc.schedule(count=8)
    assert [w.member for w in weeks] == [ORDER[k % 4] for k in range(8)]
    assert [w.backup for w in weeks] == [ORDER[(k + 1) % 4] for k in range(8)]
    with svc.store.read() as s:
        last = svc.store.last_planned(s)
    assert last is not None and last >= svc.team.plan_weeks - 1  # weeks 0..N-1
    before = plan_of(svc, 0, 1000)
    again = new_service()  # a restart, or a second replica, on the same database
    assert again.sync_plan() == []
    assert plan_of(again, 0, 1000) == before
    assert again.who(week(svc.team, 5).start + timedelta(hours=1)).on_call == "james"


def test_two_replicas_syncing_at_once_plan_each_week_once(
    new_service: Callable[..., OnCallService],
) -> None:
    replicas = [new_service() for _ in range(3)]
    results = race([r.sync_plan for r in replicas])
    assert all(isinstance(r, list) for r in results), results
    plan = plan_of(replicas[0], 0, 1000)
    assert plan == {k: ORDER[k % 4] for k in range(len(plan))}


# --- time off -------------------------------------------------------------------------


def test_time_off_merges_and_needs_notice(svc: OnCallService) -> None:
    svc.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 3))
    svc.request_time_off("jill", "jill", date(2027, 2, 6), date(2027, 2, 8), note="ski")
    merged = svc.request_time_off("jill", "jill", date(2027, 2, 3), date(2027, 2, 6))
    assert len(merged.merged_with) == 2
    assert ranges(svc, "jill") == [(date(2027, 2, 1), date(2027, 2, 8))]
    assert svc.time_off_of("jill")[0].note == "ski"
    with pytest.raises(Refusal, match="notice"):
        svc.request_time_off("jill", "jill", date(2026, 12, 2), date(2026, 12, 3))
    with pytest.raises(Refusal, match="covers these dates"):
        svc.request_time_off("jill", "jill", date(2027, 2, 2), date(2027, 2, 4))
    svc.request_time_off("john", "jill", date(2026, 12, 2), date(2026, 12, 3))  # admin: no notice
    assert ranges(svc, "jill")[0] == (date(2026, 12, 2), date(2026, 12, 3))
    assert len(ranges(svc, "jill")) == 2


# Chained ranges: each has days of its own, so no submission is ever "already covered",
# whatever order they commit in; all of them merge into one range.
CHAIN = [(date(2027, 1, d), date(2027, 1, d + 2)) for d in (4, 6, 8, 10, 12, 14)]


def test_concurrent_time_off_submits_merge_with_none_lost_or_doubled(
    svc: OnCallService, new_service: Callable[..., OnCallService]
) -> None:
    replicas = [new_service() for _ in CHAIN]
    n_audit = len(audits(svc))
    jobs = [
        lambda r=r, a=a, b=b: r.request_time_off("jill", "jill", a, b)
        for r, (a, b) in zip(replicas, CHAIN, strict=True)
    ]
    results = race(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ranges(svc, "jill") == [(date(2027, 1, 4), date(2027, 1, 16))]
    rows = [r for r in audits(svc)[n_audit:] if r.action == "time_off"]
    assert len(rows) == len(CHAIN)
    # Every submission merged exactly the ranges standing before it: one chain of merges.
    merged = [len(json.loads(r.detail)["merged"]) for r in rows]
    assert sum(merged) == len(CHAIN) - 1


# --- swaps ----------------------------------------------------------------------------


def test_swap_request_accept_and_double_accept(svc: OnCallService) -> None:
    req = svc.request_swap("john", "james", 4, 5, reason="wedding")
    assert req.status is SwapStatus.PENDING and plan_of(svc)[4] == "john"
    outcome = svc.accept_swap("james", req.id)
    assert outcome.request.status is SwapStatus.ACCEPTED
    assert {a.index: a.member for a in outcome.assignments} == {4: "james", 5: "john"}
    plan = plan_of(svc)
    assert (plan[4], plan[5]) == ("james", "john")
    n_audit = len(audits(svc))
    with pytest.raises(Refusal, match="already accepted"):
        svc.accept_swap("james", req.id)
    assert plan_of(svc) == plan and len(audits(svc)) == n_audit
    other = svc.request_swap("jill", "davis", 6, 7)
    svc.decide_swap("davis", other.id, SwapStatus.DECLINED)
    with pytest.raises(Refusal, match="already declined"):
        svc.accept_swap("davis", other.id)
    assert [r.id for r in svc.swaps_of("john")] == []


@pytest.mark.parametrize("attempt", range(2))
def test_two_concurrent_accepts_exactly_one_succeeds(
    svc: OnCallService, new_service: Callable[..., OnCallService], attempt: int
) -> None:
    req = svc.request_swap("john", "james", 4, 5)
    replicas = [new_service() for _ in range(2)]
    results = race([lambda r=r: r.accept_swap("james", req.id) for r in replicas])
    ok = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(ok) == 1 and len(refused) == 1, results
    plan = plan_of(svc)
    assert (plan[4], plan[5]) == ("james", "john")
    assert all(plan[k] == ORDER[k % 4] for k in plan if k not in (4, 5))
    assert [a.action for a in audits(svc)].count("swap_accept") == 1


def test_concurrent_accepts_of_conflicting_requests_one_wins(
    svc: OnCallService, new_service: Callable[..., OnCallService]
) -> None:
    a = svc.request_swap("john", "james", 4, 5)  # james would take week 4
    b = svc.request_swap("jill", "john", 6, 4)  # jill would take week 4
    ra, rb = new_service(), new_service()
    results = race([lambda: ra.accept_swap("james", a.id), lambda: rb.accept_swap("john", b.id)])
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert plan_of(svc)[4] in {"james", "jill"}
    statuses = {svc.swap(a.id).status, svc.swap(b.id).status}  # type: ignore[union-attr]
    assert statuses == {SwapStatus.ACCEPTED, SwapStatus.PENDING}


# --- announcements --------------------------------------------------------------------


def test_two_announcers_post_the_handover_once(
    new_service: Callable[..., OnCallService], clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 7, 9, tzinfo=UTC) + timedelta(hours=5))  # Mon 07 Dec 09:00 NY
    with FakeSlack() as fake:
        client = make_client("xoxb-test", fake.url)
        services = [new_service(sync=True) for _ in range(3)]
        announcers = [
            Announcer(service, Notifier(client, service), sleep=lambda _: None)
            for service in services
        ]
        results = race([lambda a=a: a.announce(1) for a in announcers])
        assert sorted(results) == [False, False, True]
        posts = [
            c
            for c in fake.calls_to("chat.postMessage", include_failed=False)
            if c.args.get("channel") == "C0000000000"
        ]
        assert len(posts) == 1
        assert not any(a.catch_up() for a in announcers)  # a restart later that morning
    row = announcers[0].service.store.get_announcement(HANDOVER, 1)
    assert row.status == "sent" and row.ts and row.channel == "C0000000000"


# --- the audit log --------------------------------------------------------------------


def test_every_change_writes_one_audit_row(svc: OnCallService, clock: FixedClock) -> None:
    start = len(audits(svc))
    steps: list[tuple[Callable[[], object], str, str]] = [
        (
            lambda: svc.request_time_off("jill", "jill", date(2027, 2, 1), date(2027, 2, 2)),
            "jill",
            "time_off",
        ),
        (lambda: svc.request_swap("john", "james", 4, 5), "john", "swap_request"),
        (lambda: svc.accept_swap("james", 1), "james", "swap_accept"),
        (lambda: svc.request_swap("jill", "davis", 6, 7), "jill", "swap_request"),
        (lambda: svc.decide_swap("davis", 2, SwapStatus.DECLINED), "davis", "swap_declined"),
        (lambda: svc.request_swap("jill", "davis", 10, 11), "jill", "swap_request"),
        (lambda: svc.decide_swap("jill", 3, SwapStatus.CANCELLED), "jill", "swap_cancelled"),
    ]
    for i, (step, actor, action) in enumerate(steps, start=1):
        clock.advance(timedelta(minutes=1))
        step()
        rows = audits(svc)
        assert len(rows) == start + i, action
        row = rows[-1]
        assert (row.actor, row.action, row.at) == (actor, action, clock.now())
        assert isinstance(json.loads(row.detail), dict)
    assert json.loads(audits(svc)[start + 2].detail) == {
        "id": 1,
        "weeks": {"4": "james", "5": "john"},
    }
    with svc.store.read() as s:
        newest = svc.store.audit_log(s, limit=2)
    assert [r.action for r in newest] == ["swap_cancelled", "swap_request"]
