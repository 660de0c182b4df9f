"""HTTP load benchmark: the real server (`python -m bot run`, waitress) against a bare Bolt app.

    .venv/bin/python bench/http_bench.py [--requests 2000] [--clients 20] [--json out.json]

What it does, all on 127.0.0.1:

1. Builds a 50-member team with 10 years of history (and a 1-year variant) with
   bench/make_history.py, in a temporary directory.
2. Starts a FakeSlack (tests/fakeslack.py) in this process as the Slack Web API, and
   the app as a subprocess: `python -m bot run` with SLACK_API_URL pointing at it.
   Start-up = process start until GET /healthz answers; peak RSS = VmHWM of that
   process (/proc/<pid>/status) at the end of its run.
3. Sends signed requests from `--clients` threads on keep-alive connections,
   `--requests` of each kind: `/oncall`, `/oncall schedule 12`, App Home opens
   (app_home_opened events) and swap accepts (block_actions on the request DM).
   Ack = the HTTP response time. Reply = from sending until the matching call reaches
   the fake: the command's own response_url, the user's views.publish, the request
   DM's chat.update (each accept is a real, pending request; the bench files the
   next request of a pair of weeks once the previous one was accepted).
4. The same load, acknowledgement only, on bench/bare_app.py served the same way,
   and our figures as ratios of its.
5. `/oncall` on the 1-year database, for the flatness check, plus an in-process
   timing of the service reads on both databases.

Bodies are signed just before each phase (Slack's 5-minute window). Every loop is
bounded in count and time; the subprocesses are stopped on exit.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests", ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import fakeslack  # noqa: E402
import slackreq  # noqa: E402
from make_history import History, build_history, slack_id  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
HOST = "127.0.0.1"
KINDS = ("oncall", "schedule", "home", "accept")
LABELS = {
    "oncall": "/oncall",
    "schedule": "/oncall schedule 12",
    "home": "App Home open",
    "accept": "swap accept",
    "typed_swap": "/oncall swap @x",  # --slack-rtt only
}
PHASE_SECONDS = 120.0  # a phase stops sending after this long
REPLY_WAIT = 60.0  # and waits at most this long for its replies
CHAIN_WAIT = 15.0  # an accept waits at most this long for the previous one of its pair


# --- measurements -------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    sent: float = 0.0
    sent_wall: float = 0.0  # time.time() at sending, to compare with a Home's rendered_at
    acked: float | None = None
    replied: float | None = None
    status: int = 0
    refused: bool = False
    done: threading.Event | None = None

    @property
    def ack_ms(self) -> float | None:
        return None if self.acked is None else (self.acked - self.sent) * 1000

    @property
    def reply_ms(self) -> float | None:
        return None if self.replied is None else (self.replied - self.sent) * 1000


class Matcher:
    """Pairs calls reaching the fake with the requests that caused them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: dict[str, Sample] = {}  # response_url path -> sample
        self.updates: dict[str, Sample] = {}  # chat.update ts -> sample
        self.homes: dict[str, collections.deque[Sample]] = collections.defaultdict(
            collections.deque
        )
        self.counts: collections.Counter[str] = collections.Counter()

    def expect_path(self, path: str, sample: Sample) -> None:
        with self.lock:
            self.paths[path] = sample

    def answered_in_ack(self, path: str, sample: Sample) -> None:
        """The command's reply was its acknowledgement: replied when acknowledged."""
        with self.lock:
            self.counts["answered in the ack"] += 1
            if self.paths.pop(path, None) is not None and sample.replied is None:
                sample.replied = sample.acked
        if sample.done is not None:
            sample.done.set()

    def expect_update(self, ts: str, sample: Sample) -> None:
        with self.lock:
            self.updates[ts] = sample

    def expect_home(self, user: str, sample: Sample) -> None:
        with self.lock:
            self.homes[user].append(sample)

    def on_call(self, call: fakeslack.Call) -> None:
        sample: Sample | None = None
        refused = False
        with self.lock:
            self.counts[call.method] += 1
            if call.method == fakeslack.RESPONSE_URL:
                sample = self.paths.pop(str(call.args.get("_path")), None)
                refused = sample is not None and sample.kind == "accept"
            elif call.method == "chat.update":
                sample = self.updates.pop(str(call.args.get("ts")), None)
            elif call.method == "views.publish":
                samples = self._homes_answered(call)
                for home in samples[1:]:
                    self._reply(home, call, False)
                sample = samples[0] if samples else None
        if sample is not None:
            self._reply(sample, call, refused)

    @staticmethod
    def _reply(sample: Sample, call: fakeslack.Call, refused: bool) -> None:
        if sample.replied is None:
            sample.refused = refused
            sample.replied = call.time
            if sample.done is not None:
                sample.done.set()

    def _homes_answered(self, call: fakeslack.Call) -> list[Sample]:
        """The App Home opens a views.publish answers (holding the lock).

        The app coalesces refreshes per person (bot.slack.home.HomePublisher), so one
        publish can answer several opens: every open of that user sent before the Home
        was rendered (the view's private_metadata says when), as the Home shows the
        state as of after each of them. A view without that stamp answers the oldest
        open (one publish per open, as apps without the publisher do)."""
        queue = self.homes.get(str(call.args.get("user_id")))
        if not queue:
            return []
        rendered_at = _rendered_at(call.args.get("view"))
        if rendered_at is None:
            return [queue.popleft()]
        answered = []
        while queue and 0 < queue[0].sent_wall <= rendered_at:  # 0: not sent yet
            answered.append(queue.popleft())
        return answered


def _is_message(raw: bytes) -> bool:
    """An acknowledgement carrying a message (Slack shows it as the command's reply)."""
    if not raw.startswith(b"{"):
        return False
    try:
        return "text" in json.loads(raw)
    except ValueError:
        return False


