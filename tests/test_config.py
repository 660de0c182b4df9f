"""Config validation: every problem reported with where it is, never a traceback;
the shipped oncall.yml is valid, matches the seed team doc and is what docs/team.md
describes."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.clock import FixedClock
from bot.config import ConfigError, load_config, parse_config, parse_weekday_time
from bot.core.calendars import holidays_between
from bot.core.oncall import who
from bot.core.weeks import week_index_at

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "oncall.yml"
TEAM_DOC = ROOT / "docs" / "team.md"
# The team's own document the seed config was written from; outside the repository, so
# only checked where it exists.
SEED = Path("/work/shared/seed/pipeline-maintenance.md")

# The seed's ownership table (pipeline name -> primary, secondary), by member name.
SEED_OWNERS = {
    "Unit-level Profit": ("John", "James"),
    "Aggregate Profit": ("James", "Jill"),
    "Aggregate Growth": ("Jill", "Davis"),
    "Daily Growth": ("Davis", "John"),
    "Aggregate Engagement": ("John", "Davis"),
}
INVESTOR_PIPELINES = {"Aggregate Profit", "Aggregate Growth", "Aggregate Engagement"}


def problems(config: Any, base_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(config, base_dir)
    return info.value.problems


def shipped_data() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


# --- the shipped config ------------------------------------------------------------


def test_shipped_config_is_valid() -> None:
    team = load_config(SHIPPED)
    assert team.timezone.key == "America/New_York"
    assert team.start == date(2026, 11, 30)
    assert team.start.weekday() == 0 == team.handover_weekday
    assert team.handover_time == time(9, 0)
    assert team.order == ("john", "james", "jill", "davis")
    assert team.time_off_notice_days == 14
    assert [m.name for m in team.members] == ["John", "James", "Jill", "Davis"]


def test_shipped_ownership_matches_seed_table_exactly() -> None:
    team = load_config(SHIPPED)
    actual = {
        p.name: (team.member(p.primary).name, team.member(p.secondary).name) for p in team.pipelines
    }
    assert actual == SEED_OWNERS


@pytest.mark.skipif(not SEED.is_file(), reason="seed team doc not present")
def test_seed_doc_table_is_what_the_tests_expect() -> None:
    """Guard the constant above against drifting from the seed document."""
    rows = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and "(" in cells[0]:
            rows[cells[0].split(" (")[0]] = (cells[1], cells[2])
    assert rows == SEED_OWNERS


def test_shipped_runbooks_exactly_for_the_investor_pipelines() -> None:
    team = load_config(SHIPPED)
    with_runbook = {p.name for p in team.pipelines if p.runbook is not None}
    assert with_runbook == INVESTOR_PIPELINES
    for p in team.pipelines:
        assert (p.audience == "investors") == (p.name in INVESTOR_PIPELINES)
        if p.runbook is not None:
            assert p.runbook.is_file()
            assert p.runbook.parent == (ROOT / "runbooks").resolve()


def table_rows(markdown: str, header_start: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with `header_start`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_team_doc_describes_the_shipped_team() -> None:
    """docs/team.md documents the example team: its tables are what oncall.yml says."""
    team = load_config(SHIPPED)
    doc = TEAM_DOC.read_text(encoding="utf-8")
    roster = [
        (r[0].strip("`"), r[1], int(r[2]), r[3] == "yes") for r in table_rows(doc, "| Member id")
    ]
    assert roster == [
        (m.id, m.name, team.order.index(m.id) + 1, m.id in team.admins) for m in team.members
    ]
    owners = [
        (r[0], r[1].strip("`"), r[2], r[3], r[4], r[5]) for r in table_rows(doc, "| Pipeline |")
    ]
    assert owners == [
        (
            p.name,
            p.id,
            p.audience,
            team.member(p.primary).name,
            team.member(p.secondary).name,
            f"[{p.runbook.name}](../runbooks/{p.runbook.name})" if p.runbook else "none",
        )
        for p in team.pipelines
    ]
    for p in team.pipelines:  # each runbook's failure topics are listed under its pipeline
        if p.runbook is not None:
            assert f"**{p.name}** ([runbook](../runbooks/{p.runbook.name}))" in doc


def test_no_link_in_the_docs_leaves_the_repository() -> None:
    """Relative links in the repository's Markdown resolve to files inside it (a clone
    has nothing beside it)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    pages += sorted((ROOT / "bench").glob("*.md")) + sorted((ROOT / "runbooks").glob("*.md"))
    checked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
            assert path.exists(), f"{page.name}: {target} does not exist"
            checked += 1
    assert checked >= 5


