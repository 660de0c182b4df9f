"""Time and profile, in process, what the server does after acknowledging each request.

    .venv/bin/python bench/profile_paths.py [--rounds 300] [--profile oncall,home]

On the 10-year history (bench/make_history.py), with the Slack Web API replaced by a
client that only turns blocks into dicts (as slack_sdk does before sending):

- oncall:   service.who() and the /oncall answer's text and blocks
- schedule: service.schedule(12) and the schedule's text and blocks
- home:     publish_home() for a member: who, their swaps, weeks and time off, the view
- accept:   service.accept_swap() and Notifier.swap_decided() (DMs, channel line, two homes)
- ack:      a signed `/oncall` through the real app (`App.dispatch`: signature, middleware,
            the listener and its answer in the acknowledgement) with the listener run
            inline, as waitress hands it over minus the HTTP (`--ack` adds it)

Prints milliseconds per operation (median of `--rounds`); `--profile` runs those paths
under pyinstrument (or cProfile when it is not installed) and prints where the time
goes. Nothing here talks to the network.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from make_history import History, build_history  # noqa: E402


class NullClient:
    """Just enough of slack_sdk's WebClient: serialises what it is given, sends nothing."""

    base_url = "https://slack.invalid/api/"  # with the token: whose DM channels these are
    token = "xoxb-bench"

    def __init__(self) -> None:
        self.n = 0

    @staticmethod
    def _dicts(value: Any) -> Any:
        from slack_sdk.models import JsonObject

        if isinstance(value, list):
            return [v.to_dict() if isinstance(v, JsonObject) else v for v in value]
        return value.to_dict() if isinstance(value, JsonObject) else value

    def _ts(self) -> str:
        self.n += 1
        return f"1700000000.{self.n:06d}"

    def views_publish(self, *, user_id: str, view: Any) -> dict[str, Any]:
        self._dicts(view)
        return {"ok": True}

    def conversations_open(self, *, users: str) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + users}}

    def chat_postMessage(self, *, channel: str, text: str, blocks: Any = None) -> dict[str, Any]:  # noqa: N802
        self._dicts(blocks or [])
        return {"ok": True, "channel": channel, "ts": self._ts()}

    def chat_update(
        self, *, channel: str, ts: str, text: str, blocks: Any = None
    ) -> dict[str, Any]:
        self._dicts(blocks or [])
        return {"ok": True, "channel": channel, "ts": ts}

    def chat_postEphemeral(self, **kw: Any) -> dict[str, Any]:  # noqa: N802
        self._dicts(kw.get("blocks") or [])
        return {"ok": True}


