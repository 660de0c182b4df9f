"""`oncall announce`: only the running week is posted, with the bot token alone; a dry run
prints plain text; the announcer tells the notifier when a handover is posted late."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fakeslack import FakeSlack
from harness import TEAM_FILE

from bot.cli import main
from bot.clock import FixedClock
from bot.config import load_config
from bot.scheduler.announcer import HANDOVER, Announcer
from bot.scheduler.jobs import run_handover
from bot.service import Handover, OnCallService
from bot.storage.store import Store, get_announcement

NY = ZoneInfo("America/New_York")
CHANNEL = "C0000000000"


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def team_file(tmp_path: Path, replace: tuple[str, str] | None = None) -> Path:
    text = TEAM_FILE.read_text().replace(
        "../../runbooks/", str(TEAM_FILE.parents[2] / "runbooks") + "/"
    )
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "team.yml"
    path.write_text(text)
    return path


@pytest.fixture
def fake() -> Any:
    with FakeSlack() as f:
        yield f


def slack_env(tmp_path: Path, fake: FakeSlack, config: Path | None = None) -> dict[str, str]:
    """What `oncall announce` needs to post: no SLACK_SIGNING_SECRET (item 9). The database
    exists already (posting does not create one)."""
    url = f"sqlite:///{tmp_path}/cli.db"
    Store(url).create_all()
    return {
        "ONCALL_CONFIG": str(config or team_file(tmp_path)),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake.url,
    }


def channel_posts(fake: FakeSlack) -> list[Any]:
    return [
        c
        for c in fake.calls_to("chat.postMessage", include_failed=False)
        if c.args.get("channel") == CHANNEL
    ]


def service_on(env: dict[str, str], clock: FixedClock) -> OnCallService:
    store = Store(env["DATABASE_URL"])
    store.create_all()
    return OnCallService(load_config(Path(env["ONCALL_CONFIG"])), store, clock)


# --- item 3: a future (or ended) week is refused and changes nothing -----------------------


def test_announcing_a_future_week_is_refused_and_the_monday_job_still_posts_it(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**slack_env(tmp_path, fake), "SLACK_SIGNING_SECRET": "s"}  # as before item 9
    clock = FixedClock(ny(2026, 12, 8, 11, 0))  # Tuesday of week 1 (James's)
    code = main(["announce", "--week", "2026-12-15"], clock=clock, env=env)  # week 2 (Jill's)
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert "week 2 has not begun" in err and "Mon 14 Dec 2026 09:00 EST" in err
    assert "nothing was posted" in err and "--dry-run" in err
    assert "Traceback" not in err
    assert fake.calls == []  # no post, no DM, no user group
    service = service_on(env, clock)
    assert get_announcement(service.store, HANDOVER, 2) is None  # not marked announced

    # The real Monday job posts week 2 at its handover, to Jill.
    clock.set(ny(2026, 12, 14, 9, 0))
    from bot.slack.client import make_client
    from bot.slack.notifier import Notifier

    service = service_on(env, clock)
    announcer = Announcer(service, Notifier(make_client("xoxb-test", fake.url), service))
    run_handover(announcer)
    posts = channel_posts(fake)
    assert len(posts) == 1 and posts[0].args["text"].startswith("On call this week: Jill")
    assert get_announcement(service.store, HANDOVER, 2).status == "sent"


def test_announcing_an_ended_week_is_refused(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**slack_env(tmp_path, fake), "SLACK_SIGNING_SECRET": "s"}
    clock = FixedClock(ny(2026, 12, 8, 11, 0))
    code = main(["announce", "--week", "2026-11-30", "--force"], clock=clock, env=env)
    err = capsys.readouterr().err
    assert code != 0 and "week 0 ended Mon 07 Dec 2026 09:00 EST" in err
    assert fake.calls == []
    assert get_announcement(service_on(env, clock).store, HANDOVER, 0) is None


def test_the_announcer_refuses_a_week_not_begun_but_allows_the_job_waking_early(
    tmp_path: Path, fake: FakeSlack
) -> None:
    from bot.core.errors import Refusal

    env = slack_env(tmp_path, fake)
    clock = FixedClock(ny(2026, 12, 14, 8, 0))
    told = Told()
    announcer = Announcer(service_on(env, clock), told)
    with pytest.raises(Refusal):
        announcer.announce(2)
    assert told.handovers == []
    clock.set(ny(2026, 12, 14, 8, 59, 30))  # the scheduler woke half a minute early
    assert announcer.announce(2)
    assert [h.week.index for h in told.handovers] == [2]


# --- item 9: a real post needs only the bot token -------------------------------------------


def test_announce_posts_without_a_signing_secret(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    assert "SLACK_SIGNING_SECRET" not in env
    code = main(["announce"], clock=FixedClock(ny(2026, 12, 7, 9, 5)), env=env)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "posted the handover for week 1" in out
    assert len(channel_posts(fake)) == 1


def test_announce_without_a_bot_token_says_so(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    del env["SLACK_BOT_TOKEN"]
    code = main(["announce"], clock=FixedClock(ny(2026, 12, 7, 9, 5)), env=env)
    err = capsys.readouterr().err
    assert code == 2 and "SLACK_BOT_TOKEN is not set" in err
    assert "SIGNING_SECRET" not in err
    assert fake.calls == []


# --- messages -------------------------------------------------------------------------------


def test_dry_run_before_the_start_says_what_is_wrong(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    clock = FixedClock(ny(2026, 12, 8, 11, 0))
    code = main(["announce", "--dry-run", "--week", "2026-11-01"], clock=clock, env=env)
    err = capsys.readouterr().err
    assert code == 2
    assert "--week 2026-11-01 is before the rotation starts" in err and "Mon 30 Nov 2026" in err
    assert "pass --week" not in err


def test_dry_run_with_no_week_before_the_start_points_to_the_first_week(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    code = main(["announce", "--dry-run"], clock=FixedClock(ny(2026, 11, 20, 9, 0)), env=env)
    err = capsys.readouterr().err
    assert code == 2
    assert "the rotation has not started" in err and "--week 2026-11-30" in err


def test_dry_run_beyond_the_plan_is_refused_plainly(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    clock = FixedClock(ny(2026, 12, 8, 11, 0))
    code = main(["announce", "--dry-run", "--week", "9999-01-01"], clock=clock, env=env)
    err = capsys.readouterr().err
    # The limit is the service's (a read stores nothing and stops at a documented horizon);
    # the CLI names the argument that reached past it.
    assert code == 1 and err.startswith("oncall: --week 9999-01-01: ") and "beyond" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_real_post_of_the_last_representable_week_is_refused_plainly(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    env = slack_env(tmp_path, fake)
    clock = FixedClock(ny(2026, 12, 8, 11, 0))
    code = main(["announce", "--week", "9999-12-31"], clock=clock, env=env)
    err = capsys.readouterr().err
    assert code == 1 and "has not begun" in err and "Mon 27 Dec 9999 09:00 EST" in err
    assert "Traceback" not in err
    assert fake.calls == []


def test_dry_run_prints_names_as_plain_text(
    tmp_path: Path, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    config = team_file(tmp_path, ("name: Jill\n", 'name: "Jill & <Co> *x*"\n'))
    env = slack_env(tmp_path, fake, config)
    clock = FixedClock(ny(2026, 12, 15, 11, 0))  # week 2: Jill's
    code = main(["announce", "--dry-run"], clock=clock, env=env)
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("On call this week: Jill & <Co> *x* (taking over from James)")
    assert "Aggregate Growth: Jill & <Co> *x*" in out
    assert "&amp;" not in out and "&lt;" not in out and "&gt;" not in out
    assert "dry run: nothing posted" in out
    assert fake.calls == []


# --- the late-post flag the notifier words ---------------------------------------------------


class Told:
    """An Announcements that records the handovers it is asked to post."""

    def __init__(self) -> None:
        self.handovers: list[Handover] = []

    def post_handover(self, h: Handover) -> tuple[str, str]:
        self.handovers.append(h)
        return CHANNEL, "1.000100"

    def dm_on_call(self, h: Handover) -> None:
        assert h is self.handovers[-1]  # the DM says the same as the post

    def set_on_call_group(self, h: Handover) -> None:
        pass

    def dm_heads_up(self, h: Handover) -> None:
        pass

    def remind_swap(self, request: Any, days_left: int) -> None:
        pass


def test_a_catch_up_post_is_flagged_late_and_the_monday_post_is_not(
    tmp_path: Path, fake: FakeSlack
) -> None:
    env = slack_env(tmp_path, fake)
    on_time, late = Told(), Told()
    Announcer(service_on(env, FixedClock(ny(2026, 12, 7, 9, 0))), on_time).announce(1)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/other.db"
    assert Announcer(service_on(env, FixedClock(ny(2026, 12, 7, 10, 30))), late).catch_up()
    assert [h.late for h in on_time.handovers] == [False]
    assert [h.late for h in late.handovers] == [True]


# --- `oncall run` does not make Bolt warn about the token ------------------------------------


def test_run_leaves_bolt_no_token_to_warn_about(
    tmp_path: Path,
    fake: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import bot.runner
    from bot.settings import load_settings
    from bot.slack.app import build_app
    from bot.slack.client import make_client
    from bot.slack.home import HomePublisher
    from bot.slack.notifier import Notifier

    env = {**slack_env(tmp_path, fake), "SLACK_SIGNING_SECRET": "s"}
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # as a real process has it
    built: list[Any] = []

    def run(clock: Any, run_env: dict[str, str] | None = None, **_: Any) -> int:
        # The runner's part that matters here: settings from env, then the app.
        settings = load_settings(run_env)
        service = service_on(env, clock)
        client = make_client(settings.bot_token, settings.api_url)
        homes = HomePublisher(client, service)
        try:
            app = build_app(
                service,
                client,
                signing_secret=settings.signing_secret,
                notifier=Notifier(client, service, homes),
            )
        finally:
            homes.stop()
        built.append(app)
        assert app.client.token == "xoxb-test"  # the token it uses: the client's
        return 0

    monkeypatch.setattr(bot.runner, "run", run)
    with caplog.at_level(logging.WARNING):
        assert main(["run"], clock=FixedClock(ny(2026, 12, 7, 9, 0)), env=env) == 0
    assert built
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
    assert "SLACK_BOT_TOKEN" not in os.environ