def test_oncall_check_accepts_the_shipped_config(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SHIPPED)], clock=FixedClock(), env={})
    out, err = capsys.readouterr()
    assert code == 0
    assert "OK" in out and "4 members" in out and "5 pipelines" in out
    assert err == ""


# --- parse_config: each mistake, with where it is ----------------------------------


def _set(config: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return config


MISTAKES = [
    pytest.param(("rotation", "order", 2), "jane", "rotation.order[2]", "jane", id="order-unknown"),
    pytest.param(("rotation", "order", 3), "john", "rotation.order[3]", "twice", id="order-dup"),
    pytest.param(("rotation", "order"), [], "rotation.order", "non-empty", id="order-empty"),
    pytest.param(
        ("pipelines", 1, "primary"), "jane", "pipelines[1].primary", "jane", id="owner-unknown"
    ),
    pytest.param(
        ("pipelines", 4, "secondary"), "bob", "pipelines[4].secondary", "bob", id="second-unknown"
    ),
    pytest.param(
        ("pipelines", 0, "secondary"), "john", "pipelines[0].secondary", "differ", id="same-owner"
    ),
    pytest.param(("rotation", "start"), "2026-12-01", "rotation.start", "Tuesday", id="start-day"),
    pytest.param(("rotation", "start"), "30/11/2026", "rotation.start", "not a date", id="start"),
    pytest.param(("team", "timezone"), "Mars/Olympus", "team.timezone", "IANA", id="tz"),
    pytest.param(("team", "timezone"), "../etc/passwd", "team.timezone", "IANA", id="tz-path"),
    pytest.param(
        ("team", "holidays"), {"country": "XX"}, "team.holidays.country", "XX", id="country"
    ),
    pytest.param(
        ("team", "holidays"),
        {"country": "US", "subdiv": "ZZ"},
        "team.holidays.subdiv",
        "ZZ",
        id="subdiv",
    ),
    pytest.param(
        ("team", "holidays"),
        {"country": "US", "extra": ["2026-13-01"]},
        "team.holidays.extra[0]",
        "not a date",
        id="extra-date",
    ),
    pytest.param(
        ("pipelines", 1, "runbook"),
        "runbooks/missing.md",
        "pipelines[1].runbook",
        "missing.md",
        id="runbook",
    ),
    pytest.param(("members", 1, "id"), "john", "members[1].id", "duplicate", id="dup-member"),
    pytest.param(
        ("members", 1, "slack_id"),
        "U0000000001",
        "members[1].slack_id",
        "duplicate",
        id="dup-slack",
    ),
    pytest.param(("members", 2, "slack_id"), "jill", "members[2].slack_id", "Slack", id="slack-id"),
    pytest.param(("members", 0, "id"), "John Doe", "members[0].id", "lower-case", id="bad-id"),
    pytest.param(
        ("pipelines", 3, "id"), "aggregate-profit", "pipelines[3].id", "duplicate", id="dup-pipe"
    ),
    pytest.param(
        ("rotation", "handover"), "monday 9am", "rotation.handover", "like", id="handover"
    ),
    pytest.param(("rotation", "handover"), "monday 25:00", "rotation.handover", "time", id="hour"),
    pytest.param(
        ("rotation", "handover"), "funday 09:00", "rotation.handover", "weekday", id="day"
    ),
    pytest.param(("team", "channel"), "general", "team.channel", "channel", id="channel"),
    pytest.param(("team", "admins"), ["root"], "team.admins[0]", "root", id="admin"),
    pytest.param(("team", "admins"), "john", "team.admins", "list", id="admins-type"),
    pytest.param(("team", "usergroup"), "oncall", "team.usergroup", "group", id="usergroup"),
    pytest.param(
        ("policy", "time_off_notice_days"),
        -1,
        "policy.time_off_notice_days",
        "from 0 to 365",
        id="notice",
    ),
    pytest.param(
        ("policy", "time_off_notice_days"), "14", "policy.time_off_notice_days", "whole", id="n-str"
    ),
    pytest.param(("pipelines", 0, "audience"), "vcs", "pipelines[0].audience", "one of", id="aud"),
    pytest.param(("members", 0), "john", "members[0]", "mapping", id="member-type"),
]


@pytest.mark.parametrize(("path", "value", "where", "what"), MISTAKES)
def test_each_mistake_is_reported_with_where_it_is(
    path: tuple[Any, ...], value: Any, where: str, what: str, team_config: dict, tmp_path: Path
) -> None:
    found = problems(_set(team_config, path, value), tmp_path)
    hits = [p for p in found if p.startswith(f"{where}:")]
    assert hits, found
    assert any(what in p for p in hits), hits


def test_start_on_wrong_weekday_is_judged_against_the_handover_day(
    team_config: dict, tmp_path: Path
) -> None:
    team_config["rotation"]["handover"] = "tuesday 09:00"
    found = problems(team_config, tmp_path)  # start 2026-11-30 is a Monday
    assert found == ["rotation.start: 2026-11-30 is a Monday, not a Tuesday (the handover day)"]
    team_config["rotation"]["start"] = "2026-12-01"
    assert parse_config(team_config, tmp_path).handover_weekday == 1


def test_every_problem_is_reported_at_once(team_config: dict, tmp_path: Path) -> None:
    team_config["team"]["timezone"] = "Nowhere/Town"
    team_config["rotation"]["order"] = ["john", "jane", "jill", "davis"]
    team_config["rotation"]["start"] = "2026-12-02"
    team_config["pipelines"][2]["primary"] = "bob"
    team_config["members"][3]["id"] = "jill"
    found = problems(team_config, tmp_path)
    wheres = {p.split(":")[0] for p in found}
    assert {
        "team.timezone",
        "rotation.order[1]",
        "rotation.start",
        "pipelines[2].primary",
        "members[3].id",
    } <= wheres


def test_missing_sections_are_each_named(tmp_path: Path) -> None:
    found = problems({"policy": {}}, tmp_path)
    for section in ("team", "rotation", "members"):
        assert f"{section}: section is missing" in found


@pytest.mark.parametrize("data", [None, [], ["team"], "team: x", 42])
def test_not_a_mapping_is_a_config_error(data: Any, tmp_path: Path) -> None:
    assert problems(data, tmp_path) == [
        "the file must be a YAML mapping with team, rotation, members"
    ]


@pytest.mark.parametrize(
    ("section", "value", "expected"),
    [
        ("team", ["x"], "team: must be a mapping"),
        ("rotation", "weekly", "rotation: must be a mapping"),
        ("members", {"id": "john"}, "members: must be a list"),
        ("pipelines", "all", "pipelines: must be a list"),
    ],
)
def test_section_of_the_wrong_type(
    section: str, value: Any, expected: str, team_config: dict, tmp_path: Path
) -> None:
    team_config[section] = value
    assert expected in problems(team_config, tmp_path)


def test_runbook_paths_are_relative_to_the_config_file(team_config: dict, tmp_path: Path) -> None:
    (tmp_path / "rb").mkdir()
    (tmp_path / "rb" / "p.md").write_text("# runbook\n")
    team_config["pipelines"][1]["runbook"] = "rb/p.md"
    team = parse_config(team_config, tmp_path)
    assert team.pipelines[1].runbook == (tmp_path / "rb" / "p.md").resolve()
    assert team.pipelines[0].runbook is None


def test_defaults_and_derived_values(team_config: dict, tmp_path: Path) -> None:
    team_config["policy"] = {"time_off_notice_days": 20}
    team = parse_config(team_config, tmp_path)
    assert team.freeze_weeks == 3  # ceil(20 / 7)
    assert team.admins == frozenset({"john"})
    assert team.holidays is None and not team.has_holidays
    assert team.heads_up == (4, time(15, 0))


def test_a_major_holiday_the_team_calendar_lacks_is_reported(
    team_config: dict, tmp_path: Path
) -> None:
    """A name that matches no holiday would silently switch rule 4 off."""
    team_config["team"]["holidays"] = {"country": "DE"}
    team_config["policy"]["major_holidays"] = ["Christmas Day", "Erster Weihnachtstag", "Xmas"]
    assert problems(team_config, tmp_path) == [
        "policy.major_holidays[1]: 'Erster Weihnachtstag' is not a holiday of the team calendar "
        "(DE); name holidays as `oncall schedule` shows them, like 'Christmas Day'",
        "policy.major_holidays[2]: 'Xmas' is not a holiday of the team calendar "
        "(DE); name holidays as `oncall schedule` shows them, like 'Christmas Day'",
    ]


def test_major_holidays_are_named_alike_whatever_the_server_locale(
    team_config: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core import calendars

    team_config["team"]["holidays"] = {"country": "DE", "subdiv": "BY"}
    team_config["policy"]["major_holidays"] = ["Christmas Day", "Epiphany"]
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGUAGE", "de")
    calendars._year.cache_clear()
    try:
        team = parse_config(team_config, tmp_path)
    finally:
        monkeypatch.undo()
        calendars._year.cache_clear()
    assert team.major_holidays == ("Christmas Day", "Epiphany")


def test_major_holidays_without_a_team_calendar_are_reported(
    team_config: dict, tmp_path: Path
) -> None:
    """Major holidays come from the team calendar only: without one, no name matches."""
    team_config["policy"]["major_holidays"] = ["Diwali"]
    assert problems(team_config, tmp_path) == [
        "policy.major_holidays: names major holidays, but without a team calendar "
        "(team.holidays) no day is one; set team.holidays or remove the list"
    ]
    team_config["policy"]["major_holidays"] = []
    assert parse_config(team_config, tmp_path).major_holidays == ()


def test_a_near_miss_major_holiday_gets_a_suggestion(team_config: dict, tmp_path: Path) -> None:
    team_config["team"]["holidays"] = {"country": "US", "subdiv": "NY"}
    team_config["policy"]["major_holidays"] = ["Christmas Day", "Thanksgiving"]
    assert problems(team_config, tmp_path) == [
        "policy.major_holidays[1]: 'Thanksgiving' is not a holiday of the team calendar "
        "(US-NY); did you mean 'Thanksgiving Day'?"
    ]


# --- unknown keys: a misspelt key is a problem, not silently ignored ---------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            ("team", "admin"),
            ["john"],
            "team.admin: unknown key; did you mean 'admins'?",
            id="team.admin",
        ),
        pytest.param(
            ("policy", "time_off_notice_day"),
            14,
            "policy.time_off_notice_day: unknown key; did you mean 'time_off_notice_days'?",
            id="policy.notice-day",
        ),
        pytest.param(
            ("policy", "unknown_key"),
            1,
            "policy.unknown_key: unknown key (known: time_off_notice_days, plan_weeks, "
            "planner_seconds, freeze_weeks, catch_up_hours, major_holidays, heads_up)",
            id="policy.unknown",
        ),
        pytest.param(
            ("polciy",), {}, "polciy: unknown key; did you mean 'policy'?", id="top-level"
        ),
        pytest.param(
            ("admins",), ["john"], "admins: unknown key; it belongs under team", id="top-misplaced"
        ),
        pytest.param(
            ("rotation", "handover_time"),
            "monday 09:00",
            "rotation.handover_time: unknown key; did you mean 'handover'?",
            id="rotation",
        ),
        pytest.param(
            ("team", "holidays", "subdivision"),
            "NY",
            "team.holidays.subdivision: unknown key; did you mean 'subdiv'?",
            id="team.holidays",
        ),
        pytest.param(
            ("members", 2, "slackid"),
            "U0000000003",
            "members[2].slackid: unknown key; did you mean 'slack_id'?",
            id="member",
        ),
        pytest.param(
            ("members", 1, "holidays"),
            {"country": "DE", "extras": ["2026-12-24"]},
            "members[1].holidays.extras: unknown key; did you mean 'extra'?",
            id="member.holidays",
        ),
        pytest.param(
            ("pipelines", 3, "run_book"),
            "runbooks/x.md",
            "pipelines[3].run_book: unknown key; did you mean 'runbook'?",
            id="pipeline",
        ),
        pytest.param(
            ("pipelines", 0, "time_off_notice_days"),
            3,
            "pipelines[0].time_off_notice_days: unknown key; it belongs under policy",
            id="pipeline-misplaced",
        ),
        pytest.param(
            ("team", 42),
            "x",
            "team.42: unknown key (known: name, timezone, channel, usergroup, admins, holidays)",
            id="not-text",
        ),
    ],
)
def test_an_unknown_key_is_reported_where_it_is(
    path: tuple[Any, ...], value: Any, expected: str, team_config: dict, tmp_path: Path
) -> None:
    team_config["team"]["holidays"] = {"country": "US", "subdiv": "NY"}
    assert problems(_set(team_config, path, value), tmp_path) == [expected]