def paths(history: History) -> dict[str, Callable[[], Any]]:
    from sqlalchemy import event

    from bot.clock import SystemClock
    from bot.core.errors import Refusal
    from bot.service import OnCallService
    from bot.slack.blocks import status
    from bot.slack.home import publish_home
    from bot.slack.notifier import Notifier
    from bot.storage.store import Store

    store = Store(history.database_url)
    for engine in (store.engine, store.write_engine):
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA synchronous=OFF"))
    service = OnCallService(history.team, store, SystemClock())
    team = service.team
    client = NullClient()
    logger = logging.getLogger("bench")
    member = team.members[4]

    def oncall() -> None:
        answer = service.who()
        status.now_text(team, answer)
        client._dicts(status.now_blocks(team, answer))

    def schedule() -> None:
        weeks = service.schedule(count=12)
        status.schedule_text(team, weeks)
        client._dicts(status.schedule_blocks(team, weeks, member.id))

    def home() -> None:
        publish_home(client, service, member.slack_id)  # type: ignore[arg-type]

    from http_bench import SwapFiler, swap_pairs

    pairs = swap_pairs(history, 40)
    filer = SwapFiler(history)
    step = iter(range(1 << 30))

    class InlineHomes:
        """Publishes each Home at once, in this thread (the app's HomePublisher does it
        on its own threads), so the accept's timing includes both Homes."""

        def refresh(self, *slack_ids: str, changed: bool = False) -> None:
            for slack_id in slack_ids:
                publish_home(client, service, slack_id)  # type: ignore[arg-type]

    notifier = Notifier(client, service, InlineHomes(), logger)  # type: ignore[arg-type]

    def accept() -> None:
        while True:
            pair = pairs[next(step) % len(pairs)]
            swap_id, user, _channel, _ts = filer.file(pair)
            actor = team.member_by_slack(user)
            assert actor is not None
            try:
                outcome = service.accept_swap(actor.id, swap_id)
            except Refusal:  # a rule the pair's choice did not foresee: drop the pair
                pairs.remove(pair)
                assert pairs, "no pair of weeks can be swapped"
                continue
            pair.steps += 1
            notifier.swap_decided(outcome.request, actor)
            return

    return {"oncall": oncall, "schedule": schedule, "home": home, "accept": accept}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/oncall-bench-profile"))
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--profile", default="", help="comma-separated paths to profile")
    parser.add_argument("--ack", action="store_true", help="also time /oncall's ack path")
    args = parser.parse_args(argv)
    history = build_history(args.dir / f"{args.years}y", args.years)
    todo = paths(history)
    stop: Callable[[], Any] = lambda: None  # noqa: E731
    if args.ack:
        todo["ack"], stop = oncall_ack(history)
    rounds = max(1, min(args.rounds, 5000))
    print(f"{args.years} years of history; ms per operation, median of {rounds}")
    for name, fn in todo.items():
        fn()
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"  {name:<9} {statistics.median(times):7.2f} ms  (p95 {p95:.2f})")
    for name in [p for p in args.profile.split(",") if p]:
        print(f"\n===== {name} x {rounds}")
        profile(todo[name], rounds)
    stop()
    return 0


def oncall_ack(history: History) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(one signed `/oncall` dispatched through the running app, what stops the app)."""
    import hashlib
    import hmac
    from concurrent.futures import Executor, Future

    import slackreq
    from slack_bolt.request import BoltRequest

    from bot.clock import SystemClock
    from bot.playground.fakeslack import FakeSlack
    from bot.runner import start
    from bot.settings import Settings

    class Inline(Executor):
        """Bolt's listener pool, running the listener in the caller's thread."""

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:
                future.set_exception(error)
            return future

    fake = FakeSlack().start()
    secret = "profile-secret"
    settings = Settings(
        bot_token="xoxb-profile",
        signing_secret=secret,
        app_token=None,
        port=0,
        api_url=fake.url,
        database_url=history.database_url,
        config_path=history.config,
        log_level="WARNING",
    )
    running = start(settings, SystemClock(), host="127.0.0.1", scheduler=False)
    running.app._listener_runner.listener_executor = Inline()
    user = history.team.members[3].slack_id

    def ack() -> None:
        body = slackreq.slash_command_body(text="", user_id=user).decode()
        at = str(int(time.time()))
        digest = hmac.new(secret.encode(), f"v0:{at}:{body}".encode(), hashlib.sha256)
        headers = {
            "content-type": slackreq.FORM,
            "x-slack-request-timestamp": at,
            "x-slack-signature": f"v0={digest.hexdigest()}",
        }
        answer = running.app.dispatch(BoltRequest(body=body, headers=headers))
        assert answer.status == 200, answer.status

    def stop() -> None:
        running.stop()
        fake.stop()

    return ack, stop


def profile(fn: Callable[[], Any], rounds: int) -> None:
    """Where `fn`'s time goes: pyinstrument's call tree when it is installed, else the
    standard library's cProfile (cumulative, the 40 heaviest)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        with cProfile.Profile() as profiler:
            for _ in range(rounds):
                fn()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    sampler = Profiler(interval=0.0002)
    sampler.start()
    for _ in range(rounds):
        fn()
    sampler.stop()
    print(sampler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
