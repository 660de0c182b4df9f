"""The Monday handover: on time in both DST periods, exactly once, retried, caught up."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fakeslack import FakeSlack
from harness import DAVIS, JAMES, JILL, JOHN, TEAM_FILE, SlackHarness
from processes import free_port, launch_script

from bot.clock import FixedClock, SystemClock
from bot.config import load_config
from bot.scheduler.announcer import HANDOVER, Announcer
from bot.scheduler.jobs import handover_trigger, start_scheduler
from bot.service import OnCallService
from bot.slack.client import make_client
from bot.slack.notifier import Notifier
from bot.storage.store import Store, get_announcement

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def team_file(tmp_path: Path, extra: str = "") -> Path:
    text = TEAM_FILE.read_text().replace(
        "../../runbooks/", str(TEAM_FILE.parents[2] / "runbooks") + "/"
    )
    if extra:
        text = text.replace("  admins: [john]", "  admins: [john]\n" + extra)
    path = tmp_path / "team.yml"
    path.write_text(text)
    return path


class World:
    """A service, a fake Slack and an announcer sharing one database."""

    def __init__(
        self,
        tmp_path: Path,
        clock,
        fake: FakeSlack,
        *,
        config: Path | None = None,
        retries: int = 3,
        db: str = "oncall.db",
    ) -> None:
        self.store = Store(f"sqlite:///{tmp_path}/{db}")
        self.store.create_all()
        self.service = OnCallService(load_config(config or team_file(tmp_path)), self.store, clock)
        self.service.sync_plan()
        self.client = make_client("xoxb-test", fake.url, retries=retries)
        self.sleeps: list[float] = []
        self.notifier = Notifier(self.client, self.service)
        self.announcer = Announcer(self.service, self.notifier, sleep=self.sleeps.append)


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f


def to_channel(call) -> bool:
    return call.args.get("channel") == "C0000000000"


def dms_to(fake: FakeSlack, slack_id: str) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D" + slack_id]


def channel_posts(fake: FakeSlack) -> list:
    return [
        c
        for c in fake.calls_to("chat.postMessage", include_failed=False)
        if c.args.get("channel") == "C0000000000"
    ]


# --- the trigger: 09:00 local on both sides of both DST changes ----------------------
@pytest.mark.parametrize(
    ("after", "expected_utc"),
    [
        (ny(2027, 3, 10, 12), datetime(2027, 3, 15, 13, tzinfo=UTC)),  # EDT after spring forward
        (ny(2027, 3, 1, 12), datetime(2027, 3, 8, 14, tzinfo=UTC)),  # EST before it
        (ny(2027, 11, 3, 12), datetime(2027, 11, 8, 14, tzinfo=UTC)),  # EST after fall back
        (ny(2027, 10, 27, 12), datetime(2027, 11, 1, 13, tzinfo=UTC)),  # EDT before it
    ],
)
def test_handover_trigger_fires_at_nine_local_across_dst(after, expected_utc, tmp_path):
    team = load_config(team_file(tmp_path))
    fire = handover_trigger(team).get_next_fire_time(None, after)
    assert fire.astimezone(UTC) == expected_utc
    assert fire.astimezone(NY).hour == 9 and fire.astimezone(NY).minute == 0


@pytest.mark.parametrize(
    "monday",
    [(2026, 12, 7), (2027, 6, 7)],  # EST, then EDT
    ids=["winter-EST", "summer-EDT"],
)
def test_real_scheduler_posts_at_nine_when_clock_crosses_0859(monday, tmp_path, fake):
    """A real BackgroundScheduler, the process clock moved to 08:59:58 local and ticking."""
    start = datetime(*monday, 8, 59, 58, tzinfo=NY)
    with time_machine.travel(start, tick=True):
        world = World(tmp_path, SystemClock(), fake)
        scheduler = start_scheduler(world.service, world.notifier, catch_up=False)
        try:
            call = fake.wait_for_call(
                "chat.postMessage",
                timeout=8,
                where=lambda c: c.args.get("channel") == "C0000000000",
            )
            posted_at = datetime.now(NY)
        finally:
            scheduler.shutdown(wait=False)
    assert (posted_at.hour, posted_at.minute) == (9, 0)
    index = (datetime(*monday).date() - datetime(2026, 11, 30).date()).days // 7
    assert f"week {index}" in str(call.args["blocks"])
    assert len(channel_posts(fake)) == 1


# --- content ---------------------------------------------------------------------
def test_announcement_content_and_dm_and_usergroup(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    config = team_file(tmp_path, "  usergroup: S0000000001")
    world = World(tmp_path, clock, fake, config=config)
    # James is away on Tuesday of his week: the backup stands in that day, owners shift.
    world.service.request_time_off(
        "john",
        "james",
        clock.now().date() + timedelta(days=1),
        clock.now().date() + timedelta(days=1),
    )
    assert world.announcer.announce(1)
    post = channel_posts(fake)[0]
    text = str(post.args["blocks"])
    assert f"<@{JAMES}>" in text  # the incoming engineer, mentioned
    assert "taking over from John" in text  # the outgoing engineer, named
    assert "Backup: Jill" in text
    assert "Mon 07 Dec 09:00 EST" in text and "Mon 14 Dec 09:00 EST" in text
    assert "James" in text and "Tue 08 Dec" in text  # time off in the week
    assert "Aggregate Profit: James" in text
    assert "runbooks_list" in text and "handover_note_open" in text
    assert post.args["text"].startswith("On call this week: James")
    dm = fake.wait_for_call("conversations.open")
    assert dm.args["users"] == JAMES
    dm_post = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D" + JAMES]
    assert dm_post and "Your backup is" in str(dm_post[0].args["blocks"])
    group = fake.wait_for_call("usergroups.users.update")
    assert group.args["usergroup"] == "S0000000001"
    assert group.args["users"] in (JAMES, [JAMES])


def test_holidays_in_the_week_are_listed(tmp_path, fake):
    config = team_file(tmp_path, "  holidays: {country: US}")
    clock = FixedClock(ny(2026, 12, 21, 9, 0))
    world = World(tmp_path, clock, fake, config=config)
    index = world.service.current_index()
    assert world.announcer.announce(index)
    assert "Christmas Day (Fri 25 Dec)" in str(channel_posts(fake)[0].args["blocks"])


# --- exactly once ------------------------------------------------------------------
def test_repeated_run_and_restart_mid_week_post_once(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    world = World(tmp_path, clock, fake)
    assert world.announcer.announce(1)
    assert not world.announcer.announce(1)
    clock.set(ny(2026, 12, 7, 15, 0))
    restarted = World(tmp_path, clock, fake)  # a new process on the same database
    assert not restarted.announcer.catch_up()
    assert len(channel_posts(fake)) == 1


def test_two_schedulers_on_one_database_post_once(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    worlds = [World(tmp_path, clock, fake) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def go(w: World) -> None:
        barrier.wait()
        results.append(w.announcer.announce(1))

    threads = [threading.Thread(target=go, args=(w,)) for w in worlds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert len(channel_posts(fake)) == 1


def test_force_posts_again(tmp_path, fake):
    world = World(tmp_path, FixedClock(ny(2026, 12, 7, 9, 0)), fake)
    assert world.announcer.announce(1)
    assert world.announcer.announce(1, force=True)
    assert len(channel_posts(fake)) == 2


# --- Slack failures ------------------------------------------------------------------
def test_slack_failing_twice_then_succeeding_posts_once(tmp_path, fake):
    world = World(tmp_path, FixedClock(ny(2026, 12, 7, 9, 0)), fake, retries=0)
    fake.fail_next("chat.postMessage", times=1, status=503)
    fake.fail_next("chat.postMessage", times=1, status=429, retry_after=0)
    assert world.announcer.announce(1)
    attempts = fake.calls_to("chat.postMessage")
    channel = [c for c in attempts if c.args.get("channel") == "C0000000000"]
    assert [c.failed for c in channel] == [True, True, False]
    assert world.sleeps == [2.0, 4.0]  # backoff between our own retries
    row = get_announcement(world.store, HANDOVER, 1)
    assert row.status == "sent" and row.ts


def test_connection_errors_are_retried_by_the_client(tmp_path, fake):
    world = World(tmp_path, FixedClock(ny(2026, 12, 7, 9, 0)), fake, retries=3)
    fake.fail_next("chat.postMessage", times=2, status=None, drop=True)
    assert world.announcer.announce(1)
    assert len(channel_posts(fake)) == 1
    assert world.sleeps == []


def test_gives_up_when_the_week_ends(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 13, 23, 0))  # an hour... of week 1 left (ends Mon 09:00)
    world = World(tmp_path, clock, fake, retries=0)
    fake.respond_with("chat.postMessage", {"ok": False, "error": "channel_not_found"})

    def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    world.announcer.sleep = sleep
    assert not world.announcer.announce(1)
    assert get_announcement(world.store, HANDOVER, 1).status == "failed"
    assert clock.now() < world.service.handover(1).week.end


# --- catch-up ------------------------------------------------------------------------
def test_catch_up_at_ten_monday_posts_and_tuesday_does_not(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 10, 0))
    assert World(tmp_path, clock, fake, db="a.db").announcer.catch_up()
    assert len(channel_posts(fake)) == 1
    fake.clear()
    clock.set(ny(2026, 12, 8, 10, 0))  # 25 hours after the handover
    assert not World(tmp_path, clock, fake, db="b.db").announcer.catch_up()
    assert channel_posts(fake) == []


# --- heads-up and reminders ----------------------------------------------------------
def test_friday_heads_up_dm(tmp_path, fake):
    config = team_file(tmp_path, "  holidays: {country: US}")
    clock = FixedClock(ny(2026, 12, 18, 15, 0))  # Friday before the Christmas week
    world = World(tmp_path, clock, fake, config=config)
    index = world.service.current_index() + 1
    h = world.service.handover(index)
    incoming = world.service.team.member(h.incoming)
    assert world.announcer.heads_up()
    assert not world.announcer.heads_up()  # once
    posts = [
        c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D" + incoming.slack_id
    ]
    assert len(posts) == 1
    text = str(posts[0].args["blocks"])
    assert "on call next week" in text and "Christmas Day" in text


def test_swap_reminders_three_days_and_one_day_before_expiry(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 1, 12, 0))
    world = World(tmp_path, clock, fake)
    # Jill (week 2, from 14 Dec) asks Davis; expires at the start of week 2.
    request = world.service.request_swap("jill", "davis", 2, 3)
    expires = request.expires_at
    clock.set(expires - timedelta(days=4))
    assert world.announcer.remind_swaps() == 0
    clock.set(expires - timedelta(days=2, hours=23))
    assert world.announcer.remind_swaps() == 1
    assert world.announcer.remind_swaps() == 0  # not twice
    clock.set(expires - timedelta(hours=20))
    assert world.announcer.remind_swaps() == 1
    dms = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D" + DAVIS]
    assert len(dms) == 2
    # the one DM sender: the bot's channel with Davis is opened once, then remembered
    assert len(fake.calls_to("conversations.open")) == 1
    assert "expires tomorrow" in str(dms[1].args["blocks"]) and "swap_accept" in str(
        dms[1].args["blocks"]
    )


def announced_ts(h: SlackHarness) -> str:
    return get_announcement(h.service.store, HANDOVER, 1).ts


# --- the handover note, end to end -------------------------------------------------
def test_handover_note_threads_under_announcement(tmp_path):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    with SlackHarness(tmp_path, clock, config=team_file(tmp_path)) as h:
        announcer = Announcer(h.service, h.running.notifier)
        assert announcer.announce(1)
        post = channel_posts(h.fake)[0]
        status, _ = h.click("handover_note_open", "1", user=JILL)  # not the outgoing engineer
        assert status == 200
        refusal = h.fake.wait_for_call("response_url")
        assert "Only John" in refusal.args["text"]
        assert h.fake.calls_to("views.open") == []
        h.fake.clear()
        h.click("handover_note_open", "1", user=JOHN)
        opened = h.fake.wait_for_call("views.open")
        assert opened.args["view"]["callback_id"] == "handover_note_modal"
        meta = opened.args["view"]["private_metadata"]
        typed = {"type": "plain_text_input", "value": "Backfill ran <!channel>"}
        values = {"note": {"note_text": typed}}
        status, body = h.submit("handover_note_modal", values, user=JOHN, private_metadata=meta)
        assert status == 200 and not body
        note = h.fake.wait_for_call("chat.postMessage", where=lambda c: "thread_ts" in c.args)
        assert note.args["channel"] == "C0000000000"
        assert note.args["thread_ts"] == announced_ts(h)
        shown = str(note.args["blocks"])
        assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
        assert post.args["channel"] == note.args["channel"]


# --- the CLI -------------------------------------------------------------------------
def test_cli_announce_dry_run_then_real_then_once(tmp_path, fake, capsys):
    from bot.cli import main

    env = {
        "ONCALL_CONFIG": str(team_file(tmp_path)),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake.url,
    }
    clock = FixedClock(ny(2026, 12, 9, 12, 0))
    assert main(["announce", "--dry-run"], clock=clock, env=env) == 0
    out = capsys.readouterr().out
    assert "On call this week: James" in out and "dry run" in out
    assert fake.calls_to("chat.postMessage") == []
    assert main(["announce"], clock=clock, env=env) == 0
    assert main(["announce"], clock=clock, env=env) == 1
    assert "already announced" in capsys.readouterr().err
    assert main(["announce", "--force", "--week", "2026-12-09"], clock=clock, env=env) == 0
    assert len(channel_posts(fake)) == 2


# --- the whole process under a moved wall clock ------------------------------------
def test_oncall_run_under_time_machine_posts_at_0900(tmp_path, fake):
    """`oncall run` launched with its clock moved to Monday 08:59:55 posts at 09:00:00."""
    start = datetime(2026, 12, 14, 8, 59, 55, tzinfo=NY)
    env = {
        **os.environ,
        "ONCALL_CONFIG": str(team_file(tmp_path)),
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake.url,
        "PORT": str(free_port()),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", launch_script("run", "--create-db"), start.isoformat()],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        call = fake.wait_for_call(
            "chat.postMessage", timeout=40, where=lambda c: c.args.get("channel") == "C0000000000"
        )
        waited = time.monotonic() - started
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert "week 2" in str(call.args["blocks"]), err
    assert 3.0 < waited < 15, waited  # it waited for 09:00, it did not post at start
    assert "xoxb-test" not in err  # no secret in the logs


# --- the announcer asks; the notifier tells --------------------------------------------
class Told:
    """An Announcements that records what the announcer asks for, failing where told."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        self.asked: list[str] = []
        self.fail = fail

    def _ask(self, what: str) -> None:
        self.asked.append(what)
        if what in self.fail:
            raise OSError(what)

    def post_handover(self, h) -> tuple[str, str]:
        self._ask("post_handover")
        return "C0000000001", "1.000100"

    def dm_on_call(self, h) -> None:
        self._ask("dm_on_call")

    def set_on_call_group(self, h) -> None:
        self._ask("set_on_call_group")

    def dm_heads_up(self, h) -> None:
        self._ask("dm_heads_up")

    def remind_swap(self, request, days_left: int) -> None:
        self._ask(f"remind_swap {request.id} {days_left}")


