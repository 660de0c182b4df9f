"""Load and validate a team's YAML config.

Every problem is collected with where it is (`rotation.order[2]`), so a person
fixes them all in one go; nothing here raises a traceback at a person.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import yaml

from bot.core.calendars import public_holidays
from bot.core.model import HolidayCalendar, Member, Pipeline, Team
from bot.core.plan_check import DEFAULT_SECONDS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_SLACK_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")
AUDIENCES = ("investors", "experiments")

# Every key the file may hold, by section: any other key is a mistake (`admin:` for
# `admins:` would silently leave the team without admins), reported with where it is.
CALENDAR_KEYS = ("country", "subdiv", "extra")
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "": ("team", "rotation", "policy", "members", "pipelines"),
    "team": ("name", "timezone", "channel", "usergroup", "admins", "holidays"),
    "rotation": ("start", "handover", "order"),
    "policy": (
        "time_off_notice_days",
        "plan_weeks",
        "planner_seconds",
        "freeze_weeks",
        "catch_up_hours",
        "major_holidays",
        "heads_up",
    ),
    "members[]": ("id", "name", "slack_id", "holidays"),
    "pipelines[]": ("id", "name", "audience", "primary", "secondary", "runbook"),
}


class ConfigError(Exception):
    """A config with problems; `problems` lists each with where it is."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the config:\n{lines}")


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A hint for a near miss ("; did you mean 'admins'?"), else an empty string."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _known_keys(raw: Mapping[Any, Any], known: Sequence[str], where: str, p: _Problems) -> None:
    """Each key of `raw` that is not one of `known` is a problem at `where.key`."""
    for key in raw:
        if isinstance(key, str) and key in known:
            continue
        shown = str(key) if len(str(key)) <= 60 else str(key)[:60] + "…"
        at = f"{where}.{shown}" if where else shown
        hint = _did_you_mean(shown, known)
        if not hint:
            home = [s.rstrip("[]") for s, keys in SECTION_KEYS.items() if s and shown in keys]
            hint = f"; it belongs under {home[0]}" if home else f" (known: {', '.join(known)})"
        p.add(at, f"unknown key{hint}")


def parse_weekday_time(text: str) -> tuple[int, time]:
    """'monday 09:00' -> (0, 09:00). Raises ValueError with a readable reason."""
    m = re.fullmatch(r"\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*", str(text))
    if not m:
        raise ValueError(f"'{text}' is not like 'monday 09:00'")
    day = m.group(1).lower()
    if day not in WEEKDAYS:
        raise ValueError(f"'{m.group(1)}' is not a weekday")
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"'{m.group(2)}:{m.group(3)}' is not a time of day")
    return WEEKDAYS.index(day), time(hour, minute)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError("a date and time, not a date")
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _calendar(raw: Any, where: str, p: _Problems) -> HolidayCalendar | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        p.add(where, "must be a mapping like {country: US, subdiv: NY}")
        return None
    _known_keys(raw, CALENDAR_KEYS, where, p)
    country = raw.get("country")
    subdiv = raw.get("subdiv")
    extra: list[date] = []
    extra_raw = raw.get("extra") or []
    if not isinstance(extra_raw, list):
        p.add(f"{where}.extra", "must be a list of dates (YYYY-MM-DD)")
        extra_raw = []
    for i, d in enumerate(extra_raw):
        try:
            extra.append(_as_date(d))
        except (TypeError, ValueError):
            p.add(f"{where}.extra[{i}]", f"'{d}' is not a date (YYYY-MM-DD)")
    if not isinstance(country, str) or not country:
        p.add(f"{where}.country", "is missing (an ISO country code such as US)")
        return None
    supported = holidays_lib.list_supported_countries()
    if country not in supported:
        p.add(
            f"{where}.country", f"'{country}' is not a holiday country the holidays package knows"
        )
        return None
    if subdiv is not None and str(subdiv) not in supported[country]:
        p.add(f"{where}.subdiv", f"'{subdiv}' is not a subdivision of {country}")
        return None
    return HolidayCalendar(country, None if subdiv is None else str(subdiv), tuple(extra))


def _str(raw: Mapping[str, Any], key: str, where: str, p: _Problems, required: bool = True) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            p.add(f"{where}.{key}", "is missing")
        return ""
    if not isinstance(value, str | int):
        p.add(f"{where}.{key}", "must be text")
        return ""
    return str(value)


def _int(
    raw: Mapping[str, Any], key: str, where: str, p: _Problems, default: int, lo: int, hi: int
) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        p.add(f"{where}.{key}", f"must be a whole number from {lo} to {hi}")
        return default
    return value