def _rendered_at(view: Any) -> float | None:
    """A published Home's `rendered_at` (from its private_metadata) as a Unix time."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return None
    try:
        stamp = json.loads(view["private_metadata"])["rendered_at"]
        return datetime.fromisoformat(stamp).timestamp()
    except (TypeError, KeyError, ValueError):
        return None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class PhaseResult:
    kind: str
    sent: int
    ok: int
    errors: int
    seconds: float
    ack: dict[str, float | None]
    reply: dict[str, float | None] = field(default_factory=dict)
    replies: int = 0
    refused: int = 0
    last_reply_s: float | None = None
    server_cpu_ms: float | None = None  # per request, the server process, replies included
    bench_cpu_ms: float | None = None  # per request, this process (clients and fake Slack)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput": round(self.throughput, 1),
            "ack_ms": self.ack,
            "reply_ms": self.reply,
            "replies": self.replies,
            "refused": self.refused,
            "last_reply_s": self.last_reply_s,
            "server_cpu_ms": self.server_cpu_ms,
            "bench_cpu_ms": self.bench_cpu_ms,
        }


def summarize(kind: str, samples: list[Sample], seconds: float, expect_reply: bool) -> PhaseResult:
    acks = [s.ack_ms for s in samples if s.ack_ms is not None and s.status == 200]
    stats = {f"p{q}": _r(percentile(acks, q)) for q in (50, 95, 99)}
    stats["max"] = _r(max(acks, default=None))
    result = PhaseResult(
        kind,
        len(samples),
        len(acks),
        len(samples) - len(acks),
        seconds,
        stats,
    )
    if expect_reply:
        replies = [s.reply_ms for s in samples if s.reply_ms is not None]
        result.reply = {f"p{q}": _r(percentile(replies, q)) for q in (50, 95, 99)}
        result.reply["max"] = _r(max(replies, default=None))
        result.replies = len(replies)
        result.refused = sum(1 for s in samples if s.refused)
        first = min((s.sent for s in samples), default=0.0)
        last = max((s.replied for s in samples if s.replied is not None), default=None)
        result.last_reply_s = None if last is None else round(last - first, 2)
    return result


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the server under test ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """A server subprocess: started, timed to its first /healthz, stopped."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
    ) -> None:
        self.name, self.argv, self.env, self.log, self.cwd = name, argv, env, log, cwd
        self.port = int(env["PORT"])
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_s: float | None = None

    def start(self, timeout: float = 30.0) -> Server:
        out = self.log.open("wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
        )
        out.close()
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}: see {self.log}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    self.startup_s = time.perf_counter() - t0
                    conn.close()
                    return self
                conn.close()
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout}s: see {self.log}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far."""
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def status(self, key: str) -> int | None:
        """A /proc/<pid>/status figure in kB (VmHWM: peak RSS, VmRSS: now)."""
        if self.proc is None:
            return None
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def server_env(port: int, fake: fakeslack.FakeSlack, history: History | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ONCALL_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(port),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if history is not None:
        env["DATABASE_URL"] = history.database_url
        env["ONCALL_CONFIG"] = str(history.config)
    return env


# --- load ------------------------------------------------------------------------------


@dataclass
class Request:
    """A signed body and what to expect back for it."""

    body: bytes
    headers: dict[str, str]
    expect: Callable[[Sample], None] | None = None
    # A command's reply may come in its acknowledgement (a JSON message), not through
    # its response_url: then this is told, with the sample, at the acknowledgement.
    answered_in_ack: Callable[[Sample], None] | None = None


class Client:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, req: Request, sample: Sample) -> None:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                if req.expect is not None and attempt == 1:
                    req.expect(sample)
                sample.sent_wall = time.time()
                sample.sent = time.monotonic()
                self.conn.request("POST", "/slack/events", req.body, req.headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                sample.acked = time.monotonic()
                sample.status = resp.status
                if req.answered_in_ack is not None and _is_message(raw):
                    req.answered_in_ack(sample)
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                return
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    sample.status = -1

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def signed(body: bytes, content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, **slackreq.sign(SECRET, body)}


def measured(server: Server, phase: Callable[[], PhaseResult]) -> PhaseResult:
    """Run a phase and charge it the CPU time both processes spent meanwhile."""
    s0, b0 = server.cpu_seconds(), sum(os.times()[:2])
    result = phase()
    s1, b1 = server.cpu_seconds(), sum(os.times()[:2])
    if result.sent:
        result.server_cpu_ms = round((s1 - s0) * 1000 / result.sent, 2)
        result.bench_cpu_ms = round((b1 - b0) * 1000 / result.sent, 2)
    return result


def pace_until(t0: float, i: int, rate: float) -> None:
    """With a rate (requests per second, all clients together), wait for request i's turn."""
    if rate > 0:
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


SHOW_SLOWEST = 0  # --slowest N


def run_phase(
    kind: str,
    port: int,
    requests: list[Request],
    clients: int,
    expect_reply: bool,
    rate: float = 0.0,
) -> PhaseResult:
    """Send `requests` from `clients` threads; each thread takes the next one as soon as
    its previous one was acknowledged (closed loop), or at `rate` per second overall."""
    samples = [Sample(kind) for _ in requests]
    counter = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS
    t0 = time.monotonic()

    def worker() -> None:
        client = Client(port)
        try:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter)
                if i >= len(requests):
                    return
                pace_until(t0, i, rate)
                client.post(requests[i], samples[i])
        finally:
            client.close()

    threads = [threading.Thread(target=worker, name=f"client-{n}") for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PHASE_SECONDS + 30)
    seconds = time.monotonic() - t0
    sent = [s for s in samples if s.sent]
    if expect_reply:
        wait_replies(sent)
    if SHOW_SLOWEST:
        print_slowest(kind, sent, t0)
    return summarize(kind, sent, seconds, expect_reply)


def print_slowest(kind: str, samples: list[Sample], t0: float) -> None:
    """The slowest acknowledgements and replies in sending order: (request number, ms,
    ms into the phase). A cluster at one moment is a stall of the server (it was how a
    full garbage collection showed); the first few are the clients connecting."""
    for what, ms in (("acks", Sample.ack_ms.fget), ("replies", Sample.reply_ms.fget)):
        timed = [i for i in range(len(samples)) if ms(samples[i]) is not None]  # type: ignore[misc]
        worst = sorted(timed, key=lambda i: -ms(samples[i]))[:SHOW_SLOWEST]  # type: ignore[misc]
        shown = [
            (i, round(ms(samples[i])), round((samples[i].sent - t0) * 1000))  # type: ignore[misc]
            for i in sorted(worst)
        ]
        if shown:
            print(f"  slowest {kind} {what}: {shown}", flush=True)


