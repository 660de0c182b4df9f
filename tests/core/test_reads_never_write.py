"""A read never writes: past the stored plan it answers from a projection it does not
store, past a documented limit it refuses, and the fairness ledger's horizon is fixed by
policy.plan_weeks (issue 12, item 5)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, inspect, text

from bot.cli import main
from bot.clock import FixedClock
from bot.core.model import Team
from bot.core.weeks import READ_AHEAD_WEEKS, last_readable_week, week
from bot.service import OnCallService

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))]  # noqa: S608
                for name in inspect(engine).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture
def env(tmp_path: Path, team_config: dict[str, Any]) -> dict[str, str]:
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    env = {"ONCALL_CONFIG": str(path), "DATABASE_URL": f"sqlite:///{tmp_path}/oncall.db"}
    assert main(["schedule"], clock=FixedClock(NOW), env=env) == 0  # the start's sync
    return env


READS = [
    ["who"],
    ["who", "--at", "2031-06-01 10:00"],
    ["who", "--at", "2126-12-25 10:00"],
    ["schedule", "--weeks", "110"],
    ["schedule", "--from", "2032-01-01", "--weeks", "520"],
    ["schedule", "--from", "2020-01-01", "--weeks", "3"],
    ["announce", "--dry-run"],
    ["announce", "--dry-run", "--week", "2030-03-04"],
    ["announce", "--dry-run", "--week", "9999-01-01"],
    ["fairness"],
    ["ical", "--weeks", "520"],
]


@pytest.mark.parametrize("argv", READS, ids=" ".join)
def test_a_read_command_leaves_the_database_as_it_was(argv, env, capsys) -> None:
    before = contents(env["DATABASE_URL"])
    assert len(before["planned_week"]) == 104  # policy.plan_weeks: 104
    started = time.monotonic()
    code = main(argv, clock=FixedClock(NOW), env=env)
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1, 2), err  # 1: a refusal, 2: a usage error (one line each)
    assert took < 5
    assert contents(env["DATABASE_URL"]) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["who", "--at", "2126-12-25 10:00"],
        ["schedule", "--from", "2126-12-25"],
        ["who", "--at", "9999-12-31 23:59"],  # the last day a date can hold
        ["schedule", "--from", "9999-12-31"],
        ["report", "--from", "9999-12-01", "--to", "9999-12-31"],
        ["announce", "--dry-run", "--week", "9999-12-31"],
    ],
    ids=" ".join,
)
def test_far_beyond_the_plan_a_read_refuses_in_one_line(argv, env, capsys) -> None:
    code = main(argv, clock=FixedClock(NOW), env=env)
    out, err = capsys.readouterr()
    assert code in (1, 2) and out == ""
    assert err.startswith("oncall: ") and err.count("\n") == 1
    # 9999-12-31 23:59 in New York is already year 10000 in UTC: no such instant
    assert ("That is beyond the week of 2036-11-17" in err and "520 weeks ahead" in err) or (
        "out of the range of dates" in err
    )


def test_the_first_days_a_date_can_hold_are_answered_or_refused_in_one_line(env, capsys) -> None:
    """Year 1 is before the rotation: nothing to report; 00:00 on 1 Jan of year 1 in a
    zone behind UTC has no instant: refused, never a traceback."""
    code = main(
        ["report", "--from", "0001-01-01", "--to", "0001-01-02"], clock=FixedClock(NOW), env=env
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and "the rotation starts" in out and "nothing to report" in out
    code = main(
        ["report", "--from", "0001-01-01", "--to", "2026-12-06", "--json"],
        clock=FixedClock(NOW),
        env=env,
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and '"from": "0001-01-01"' in out
    code = main(["who", "--at", "0001-01-01 00:00"], clock=FixedClock(NOW), env=env)
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in err and err.count("\n") <= 1


def test_past_the_stored_plan_a_read_shows_what_will_be_stored(
    team: Team, service: OnCallService
) -> None:
    store = service.store
    with store.read() as s:
        last = store.last_planned(s)
    assert last == team.plan_weeks - 1  # weeks 0..N-1
    projected = service.schedule(last - 2, 10)
    assert [w.week.index for w in projected] == list(range(last - 2, last + 8))
    with store.read() as s:
        assert store.last_planned(s) == last  # nothing stored
    service.ensure_plan(last + 20)  # a write (a request) stores them
    assert service.schedule(last - 2, 10) == projected
    assert service.who(week(team, last + 5).start).on_call == projected[7].on_call


def test_a_far_projection_is_what_the_weekly_extensions_store(
    team: Team, service: OnCallService, clock: FixedClock
) -> None:
    """Past the next block too: the projection plans block by block, as sync_plan does
    when the weeks go by, so a far `who --at` names whom the plan will name."""
    far = 2 * team.plan_weeks + 5  # in the block after the next one
    projected = [w.member for w in service.schedule(far, 6)]
    for k in (1, team.plan_weeks + 1):  # the weeks go by; each start extends the plan
        clock.set(week(team, k).start + timedelta(hours=1))
        service.sync_plan()
    with service.store.read() as s:
        assert service.store.last_planned(s) >= far + 5
    assert [w.member for w in service.schedule(far, 6)] == projected


def test_the_limit_of_a_read(team: Team, make_service, clock: FixedClock) -> None:
    service = make_service(team, sync=False)
    store = service.store
    limit = last_readable_week(team, clock.now())
    assert limit == service.current_index() + READ_AHEAD_WEEKS
    assert len(service.schedule(limit - 3, 3)) == 3  # from an empty database, unstored
    with store.read() as s:
        assert store.last_planned(s) is None
    with pytest.raises(Exception, match="beyond"):
        service.schedule(limit - 3, 4)


def test_the_ledger_horizon_is_plan_weeks_whatever_else_is_stored(
    team: Team, service: OnCallService
) -> None:
    ledger = service.ledger()
    assert (ledger.first_week, ledger.last_week) == (
        0,
        service.current_index() + team.plan_weeks - 1,
    )
    service.schedule(None, 110)
    assert service.ledger() == ledger
    service.ensure_plan(400)  # stored further by a write: still the same horizon
    assert service.ledger() == ledger


def test_the_fairness_command_is_the_same_after_a_long_schedule(env, capsys) -> None:
    clock = FixedClock(NOW)
    main(["fairness"], clock=clock, env=env)
    before = capsys.readouterr().out
    main(["schedule", "--weeks", "110"], clock=clock, env=env)
    capsys.readouterr()
    main(["fairness"], clock=clock, env=env)
    assert capsys.readouterr().out == before


def test_an_unsynced_service_reads_without_storing(team: Team, make_service, db_url: str) -> None:
    service = make_service(team, sync=False)  # nothing stored yet
    before = contents(db_url)
    assert service.who().on_call == "john"
    service.ledger()
    service.weeks_of("james")
    service.handover(1)
    assert contents(db_url) == before
