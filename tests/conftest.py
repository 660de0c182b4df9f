"""Shared, generic fixtures: a small team config, a fixed clock, a SQLite URL, a service.

The team mirrors the seed (four members, five pipelines, Monday 09:00 handover in
America/New_York, rotation starting Monday 2026-11-30) but has no `holidays`
section, so plain round-robin planning applies. Runbooks are left out so the
config does not depend on files; add them per test when needed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakeslack import unacknowledged_refusals
from harness import SlackHarness
from pg import pg_server, pg_url  # noqa: F401  (a throwaway PostgreSQL server)

from bot.clock import FixedClock
from bot.config import parse_config
from bot.core.model import Team
from bot.service import OnCallService
from bot.storage.store import Store

MEMBER_IDS = ("john", "james", "jill", "davis")

BASE_CONFIG: dict[str, Any] = {
    "team": {
        "name": "Data Engineering",
        "timezone": "America/New_York",
        "channel": "C0000000000",
        "admins": ["john"],
    },
    "rotation": {
        "start": "2026-11-30",
        "handover": "monday 09:00",
        "order": list(MEMBER_IDS),
    },
    "policy": {"time_off_notice_days": 14},
    "members": [
        {"id": mid, "name": mid.title(), "slack_id": f"U000000000{i}"}
        for i, mid in enumerate(MEMBER_IDS, start=1)
    ],
    "pipelines": [
        {
            "id": "unit-level-profit",
            "name": "Unit-level Profit",
            "audience": "experiments",
            "primary": "john",
            "secondary": "james",
        },
        {
            "id": "aggregate-profit",
            "name": "Aggregate Profit",
            "audience": "investors",
            "primary": "james",
            "secondary": "jill",
        },
        {
            "id": "aggregate-growth",
            "name": "Aggregate Growth",
            "audience": "investors",
            "primary": "jill",
            "secondary": "davis",
        },
        {
            "id": "daily-growth",
            "name": "Daily Growth",
            "audience": "experiments",
            "primary": "davis",
            "secondary": "john",
        },
        {
            "id": "aggregate-engagement",
            "name": "Aggregate Engagement",
            "audience": "investors",
            "primary": "john",
            "secondary": "davis",
        },
    ],
}

# Tuesday 1 Dec 2026 10:00 in New York: inside week 0 (which began Mon 30 Nov 09:00).
DEFAULT_NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "refusals_expected: the test provokes the strict fake Slack's refusals"
    )


@pytest.fixture(autouse=True, scope="session")
def _planner_bound_by_work_units_only() -> Iterator[None]:
    """Plans in tests are bounded by the solver's deterministic work units alone: the
    wall-clock guard (a production safety net) would make a plan depend on how busy
    the machine is, and the suite runs in three processes on two cores."""
    from bot.core import planner

    saved, planner.WALL_FACTOR = planner.WALL_FACTOR, 1000.0
    yield
    planner.WALL_FACTOR = saved


@pytest.fixture(autouse=True)
def slack_refuses_nothing(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which any FakeSlack refused a call for breaking Slack's rules
    (too many blocks, text over a limit, no text fallback, ...): every end-to-end test
    thereby checks the limits of what the app sends. A listener's refused post shows
    nowhere else: the app only logs Slack's error."""
    before = {id(c) for c in unacknowledged_refusals()}
    yield
    if request.node.get_closest_marker("refusals_expected"):
        return
    new = [c for c in unacknowledged_refusals() if id(c) not in before]
    assert not new, "the fake Slack refused what the app sent:\n" + "\n".join(
        f"  {c.method}: {c.refused} {c.problems}" for c in new
    )


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackHarness]:
    """One running app and fake Slack for a test module, on tests/data/team.yml at
    DEFAULT_NOW (starting and stopping servers is the slow part). Use it through `h`."""
    with SlackHarness(tmp_path_factory.mktemp("slack"), FixedClock(DEFAULT_NOW)) as running:
        yield running


@pytest.fixture
def h(harness: SlackHarness, tmp_path: Path) -> Iterator[SlackHarness]:
    """The module's app with a fresh database, clock and call log for each test; after
    the test every listener has finished, so no late call leaks into the next one."""
    harness.fresh_database(tmp_path, DEFAULT_NOW)
    yield harness
    harness.settle()


@pytest.fixture
def team_config() -> dict[str, Any]:
    """A fresh deep copy of BASE_CONFIG to modify freely."""
    return copy.deepcopy(BASE_CONFIG)


@pytest.fixture
def make_team(tmp_path: Path) -> Callable[..., Team]:
    """Build a Team from a config dict (default: BASE_CONFIG), relative to tmp_path."""

    def _make(config: dict[str, Any] | None = None) -> Team:
        return parse_config(copy.deepcopy(BASE_CONFIG if config is None else config), tmp_path)

    return _make


@pytest.fixture
def team(make_team: Callable[..., Team]) -> Team:
    return make_team()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/oncall.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """The test runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return db_url


@pytest.fixture
def make_service(db_url: str, clock: FixedClock) -> Callable[..., OnCallService]:
    """An OnCallService on its own Store; by default the shared clock and db_url,
    tables created and the plan synced."""

    def _make(
        team: Team,
        *,
        clock: FixedClock = clock,
        url: str = db_url,
        sync: bool = True,
    ) -> OnCallService:
        store = Store(url)
        store.create_all()
        service = OnCallService(team, store, clock)
        if sync:
            service.sync_plan()
        return service

    return _make


@pytest.fixture
def service(make_service: Callable[..., OnCallService], team: Team) -> OnCallService:
    return make_service(team)