def test_the_announcer_asks_the_notifier_and_a_best_effort_failure_stays_quiet(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    world = World(tmp_path, clock, fake)
    told = Told(fail=("dm_on_call",))
    announcer = Announcer(world.service, told, sleep=world.sleeps.append)
    assert announcer.announce(1)
    assert told.asked == ["post_handover", "dm_on_call", "set_on_call_group"]
    row = get_announcement(world.store, HANDOVER, 1)
    assert (row.status, row.channel, row.ts) == ("sent", "C0000000001", "1.000100")
    assert fake.calls == []  # nothing reached Slack but through the notifier


def test_a_failed_handover_post_is_retried_through_the_notifier(tmp_path, fake):
    clock = FixedClock(ny(2026, 12, 7, 9, 0))
    world = World(tmp_path, clock, fake)
    told = Told(fail=("post_handover",))
    announcer = Announcer(world.service, told, sleep=lambda s: clock.advance(timedelta(days=1)))
    assert not announcer.announce(1)
    assert told.asked.count("post_handover") >= 2 and "dm_on_call" not in told.asked
    assert get_announcement(world.store, HANDOVER, 1).status == "failed"


def test_the_apps_notifier_answers_everything_the_announcer_asks():
    import inspect

    from bot.scheduler.announcer import Announcements

    asked = [
        n for n, f in vars(Announcements).items() if inspect.isfunction(f) and not n.startswith("_")
    ]
    assert "post_handover" in asked and "remind_swap" in asked
    for name in asked:
        wanted = inspect.signature(getattr(Announcements, name)).parameters
        given = inspect.signature(getattr(Notifier, name)).parameters
        assert list(given) == list(wanted), name