def _seconds(
    raw: Mapping[str, Any], key: str, where: str, p: _Problems, default: float, hi: float
) -> float:
    """A positive number of seconds up to `hi` (a whole number or a decimal)."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= hi:
        p.add(f"{where}.{key}", f"must be a number of seconds above 0 and at most {hi:g}")
        return default
    return float(value)


@dataclass(frozen=True)
class _Sections:
    team: Mapping[str, Any]
    rotation: Mapping[str, Any]
    policy: Mapping[str, Any]
    members: list[Any]
    pipelines: list[Any]


@dataclass(frozen=True)
class _TeamSettings:
    zone: ZoneInfo
    channel: str
    usergroup: str | None
    calendar: HolidayCalendar | None


@dataclass(frozen=True)
class _Rotation:
    weekday: int
    at: time
    start: date
    order: tuple[str, ...]


@dataclass(frozen=True)
class _Policy:
    notice: int
    freeze: int
    plan_weeks: int
    planner_seconds: float
    catch_up: int
    majors: tuple[str, ...]
    heads_up: tuple[int, time] | None


def parse_config(data: Any, base_dir: Path, source: str = "config") -> Team:
    """Turn parsed YAML into a `Team`, or raise `ConfigError` listing every problem."""
    p = _Problems()
    sections = _sections(data, source, p)
    team = _team(sections.team, p)
    members = _members(sections.members, p)
    member_ids = {m.id for m in members}
    admins = _admins(sections.team, member_ids, p)
    rotation = _rotation(sections.rotation, member_ids, p)
    policy = _policy(sections.policy, p)
    if "major_holidays" in sections.policy:
        _check_major_holidays(policy, team.calendar, rotation, p)
    pipelines = _pipelines(sections.pipelines, member_ids, base_dir, p)
    team_name = _str(sections.team, "name", "team", p, required=False) or "On-call"
    if p.items:
        raise ConfigError(source, p.items)
    return Team(
        name=team_name,
        timezone=team.zone,
        channel=team.channel,
        members=tuple(members),
        order=rotation.order,
        start=rotation.start,
        handover_weekday=rotation.weekday,
        handover_time=rotation.at,
        pipelines=tuple(pipelines),
        usergroup=team.usergroup,
        admins=admins,
        holidays=team.calendar,
        time_off_notice_days=policy.notice,
        freeze_weeks=policy.freeze,
        plan_weeks=policy.plan_weeks,
        planner_seconds=policy.planner_seconds,
        major_holidays=policy.majors,
        catch_up_hours=policy.catch_up,
        heads_up=policy.heads_up,
    )


def _sections(data: Any, source: str, p: _Problems) -> _Sections:
    """The top-level sections; a section of the wrong shape stops here, alone."""
    if not isinstance(data, Mapping):
        raise ConfigError(source, ["the file must be a YAML mapping with team, rotation, members"])
    for section in ("team", "rotation", "members"):
        if section not in data:
            p.add(section, "section is missing")
    _known_keys(data, SECTION_KEYS[""], "", p)
    team_raw = data.get("team") or {}
    rot_raw = data.get("rotation") or {}
    policy_raw = data.get("policy") or {}
    members_raw = data.get("members") or []
    pipelines_raw = data.get("pipelines") or []
    for name, value in (("team", team_raw), ("rotation", rot_raw), ("policy", policy_raw)):
        if not isinstance(value, Mapping):
            raise ConfigError(source, [f"{name}: must be a mapping"])
    for name, value in (("members", members_raw), ("pipelines", pipelines_raw)):
        if not isinstance(value, list):
            raise ConfigError(source, [f"{name}: must be a list"])
    for name, value in (("team", team_raw), ("rotation", rot_raw), ("policy", policy_raw)):
        _known_keys(value, SECTION_KEYS[name], name, p)
    return _Sections(team_raw, rot_raw, policy_raw, members_raw, pipelines_raw)


def _team(team_raw: Mapping[str, Any], p: _Problems) -> _TeamSettings:
    """`team`: time zone, channel, user group and holiday calendar (admins and name
    are read after the members)."""
    tz_name = _str(team_raw, "timezone", "team", p)
    zone = ZoneInfo("UTC")
    if tz_name:
        try:
            zone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "US" is a tzdata folder
            p.add("team.timezone", f"'{tz_name}' is not an IANA time zone (like America/New_York)")
    channel = _str(team_raw, "channel", "team", p)
    if channel and not _SLACK_CHANNEL.match(channel):
        p.add("team.channel", f"'{channel}' is not a Slack channel id (like C0123ABCD)")
    usergroup = team_raw.get("usergroup")
    if usergroup is not None and not _SLACK_GROUP.match(str(usergroup)):
        p.add("team.usergroup", f"'{usergroup}' is not a Slack user group id (like S0123ABCD)")
    calendar = _calendar(team_raw.get("holidays"), "team.holidays", p)
    return _TeamSettings(zone, channel, None if usergroup is None else str(usergroup), calendar)


def _entries(
    raw: list[Any], section: str, shape: str, p: _Problems
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each entry of a list section that is a mapping, with where it is (`members[2]`);
    an entry of another shape, or a key the section does not know, is a problem."""
    for i, entry in enumerate(raw):
        where = f"{section}[{i}]"
        if not isinstance(entry, Mapping):
            p.add(where, f"must be a mapping with {shape}")
            continue
        _known_keys(entry, SECTION_KEYS[f"{section}[]"], where, p)
        yield where, entry