def test_admin_for_admins_no_longer_leaves_the_team_without_admins(
    team_config: dict, tmp_path: Path
) -> None:
    """The issue's case: `admin: [john]` was accepted and the team had no admins."""
    team_config["team"]["admin"] = team_config["team"].pop("admins")
    assert problems(team_config, tmp_path) == ["team.admin: unknown key; did you mean 'admins'?"]


def test_a_very_long_unknown_key_is_shown_clipped(team_config: dict, tmp_path: Path) -> None:
    team_config["team"]["k" * 500] = 1
    (found,) = problems(team_config, tmp_path)
    assert found.startswith("team." + "k" * 60 + "…: unknown key")
    assert len(found) < 200


def test_oncall_check_names_a_misspelt_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = shipped_data()
    data["team"]["admin"] = data["team"].pop("admins")
    data["policy"]["time_off_notice_day"] = data["policy"].pop("time_off_notice_days")
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(data))
    (tmp_path / "runbooks").symlink_to(ROOT / "runbooks")
    code = main(["check"], clock=FixedClock(), env={"ONCALL_CONFIG": str(path)})
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "  - team.admin: unknown key; did you mean 'admins'?" in err
    assert (
        "  - policy.time_off_notice_day: unknown key; did you mean 'time_off_notice_days'?" in err
    )


