"""What "your weeks changed" costs a swap's accept: accept_swap with and without tracking.

    .venv/bin/python bench/changes_bench.py [--accepts 40] [--rounds 2]

In process, no HTTP and no Slack: the example team (oncall.yml) planned from Tue 1 Dec 2026
in a SQLite database, then `--accepts` swaps, each filed with `request_swap` for two
consecutive future weeks of different people and timed through `accept_swap` (one write
transaction: the checks, the swap, its audit row and, when tracking, the `week_change`
rows). Without tracking, `tracking_swap` is replaced by a context that does nothing.
Each variant runs `--rounds` times, alternating, each on a fresh database. Prints the
median and p95 of an accept per run, and the cost of one read of what the resolver reads
for every future week (what tracking reads twice per accept).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.service import OnCallService  # noqa: E402
from bot.storage.store import Store  # noqa: E402

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 2026 10:00 New York, week 0
FIRST_WEEK = 3  # the first week swapped: later than any week that starts during the run
READS = 20  # reads of the resolver's inputs timed for the snapshot figure


def untracked(*_args: Any) -> contextlib.nullcontext[None]:
    return contextlib.nullcontext()


def run(folder: Path, tracking: bool, accepts: int) -> tuple[float, float, float]:
    """(median ms, p95 ms) of `accepts` accepts, and ms for one read of the inputs."""
    store = Store(f"sqlite:///{folder}/run-{time.monotonic_ns()}.db")
    store.create_all()
    service = OnCallService(load_config(ROOT / "oncall.yml"), store, FixedClock(NOW))
    service.sync_plan()
    if not tracking:
        service.tracking_swap = untracked  # type: ignore[method-assign]
    times: list[float] = []
    k = FIRST_WEEK
    while len(times) < accepts:
        with store.read() as s:
            plan = store.plan(s, k, k + 1)
        if k + 1 not in plan:
            raise SystemExit(f"week {k + 1} is not planned: fewer --accepts")
        mine, theirs = plan[k].member, plan[k + 1].member
        if mine == theirs:
            k += 1
            continue
        request = service.request_swap(mine, theirs, k, k + 1)
        started = time.perf_counter()
        service.accept_swap(theirs, request.id)
        times.append((time.perf_counter() - started) * 1000)
        k += 2
    with store.read() as s:
        started = time.perf_counter()
        for _ in range(READS):
            service._inputs(s, service._span(s))
        snapshot = (time.perf_counter() - started) * 1000 / READS
    store.engine.dispose()
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return statistics.median(times), p95, snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accepts", type=int, default=40, help="accepts timed per run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each variant")
    args = parser.parse_args()
    if not 1 <= args.accepts <= 45:  # two weeks each, inside the 103 planned ahead
        raise SystemExit("--accepts: from 1 to 45")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"accept_swap in process, example team, {args.accepts} accepts per run; load {load}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _round in range(args.rounds):
            for tracking in (False, True):
                median, p95, snapshot = run(folder, tracking, args.accepts)
                label = "with tracking   " if tracking else "without tracking"
                print(
                    f"{label}: accept median {median:.1f} ms, p95 {p95:.1f} ms; "
                    f"one read of the future weeks' inputs {snapshot:.1f} ms"
                )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load at the end: {load}")


if __name__ == "__main__":
    main()