def _unique(value: str, seen: set[str], where: str, what: str, p: _Problems) -> None:
    """A value that must not repeat across a list section (ids, Slack ids)."""
    if value and value in seen:
        p.add(where, f"duplicate {what} '{value}'")
    seen.add(value)


def _members(members_raw: list[Any], p: _Problems) -> list[Member]:
    """`members`: each with a unique id and Slack user id, and an optional calendar."""
    members: list[Member] = []
    seen_ids: set[str] = set()
    seen_slack: set[str] = set()
    for where, m in _entries(members_raw, "members", "id, name, slack_id", p):
        mid = _str(m, "id", where, p)
        if mid and not _ID.match(mid):
            p.add(f"{where}.id", f"'{mid}' must be lower-case letters, digits, '-', '_' or '.'")
        _unique(mid, seen_ids, f"{where}.id", "member id", p)
        slack_id = _str(m, "slack_id", where, p)
        if slack_id and not _SLACK_USER.match(slack_id):
            p.add(f"{where}.slack_id", f"'{slack_id}' is not a Slack user id (like U0123ABCD)")
        _unique(slack_id, seen_slack, f"{where}.slack_id", "slack_id", p)
        name = _str(m, "name", where, p, required=False) or mid
        cal = _calendar(m.get("holidays"), f"{where}.holidays", p)
        members.append(Member(mid, name, slack_id, cal))
    if not members_raw:
        p.add("members", "the team needs at least one member")
    return members


def _admins(team_raw: Mapping[str, Any], member_ids: set[str], p: _Problems) -> frozenset[str]:
    """`team.admins`: member ids."""
    admins_raw = team_raw.get("admins") or []
    if not isinstance(admins_raw, list):
        p.add("team.admins", "must be a list of member ids")
        admins_raw = []
    for i, a in enumerate(admins_raw):
        if str(a) not in member_ids:
            p.add(f"team.admins[{i}]", f"'{a}' is not a member id")
    return frozenset(str(a) for a in admins_raw)


def _rotation(rot_raw: Mapping[str, Any], member_ids: set[str], p: _Problems) -> _Rotation:
    """`rotation`: the handover weekday and time, the start on that weekday, the order."""
    weekday, at = 0, time(9, 0)
    try:
        weekday, at = parse_weekday_time(rot_raw.get("handover", "monday 09:00"))
    except ValueError as e:
        p.add("rotation.handover", str(e))
    start = date(2026, 11, 30)
    if "start" not in rot_raw:
        p.add("rotation.start", "is missing (the first handover date, YYYY-MM-DD)")
    else:
        try:
            start = _as_date(rot_raw["start"])
            if start.weekday() != weekday:
                p.add(
                    "rotation.start",
                    f"{start.isoformat()} is a {WEEKDAYS[start.weekday()].title()}, "
                    f"not a {WEEKDAYS[weekday].title()} (the handover day)",
                )
        except (TypeError, ValueError):
            p.add("rotation.start", f"'{rot_raw['start']}' is not a date (YYYY-MM-DD)")
    order_raw = rot_raw.get("order")
    order: list[str] = []
    if not isinstance(order_raw, list) or not order_raw:
        p.add("rotation.order", "must be a non-empty list of member ids")
    else:
        for i, o in enumerate(order_raw):
            if str(o) not in member_ids:
                p.add(f"rotation.order[{i}]", f"'{o}' is not a member id")
            elif str(o) in order:
                p.add(f"rotation.order[{i}]", f"'{o}' appears twice")
            order.append(str(o))
    return _Rotation(weekday, at, start, tuple(order))


