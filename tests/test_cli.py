"""The `oncall` command line: schedule, who, and one clear line for every error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml

from bot.cli import main
from bot.clock import FixedClock
from bot.config import load_config
from bot.service import OnCallService
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("john", "james", "jill", "davis")
SLACK = {m: f"U000000000{i}" for i, m in enumerate(ORDER, start=1)}


def member(mid: str) -> dict[str, str]:
    return {"id": mid, "name": mid.title(), "slack_id": SLACK[mid]}


@pytest.fixture
def env(tmp_path: Path, team_config: dict[str, Any]) -> dict[str, str]:
    """A team file and an existing database (the first command's "creating a new database"
    line is tested with the storage)."""
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    url = f"sqlite:///{tmp_path}/cli.db"
    Store(url).create_all()
    return {"ONCALL_CONFIG": str(path), "DATABASE_URL": url}


def run(
    argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str], clock=None
) -> tuple[int, str, str]:
    code = main(argv, clock=clock or FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC)), env=env)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, expected_code: int) -> None:
    assert code == expected_code
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("oncall: ")
    assert "Traceback" not in err


# --- schedule -------------------------------------------------------------------------------


def test_schedule_json(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schedule", "--weeks", "5", "--json"], env, capsys)
    assert (code, err) == (0, "")
    weeks = json.loads(out)
    assert isinstance(weeks, list) and len(weeks) == 5
    assert [w["start"] for w in weeks] == [
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
        "2026-12-28",
    ]
    for k, w in enumerate(weeks):
        assert date.fromisoformat(w["end"]) - date.fromisoformat(w["start"]) == timedelta(days=7)
        assert w["on_call"] == member(ORDER[k % 4])
        assert w["backup"] == member(ORDER[(k + 1) % 4])
        assert set(w["on_call"]) == {"id", "name", "slack_id"}
    assert weeks[0]["handover"] == "2026-11-30T14:00:00+00:00"


def test_schedule_from_a_date_starts_at_its_week(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["schedule", "--from", "2027-01-13", "--weeks", "2", "--json"], env, capsys)
    assert code == 0
    weeks = json.loads(out)
    assert [(w["week"], w["start"], w["on_call"]["id"]) for w in weeks] == [
        (6, "2027-01-11", "jill"),
        (7, "2027-01-18", "davis"),
    ]


def test_schedule_defaults_to_8_weeks_from_the_current_one(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(datetime(2027, 1, 13, 15, tzinfo=UTC))  # week 6
    code, out, _ = run(["schedule", "--json"], env, capsys, clock)
    weeks = json.loads(out)
    assert code == 0 and len(weeks) == 8
    assert weeks[0]["week"] == 6 and weeks[0]["on_call"]["id"] == "jill"


def test_schedule_shows_time_off_and_the_week_needing_cover(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], team_config: dict[str, Any]
) -> None:
    clock = FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC))
    team = load_config(Path(env["ONCALL_CONFIG"]))
    store = Store(env["DATABASE_URL"])
    store.create_all()
    OnCallService(team, store, clock).request_time_off(
        "jill", "jill", date(2027, 1, 12), date(2027, 1, 13)
    )
    code, out, _ = run(["schedule", "--from", "2027-01-11", "--weeks", "1", "--json"], env, capsys)
    [w] = json.loads(out)
    assert code == 0
    assert w["time_off"] == [{"member": "jill", "start": "2027-01-12", "end": "2027-01-13"}]
    assert w["cover_needed"] is True
    code, out, _ = run(["schedule", "--from", "2027-01-11", "--weeks", "1"], env, capsys)
    assert "Jill off 12 Jan-13 Jan" in out and "needs cover" in out


def test_schedule_table(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schedule", "--weeks", "2"], env, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["Week", "Dates", "On", "call", "Backup", "Notes"]
    assert lines[1].split()[0] == "0" and "John" in lines[1] and "James" in lines[1]
    assert lines[2].split()[0] == "1" and "James" in lines[2] and "Jill" in lines[2]


def test_schedule_before_the_start_says_so(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(datetime(2026, 11, 20, 15, tzinfo=UTC))
    code, out, _ = run(["schedule", "--weeks", "1"], env, capsys, clock)
    assert code == 0
    assert "The rotation has not started" in out
    assert "Mon 30 Nov 2026 09:00 EST" in out


# --- who --------------------------------------------------------------------------------------


def test_who_json_at_a_local_time(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["who", "--at", "2027-01-13 12:00", "--json"], env, capsys)
    assert (code, err) == (0, "")
    answer = json.loads(out)
    assert answer["on_call"] == member("jill")
    assert answer["backup"] == member("davis")
    assert answer["week"] == 6
    assert answer["week_start"] == "2027-01-11T14:00:00+00:00"
    assert answer["week_end"] == "2027-01-18T14:00:00+00:00"
    assert answer["at"] == "2027-01-13T17:00:00+00:00"
    assert answer["started"] is True
    assert [(o["pipeline"], o["owner"]["id"], o["reason"]) for o in answer["owners"]] == [
        ("unit-level-profit", "john", None),
        ("aggregate-profit", "james", None),
        ("aggregate-growth", "jill", None),
        ("daily-growth", "davis", None),
        ("aggregate-engagement", "john", None),
    ]


@pytest.mark.parametrize(
    ("at", "week", "on_call", "start", "end"),
    [
        ("2027-03-15 08:59", 14, "jill", "2027-03-08T14:00:00+00:00", "2027-03-15T13:00:00+00:00"),
        ("2027-03-15 09:00", 15, "davis", "2027-03-15T13:00:00+00:00", "2027-03-22T13:00:00+00:00"),
        ("2027-11-08 08:59", 48, "john", "2027-11-01T13:00:00+00:00", "2027-11-08T14:00:00+00:00"),
        ("2027-11-08 09:00", 49, "james", "2027-11-08T14:00:00+00:00", "2027-11-15T14:00:00+00:00"),
    ],
)
def test_who_across_dst_changes(
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    at: str,
    week: int,
    on_call: str,
    start: str,
    end: str,
) -> None:
    code, out, _ = run(["who", "--at", at, "--json"], env, capsys)
    answer = json.loads(out)
    assert code == 0
    assert (answer["week"], answer["on_call"]["id"]) == (week, on_call)
    assert (answer["week_start"], answer["week_end"]) == (start, end)


def test_who_json_explains_time_off(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC))
    team = load_config(Path(env["ONCALL_CONFIG"]))
    store = Store(env["DATABASE_URL"])
    store.create_all()
    OnCallService(team, store, clock).request_time_off(
        "john", "john", date(2027, 1, 13), date(2027, 1, 13)
    )
    code, out, _ = run(["who", "--at", "2027-01-13 12:00", "--json"], env, capsys)
    answer = json.loads(out)
    assert code == 0
    assert answer["on_call"]["id"] == "jill"
    assert answer["time_off"] == [{"member": "john", "start": "2027-01-13", "end": "2027-01-13"}]
    owners = {o["pipeline"]: o for o in answer["owners"]}
    assert owners["unit-level-profit"]["owner"]["id"] == "james"
    assert owners["unit-level-profit"]["reason"] == "John away (time off)"


def test_who_text(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who", "--at", "2027-01-13 12:00"], env, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "On call: Jill"
    assert lines[1] == "Backup:  Davis"
    assert lines[2] == "Week 6: Mon 11 Jan 09:00 EST - Mon 18 Jan 09:00 EST"
    assert "  Aggregate Profit: James" in lines


def test_who_now_uses_the_clock(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    clock = FixedClock(datetime(2026, 12, 8, 15, tzinfo=UTC))  # week 1
    code, out, _ = run(["who", "--json"], env, capsys, clock)
    assert code == 0
    assert json.loads(out)["on_call"]["id"] == "james"


def test_who_before_the_start(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["who", "--at", "2026-11-30 08:59", "--json"], env, capsys)
    answer = json.loads(out)
    assert code == 0
    assert answer["started"] is False
    assert answer["on_call"] is None and answer["backup"] is None
    assert answer["week_start"] is None and answer["week_end"] is None
    assert answer["reasons"] == ["the rotation has not started"]
    code, out, _ = run(["who", "--at", "2026-11-30 08:59"], env, capsys)
    assert out.startswith("The rotation has not started: the first handover is Mon 30 Nov 2026")


def test_default_clock_is_the_system_clock_and_honours_time_machine(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(datetime(2027, 1, 20, 15, tzinfo=UTC), tick=False):
        code = main(["who", "--json"], env=env)
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["on_call"]["id"] == "davis"  # week 7


# --- errors: one clear line, non-zero ---------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["who", "--at", "next tuesday"], "--at: 'next tuesday' is not like"),
        (["who", "--at", "2027-13-01 09:00"], "--at:"),
        (["schedule", "--weeks", "0"], "--weeks"),
        (["schedule", "--weeks", "521"], "--weeks"),
        (["schedule", "--weeks", "many"], "many"),
        (["schedule", "--from", "13/01/2027"], "--from: '13/01/2027' is not a date"),
        ([], "command"),
        (["rota"], "rota"),
        (["who", "--bogus"], "--bogus"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(argv, env, capsys)
    assert_one_line_error(code, out, err, 2)
    assert expected in err


def test_a_bad_database_url_is_one_line_exit_1(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    env["DATABASE_URL"] = "definitely not a url"
    code, out, err = run(["who"], env, capsys)
    assert_one_line_error(code, out, err, 1)
    assert "DATABASE_URL" in err


def test_a_database_in_a_missing_directory_is_one_line_exit_1(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/missing/dir/x.db"
    code, out, err = run(["who"], env, capsys)
    assert_one_line_error(code, out, err, 1)


def test_a_config_error_exits_1_without_traceback(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    Path(env["ONCALL_CONFIG"]).write_text("team: {}\n")
    for argv in (["who"], ["schedule"], ["check"]):
        code, out, err = run(argv, env, capsys)
        assert code == 1 and out == ""
        assert err.startswith(f"oncall: {env['ONCALL_CONFIG']}: ")
        assert "rotation: section is missing" in err
        assert "Traceback" not in err


def test_a_missing_config_file_exits_1(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env["ONCALL_CONFIG"] = str(tmp_path / "nope.yml")
    code, out, err = run(["schedule"], env, capsys)
    assert code == 1 and out == ""
    assert "the file does not exist (set ONCALL_CONFIG)" in err


# --- the real console entry --------------------------------------------------------------------


def test_python_m_bot_runs_as_a_real_process(env: dict[str, str], tmp_path: Path) -> None:
    proc_env = {**os.environ, **env}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "who", "--at", "2027-01-13 12:00", "--json"],
        cwd=tmp_path,
        env=proc_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["on_call"]["id"] == "jill" and answer["backup"]["id"] == "davis"
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "who", "--at", "soon"],
        cwd=tmp_path,
        env=proc_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0


def test_oncall_console_script_checks_the_shipped_config(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "oncall"
    if not script.exists():
        pytest.skip("the oncall console script is not installed next to this interpreter")
    proc = subprocess.run(
        [str(script), "check", str(ROOT / "oncall.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "OK (4 members, 5 pipelines, handover 09:00 America/New_York)" in proc.stdout


# --- issue 12: messages that say what is wrong ---------------------------------------------------


def test_check_a_missing_file_names_the_path_as_given(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "missing.yml"], env, capsys)
    assert_one_line_error(code, out, err, 1)
    assert err == "oncall: missing.yml: the file does not exist\n"  # no "(set ONCALL_CONFIG)"


def test_check_a_directory_is_a_plain_message(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(["check", str(tmp_path)], env, capsys)
    assert_one_line_error(code, out, err, 1)
    assert f"{tmp_path}: is a directory, not a team file" in err
    assert "IsADirectoryError" not in err


def test_oncall_config_naming_a_directory_is_a_plain_message(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env["ONCALL_CONFIG"] = str(tmp_path)
    code, out, err = run(["who"], env, capsys)
    assert_one_line_error(code, out, err, 1)
    assert "is a directory" in err and "(set ONCALL_CONFIG)" in err
    assert "Error" not in err


def test_schedule_from_before_the_start_says_it_starts_at_week_0(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["schedule", "--from", "2020-01-01", "--weeks", "1", "--json"]
    code, out, err = run(argv, env, capsys)
    assert code == 0
    assert [w["week"] for w in json.loads(out)] == [0]  # stdout stays a JSON document
    assert err == (
        "oncall: --from 2020-01-01 is before the rotation starts; "
        "showing from its first week, Mon 30 Nov 2026\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["schedule", "--weeks", "0"],
        ["schedule", "--from", "soon"],
        ["who", "--at", "soon"],
        ["ical", "--weeks", "0"],
        ["announce", "--dry-run", "--week", "soon"],
    ],
)
def test_bad_arguments_create_no_database(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/never.db"
    code, out, err = run(argv, env, capsys)
    assert_one_line_error(code, out, err, 2)
    assert not (tmp_path / "never.db").exists()


def test_a_read_too_far_ahead_names_the_argument(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["who", "--at", "2126-12-25 10:00"], env, capsys)
    assert_one_line_error(code, out, err, 1)
    assert err.startswith("oncall: --at 2126-12-25 10:00: ") and "beyond" in err


def test_fairness_shows_per_rule_what_the_plan_achieves_and_the_proven_best(
    tmp_path: Path, team_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The planner's per-rule results are stored with the plan and shown by the ledger."""
    team_config["team"]["holidays"] = {"country": "US"}  # holidays: the exact planner runs
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    url = f"sqlite:///{tmp_path}/rules.db"
    Store(url).create_all()
    env = {"ONCALL_CONFIG": str(path), "DATABASE_URL": url}
    code, out, _err = run(["fairness"], env, capsys)
    assert code == 0
    assert "rule 1 (availability): kept (proven best)" in out
    assert "rule 3 (holiday balance): kept (proven best)" in out
    assert "rule 5 (no back-to-back): kept (proven best)" in out
    code, out, _err = run(["fairness", "--json"], env, capsys)
    rules = json.loads(out)["rules"]
    assert [r["rule"] for r in rules] == [1, 2, 3, 4, 5, 6]
    assert all(r["proven"] and r["achieved"] == r["best"] == 0 for r in rules[:5])
