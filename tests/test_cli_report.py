"""`oncall report`: the table, CSV and JSON shapes, its errors, and `oncall fairness`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_cli import assert_one_line_error, run

from bot.clock import FixedClock
from bot.config import load_config
from bot.core.report import COLUMNS
from bot.service import OnCallService
from bot.storage.store import Store

# America/New_York, Monday 09:00, John, James, Jill, Davis from Mon 30 Nov 2026; no
# holiday calendar. December 2026 (744 h): John to Mon 7 Dec 09:00 (6 d 9 h from 1 Dec
# 00:00) and from Mon 28 Dec 09:00 (3 d 15 h), James, Jill and Davis a week each.
DECEMBER = {
    "john": {"on_call_hours": 153 + 87, "backup_hours": 168, "weekend_days": 2},
    "james": {"on_call_hours": 168, "backup_hours": 153 + 87, "weekend_days": 2},
    "jill": {"on_call_hours": 168, "backup_hours": 168, "weekend_days": 2},
    "davis": {"on_call_hours": 168, "backup_hours": 168, "weekend_days": 2},
}


@pytest.fixture
def env(tmp_path: Path, team_config: dict[str, Any]) -> dict[str, str]:
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    url = f"sqlite:///{tmp_path}/cli.db"
    Store(url).create_all()
    return {"ONCALL_CONFIG": str(path), "DATABASE_URL": url}


DEC = ["report", "--from", "2026-12-01", "--to", "2026-12-31"]


def test_csv(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run([*DEC, "--csv"], env, capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert (
        rows[0]
        == list(COLUMNS)
        == [
            "member",
            "name",
            "on_call_hours",
            "backup_hours",
            "weekend_days",
            "holiday_days",
            "covers_given",
            "covers_received",
            "swaps",
            "incidents",
        ]
    )
    got = {r["member"]: r for r in csv.DictReader(io.StringIO(out))}
    assert list(got) == ["john", "james", "jill", "davis"]
    for member, expected in DECEMBER.items():
        assert got[member]["name"] == member.title()
        for key, value in expected.items():
            assert float(got[member][key]) == value, (member, key)
        assert got[member]["holiday_days"] == got[member]["incidents"] == "0"
    assert sum(float(r["on_call_hours"]) for r in got.values()) == 31 * 24


def test_json_says_the_same_as_csv(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = run([*DEC, "--csv"], env, capsys)
    from_csv = list(csv.DictReader(io.StringIO(out)))
    code, out, _err = run([*DEC, "--json"], env, capsys)
    assert code == 0
    doc = json.loads(out)
    assert {k: doc[k] for k in ("from", "to", "timezone", "started", "holidays")} == {
        "from": "2026-12-01",
        "to": "2026-12-31",
        "timezone": "America/New_York",
        "started": True,
        "holidays": {},
    }
    assert doc["uncovered_hours"] == 0
    assert [list(m) for m in doc["members"]] == [list(COLUMNS)] * 4
    for m, c in zip(doc["members"], from_csv, strict=True):
        assert {k: str(v) for k, v in m.items()} == c
    assert isinstance(doc["members"][0]["on_call_hours"], float)
    assert isinstance(doc["members"][0]["weekend_days"], int)


def test_the_table(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(DEC, env, capsys)
    assert code == 0 and "Traceback" not in err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Member", "On-call", "h"]
    assert lines[1].split()[:4] == ["John", "240", "168", "2"]
    assert "Tue 01 Dec 2026 - Thu 31 Dec 2026 (America/New_York)" in out
    assert "Public holidays: none" in out


def test_before_the_rotation_starts(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "--from", "2026-10-01", "--to", "2026-10-31"]
    code, out, _err = run([*args, "--csv"], env, capsys)
    assert (code, out) == (0, ",".join(COLUMNS) + "\n")  # the header, no rows
    code, out, _err = run([*args, "--json"], env, capsys)
    assert json.loads(out)["members"] == [] and json.loads(out)["started"] is False
    code, out, _err = run(args, env, capsys)
    assert code == 0 and "the rotation starts Mon 30 Nov 2026 09:00 EST" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-12-01", "--to", "2026-12-32"], "--to: '2026-12-32' is not a date"),
        (["--from", "dec", "--to", "2026-12-31"], "--from: 'dec' is not a date"),
        (["--from", "2026-12-31", "--to", "2026-12-01"], "is before --from 2026-12-31"),
        (["--to", "2026-12-01"], "required: --from"),
        (["--from", "2026-12-01", "--to", "2026-12-31", "--csv", "--json"], "not allowed"),
    ],
)
def test_bad_arguments_exit_2_and_create_nothing(
    tmp_path: Path,
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path}/none.db"}
    code, out, err = run(["report", *args], env, capsys)
    assert_one_line_error(code, out, err, 2)
    assert says in err
    assert not (tmp_path / "none.db").exists()  # refused before a database was opened


def test_beyond_the_readable_horizon(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["report", "--from", "2026-12-01", "--to", "2040-01-01"], env, capsys)
    assert_one_line_error(code, out, err, 2)
    assert "--to 2040-01-01: That is beyond the week of" in err


def test_agrees_with_oncall_fairness(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], team_config: dict[str, Any]
) -> None:
    """Over the ledger's weeks, with a cover accepted, the two commands count the same
    weekend days, holiday days, covers and swaps per member."""
    clock = FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC))
    store = Store(env["DATABASE_URL"])
    service = OnCallService(load_config(Path(env["ONCALL_CONFIG"])), store, clock)
    service.sync_plan()
    cover = service.request_swap("james", "jill", 5, cover=True)
    service.accept_swap("jill", cover.id)
    swap = service.request_swap("davis", "john", 3, 8)
    service.accept_swap("john", swap.id)
    code, out, _err = run(["fairness", "--json"], env, capsys, clock)
    ledger = json.loads(out)
    last = date(2026, 11, 30) + timedelta(days=7 * ledger["last_week"] + 6)
    code, out, _err = run(
        ["report", "--from", "2026-11-30", "--to", str(last), "--json"], env, capsys, clock
    )
    assert code == 0
    report = {m["member"]: m for m in json.loads(out)["members"]}
    keys = ("weekend_days", "holiday_days", "covers_given", "covers_received", "swaps")
    for row in ledger["members"]:
        assert {k: report[row["member"]][k] for k in keys} == {k: row[k] for k in keys}
    assert report["jill"]["covers_given"] == report["james"]["covers_received"] == 1
    assert report["john"]["swaps"] == report["davis"]["swaps"] == 1