def wait_replies(samples: list[Sample], timeout: float = REPLY_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(s.replied is not None for s in samples if s.status == 200):
            return
        time.sleep(0.05)


# --- request builders ----------------------------------------------------------------------


def command_requests(
    fake: fakeslack.FakeSlack, matcher: Matcher, tag: str, text: str, n: int, members: int
) -> list[Request]:
    out = []
    for i in range(n):
        path = f"/hooks/{tag}-{i}"
        body = slackreq.slash_command_body(
            text=text,
            user_id=slack_id(1 + i % members),
            channel_id="C0BENCH0002",
            response_url=fake.base + path,
            trigger_id=f"{i}.1.bench",
        )
        out.append(
            Request(
                body,
                signed(body, slackreq.FORM),
                lambda s, p=path: matcher.expect_path(p, s),
                lambda s, p=path: matcher.answered_in_ack(p, s),
            )
        )
    return out


def home_requests(matcher: Matcher | None, tag: str, n: int, members: int) -> list[Request]:
    out = []
    for i in range(n):
        user = slack_id(1 + i % members)
        body = slackreq.event_body(slackreq.app_home_opened_event(user), event_id=f"Ev{tag}{i}")
        expect = None if matcher is None else (lambda s, u=user: matcher.expect_home(u, s))
        out.append(Request(body, signed(body, slackreq.JSON), expect))
    return out


def accept_body(swap_id: int, user: str, channel: str, ts: str, response_url: str) -> bytes:
    return slackreq.block_actions_body(
        "swap_accept",
        str(swap_id),
        user,
        channel_id=channel,
        message={"ts": ts, "type": "message"},
        response_url=response_url,
    )


# --- swap accepts: pairs of future weeks, swapped back and forth --------------------------


@dataclass
class Pair:
    a: int  # week index, first owned by `first`
    b: int  # week index, first owned by `second`
    first: str
    second: str
    steps: int = 0  # accepted requests so far: even, `first` holds week a again
    ready: threading.Event = field(default_factory=threading.Event)
    last: Sample | None = None


def swap_pairs(history: History, count: int) -> list[Pair]:
    """Disjoint pairs of consecutive future weeks whose two owners can swap them."""
    from bot.clock import SystemClock
    from bot.core.timeoff import away_during
    from bot.core.weeks import week
    from bot.service import OnCallService
    from bot.storage.store import Store

    store = Store(history.database_url)
    service = OnCallService(history.team, store, SystemClock())
    current = service.current_index()
    with store.read() as s:
        last = store.last_planned(s) or current
        plan = store.plan(s, current, last)
        time_off = store.time_off(s, service.today())
    pairs: list[Pair] = []
    k = current + 2
    while k + 1 <= last and len(pairs) < count:
        a, b = plan[k].member, plan[k + 1].member
        if (
            a != b
            and away_during(time_off, b, week(history.team, k).days) is None
            and away_during(time_off, a, week(history.team, k + 1).days) is None
        ):
            pairs.append(Pair(k, k + 1, a, b))
            k += 2
        else:
            k += 1
    store.engine.dispose()
    store.write_engine.dispose()
    return pairs


class SwapFiler:
    """Files the next pending request of a pair in the app's database, as a user would
    with `/oncall swap`, plus where its DM is, so the accept finds a real request.

    One INSERT in autocommit: SQLite's write lock is held only inside that one C call.
    (Through the app's Store it was held across several Python steps of this process,
    whose 20 client threads starve any one of them of the GIL for tens of ms; the
    server's writers then waited on the lock, and the accepts behind them stalled
    together for ~400 ms: a load-generator artefact, not the app.)"""

    def __init__(self, history: History) -> None:
        from sqlalchemy.engine import make_url

        self.team = history.team
        path = make_url(history.database_url).database
        assert path, history.database_url
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        # The bench's own writes: no fsync, so they hold the write lock briefly.
        self.conn.execute("PRAGMA synchronous=OFF")
        self.lock = threading.Lock()
        self.n = itertools.count(1)

    def file(self, pair: Pair) -> tuple[int, str, str, str]:
        """-> (swap id, counterpart's Slack id, DM channel, DM ts)."""
        from bot.core.weeks import week

        requester, counterpart = (
            (pair.first, pair.second) if pair.steps % 2 == 0 else (pair.second, pair.first)
        )
        user = self.team.member(counterpart).slack_id
        channel, ts = "D" + user, f"{1_800_000_000 + next(self.n)}.000100"
        expires = min(week(self.team, pair.a).start, week(self.team, pair.b).start)
        row = (
            requester,
            counterpart,
            pair.a,
            pair.b,
            "pending",
            "bench",
            _stored(datetime.now(UTC)),
            _stored(expires),
            0,
            channel,
            ts,
        )
        with self.lock:
            (swap_id,) = self.conn.execute(
                "INSERT INTO swap_request (requester, counterpart, requester_week,"
                " counterpart_week, status, reason, created_at, expires_at, reminders_sent,"
                " dm_channel, dm_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                row,
            ).fetchone()
        return int(swap_id), user, channel, ts

    def close(self) -> None:
        self.conn.close()


def _stored(instant: datetime) -> str:
    """An aware instant as the app's UTC columns hold it (SQLAlchemy's SQLite format)."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def run_accepts(
    port: int,
    fake: fakeslack.FakeSlack,
    matcher: Matcher,
    history: History,
    n: int,
    clients: int,
    rate: float = 0.0,
) -> PhaseResult:
    """Each client owns some pairs; a pair's next request is filed (and accepted) only
    after the previous accept reached Slack, so every accept is a real one."""
    pairs = swap_pairs(history, clients * 2)
    if not pairs:
        raise RuntimeError("no pair of future weeks can be swapped")
    filer = SwapFiler(history)
    per_client = [pairs[i :: min(clients, len(pairs))] for i in range(min(clients, len(pairs)))]
    quotas = [
        n // len(per_client) + (1 if i < n % len(per_client) else 0) for i in range(len(per_client))
    ]
    samples: list[Sample] = []
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS
    turn = itertools.count()
    t0 = time.monotonic()
    for p in pairs:
        p.ready.set()

    def worker(mine: list[Pair], quota: int) -> None:
        client = Client(port)
        try:
            for i in range(quota):
                if time.monotonic() >= deadline:
                    return
                pair = mine[i % len(mine)]
                pair.ready.wait(CHAIN_WAIT)  # bounded: a lost reply only delays the pair
                pair.ready.clear()
                if pair.last is not None and not pair.last.refused and pair.last.status == 200:
                    pair.steps += 1  # the weeks changed hands
                with lock:
                    i_all = next(turn)
                pace_until(t0, i_all, rate)
                swap_id, user, channel, ts = filer.file(pair)
                sample = pair.last = Sample("accept", done=pair.ready)
                path = f"/hooks/accept-{swap_id}"
                body = accept_body(swap_id, user, channel, ts, fake.base + path)
                req = Request(
                    body,
                    signed(body, slackreq.FORM),
                    lambda s, t=ts, p=path: (
                        matcher.expect_update(t, s),
                        matcher.expect_path(p, s),
                    ),
                )
                client.post(req, sample)
                if sample.status != 200:
                    pair.ready.set()
                with lock:
                    samples.append(sample)
        finally:
            client.close()

    threads = [
        threading.Thread(target=worker, args=(mine, q), name=f"accept-{i}")
        for i, (mine, q) in enumerate(zip(per_client, quotas, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PHASE_SECONDS + CHAIN_WAIT + 30)
    seconds = time.monotonic() - t0
    wait_replies(samples)
    filer.close()
    if SHOW_SLOWEST:
        print_slowest("accept", samples, t0)
    result = summarize("accept", samples, seconds, True)
    return result


def bare_accepts(port: int, n: int, clients: int, rate: float = 0.0) -> PhaseResult:
    reqs = []
    for i in range(n):
        user = slack_id(1 + i % 50)
        body = accept_body(
            i + 1, user, "D" + user, f"{1_700_000_000 + i}.000100", "http://127.0.0.1:9/x"
        )
        reqs.append(Request(body, signed(body, slackreq.FORM)))
    return run_phase("accept", port, reqs, clients, expect_reply=False, rate=rate)


# --- scenarios --------------------------------------------------------------------------------


def warm_up(port: int, fake: fakeslack.FakeSlack, matcher: Matcher | None, members: int) -> None:
    """A few of each request before measuring (both apps), replies awaited."""
    reqs: list[Request] = []
    if matcher is not None:
        reqs += command_requests(fake, matcher, "warm-now", "", 20, members)
        reqs += command_requests(fake, matcher, "warm-sched", "schedule 12", 20, members)
    else:
        reqs += [
            Request(r.body, r.headers)
            for r in command_requests(fake, Matcher(), "w", "", 40, members)
        ]
    reqs += home_requests(matcher, "warm", 20, members)
    run_phase("warm-up", port, reqs, 4, expect_reply=matcher is not None)


def run_ours(
    history: History,
    fake: fakeslack.FakeSlack,
    matcher: Matcher,
    kinds: tuple[str, ...],
    n: int,
    clients: int,
    log: Path,
    profile: Path | None = None,
    app_root: Path = ROOT,
    rate: float = 0.0,
) -> dict[str, Any]:
    port = free_port()
    argv = [sys.executable, "-m", "bot", "run"]
    env = server_env(port, fake, history)
    if app_root != ROOT:
        env["PYTHONPATH"] = str(app_root)
    server = Server(f"oncall-bot ({history.years}y)", argv, env, log, cwd=app_root)
    members = len(history.team.members)
    try:
        server.start()
        rss_started = server.status("VmRSS")
        warm_up(port, fake, matcher, members)
        spy = start_py_spy(server, profile) if profile else None
        phases: dict[str, PhaseResult] = {}
        tag = f"{history.years}y"
        for kind in kinds:
            print(f"  {server.name}: {LABELS[kind]} x {n} ...", flush=True)
            if kind == "oncall":
                reqs = command_requests(fake, matcher, f"{tag}-now", "", n, members)
            elif kind == "schedule":
                reqs = command_requests(fake, matcher, f"{tag}-sched", "schedule 12", n, members)
            elif kind == "home":
                reqs = home_requests(matcher, tag, n, members)
            if kind == "accept":
                phases[kind] = measured(
                    server, lambda: run_accepts(port, fake, matcher, history, n, clients, rate)
                )
            else:
                phases[kind] = measured(
                    server, lambda k=kind, r=reqs: run_phase(k, port, r, clients, True, rate)
                )
        time.sleep(0.5)  # let trailing notifications finish before reading the peak
        if spy is not None:
            stop_py_spy(spy)
        return server_result(server, rss_started, phases, log)
    finally:
        server.stop()


# --- Slack round trips (--slack-rtt): one action at a time against a distant Slack -------

HOME_AFTER_CHANGE = 0.5  # bot/slack/home.py AFTER_CHANGE_SECONDS
ROUND_TRIP_ACTIONS = 5  # of each kind, one after another
BURST = 40  # accepts from several clients at once, for connections per call


@dataclass
class RoundTrip:
    """One action: from sending it until the person who acted sees the result (`seen`),
    until every Web API effect landed (`settled`), the calls and new connections."""

    seen: float | None
    settled: float  # the last effect other than an App Home refresh
    calls: int
    connections: int
    homes: float | None = None  # the last App Home refresh (views.publish), if any


def _quiet(fake: fakeslack.FakeSlack, since: int, rtt: float, limit: float = 30.0) -> None:
    """Wait until no call reached the fake for a while: longer than two round trips plus
    the wait of a change's App Home refresh (HomePublisher coalesces a burst), so the
    refreshes an action asked for are counted with it."""
    quiet = max(0.3, 3 * rtt) + HOME_AFTER_CHANGE
    deadline = time.monotonic() + limit
    seen, last_change = len(fake.calls), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        count = len(fake.calls)
        if count != seen:
            seen, last_change = count, time.monotonic()
        elif count > since and time.monotonic() - last_change >= quiet:
            return


def one_round_trip(
    port: int,
    fake: fakeslack.FakeSlack,
    body: bytes,
    content_type: str,
    visible: Callable[[fakeslack.Call], bool],
) -> RoundTrip:
    _quiet(fake, -1, fake.rtt, 5.0)
    before, connections = len(fake.calls), fake.connections
    client = Client(port)
    sample = Sample("round trip")
    in_ack: list[float] = []  # a command answered in its acknowledgement
    request = Request(
        body, signed(body, content_type), answered_in_ack=lambda s: in_ack.append(s.acked)
    )
    client.post(request, sample)
    client.close()
    _quiet(fake, before, fake.rtt)
    calls = fake.calls[before:]
    shown = [c.time for c in calls if visible(c)] + in_ack
    effects = [c.time for c in calls if c.method != "views.publish"]
    homes = [c.time for c in calls if c.method == "views.publish"]
    return RoundTrip(
        seen=(min(shown) - sample.sent) if shown else None,
        settled=(max(effects) - sample.sent) if effects else 0.0,
        calls=len(calls),
        connections=fake.connections - connections,
        homes=(max(homes) - sample.sent) if homes else None,
    )


def round_trips(
    history: History, fake: fakeslack.FakeSlack, rtt_ms: float, log: Path, app_root: Path = ROOT
) -> dict[str, Any]:
    """Each action alone, then a burst of accepts; the fake answers after `rtt_ms`."""
    port = free_port()
    env = server_env(port, fake, history)
    if app_root != ROOT:
        env["PYTHONPATH"] = str(app_root)
    server = Server(
        "oncall-bot (round trips)", [sys.executable, "-m", "bot", "run"], env, log, cwd=app_root
    )
    out: dict[str, Any] = {"rtt_ms": rtt_ms}
    try:
        server.start()
        warm_up(port, fake, None, len(history.team.members))
        fake.rtt = rtt_ms / 1000
        per_kind = ROUND_TRIP_ACTIONS
        pairs = swap_pairs(history, 2 * per_kind + BURST)  # accepts, typed requests, the burst
        filer = SwapFiler(history)
        accepts: list[RoundTrip] = []
        for pair in pairs[:per_kind]:
            swap_id, user, channel, ts = filer.file(pair)
            body = accept_body(swap_id, user, channel, ts, fake.response_url(f"rt-{swap_id}"))
            accepts.append(
                one_round_trip(
                    port,
                    fake,
                    body,
                    slackreq.FORM,
                    lambda c, t=ts: c.method == "chat.update" and c.args.get("ts") == t,
                )
            )
        homes: list[RoundTrip] = []
        for i in range(ROUND_TRIP_ACTIONS):
            user = slack_id(1 + i)
            body = slackreq.event_body(slackreq.app_home_opened_event(user), event_id=f"EvRt{i}")
            homes.append(
                one_round_trip(
                    port,
                    fake,
                    body,
                    slackreq.JSON,
                    lambda c, u=user: c.method == "views.publish" and c.args.get("user_id") == u,
                )
            )
        nows: list[RoundTrip] = []
        for i in range(ROUND_TRIP_ACTIONS):
            path = f"rt-now-{i}"
            body = slackreq.slash_command_body(
                text="", user_id=slack_id(1 + i), response_url=fake.response_url(path)
            )
            nows.append(
                one_round_trip(
                    port,
                    fake,
                    body,
                    slackreq.FORM,
                    lambda c, p=f"/hooks/{path}": (
                        c.method == fakeslack.RESPONSE_URL and c.args.get("_path") == p
                    ),
                )
            )
        typed = [
            one_round_trip(port, fake, body, slackreq.FORM, visible)
            for body, visible in typed_swaps(history, fake, pairs[per_kind : 2 * per_kind])
        ]
        out["actions"] = {
            "accept": [r.__dict__ for r in accepts],
            "typed_swap": [r.__dict__ for r in typed],
            "home": [r.__dict__ for r in homes],
            "oncall": [r.__dict__ for r in nows],
        }
        # A burst: BURST accepts at once, each from its own client on its own pair.
        _quiet(fake, -1, fake.rtt, 5.0)
        before, connections = len(fake.calls), fake.connections
        burst = pairs[2 * per_kind :]
        results: list[tuple[Sample, str]] = []  # each accept, and its request DM's ts

        def send(pair: Pair) -> None:
            swap_id, user, channel, ts = filer.file(pair)
            body = accept_body(swap_id, user, channel, ts, fake.response_url(f"b-{swap_id}"))
            sample = Sample("accept")
            client = Client(port)
            client.post(Request(body, signed(body, slackreq.FORM)), sample)
            client.close()
            results.append((sample, ts))

        threads = [threading.Thread(target=send, args=(p,)) for p in burst]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        _quiet(fake, before, fake.rtt, 60.0)
        calls = fake.calls[before:]
        updated = {c.args.get("ts"): c.time for c in calls if c.method == "chat.update"}
        # Each clicker's answer (their request DM updated), and when everything landed.
        seen = [updated[ts] - s.sent for s, ts in results if ts in updated]
        out["burst"] = {
            "accepts": len(burst),
            "calls": len(calls),
            "connections": fake.connections - connections,
            "seen_p50": percentile(seen, 50),
            "seen_p99": percentile(seen, 99),
            "seen_count": len(seen),
            "settled": (max(c.time for c in calls) - min(s.sent for s, _ in results))
            if calls and results
            else None,
        }
        filer.close()
    finally:
        fake.rtt = 0.0
        server.stop()
    return out


def typed_swaps(
    history: History, fake: fakeslack.FakeSlack, pairs: list[Pair]
) -> list[tuple[bytes, Callable[[fakeslack.Call], bool]]]:
    """`/oncall swap <@them> <a day of my week> <a day of theirs>`, typed by the owner of
    each pair's first week, offering it for the second (both free in the bench's plan);
    what the person sees is the confirmation through the command's response_url."""
    from bot.core.weeks import week

    typed = []
    for n, pair in enumerate(pairs):
        me, them = history.team.member(pair.first), history.team.member(pair.second)
        mine, theirs = week(history.team, pair.a).days[2], week(history.team, pair.b).days[2]
        text = f"swap <@{them.slack_id}|{them.id}> {mine.isoformat()} {theirs.isoformat()}"
        path = f"rt-swap-{n}"
        body = slackreq.slash_command_body(
            text=text, user_id=me.slack_id, user_name=me.id, response_url=fake.response_url(path)
        )

        def visible(c: fakeslack.Call, p: str = f"/hooks/{path}") -> bool:
            return c.method == fakeslack.RESPONSE_URL and c.args.get("_path") == p

        typed.append((body, visible))
    return typed