def _policy(policy_raw: Mapping[str, Any], p: _Problems) -> _Policy:
    """`policy`: notice, horizons, catch-up, major holidays, the heads-up."""
    notice = _int(policy_raw, "time_off_notice_days", "policy", p, 14, 0, 365)
    freeze_default = max(1, -(-notice // 7))
    # Bounded: a plan horizon of 10**30 weeks would plan forever at start.
    plan_weeks = _int(policy_raw, "plan_weeks", "policy", p, 104, 4, 520)
    freeze_default = min(freeze_default, plan_weeks)
    freeze = _int(policy_raw, "freeze_weeks", "policy", p, freeze_default, 0, plan_weeks)
    # Bounded: the planner runs at start and from the scheduler, so a minute at most.
    planner_seconds = _seconds(policy_raw, "planner_seconds", "policy", p, DEFAULT_SECONDS, 60)
    catch_up = _int(policy_raw, "catch_up_hours", "policy", p, 24, 0, 168)
    # Names as the bot shows them (English where the holidays package has English
    # names, whatever the server's locale): see bot/core/calendars.py.
    majors_raw = policy_raw.get("major_holidays", ["Christmas Day", "New Year's Day"])
    if not isinstance(majors_raw, list) or not all(isinstance(x, str) for x in majors_raw):
        p.add("policy.major_holidays", "must be a list of holiday names")
        majors_raw = []
    heads_up: tuple[int, time] | None = (4, time(15, 0))
    hu_raw = policy_raw.get("heads_up", "friday 15:00")
    if hu_raw in (None, False, "off"):
        heads_up = None
    else:
        try:
            heads_up = parse_weekday_time(str(hu_raw))
        except ValueError as e:
            p.add("policy.heads_up", f"{e} (or 'off')")
    return _Policy(
        notice, freeze, plan_weeks, planner_seconds, catch_up, tuple(majors_raw), heads_up
    )


def _check_major_holidays(
    policy: _Policy, calendar: HolidayCalendar | None, rotation: _Rotation, p: _Problems
) -> None:
    """Each listed major holiday is a holiday of the team calendar: a name that matches
    nothing would silently switch rule 4 off. Major holidays come from the team calendar
    only, so without one every name matches nothing."""
    if calendar is None:
        if policy.majors:
            p.add(
                "policy.major_holidays",
                "names major holidays, but without a team calendar (team.holidays) no day "
                "is one; set team.holidays or remove the list",
            )
        return
    last = date(rotation.start.year + policy.plan_weeks // 52 + 1, 12, 31)
    known = sorted({h.holiday for h in public_holidays(calendar, rotation.start, last)})
    where = calendar.country + (f"-{calendar.subdiv}" if calendar.subdiv else "")
    for i, name in enumerate(policy.majors):
        if name not in known:
            hint = _did_you_mean(name, known) or (
                "; name holidays as `oncall schedule` shows them, like 'Christmas Day'"
            )
            p.add(
                f"policy.major_holidays[{i}]",
                f"'{name}' is not a holiday of the team calendar ({where}){hint}",
            )


def _pipelines(
    pipelines_raw: list[Any], member_ids: set[str], base_dir: Path, p: _Problems
) -> list[Pipeline]:
    """`pipelines`: each with a unique id, an audience, two different owners who are
    members, and an optional runbook file relative to the config."""
    pipelines: list[Pipeline] = []
    seen_pipes: set[str] = set()
    for where, pr in _entries(pipelines_raw, "pipelines", "id, name, primary, secondary", p):
        pid = _str(pr, "id", where, p)
        _unique(pid, seen_pipes, f"{where}.id", "pipeline id", p)
        name = _str(pr, "name", where, p, required=False) or pid
        audience = _str(pr, "audience", where, p, required=False) or "experiments"
        if audience not in AUDIENCES:
            p.add(f"{where}.audience", f"'{audience}' must be one of {', '.join(AUDIENCES)}")
        owners = []
        for key in ("primary", "secondary"):
            owner = _str(pr, key, where, p)
            if owner and owner not in member_ids:
                p.add(f"{where}.{key}", f"'{owner}' is not a member id")
            owners.append(owner)
        if owners[0] and owners[0] == owners[1]:
            p.add(f"{where}.secondary", "must differ from the primary owner")
        runbook = _runbook(pr.get("runbook"), base_dir, f"{where}.runbook", p)
        pipelines.append(Pipeline(pid, name, audience, owners[0], owners[1], runbook))
    return pipelines


def _runbook(raw: Any, base_dir: Path, where: str, p: _Problems) -> Path | None:
    if not raw:
        return None
    shown = str(raw)[:200]
    runbook: Path | None = None
    try:
        runbook = (base_dir / str(raw)).resolve()
        found = runbook.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long for the OS
        found = False
    if not found:
        p.add(where, f"file '{shown}' does not exist or cannot be read")
    return runbook


def load_config(path: Path) -> Team:
    """Read and validate the YAML file at `path`."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, ["the file does not exist (set ONCALL_CONFIG)"]) from None
    except IsADirectoryError:
        raise ConfigError(source, ["is a directory, not a team file (like oncall.yml)"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(source, [f"cannot be read: {e.__class__.__name__}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise ConfigError(
            source, [f"{where}: not valid YAML ({getattr(e, 'problem', e)})"]
        ) from None
    return parse_config(data, path.parent, source)
