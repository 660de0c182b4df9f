"""The database edge: sessions, a write lock, and rows <-> core data.

Every change runs in `Store.write()`: one transaction that holds the database's
write lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction advisory lock),
so two replicas can never both accept one swap or interleave two merges of time
off. Reads take no lock.

The one door to stored state: nothing outside bot/storage touches a table, a
session or SQL (tests/test_core_imports.py checks). Store methods take the
`Transaction` of `read()`/`write()` first, so a caller composes several into one
transaction; the few that must see a unique-key race themselves (a Slack delivery,
an announcement claim) open their own.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, text
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from bot.core.model import Assignment, Member, SwapRequest, SwapStatus, TimeOff
from bot.storage import schema
from bot.storage.engine import LOCK_KEY, Database, StorageError, safe_url
from bot.storage.store_calendar import CalendarStore
from bot.storage.store_changes import ChangeStore
from bot.storage.store_incidents import IncidentStore
from bot.storage.store_overrides import OverrideStore
from bot.storage.store_report import ReportStore
from bot.storage.tables import (
    AnnouncementRow,
    AuditRow,
    DeliveryRow,
    MetaRow,
    SwapRow,
    TimeOffRow,
    WeekRow,
)

__all__ = [
    "Announcement",
    "AuditEntry",
    "Busy",
    "MemberChanges",
    "StorageError",
    "Store",
    "Transaction",
    "safe_url",
]

Transaction = Session
"""What `Store.read()` and `Store.write()` hand out, and every Store method takes:
callers name this type, never the ORM's."""


class Busy(StorageError):
    """The write lock was not free within the wait allowed: nothing was written."""


def _lock_wait_failed(error: OperationalError) -> bool:
    """SQLite's "database is locked" / PostgreSQL's lock_timeout (55P03)."""
    code = getattr(error.orig, "pgcode", None) or getattr(error.orig, "sqlstate", None)
    return code == "55P03" or "locked" in str(error.orig).lower()


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
    _S.starts_at,
    _S.ends_at,
    _S.undoes,
    _S.recorded_by,
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


@dataclass(frozen=True)
class AuditEntry:
    """One audited change: who did what, when; `detail` is its JSON object."""

    id: int
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class Announcement:
    """The decision to announce `kind` for `week`, and how far it got."""

    kind: str
    week: int
    decided_at: datetime
    status: str  # "pending" until sent
    channel: str | None
    ts: str | None
    attempts: int


@dataclass(frozen=True)
class MemberChanges:
    """What `Store.record_members` found: the members history names who are no longer
    in the team file (as last recorded), and which of them left since the last record."""

    former: tuple[Member, ...]
    removed_now: tuple[str, ...]


_MEMBERS = "members"
"""The meta key of every member the team file ever named: {id: {name, slack_id,
removed_at}}. In meta, so export/import carry it and the schema needs no revision."""