def round_trip_report(r: dict[str, Any]) -> str:
    rtt = r["rtt_ms"]
    lines = [
        f"Slack round trips at {rtt:.0f} ms RTT (median of {ROUND_TRIP_ACTIONS} actions, one at a"
        " time)",
        f"{'action':<16}{'seen ms':>9}{'(RTTs)':>8}{'settled ms':>12}{'(RTTs)':>8}"
        f"{'Homes ms':>10}{'calls':>7}{'new conns':>11}",
    ]
    for kind, rows in r["actions"].items():
        seen = [x["seen"] for x in rows if x["seen"] is not None]
        settled = [x["settled"] for x in rows]
        med_seen = percentile(seen, 50)
        med_settled = percentile(settled, 50) or 0.0
        calls = percentile([float(x["calls"]) for x in rows], 50) or 0
        conns = percentile([float(x["connections"]) for x in rows], 50) or 0
        seen_ms = "-" if med_seen is None else f"{med_seen * 1000:.0f}"
        seen_rtt = "-" if med_seen is None else f"{med_seen * 1000 / rtt:.1f}"
        refreshed = [x["homes"] for x in rows if x.get("homes") is not None]
        # A stray refresh (a scheduler job's) is not the action's: most rows must have one.
        med_homes = percentile(refreshed, 50) if 2 * len(refreshed) > len(rows) else None
        homes_ms = "-" if med_homes is None else f"{med_homes * 1000:.0f}"
        lines.append(
            f"{LABELS[kind]:<16}{seen_ms:>9}{seen_rtt:>8}{med_settled * 1000:>12.0f}"
            f"{med_settled * 1000 / rtt:>8.1f}{homes_ms:>10}{calls:>7.0f}{conns:>11.0f}"
        )
    b = r["burst"]
    lines.append(
        f"burst of {b['accepts']} accepts at once: {b['calls']} Web API calls on"
        f" {b['connections']} new connections (target <= calls / 4 = {b['calls'] // 4})"
    )
    if b.get("seen_p50") is not None:
        lines.append(
            f"  each clicker's DM updated ({b['seen_count']}/{b['accepts']}): p50"
            f" {b['seen_p50'] * 1000:.0f} ms, p99 {b['seen_p99'] * 1000:.0f} ms after the click;"
            f" everything landed {b['settled'] * 1000:.0f} ms after the first click"
        )
    return "\n".join(lines)


