"""Two real `oncall run` processes in HTTP mode on one PostgreSQL database.

They share nothing but DATABASE_URL (and the fake Slack Web API they both call):
no memory, no files. Both start with the wall clock moved (time-machine, ticking)
to Monday 30 Nov 2026 10:00 in New York, an hour after week 0's handover, so both
schedulers run the start-up catch-up at once. Slack's deliveries are signed as Slack
signs them, with timestamps on the processes' moved clock.

- one announcement per week, though both replicas try;
- one swap accept delivered to both replicas at the same moment has one effect;
- concurrent time off submissions to both replicas merge with none lost or doubled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import slackreq
from fakeslack import Call, FakeSlack
from harness import JAMES, JILL, TEAM_FILE
from pg import PgServer
from processes import ROOT, free_port, launch_script
from racing import race
from sqlmodel import select

from bot.core.model import SwapStatus
from bot.scheduler.announcer import HANDOVER
from bot.storage.store import Store
from bot.storage.tables import AuditRow, TimeOffRow

SECRET = "replica-signing-secret"
CHANNEL = "C0000000000"
START = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("America/New_York"))
LAUNCH = launch_script("run")


@dataclass
class Replica:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path
    launched: float  # time.time() when launched: its clock reads START + (now - launched)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def slack_now(self) -> int:
        """A request timestamp the replica accepts (Slack's limit is 5 minutes off)."""
        return int(START.timestamp() + (time.time() - self.launched))

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as r:
                return r.status == 200 and json.loads(r.read())["ok"] is True
        except OSError:
            return False

    def post(self, body: bytes, timestamp: int) -> tuple[int, bytes]:
        status, _headers, raw = slackreq.post(
            f"{self.base}/slack/events", body, SECRET, slackreq.FORM, timestamp=timestamp
        )
        return status, raw

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Deployment:
    replicas: list[Replica]
    fake: FakeSlack
    store: Store  # the test's own view of the shared database

    def logs(self) -> str:
        return "\n".join(f"--- {r.name}:\n{r.log()[-3000:]}" for r in self.replicas)


def launch(name: str, url: str, fake: FakeSlack, log_path: Path) -> Replica:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        {
            "DATABASE_URL": url,
            "ONCALL_CONFIG": str(TEAM_FILE),  # its runbook paths are relative to it
            "SLACK_BOT_TOKEN": "xoxb-replica-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(port),
            "LOG_LEVEL": "INFO",
        }
    )
    with log_path.open("wb") as log:
        launched = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, START.isoformat()],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Replica(name, proc, port, log_path, launched)