def test_the_readme_section_the_shipped_file_names_exists() -> None:
    """oncall.yml sends people to a README section by name: that heading exists."""
    named = re.findall(r'README, "([^"]+)"', SHIPPED.read_text(encoding="utf-8"))
    headings = {
        line.lstrip("#").strip()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    assert named and set(named) <= headings, (named, headings)


def test_the_shipped_and_test_team_files_have_only_known_keys() -> None:
    """Both files load as they are (a key the loader does not know would be an error)."""
    assert load_config(SHIPPED).admins == frozenset({"john"})
    assert load_config(ROOT / "tests" / "data" / "team.yml").admins == frozenset({"john"})


def test_parse_weekday_time() -> None:
    assert parse_weekday_time("Monday 9:05") == (0, time(9, 5))
    assert parse_weekday_time(" sunday 23:59 ") == (6, time(23, 59))
    for bad in ("monday", "09:00", "monday 09:60", "mon 09:00", "monday 09:00 pm"):
        with pytest.raises(ValueError):
            parse_weekday_time(bad)


# --- no traceback, whatever a person writes ----------------------------------------


def _leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaf_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaf_paths(v, (*prefix, i))


ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    True,
    "",
    "x",
    3.5,
    [],
    {},
    ["x"],
    [None],
    [[1]],
    {"a": 1},
    date(2026, 11, 30),
]