def server_result(
    server: Server, rss_started: int | None, phases: dict[str, PhaseResult], log: Path
) -> dict[str, Any]:
    """One server's figures for the report and the JSON."""
    return {
        "name": server.name,
        "startup_s": server.startup_s,
        "rss_started_kb": rss_started,
        "peak_rss_kb": server.status("VmHWM"),
        "phases": {k: v.as_dict() for k, v in phases.items()},
        "log_errors": _log_errors(log),
    }


def run_bare(
    fake: fakeslack.FakeSlack,
    kinds: tuple[str, ...],
    n: int,
    clients: int,
    log: Path,
    rate: float = 0.0,
) -> dict[str, Any]:
    port = free_port()
    argv = [sys.executable, str(ROOT / "bench" / "bare_app.py")]
    server = Server("bare Bolt app", argv, server_env(port, fake, None), log)
    try:
        server.start()
        rss_started = server.status("VmRSS")
        warm_up(port, fake, None, 50)
        phases: dict[str, PhaseResult] = {}
        for kind in kinds:
            print(f"  {server.name}: {LABELS[kind]} x {n} ...", flush=True)
            if kind in ("oncall", "schedule"):
                text = "" if kind == "oncall" else "schedule 12"
                reqs = [
                    Request(r.body, r.headers)
                    for r in command_requests(fake, Matcher(), f"bare-{kind}", text, n, 50)
                ]
            elif kind == "home":
                reqs = home_requests(None, "bare", n, 50)
            if kind == "accept":
                phases[kind] = measured(server, lambda: bare_accepts(port, n, clients, rate))
            else:
                phases[kind] = measured(
                    server, lambda k=kind, r=reqs: run_phase(k, port, r, clients, False, rate)
                )
        return server_result(server, rss_started, phases, log)
    finally:
        server.stop()


