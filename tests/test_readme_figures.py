"""What the README says a command prints is what that command prints, on the shipped files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NY = ZoneInfo("America/New_York")

FAIRNESS = re.compile(
    r"For the shipped `oncall\.yml`, `oncall fairness` on a new database any time before "
    r"week 1's handover \(Mon 7 Dec 2026 09:00 New York time\) covers weeks (\d+)-(\d+) and "
    r"gives (\w+), (\w+), (\w+) and (\w+) (\d+) / (\d+) / (\d+) / (\d+) weeks and "
    r"(\d+) / (\d+) / (\d+) / (\d+) holiday days on call"
)


def readme_text() -> str:
    return " ".join(README.read_text(encoding="utf-8").split())  # line wraps as spaces


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 30, 9, 0, tzinfo=NY),  # the first handover
        datetime(2026, 12, 7, 8, 59, tzinfo=NY),  # the last minute of week 0
    ],
)
def test_readme_fairness_figures_are_what_oncall_fairness_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: datetime
) -> None:
    found = FAIRNESS.search(readme_text())
    assert found, "README: the fairness sentence is not in the form this test reads"
    first, last = int(found[1]), int(found[2])
    names = list(found.groups()[2:6])
    weeks = [int(n) for n in found.groups()[6:10]]
    holiday_days = [int(n) for n in found.groups()[10:14]]

    env = {
        "ONCALL_CONFIG": str(ROOT / "oncall.yml"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/new.db",
    }
    clock = FixedClock(now.astimezone(UTC))
    assert main(["fairness", "--json"], clock=clock, env=env) == 0
    ledger = json.loads(capsys.readouterr().out)
    rows = ledger["members"]
    printed = (
        f"covers weeks {ledger['first_week']}-{ledger['last_week']} and gives "
        f"{', '.join(m['name'] for m in rows[:-1])} and {rows[-1]['name']} "
        f"{' / '.join(str(m['weeks']) for m in rows)} weeks and "
        f"{' / '.join(str(m['holiday_days']) for m in rows)} holiday days on call"
    )
    said = (first, last, names, weeks, holiday_days)
    assert said == (
        ledger["first_week"],
        ledger["last_week"],
        [m["name"] for m in rows],
        [m["weeks"] for m in rows],
        [m["holiday_days"] for m in rows],
    ), f"README: the command prints: ...{printed}"


def test_readme_runs_the_module_with_the_venvs_python() -> None:
    """`python -m bot` with a system python finds no `bot` (it is installed in .venv)."""
    bare = re.findall(r"(?<![\w/.])python3? -m bot\b", README.read_text(encoding="utf-8"))
    assert bare == []
    assert ".venv/bin/python -m bot run" in README.read_text(encoding="utf-8")