def _fuzz_base() -> dict[str, Any]:
    data = shipped_data()
    data["members"][3]["holidays"] = {"country": "GB", "extra": ["2027-01-04"]}
    return data


def _mutations() -> Iterator[tuple[tuple[Any, ...], Any, dict[str, Any]]]:
    base = _fuzz_base()
    for path in _leaf_paths(base):
        for value in ODD_VALUES:
            yield path, value, _set(copy.deepcopy(base), path, value)


def _crashes(skip_extra: bool) -> list[str]:
    crashes = []
    for path, value, data in _mutations():
        if skip_extra and path[-1] == "extra":
            continue
        try:
            parse_config(data, ROOT)
        except ConfigError:
            pass
        except Exception as e:  # noqa: BLE001 - any other exception is the failure
            crashes.append(f"{path} = {value!r}: {type(e).__name__}: {e}")
    return crashes


def test_odd_values_anywhere_give_config_errors_not_tracebacks() -> None:
    """Every node of the shipped config replaced by each odd value: parse_config
    either builds a Team or raises ConfigError (the holidays `extra` key is
    covered by the test below)."""
    assert _crashes(skip_extra=True) == []


def test_holiday_extra_that_is_not_a_list_is_a_config_error(tmp_path: Path) -> None:
    assert _crashes(skip_extra=False) == []