def start_py_spy(server: Server, out: Path) -> subprocess.Popen[bytes]:
    """Sample the server with py-spy: collapsed stacks of the thread holding the GIL
    (where the CPU goes; PY_SPY_ALL=1 samples every non-idle thread instead)."""
    exe = Path(sys.executable).with_name("py-spy")
    assert server.proc is not None
    argv = [str(exe), "record", "--pid", str(server.proc.pid), "--format", "raw"]
    argv += ["--rate", "250", "--output", str(out), "--threads", "--nonblocking"]
    if not os.environ.get("PY_SPY_ALL"):
        argv.append("--gil")
    spy = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return spy


def stop_py_spy(spy: subprocess.Popen[bytes]) -> None:
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(timeout=20)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait(timeout=5)


def _log_errors(log: Path) -> int:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines() if " ERROR " in line or "Traceback" in line)


_TIMINGS = """
import itertools, json, statistics, sys, time
from pathlib import Path
from bot.clock import SystemClock
from bot.config import load_config
from bot.service import OnCallService
from bot.storage.store import Store

team = load_config(Path(sys.argv[2]))
store = Store(sys.argv[1])
service = OnCallService(team, store, SystemClock())
members = itertools.cycle([m.id for m in team.members])  # weeks_of: each member in turn
calls = {
    "who": service.who,
    "schedule_12": lambda: service.schedule(count=12),
    "weeks_of": lambda: service.weeks_of(next(members), count=6),
}
out = {}
for name, fn in calls.items():
    fn()
    times = []
    for _ in range(int(sys.argv[3])):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    out[name] = round(statistics.median(times), 3)
print(json.dumps(out))
"""


