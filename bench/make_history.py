"""A 50-member team and a SQLite database holding years of its history, for benchmarks.

    .venv/bin/python bench/make_history.py [--years 10] [--dir /tmp/oncall-history]

The history is made the way the bot makes it, week by week with a `FixedClock`
moved along: the plan is extended by the service (the real planner), swaps are
requested through the service and then accepted, declined, cancelled or left to
expire, and each past handover is recorded as announced. Time off is inserted
directly (through the store, with its audit row), since the service enforces the
notice rule against "now". It ends at the real "now" (or `now=`), with the plan
reaching `plan_weeks` ahead, exactly as `oncall run` would find it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.errors import Refusal  # noqa: E402
from bot.core.model import Team, TimeOff  # noqa: E402
from bot.core.weeks import week, week_index_at  # noqa: E402
from bot.service import OnCallService  # noqa: E402
from bot.storage.store import Store, claim_announcement, renew_announcement  # noqa: E402

MEMBERS = 50
CHANNEL = "C0BENCH0001"
TIMEZONE = "America/New_York"


def member_id(n: int) -> str:
    return f"m{n:02d}"


def slack_id(n: int) -> str:
    return f"UM{n:07d}"


def config_yaml(start: date, members: int = MEMBERS) -> str:
    """The team config: members m01..mNN, US holidays, eight pipelines (three with runbooks)."""
    runbooks = sorted((ROOT / "runbooks").glob("*.md"))
    lines = [
        "team:",
        "  name: Bench Platform",
        f"  timezone: {TIMEZONE}",
        f"  channel: {CHANNEL}",
        f"  admins: [{member_id(1)}, {member_id(2)}]",
        "  holidays:",
        "    country: US",
        "rotation:",
        f"  start: {start.isoformat()}",
        '  handover: "monday 09:00"',
        f"  order: [{', '.join(member_id(n) for n in range(1, members + 1))}]",
        "policy:",
        "  time_off_notice_days: 14",
        "members:",
    ]
    for n in range(1, members + 1):
        lines += [
            f"  - id: {member_id(n)}",
            f"    name: Member {n:02d}",
            f"    slack_id: {slack_id(n)}",
        ]
    lines.append("pipelines:")
    for i in range(8):
        primary, secondary = member_id(1 + (3 * i) % members), member_id(1 + (3 * i + 7) % members)
        lines += [
            f"  - id: pipeline-{i + 1}",
            f"    name: Pipeline {i + 1}",
            f"    audience: {'investors' if i % 2 else 'experiments'}",
            f"    primary: {primary}",
            f"    secondary: {secondary}",
        ]
        if i < len(runbooks):
            lines.append(f"    runbook: {runbooks[i]}")
    return "\n".join(lines) + "\n"


@dataclass
class History:
    directory: Path
    config: Path
    db_path: Path
    team: Team
    years: int
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_history(
    directory: Path,
    years: int = 10,
    now: datetime | None = None,
    *,
    seed: int = 7,
    members: int = MEMBERS,
) -> History:
    """Write `team.yml` and `oncall.db` into `directory` (replacing them) and return them."""
    t0 = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    start = _monday_on_or_before((now - timedelta(days=round(365.25 * years))).date())
    config = directory / "team.yml"
    config.write_text(config_yaml(start, members))
    db_path = directory / "oncall.db"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    team = load_config(config)
    store = Store(f"sqlite:///{db_path}")
    for engine in (store.engine, store.write_engine):
        # Building only: no fsync per commit (the server opens the file with defaults).
        event.listen(engine, "connect", _no_sync)
    store.create_all()
    clock = FixedClock(week(team, 0).start - timedelta(days=3))
    service = OnCallService(team, store, clock)
    service.sync_plan()
    rng = random.Random(seed)
    ids = [m.id for m in team.members]
    busy_until: dict[str, date] = {m: start for m in ids}
    counts = dict.fromkeys(("time_off", "swaps", "accepted", "declined", "cancelled"), 0)
    counts["expired"] = counts["refused"] = counts["announced"] = 0

    last = week_index_at(team, now)
    for k in range(0, last + 1):
        at = week(team, k).start + timedelta(hours=2)
        clock.set(at)
        # Handover announced (what the scheduler records each Monday).
        if claim_announcement(store, "handover", k, at):
            renew_announcement(
                store, "handover", k, at, status="sent", channel=CHANNEL, ts=f"{k}.1"
            )
            counts["announced"] += 1
        # Time off: about 3 ranges a week across the team, filed 3-10 weeks ahead.
        with store.write() as s:
            for _ in range(rng.choice((2, 3, 3, 4))):
                who = rng.choice(ids)
                first = max(
                    busy_until[who] + timedelta(days=2),
                    week(team, k).first_day + timedelta(days=rng.randint(21, 70)),
                )
                off = TimeOff(who, first, first + timedelta(days=rng.randint(0, 9)), "vacation")
                busy_until[who] = off.end
                saved = store.replace_time_off(s, off, (), who, at)
                store.audit(s, at, who, "time_off", member=who, start=saved.start, end=saved.end)
                counts["time_off"] += 1
        # Swaps: about two requests a week, for a week 3-12 weeks ahead.
        for _ in range(rng.choice((1, 2, 2, 3))):
            target = k + rng.randint(3, 12)
            service.ensure_plan(target + 60)
            with store.read() as s:
                owner = store.plan(s, target, target)[target].member
            counterpart = rng.choice([m for m in ids if m != owner])
            try:
                request = service.request_swap(owner, counterpart, target, reason="bench")
            except Refusal:
                counts["refused"] += 1
                continue
            counts["swaps"] += 1
            fate = rng.random()
            try:
                if fate < 0.65:
                    service.accept_swap(counterpart, request.id)
                    counts["accepted"] += 1
                elif fate < 0.85:
                    service.decide_swap(counterpart, request.id, _status("declined"))
                    counts["declined"] += 1
                elif fate < 0.95:
                    service.decide_swap(owner, request.id, _status("cancelled"))
                    counts["cancelled"] += 1
            except Refusal:
                counts["refused"] += 1
        counts["expired"] += len(service.expire_swaps())

    clock.set(now)
    service.sync_plan()
    service.expire_swaps()
    with store.read() as s:
        counts["planned_weeks"] = (store.last_planned(s) or 0) + 1
        counts["audit_rows"] = len(store.audit_log(s, limit=1 << 30))
    store.engine.dispose()
    store.write_engine.dispose()
    return History(directory, config, db_path, team, years, now, counts, time.perf_counter() - t0)


def _no_sync(dbapi_conn, _record) -> None:  # noqa: ANN001
    dbapi_conn.execute("PRAGMA synchronous=OFF")


def _status(value: str):  # noqa: ANN202 - SwapStatus, imported lazily to keep the header short
    from bot.core.model import SwapStatus

    return SwapStatus(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/oncall-history"))
    args = parser.parse_args(argv)
    h = build_history(args.dir / f"{args.years}y", args.years)
    print(f"{h.years} years from {h.team.start} in {h.seconds:.1f}s: {h.db_path}")
    print(f"config: {h.config}")
    print(", ".join(f"{k} {v}" for k, v in h.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
