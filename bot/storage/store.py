"""The database edge: sessions, a write lock, and rows <-> core data.

Every change runs in `Store.write()`: one transaction that holds the database's
write lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction advisory lock),
so two replicas can never both accept one swap or interleave two merges of time
off. Reads take no lock.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, event, text
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine, select

from bot.core.model import Assignment, SwapRequest, SwapStatus, TimeOff
from bot.storage.tables import AuditRow, MetaRow, SwapRow, TimeOffRow, WeekRow

_LOCK_KEY = 0x6F6E63616C6C  # "oncall": the advisory lock every writer takes on PostgreSQL


class StorageError(Exception):
    """The database cannot be used; the message is safe to show (no password)."""


def _safe_url(url: str) -> str:
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
        raise StorageError(f"cannot use {_safe_url(url)}: {e.__class__.__name__}") from None


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


# --- the reads on every request ---------------------------------------------------------
# Core statements over plain columns, built once with bound parameters: SQLAlchemy
# compiles each shape once, and no ORM objects are made (about 2.5x cheaper than an
# ORM query built per call). The Session still runs them, so pending changes in a
# write transaction are flushed first, as for any query.

_W = WeekRow.__table__.c  # type: ignore[attr-defined]
_T = TimeOffRow.__table__.c  # type: ignore[attr-defined]
_S = SwapRow.__table__.c  # type: ignore[attr-defined]

_PLAN = sa_select(_W.index, _W.member, _W.reason, _W.fixed).where(
    _W.index >= bindparam("first"), _W.index <= bindparam("last")
)


@functools.cache
def _time_off_query(first: bool, last: bool, member: bool) -> Select[Any]:
    """Time off ending on or after `first`, starting on or before `last`, of `member`."""
    query = sa_select(_T.member, _T.start, _T.end, _T.note, _T.id)
    if first:
        query = query.where(_T.end >= bindparam("first"))
    if last:
        query = query.where(_T.start <= bindparam("last"))
    if member:
        query = query.where(_T.member == bindparam("member"))
    return query.order_by(_T.start, _T.id)


# In SwapRequest's order (see _swap_of).
_SWAP_COLUMNS = (
    _S.id,
    _S.requester,
    _S.counterpart,
    _S.requester_week,
    _S.counterpart_week,
    _S.status,
    _S.created_at,
    _S.expires_at,
    _S.reason,
    _S.decided_at,
)


@functools.cache
def _swaps_query(status: bool, member: bool) -> Select[Any]:
    query = sa_select(*_SWAP_COLUMNS)
    if status:
        query = query.where(_S.status == bindparam("status"))
    if member:
        query = query.where(
            (_S.requester == bindparam("member")) | (_S.counterpart == bindparam("member"))
        )
    return query.order_by(_S.id)


def _swap_of(
    id: int,
    requester: str,
    counterpart: str,
    requester_week: int,
    counterpart_week: int | None,
    status: str,
    *rest: Any,
) -> SwapRequest:
    return SwapRequest(
        id, requester, counterpart, requester_week, counterpart_week, SwapStatus(status), *rest
    )


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.write_engine = make_engine(url, immediate=True) if self.is_sqlite else self.engine
        # Writers of one process queue on a Python lock rather than on SQLite's busy
        # retries (which sleep 1-100 ms); across processes the database lock still holds.
        self._writer: Any = threading.RLock() if self.is_sqlite else contextlib.nullcontext()

    def create_all(self) -> None:
        """Create the schema of an empty database, or check an existing one's revision.

        Raises StorageError saying what to run when the database is behind (or ahead
        of) this version: see bot.storage.schema.
        """
        from bot.storage.schema import prepare

        prepare(self)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction holding the write lock; commits on success, rolls back on error."""
        with self._writer, Session(self.write_engine, expire_on_commit=False) as s:
            if not self.is_sqlite:
                s.connection().execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    # --- meta ---------------------------------------------------------------
    @staticmethod
    def get_meta(s: Session, key: str) -> str | None:
        row = s.get(MetaRow, key)
        return row.value if row else None

    @staticmethod
    def set_meta(s: Session, key: str, value: str) -> None:
        row = s.get(MetaRow, key)
        if row:
            row.value = value
        else:
            s.add(MetaRow(key=key, value=value))

    # --- plan ---------------------------------------------------------------
    @staticmethod
    def plan(s: Session, first: int, last: int) -> dict[int, Assignment]:
        rows = s.exec(_PLAN, params={"first": first, "last": last})
        return {k: Assignment(k, member, reason, fixed) for k, member, reason, fixed in rows}

    @staticmethod
    def last_planned(s: Session) -> int | None:
        row = s.exec(select(WeekRow).order_by(WeekRow.index.desc()).limit(1)).first()  # type: ignore[attr-defined]
        return row.index if row else None

    @staticmethod
    def put_weeks(s: Session, weeks: list[Assignment], now: datetime) -> None:
        for a in weeks:
            row = s.get(WeekRow, a.index)
            if row is None:
                s.add(
                    WeekRow(
                        index=a.index,
                        member=a.member,
                        reason=a.reason,
                        fixed=a.fixed,
                        updated_at=now,
                    )
                )
            else:
                row.member, row.reason, row.fixed, row.updated_at = a.member, a.reason, a.fixed, now
        s.flush()

    @staticmethod
    def drop_unfixed_weeks_from(s: Session, first: int) -> int:
        rows = list(s.exec(select(WeekRow).where(WeekRow.index >= first, WeekRow.fixed == False)))  # noqa: E712
        for r in rows:
            s.delete(r)
        s.flush()
        return len(rows)

    @staticmethod
    def drop_weeks(s: Session, indexes: list[int]) -> None:
        for k in indexes:
            row = s.get(WeekRow, k)
            if row is not None:
                s.delete(row)
        s.flush()

    # --- time off -----------------------------------------------------------
    @staticmethod
    def time_off(
        s: Session, first: date | None = None, last: date | None = None, member: str | None = None
    ) -> list[TimeOff]:
        query = _time_off_query(first is not None, last is not None, member is not None)
        rows = s.exec(query, params={"first": first, "last": last, "member": member})
        return [TimeOff(*row) for row in rows]

    @staticmethod
    def replace_time_off(
        s: Session, merged: TimeOff, replaces: tuple[TimeOff, ...], actor: str, now: datetime
    ) -> TimeOff:
        for t in replaces:
            row = s.get(TimeOffRow, t.id)
            if row is not None:
                s.delete(row)
        row = TimeOffRow(
            member=merged.member,
            start=merged.start,
            end=merged.end,
            note=merged.note,
            created_by=actor,
            created_at=now,
        )
        s.add(row)
        s.flush()
        return TimeOff(row.member, row.start, row.end, row.note, row.id)

    @staticmethod
    def delete_time_off(s: Session, time_off_id: int) -> TimeOff | None:
        row = s.get(TimeOffRow, time_off_id)
        if row is None:
            return None
        s.delete(row)
        s.flush()
        return TimeOff(row.member, row.start, row.end, row.note, row.id)

    # --- swaps --------------------------------------------------------------
    @staticmethod
    def _swap(r: SwapRow) -> SwapRequest:
        assert r.id is not None
        return _swap_of(*(getattr(r, c.name) for c in _SWAP_COLUMNS))

    def swap(self, s: Session, swap_id: int) -> SwapRequest | None:
        row = s.get(SwapRow, swap_id)
        return self._swap(row) if row else None

    @staticmethod
    def swap_row(s: Session, swap_id: int) -> SwapRow | None:
        return s.get(SwapRow, swap_id)

    def swaps(
        self,
        s: Session,
        *,
        status: SwapStatus | None = SwapStatus.PENDING,
        member: str | None = None,
    ) -> list[SwapRequest]:
        query = _swaps_query(status is not None, member is not None)
        params = {"status": status.value if status else None, "member": member}
        return [_swap_of(*row) for row in s.exec(query, params=params)]

    def add_swap(
        self,
        s: Session,
        requester: str,
        counterpart: str,
        requester_week: int,
        counterpart_week: int | None,
        expires_at: datetime,
        now: datetime,
        reason: str = "",
    ) -> SwapRequest:
        row = SwapRow(
            requester=requester,
            counterpart=counterpart,
            requester_week=requester_week,
            counterpart_week=counterpart_week,
            status=SwapStatus.PENDING.value,
            reason=reason,
            created_at=now,
            expires_at=expires_at,
        )
        s.add(row)
        s.flush()
        return self._swap(row)

    @staticmethod
    def set_swap_status(s: Session, swap_id: int, status: SwapStatus, now: datetime) -> None:
        row = s.get(SwapRow, swap_id)
        assert row is not None
        row.status = status.value
        row.decided_at = now
        s.flush()

    # --- audit --------------------------------------------------------------
    @staticmethod
    def audit(s: Session, now: datetime, actor: str, action: str, **detail: Any) -> None:
        s.add(
            AuditRow(
                at=now,
                actor=actor,
                action=action,
                detail=json.dumps(detail, default=str, sort_keys=True),
            )
        )

    @staticmethod
    def audit_log(s: Session, limit: int = 100) -> list[AuditRow]:
        return list(s.exec(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))  # type: ignore[union-attr]