def service_timings(history: History, app_root: Path = ROOT, rounds: int = 300) -> dict[str, float]:
    """Medians (ms) of the reads behind /oncall and the App Home, timed in a process that
    imports the app under test (`app_root`), on this history's database."""
    env = dict(os.environ, PYTHONPATH=str(app_root))
    done = subprocess.run(
        [sys.executable, "-c", _TIMINGS, history.database_url, str(history.config), str(rounds)],
        cwd=app_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report ---------------------------------------------------------------------------------


def _fmt(v: float | None, width: int = 7) -> str:
    return f"{'-':>{width}}" if v is None else f"{v:>{width}.1f}"


def report(results: dict[str, Any]) -> str:
    ours, bare = results["ours"], results.get("bare")
    lines = []
    lines.append(
        f"{'request':<20} {'n':>5} {'err':>4}  {'ack p50':>7} {'p95':>7} {'p99':>7}  "
        f"{'reply p50':>9} {'p95':>7} {'p99':>7}  {'req/s':>7}  {'bare p99':>8} {'x p99':>6} "
        f"{'x req/s':>7}"
    )
    lines.append("-" * len(lines[0]))
    for kind, ph in ours["phases"].items():
        b = (bare or {}).get("phases", {}).get(kind)
        ratio = ratio_tp = None
        if b and b["ack_ms"]["p99"] and ph["ack_ms"]["p99"]:
            ratio = ph["ack_ms"]["p99"] / b["ack_ms"]["p99"]
            ratio_tp = ph["throughput"] / b["throughput"] if b["throughput"] else None
        lines.append(
            f"{LABELS[kind]:<20} {ph['sent']:>5} {ph['errors']:>4}  "
            f"{_fmt(ph['ack_ms']['p50'])} {_fmt(ph['ack_ms']['p95'])} {_fmt(ph['ack_ms']['p99'])}  "
            f"{_fmt(ph['reply_ms'].get('p50'), 9)} {_fmt(ph['reply_ms'].get('p95'))} "
            f"{_fmt(ph['reply_ms'].get('p99'))}  {ph['throughput']:>7.0f}  "
            f"{_fmt(b['ack_ms']['p99'] if b else None, 8)} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>6} "
            f"{'-' if ratio_tp is None else f'{ratio_tp:.2f}':>7}"
        )
    lines.append("")
    for kind, ph in ours["phases"].items():
        extra = f", refused {ph['refused']}" if kind == "accept" else ""
        lines.append(
            f"{LABELS[kind]}: {ph['replies']}/{ph['ok']} replies matched{extra}; "
            f"last reply {ph['last_reply_s']}s after the first send; {ph['seconds']:.1f}s to send; "
            f"CPU per request: server {ph['server_cpu_ms']} ms, bench {ph['bench_cpu_ms']} ms"
        )
    if bare:
        lines.append(
            "bare ack p50/p95/p99 ms: "
            + "; ".join(
                f"{LABELS[k]} {v['ack_ms']['p50']}/{v['ack_ms']['p95']}/{v['ack_ms']['p99']} "
                f"({v['throughput']:.0f} req/s, server CPU {v['server_cpu_ms']} ms/req)"
                for k, v in bare["phases"].items()
            )
        )
    lines.append("")

    def mb(kb: int | None) -> str:
        return "-" if kb is None else f"{kb / 1024:.0f} MB"

    for r in [ours, results.get("ours_1y"), bare]:
        if r:
            lines.append(
                f"{r['name']:<22} start-up {r['startup_s']:.2f}s, "
                f"RSS at start {mb(r['rss_started_kb'])}, peak RSS {mb(r['peak_rss_kb'])}, "
                f"log errors {r['log_errors']}"
            )
    if bare:
        lines.append(
            f"ratios to bare: start-up {ours['startup_s'] / bare['startup_s']:.1f}x, "
            f"peak RSS {ours['peak_rss_kb'] / bare['peak_rss_kb']:.1f}x"
        )
    one = results.get("ours_1y")
    if one and "oncall" in one["phases"] and "oncall" in ours["phases"]:
        a, b = one["phases"]["oncall"], ours["phases"]["oncall"]
        lines.append(
            f"/oncall flatness: ack p99 {a['ack_ms']['p99']} ms (1y) "
            f"vs {b['ack_ms']['p99']} ms (10y); "
            f"reply p99 {a['reply_ms']['p99']} ms (1y) vs {b['reply_ms']['p99']} ms (10y)"
        )
    if "service_ms" in results:
        s1, s10 = results["service_ms"].get("1y", {}), results["service_ms"].get("10y", {})
        lines.append(
            "service reads, in-process median ms (1y -> 10y): "
            + ", ".join(f"{k} {s1.get(k)} -> {s10.get(k)}" for k in s10)
        )
    lines.append("")
    lines += targets(results)
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[str]:
    ours, bare = results["ours"], results.get("bare")
    out = ["targets:"]

    def line(ok: bool | None, text: str) -> None:
        out.append(f"  [{'ok' if ok else 'MISS' if ok is not None else '?'}] {text}")

    now = ours["phases"].get("oncall")
    if now:
        p99 = now["ack_ms"]["p99"]
        line(p99 is not None and p99 < 100, f"/oncall ack p99 {p99} ms < 100 ms")
        base = bare and bare["phases"].get("oncall", {}).get("ack_ms", {}).get("p99")
        if base and p99:
            ratio = p99 / base
            line(ratio <= 1.5, f"/oncall ack p99 {ratio:.2f}x the bare app's <= 1.5x")
    for kind, ph in ours["phases"].items():
        p99 = ph["reply_ms"].get("p99")
        complete = ph["replies"] >= ph["ok"] and ph["errors"] == 0
        line(
            p99 is not None and p99 < 300 and complete,
            f"{LABELS[kind]} reply p99 {p99} ms < 300 ms ({ph['replies']}/{ph['sent']} replied)",
        )
    peak = ours["peak_rss_kb"] / 1024
    line(peak < 150, f"peak RSS {peak:.0f} MB < 150 MB")
    line(ours["startup_s"] < 2, f"start-up {ours['startup_s']:.2f}s < 2s")
    one = results.get("ours_1y")
    if one and now:
        a, b = one["phases"]["oncall"]["ack_ms"]["p99"], now["ack_ms"]["p99"]
        s1 = results.get("service_ms", {}).get("1y", {}).get("who")
        s10 = results.get("service_ms", {}).get("10y", {}).get("who")
        flat = s1 is not None and s10 is not None and s10 <= s1 * 1.25 + 0.2
        line(flat, f"/oncall flat 1y -> 10y: who() {s1} -> {s10} ms; ack p99 {a} -> {b} ms")
    return out


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": loadavg(),
    }