class Store(Database, ChangeStore, OverrideStore, CalendarStore, IncidentStore, ReportStore):
    """The one door to stored state: every read and change of a table is a method here."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        super().__init__(url, create=create)
        # Writers of one process queue on a Python lock rather than on SQLite's busy
        # retries (which sleep 1-100 ms); across processes the database lock still holds.
        self._writer: Any = threading.RLock() if self.is_sqlite else contextlib.nullcontext()

    def create_all(self) -> None:
        """Create the schema of an empty database, or check an existing one's revision.

        Raises StorageError saying what to run when the database is behind (or ahead
        of) this version: see bot.storage.schema.
        """
        schema.prepare(self)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction holding the write lock; commits on success, rolls back on error.

        Refused (DatabaseGone, nothing written) when the SQLite file opened at start was
        deleted or replaced: checked before the work and again just before the commit.
        """
        self.check_file()
        with self._writer, Session(self.write_engine, expire_on_commit=False) as s:
            if not self.is_sqlite:
                s.connection().execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            try:
                yield s
                self.check_file()
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def check_writable(self, timeout: float = 2.0) -> None:
        """Prove that the database answers and takes a write, leaving none: a `meta` row
        inserted by a transaction that is rolled back. Waits at most about `timeout`
        seconds for the write lock (held by another writer: "database is locked").
        For the start-up check and readiness (/healthz); raises StorageError saying why
        not (read-only, locked, gone, not answering) on one line, password masked."""
        import uuid

        from bot.storage.engine import reason

        self.check_file()
        ms = max(1, int(timeout * 1000))
        probe = {"k": f"writable-probe-{uuid.uuid4().hex}"}
        try:
            with self.write_engine.connect() as conn:
                # Set on the driver's connection before BEGIN: on SQLite, BEGIN IMMEDIATE
                # is where the lock is waited for.
                raw: Any = conn.connection.dbapi_connection
                waited = raw.execute("PRAGMA busy_timeout").fetchone()[0] if self.is_sqlite else 0
                if self.is_sqlite:
                    raw.execute(f"PRAGMA busy_timeout={ms}")
                try:
                    with conn.begin() as tx:
                        if not self.is_sqlite:
                            conn.execute(text(f"SET LOCAL lock_timeout = {ms}"))
                            conn.execute(text(f"SET LOCAL statement_timeout = {ms}"))
                        conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, '')"), probe)
                        tx.rollback()
                finally:
                    if self.is_sqlite:
                        raw.execute(f"PRAGMA busy_timeout={int(waited)}")
        except StorageError:
            raise
        except Exception as e:
            raise StorageError(
                f"cannot write to the database {safe_url(self.url)}: {reason(e, self.url)}"
            ) from None

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

    # --- members: the people history names ------------------------------------
    def record_members(
        self, s: Session, members: tuple[Member, ...], now: datetime
    ) -> MemberChanges:
        """Remember the team file's members (name and Slack id, updated); mark those no
        longer in it as removed at `now`. Writes only when something changed."""
        raw = self.get_meta(s, _MEMBERS)
        known: dict[str, dict[str, Any]] = json.loads(raw) if raw else {}
        current = {m.id for m in members}
        updated = dict(known)
        for m in members:
            updated[m.id] = {"name": m.name, "slack_id": m.slack_id, "removed_at": None}
        removed_now = []
        for mid, entry in known.items():
            if mid not in current and entry.get("removed_at") is None:
                updated[mid] = {**entry, "removed_at": now.isoformat()}
                removed_now.append(mid)
        if updated != known:
            self.set_meta(s, _MEMBERS, json.dumps(updated, sort_keys=True))
        former = tuple(
            Member(mid, str(e["name"]), str(e.get("slack_id") or ""))
            for mid, e in sorted(updated.items())
            if mid not in current
        )
        return MemberChanges(former, tuple(removed_now))

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

    # --- swaps --------------------------------------------------------------
    @staticmethod
    def _swap(r: SwapRow) -> SwapRequest:
        assert r.id is not None
        return _swap_of(*(getattr(r, c.name) for c in _SWAP_COLUMNS))

    def swap(self, s: Session, swap_id: int) -> SwapRequest | None:
        row = s.get(SwapRow, swap_id)
        return self._swap(row) if row else None

    @staticmethod
    def set_swap_message(s: Session, swap_id: int, channel: str, ts: str) -> None:
        """Remember where the counterpart's request DM is (to update it once decided)."""
        row = s.get(SwapRow, swap_id)
        if row is not None:
            row.dm_channel, row.dm_ts = channel, ts
            s.flush()

    @staticmethod
    def swap_message(s: Session, swap_id: int) -> tuple[str, str] | None:
        """(channel, ts) of the request DM, if it was sent."""
        row = s.get(SwapRow, swap_id)
        if row is None or not row.dm_channel or not row.dm_ts:
            return None
        return row.dm_channel, row.dm_ts

    @staticmethod
    def claim_reminder(s: Session, swap_id: int, due: int) -> bool:
        """True when reminder number `due` of a pending request is still to send: it is
        then recorded as sent, in the caller's transaction (decided once)."""
        row = s.get(SwapRow, swap_id)
        if row is None or row.status != SwapStatus.PENDING.value or row.reminders_sent >= due:
            return False
        row.reminders_sent = due
        s.flush()
        return True

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
        *,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        undoes: int | None = None,
        recorded_by: str | None = None,
        status: SwapStatus = SwapStatus.PENDING,
    ) -> SwapRequest:
        """A new request (pending), or with `status` ACCEPTED one an admin recorded."""
        row = SwapRow(
            requester=requester,
            counterpart=counterpart,
            requester_week=requester_week,
            counterpart_week=counterpart_week,
            status=status.value,
            reason=reason,
            created_at=now,
            expires_at=expires_at,
            decided_at=None if status is SwapStatus.PENDING else now,
            starts_at=starts_at,
            ends_at=ends_at,
            undoes=undoes,
            recorded_by=recorded_by,
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

    # --- Slack deliveries ----------------------------------------------------
    # Recorded before a request is acknowledged, so never waiting longer than `wait`
    # seconds for the write lock (Slack wants its answer within 3): `Busy` instead.
    def record_delivery(
        self, key: str, now: datetime, prune_before: datetime | None, *, wait: float = 1.0
    ) -> bool:
        """Record a Slack delivery's key in its own transaction: True when it is new,
        False when it was recorded before. Keys older than `prune_before` are dropped.
        Raises Busy (nothing written) when the write lock is not free within `wait`."""
        try:
            with self._delivery_write(wait) as s:
                if prune_before is not None:
                    s.exec(delete(DeliveryRow).where(DeliveryRow.at < prune_before))  # type: ignore[call-overload]
                s.add(DeliveryRow(key=key, at=now))
                s.flush()
            return True
        except IntegrityError:
            return False

    def forget_delivery(self, key: str, *, wait: float = 1.0) -> None:
        """Forget a delivery's key (its request had no effect: a form answered with inline
        errors may be sent again as it is). Raises Busy as `record_delivery` does."""
        with self._delivery_write(wait) as s:
            s.exec(delete(DeliveryRow).where(DeliveryRow.key == key))  # type: ignore[call-overload]

    @contextmanager
    def _delivery_write(self, wait: float) -> Iterator[Session]:
        """A transaction on the deliveries table that waits at most `wait` seconds for a
        lock: the in-process writer lock and SQLite's write lock (busy_timeout, set on
        the driver's connection before BEGIN IMMEDIATE). On PostgreSQL an insert needs
        no advisory lock (the key is unique), and lock_timeout bounds any row lock."""
        self.check_file()
        acquire = getattr(self._writer, "acquire", None)
        if acquire is not None and not acquire(timeout=wait):
            raise Busy("another write of this process holds the database")
        ms = max(1, int(wait * 1000))
        try:
            with self.write_engine.connect() as conn:
                raw: Any = conn.connection.dbapi_connection
                if self.is_sqlite:
                    usual = raw.execute("PRAGMA busy_timeout").fetchone()[0]
                    raw.execute(f"PRAGMA busy_timeout={ms}")
                try:
                    with Session(bind=conn, expire_on_commit=False) as s:
                        if not self.is_sqlite:
                            s.connection().execute(text(f"SET LOCAL lock_timeout = {ms}"))
                        try:
                            yield s
                            s.commit()
                        except BaseException:
                            s.rollback()
                            raise
                finally:
                    if self.is_sqlite:
                        raw.execute(f"PRAGMA busy_timeout={int(usual)}")
        except OperationalError as e:
            if _lock_wait_failed(e):
                raise Busy("the database's write lock is held elsewhere") from None
            raise
        finally:
            if acquire is not None:
                self._writer.release()

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
    def audit_log(s: Session, limit: int = 100) -> list[AuditEntry]:
        """The newest `limit` audit entries, the newest first."""
        rows = s.exec(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))  # type: ignore[union-attr]
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.detail) for r in rows]  # type: ignore[arg-type]

    # --- announcements: decided once per (kind, week) ---------------------------
    @staticmethod
    def _announcement_row(s: Session, kind: str, week: int) -> AnnouncementRow | None:
        query = select(AnnouncementRow).where(
            AnnouncementRow.kind == kind, AnnouncementRow.week == week
        )
        return s.exec(query).first()

    def claim_announcement(
        self, kind: str, week: int, now: datetime, lease_seconds: int = 600
    ) -> bool:
        """Record the decision to announce; True for exactly one caller per (kind, week).

        A claim whose holder died mid-retry (still 'pending' with a lease older than
        `lease_seconds`) can be taken over, so a crash loses no announcement.
        """
        try:
            with self.write() as s:
                row = self._announcement_row(s, kind, week)
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
        self,
        kind: str,
        week: int,
        now: datetime,
        *,
        status: str = "pending",
        channel: str | None = None,
        ts: str | None = None,
    ) -> None:
        with self.write() as s:
            row = self._announcement_row(s, kind, week)
            if row is None:
                return
            row.decided_at = now
            row.status = status
            row.attempts += 1
            if channel:
                row.channel, row.ts = channel, ts

    def get_announcement(self, kind: str, week: int) -> Announcement | None:
        with self.read() as s:
            row = self._announcement_row(s, kind, week)
            if row is None:
                return None
            return Announcement(
                row.kind, row.week, row.decided_at, row.status, row.channel, row.ts, row.attempts
            )

    def forget_announcement(self, kind: str, week: int) -> None:
        """For `oncall announce --force`: drop the record so the week can be announced again."""
        with self.write() as s:
            row = self._announcement_row(s, kind, week)
            if row is not None:
                s.delete(row)


# The announcement methods under their former module-level names, for the callers
# that still import them (the announcer, some tests); new code calls the methods.
claim_announcement = Store.claim_announcement
renew_announcement = Store.renew_announcement
get_announcement = Store.get_announcement
forget_announcement = Store.forget_announcement
