"""A SQLite file deleted or replaced under a running process (issue 12, item 10).

Writes are refused once the file opened at start is gone or is another file (nothing is
confirmed to a person and then lost, an ERROR is logged), connections never recreate it,
and a start without the file creates a new one only when asked (`oncall run --create-db`);
the CLI's first run says loudly that it creates one.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fakeslack import FakeSlack
from harness import JAMES, JILL, TEAM_FILE, SlackHarness

from bot.cli import main
from bot.clock import FixedClock
from bot.core.model import SwapStatus, Team
from bot.service import OnCallService
from bot.storage.engine import DatabaseGone, MissingDatabase
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


def remove_database(url: str) -> Path:
    """`rm oncall.db*`: the file and its -wal and -shm companions."""
    path = Path(url.removeprefix("sqlite:///"))
    for f in path.parent.glob(path.name + "*"):
        f.unlink()
    assert not path.exists()
    return path


def swaps(store: Store) -> list[tuple[int, SwapStatus]]:
    with store.read() as s:
        return [(r.id, r.status) for r in store.swaps(s, status=None)]


def test_a_write_after_the_file_is_deleted_is_refused_and_logged(
    service: OnCallService, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    request = service.request_swap("john", "james", 4, 5)
    path = remove_database(db_url)
    with caplog.at_level(logging.ERROR, logger="bot.storage"):
        with pytest.raises(DatabaseGone, match="deleted.*nothing was changed"):
            service.accept_swap("james", request.id)
        with pytest.raises(DatabaseGone):
            service.request_time_off("jill", "jill", date(2027, 3, 1), date(2027, 3, 2))
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and str(path) in errors[0].getMessage()
    assert "refused" in errors[0].getMessage()
    # No connection made the file again (a new empty one would pass for the database).
    assert not path.exists()
    # And a start without it says so, rather than starting on an empty database.
    with pytest.raises(MissingDatabase, match="--create-db"):
        Store(db_url, create=False)
    assert not path.exists()


def test_a_write_after_the_file_is_replaced_is_refused(service: OnCallService, db_url: str) -> None:
    request = service.request_swap("john", "james", 4, 5)
    remove_database(db_url)
    other = Store(db_url)  # say `oncall schedule` made a new, empty one since
    other.create_all()
    with pytest.raises(DatabaseGone, match="replaced"):
        service.accept_swap("james", request.id)
    assert swaps(other) == []  # the accept went nowhere, and said so


def test_the_check_is_made_again_just_before_the_commit(
    make_service: Callable[..., OnCallService], team: Team, db_url: str
) -> None:
    service = make_service(team)
    with pytest.raises(DatabaseGone):
        with service.store.write() as s:
            service.store.set_meta(s, "probe", "1")
            remove_database(db_url)  # deleted while the transaction was under way


def test_a_write_on_the_file_opened_goes_through(service: OnCallService, db_url: str) -> None:
    request = service.request_swap("john", "james", 4, 5)
    service.accept_swap("james", request.id)
    assert swaps(Store(db_url, create=False)) == [(request.id, SwapStatus.ACCEPTED)]


def test_store_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/absent.db"
    with pytest.raises(MissingDatabase) as info:
        Store(url, create=False)
    assert str(tmp_path / "absent.db") in str(info.value)
    assert not (tmp_path / "absent.db").exists()
    store = Store(url)  # asked: created
    assert store.created and (tmp_path / "absent.db").exists()
    assert not Store(url).created


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {"ONCALL_CONFIG": str(TEAM_FILE), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}


def test_the_cli_says_when_it_creates_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env(tmp_path)
    assert main(["who"], env=env) == 0
    assert f"creating a new database at {tmp_path / 'cli.db'}" in capsys.readouterr().err
    assert main(["who"], env=env) == 0
    assert "creating" not in capsys.readouterr().err


def oncall_run(
    tmp_path: Path, *args: str, api_url: str = "http://127.0.0.1:1/api/"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ONCALL_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="test-secret",
        SLACK_API_URL=api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/run.db",
        ONCALL_CONFIG=str(TEAM_FILE),
        PORT="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_oncall_run_without_the_file_stops_with_one_line(tmp_path: Path) -> None:
    done = oncall_run(tmp_path)  # Slack is never asked: the database comes first
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("oncall: cannot start: there is no database at ")
    assert str(tmp_path / "run.db") in lines[0] and "oncall run --create-db" in lines[0]
    assert not (tmp_path / "run.db").exists()


def test_oncall_run_create_db_says_it_creates_one(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        fake.respond_with("auth.test", {"ok": False, "error": "invalid_auth"})  # then stops
        done = oncall_run(tmp_path, "--create-db", api_url=fake.url)
    assert f"creating a new database at {tmp_path / 'run.db'}" in done.stderr, done.stderr
    assert (tmp_path / "run.db").exists()


def texts(fake: FakeSlack) -> list[str]:
    return [str(c.args.get("text", "")) for c in fake.calls]


def test_in_slack_a_change_after_the_file_is_deleted_is_refused_not_confirmed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`rm oncall.db*` under the running app, then a swap request and an accept: each
    person hears that nothing was changed; nobody is told a swap happened."""
    with SlackHarness(tmp_path, FixedClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))) as h:
        request = h.service.request_swap("james", "jill", 1, 2)
        remove_database(h.settings.database_url)
        h.fake.reset()
        h.command(f"swap <@{JILL}|jill> 2026-12-08", user=JAMES)
        h.click("swap_accept", str(request.id), user=JILL, channel_id="D" + JILL)
        h.settle()
        told = texts(h.fake)
        assert sum("nothing was changed" in t for t in told) == 2, told
        assert not [c for c in h.fake.calls if c.method == "chat.update"], told
        assert not any("Request #" in t or "accepted" in t.lower() for t in told), told
    assert "was deleted while the bot was running" in caplog.text
    assert not (tmp_path / "oncall.db").exists()