def test_start_given_as_date_and_time_is_a_problem_or_a_plain_date(
    team_config: dict, tmp_path: Path
) -> None:
    team_config["rotation"]["start"] = datetime(2026, 11, 30, 9, 0)
    team_config["team"]["holidays"] = {"country": "US", "extra": [datetime(2026, 12, 24, 0, 0)]}
    try:
        team = parse_config(team_config, tmp_path)
    except ConfigError as e:
        assert any(p.startswith("rotation.start") for p in e.problems)
        return
    assert type(team.start) is date
    at = datetime(2026, 12, 24, 15, tzinfo=UTC)
    assert week_index_at(team, at) == 3
    assert holidays_between(team.holidays, date(2026, 12, 24), date(2026, 12, 24))
    assert who(team, {}, [], at).on_call == "davis"


def test_malformed_team_name_is_reported(team_config: dict, tmp_path: Path) -> None:
    team_config["team"]["name"] = ["Data", "Engineering"]
    assert any(p.startswith("team.name") for p in problems(team_config, tmp_path))


# --- load_config and `oncall check` -------------------------------------------------


def test_load_config_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "oncall.yml"
    path.write_text("team:\n  name: x\n  timezone: [unclosed\nrotation: {}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("line ")
    assert "not valid YAML" in info.value.problems[0]


def test_load_config_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yml")
    assert info.value.problems == ["the file does not exist (set ONCALL_CONFIG)"]


def test_load_config_directory_or_binary_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.problems == ["is a directory, not a team file (like oncall.yml)"]
    binary = tmp_path / "bin.yml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError):
        load_config(binary)


BAD_FILES = {
    "invalid-yaml": "team: [\n",
    "not-mapping": "- team\n- rotation\n",
    "empty": "",
    "scalar": "hello\n",
    "missing-sections": "policy:\n  time_off_notice_days: 14\n",
    "tab-indent": "team:\n\tname: x\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_oncall_check_bad_files_exit_1_without_traceback(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "oncall.yml"
    path.write_text(BAD_FILES[name])
    code = main(["check", str(path)], clock=FixedClock(), env={})
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith(f"oncall: {path}: ")
    assert "Traceback" not in err


def test_oncall_check_lists_every_problem_with_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = shipped_data()
    data["rotation"]["order"].append("jane")
    data["rotation"]["start"] = "2026-12-01"
    data["team"]["timezone"] = "America/Gotham"
    data["team"]["holidays"]["country"] = "XX"
    data["pipelines"][0]["primary"] = "bob"
    data["pipelines"][1]["id"] = "unit-level-profit"
    data["members"][1]["id"] = "john"
    data["rotation"]["handover"] = "monday 9h"
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(data))  # runbooks/ does not exist next to it
    code = main(["check"], clock=FixedClock(), env={"ONCALL_CONFIG": str(path)})
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    for where in (
        "rotation.order[4]: 'jane' is not a member id",
        "rotation.start:",
        "team.timezone: 'America/Gotham'",
        "team.holidays.country: 'XX'",
        "pipelines[0].primary: 'bob' is not a member id",
        "pipelines[1].id: duplicate pipeline id",
        "members[1].id: duplicate member id 'john'",
        "rotation.handover:",
        "pipelines[1].runbook: file 'runbooks/aggregate-profit.md' does not exist",
        "pipelines[2].runbook:",
        "pipelines[4].runbook:",
    ):
        assert f"  - {where}" in err, where


def test_oncall_check_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check"], clock=FixedClock(), env={"ONCALL_CONFIG": str(tmp_path / "x.yml")})
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "the file does not exist" in err
    assert "Traceback" not in err


def test_a_timezone_that_is_a_tzdata_folder_is_a_config_problem(team_config) -> None:
    """`ZoneInfo("US")` finds a folder and raises IsADirectoryError, not ZoneInfoNotFoundError."""
    from pathlib import Path

    from bot.config import ConfigError, parse_config

    team_config["team"]["timezone"] = "US"
    with pytest.raises(ConfigError) as info:
        parse_config(team_config, Path("."))
    assert "team.timezone: 'US' is not an IANA time zone" in str(info.value)


# --- policy.planner_seconds ---------------------------------------------------------------


def test_planner_seconds_defaults_to_the_planners_budget_and_accepts_a_number(
    team_config: dict[str, Any], tmp_path: Path
) -> None:
    from bot.core.planner import DEFAULT_SECONDS

    assert parse_config(copy.deepcopy(team_config), tmp_path).planner_seconds == DEFAULT_SECONDS
    for value, expected in ((0.5, 0.5), (10, 10.0), (60, 60.0)):
        team_config["policy"]["planner_seconds"] = value
        assert parse_config(copy.deepcopy(team_config), tmp_path).planner_seconds == expected


@pytest.mark.parametrize("value", [0, -1, 60.5, 1e9, float("nan"), "2", True, None, [2]])
def test_planner_seconds_must_be_a_positive_number_up_to_60(
    team_config: dict[str, Any], tmp_path: Path, value: Any
) -> None:
    team_config["policy"]["planner_seconds"] = value
    assert problems(team_config, tmp_path) == [
        "policy.planner_seconds: must be a number of seconds above 0 and at most 60"
    ]


def test_the_service_plans_with_planner_seconds(
    team_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every plan the service makes (sync, a request's extension, a read's projection)
    gets the team's budget as `seconds=`."""
    from bot.core import rotation
    from bot.service import OnCallService, plan
    from bot.storage.store import Store

    seen: list[float | None] = []

    def spy(*args: Any, **kwargs: Any) -> rotation.PlanResult:
        seen.append(kwargs.get("seconds", args[6] if len(args) > 6 else None))
        return rotation.plan_weeks(*args, **kwargs)

    monkeypatch.setattr(plan, "plan_weeks", spy)
    team_config["team"]["holidays"] = {"country": "US"}
    team_config["policy"]["planner_seconds"] = 0.75
    team_config["policy"]["plan_weeks"] = 8
    store = Store(f"sqlite:///{tmp_path}/seconds.db")
    store.create_all()
    service = OnCallService(
        parse_config(team_config, tmp_path), store, FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
    )
    service.sync_plan()  # stores weeks 0..7
    service.schedule(20, 2)  # a projection past the stored plan
    service.ensure_plan(12)  # a request's extension
    assert len(seen) >= 3
    assert set(seen) == {0.75}