def loadavg() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="of each kind (default 2000)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="requests per second per phase, all clients together (default: closed loop, "
        "each client sends its next request as soon as the last one was acknowledged)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Bolt app")
    parser.add_argument("--no-1y", action="store_true", help="skip the 1-year flatness run")
    parser.add_argument("--dir", type=Path, help="keep the databases and logs here")
    parser.add_argument(
        "--wal",
        action="store_true",
        help="put the databases in WAL mode first (a what-if: the app does not set it)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="run `python -m bot run` from this copy of the project (e.g. a 'before' snapshot)",
    )
    parser.add_argument(
        "--py-spy", type=Path, metavar="FILE", help="profile the 10-year server (collapsed stacks)"
    )
    parser.add_argument(
        "--slowest", type=int, default=0, metavar="N", help="print each phase's N slowest acks"
    )
    parser.add_argument(
        "--slack-rtt",
        type=float,
        metavar="MS",
        help="instead of the load phases: the fake Slack answers every call after MS ms; each"
        " action alone (time until the person sees the result, until every effect landed,"
        " calls, new connections), then a burst of accepts",
    )
    args = parser.parse_args(argv)
    global SHOW_SLOWEST
    SHOW_SLOWEST = max(0, args.slowest)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    n = max(1, min(args.requests, 20_000))
    clients = max(1, min(args.clients, 100))

    t_start = time.perf_counter()
    tmp = None
    if args.dir:
        workdir = args.dir
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="oncall-bench-")
        workdir = Path(tmp.name)

    info = machine()
    results: dict[str, Any] = {}
    print(f"machine: {info['nproc']} x {info['cpu']}, {info['ram']} RAM, Python {info['python']}")
    print(f"date: {info['date']}; load average {info['loadavg']}")
    if args.app_root.resolve() != ROOT:
        print(f"app under test: {args.app_root.resolve()}")
    print("building the histories ...", flush=True)
    ten = build_history(workdir / "10y", 10)
    print(f"  10 years in {ten.seconds:.1f}s: {ten.counts}")
    one = None if args.no_1y or args.slack_rtt is not None else build_history(workdir / "1y", 1)
    if one:
        print(f"  1 year in {one.seconds:.1f}s: {one.counts}")
    if args.wal:
        for h in (ten, one):
            if h is not None:
                with sqlite3.connect(h.db_path) as db:
                    db.execute("PRAGMA journal_mode=WAL")
        print("  databases switched to WAL mode (--wal)")
    results["wal"] = args.wal

    matcher = Matcher()
    original = fakeslack._Handler._record

    def record(handler: Any, call: fakeslack.Call) -> None:
        original(handler, call)
        matcher.on_call(call)

    fakeslack._Handler._record = record  # type: ignore[method-assign]
    results.update(
        {
            "machine": info,
            "requests": n,
            "clients": clients,
            "app_root": str(args.app_root.resolve()),
            "rate": args.rate,
        }
    )
    if args.slack_rtt is not None:
        with fakeslack.FakeSlack(HOST) as fake:
            rt = round_trips(
                ten, fake, args.slack_rtt, workdir / "round-trips.log", args.app_root.resolve()
            )
        print()
        print(round_trip_report(rt))
        if args.json:
            args.json.write_text(json.dumps(rt, indent=2, default=str))
        if tmp is not None:
            tmp.cleanup()
        return 0
    try:
        with fakeslack.FakeSlack(HOST) as fake:
            app_root = args.app_root.resolve()
            results["service_ms"] = {"10y": service_timings(ten, app_root)}
            if one:
                results["service_ms"]["1y"] = service_timings(one, app_root)
            print("oncall-bot, 10 years of history:", flush=True)
            results["ours"] = run_ours(
                ten,
                fake,
                matcher,
                kinds,
                n,
                clients,
                workdir / "ours-10y.log",
                args.py_spy,
                args.app_root.resolve(),
                args.rate,
            )
            if one and "oncall" in kinds:
                print("oncall-bot, 1 year of history:", flush=True)
                results["ours_1y"] = run_ours(
                    one,
                    fake,
                    matcher,
                    ("oncall",),
                    n,
                    clients,
                    workdir / "ours-1y.log",
                    app_root=args.app_root.resolve(),
                    rate=args.rate,
                )
            if not args.no_bare:
                print("bare Bolt app:", flush=True)
                results["bare"] = run_bare(fake, kinds, n, clients, workdir / "bare.log", args.rate)
            results["fake_calls"] = dict(matcher.counts)
    finally:
        fakeslack._Handler._record = original  # type: ignore[method-assign]
    results["total_s"] = round(time.perf_counter() - t_start, 1)

    print()
    print(report(results))
    results["loadavg_end"] = loadavg()
    print(f"\ntotal {results['total_s']}s; load average at the end {results['loadavg_end']}")
    print(f"fake Slack calls, and answers in acknowledgements: {results['fake_calls']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