@pytest.fixture(scope="module")
def deployment(
    pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    logs = tmp_path_factory.mktemp("replicas")
    dbname = pg_server.create_database()
    url = pg_server.url(dbname)
    store = Store(url)  # no schema yet: both replicas start on an empty database
    fake = FakeSlack().start()
    replicas: list[Replica] = []
    try:
        replicas = [launch(n, url, fake, logs / f"{n}.log") for n in ("a", "b")]
        deadline = time.monotonic() + 60
        while not all(r.healthy() for r in replicas):
            dead = [r for r in replicas if r.proc.poll() is not None]
            assert not dead, f"a replica exited:\n{Deployment(replicas, fake, store).logs()}"
            assert time.monotonic() < deadline, "replicas not healthy in 60 s"
            time.sleep(0.1)
        yield Deployment(replicas, fake, store)
    finally:
        for r in replicas:
            r.stop()
        fake.stop()
        store.engine.dispose()
        try:
            pg_server.drop_database(dbname)
        except Exception:  # noqa: BLE001 - the server goes away at session end anyway
            pass


def wait_until(check: Any, what: str, d: Deployment, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{d.logs()}")
        time.sleep(0.05)


def channel_posts(fake: FakeSlack) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage", include_failed=False)
        if c.args.get("channel") == CHANNEL
    ]


def action_value(blocks: Any, action_id: str) -> str | None:
    """The value of the first element with `action_id`, anywhere in the blocks."""
    if isinstance(blocks, dict):
        if blocks.get("action_id") == action_id:
            return str(blocks.get("value"))
        blocks = list(blocks.values())
    if isinstance(blocks, list):
        for b in blocks:
            found = action_value(b, action_id)
            if found is not None:
                return found
    return None


def audit_count(store: Store, action: str) -> int:
    with store.read() as s:
        return len(list(s.exec(select(AuditRow).where(AuditRow.action == action))))


# --- the tests ------------------------------------------------------------------------


def test_both_replicas_catch_up_and_week_0_is_announced_once(deployment: Deployment) -> None:
    d = deployment
    wait_until(
        lambda: all(
            "announced week 0:" in r.log() or "week 0 already announced" in r.log()
            for r in d.replicas
        ),
        "both replicas' start-up catch-up",
        d,
    )
    posted = [r.name for r in d.replicas if "announced week 0:" in r.log()]
    assert len(posted) == 1, d.logs()
    handovers = [c for c in channel_posts(d.fake) if "On call this week" in c.args["text"]]
    assert len(handovers) == 1, handovers
    assert "week 0" in json.dumps(handovers[0].args["blocks"])
    row = d.store.get_announcement(HANDOVER, 0)
    assert row is not None and row.status == "sent" and row.channel == CHANNEL


def test_one_swap_accept_reaching_both_replicas_has_one_effect(deployment: Deployment) -> None:
    d = deployment
    a, b = d.replicas
    command = slackreq.slash_command_body(
        text=f"swap <@{JILL}|jill> 2026-12-07",  # James's week 1 for Jill's next week, 2
        user_id=JAMES,
        user_name="james",
        response_url=d.fake.response_url("swap-command"),
    )
    status, _ = a.post(command, a.slack_now())
    assert status == 200
    dm = d.fake.wait_for_call(
        "chat.postMessage",
        timeout=15,
        where=lambda c: (
            c.args.get("channel") == "D" + JILL
            and action_value(c.args.get("blocks"), "swap_accept") is not None
        ),
    )
    swap_id = int(action_value(dm.args["blocks"], "swap_accept") or 0)
    wait_until(
        lambda: [
            c
            for c in d.fake.calls_to("response_url")
            if f"Request #{swap_id} sent" in str(c.args.get("text"))
        ],
        "the requester's confirmation",
        d,
    )
    with d.store.read() as s:
        assert {k: w.member for k, w in d.store.plan(s, 1, 2).items()} == {1: "james", 2: "jill"}

    # Slack retries, double clicks, a load balancer: the same delivery reaches both.
    click = slackreq.block_actions_body(
        "swap_accept",
        str(swap_id),
        JILL,
        user_name="jill",
        channel_id="D" + JILL,
        message={"ts": "1700000000.000100"},
        response_url=d.fake.response_url("swap-accept"),
    )
    ts = a.slack_now()
    deliveries = [a, b, a, b]  # twice to each, to widen the race
    results = race([lambda r=r: r.post(click, ts) for r in deliveries])
    assert [r[0] for r in results] == [200] * len(deliveries), results

    def refusals() -> list[Call]:
        return [
            c
            for c in d.fake.calls_to("response_url")
            if "already accepted" in str(c.args.get("text"))
        ]

    wait_until(lambda: len(refusals()) >= len(deliveries) - 1, "the other accepts' refusals", d)
    wait_until(
        lambda: [c for c in channel_posts(d.fake) if c.args["text"].startswith(":repeat:")],
        "the swap line in the channel",
        d,
    )
    time.sleep(0.5)  # room for a wrong second effect to show
    lines = [c for c in channel_posts(d.fake) if c.args["text"].startswith(":repeat:")]
    assert len(lines) == 1 and len(refusals()) == len(deliveries) - 1, (lines, refusals())
    assert "Jill is on call the week of Mon 07 Dec 2026" in lines[0].args["text"]
    with d.store.read() as s:
        assert {k: w.member for k, w in d.store.plan(s, 1, 2).items()} == {1: "jill", 2: "james"}
        request = d.store.swap(s, swap_id)
    assert request is not None and request.status is SwapStatus.ACCEPTED
    assert audit_count(d.store, "swap_accept") == 1
    assert all("Traceback" not in r.log() for r in d.replicas), d.logs()


# Jill's two holidays, each filed as overlapping pieces. Each piece has days of its own,
# so none is ever "already covered", whatever order the replicas commit them in.
PIECES = [(date(2027, 1, d), date(2027, 1, d + 2)) for d in (4, 6, 8, 10, 12, 14)] + [
    (date(2027, 2, d), date(2027, 2, d + 2)) for d in (1, 3, 5, 7)
]
MERGED = [(date(2027, 1, 4), date(2027, 1, 16)), (date(2027, 2, 1), date(2027, 2, 9))]


def test_concurrent_time_off_to_both_replicas_merges_with_none_lost_or_doubled(
    deployment: Deployment,
) -> None:
    d = deployment
    before = audit_count(d.store, "time_off")
    bodies = [
        slackreq.view_submission_body(
            "timeoff_modal",
            {
                "start": {"start": {"type": "datepicker", "selected_date": first.isoformat()}},
                "end": {"end": {"type": "datepicker", "selected_date": last.isoformat()}},
            },
            JILL,
            user_name="jill",
            view_id=f"V{i}",
        )
        for i, (first, last) in enumerate(PIECES)
    ]
    ts = d.replicas[0].slack_now()
    results = race(
        [lambda i=i, body=body: d.replicas[i % 2].post(body, ts) for i, body in enumerate(bodies)]
    )
    for status, raw in results:
        assert status == 200 and b"errors" not in raw, (status, raw, d.logs())
    with d.store.read() as s:
        rows = list(s.exec(select(TimeOffRow).where(TimeOffRow.member == "jill")))
    assert sorted((r.start, r.end) for r in rows) == MERGED
    assert audit_count(d.store, "time_off") - before == len(PIECES)
    assert all("Traceback" not in r.log() for r in d.replicas), d.logs()
