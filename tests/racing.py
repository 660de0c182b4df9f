"""Run calls in threads released together by a barrier, as two replicas or writers would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def race(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together; each result or the exception raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except Exception as e:  # noqa: BLE001 - the result is what we check
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer never finished"
    return results