# --- announcements: decided once per (kind, week) ---------------------------------
def _announcement_row(s: Session, kind: str, week: int) -> Any:
    from bot.storage.tables import AnnouncementRow

    query = select(AnnouncementRow).where(
        AnnouncementRow.kind == kind, AnnouncementRow.week == week
    )
    return s.exec(query).first()


def claim_announcement(
    store: Store, kind: str, week: int, now: datetime, lease_seconds: int = 600
) -> bool:
    """Record the decision to announce; True for exactly one caller per (kind, week).

    A claim whose holder died mid-retry (still 'pending' with a lease older than
    `lease_seconds`) can be taken over, so a crash loses no announcement.
    """
    from sqlalchemy.exc import IntegrityError

    from bot.storage.tables import AnnouncementRow

    try:
        with store.write() as s:
            row = _announcement_row(s, kind, week)
            if row is None:
                s.add(AnnouncementRow(kind=kind, week=week, decided_at=now, status="pending"))
                return True
            stale = (now - row.decided_at).total_seconds() > lease_seconds
            if row.status == "pending" and stale:
                row.decided_at = now
                return True
            return False
    except IntegrityError:  # another replica inserted the same row first
        return False


def renew_announcement(
    store: Store,
    kind: str,
    week: int,
    now: datetime,
    *,
    status: str = "pending",
    channel: str | None = None,
    ts: str | None = None,
) -> None:
    from bot.storage.tables import AnnouncementRow

    with store.write() as s:
        row = s.exec(
            select(AnnouncementRow).where(
                AnnouncementRow.kind == kind, AnnouncementRow.week == week
            )
        ).first()
        if row is None:
            return
        row.decided_at = now
        row.status = status
        row.attempts += 1
        if channel:
            row.channel, row.ts = channel, ts


def get_announcement(store: Store, kind: str, week: int) -> Any:
    from bot.storage.tables import AnnouncementRow

    with store.read() as s:
        return s.exec(
            select(AnnouncementRow).where(
                AnnouncementRow.kind == kind, AnnouncementRow.week == week
            )
        ).first()


def forget_announcement(store: Store, kind: str, week: int) -> None:
    """For `oncall announce --force`: drop the record so the week can be announced again."""
    from bot.storage.tables import AnnouncementRow

    with store.write() as s:
        row = s.exec(
            select(AnnouncementRow).where(
                AnnouncementRow.kind == kind, AnnouncementRow.week == week
            )
        ).first()
        if row is not None:
            s.delete(row)
