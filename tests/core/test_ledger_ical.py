"""The fairness ledger and the iCalendar export, through the core, the CLI and the service."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import parse_config
from bot.core.ledger import build_ledger
from bot.core.model import Assignment, Override, SwapRequest, SwapStatus

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path, team_config):
    import yaml

    path = tmp_path / "team.yml"
    path.write_text(yaml.safe_dump(team_config))
    return {"ONCALL_CONFIG": str(path), "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}


def _swap(i, a, b, wa, wb, status=SwapStatus.ACCEPTED) -> SwapRequest:
    return SwapRequest(i, a, b, wa, wb, status, NOW, NOW + timedelta(days=9))


def test_ledger_counts_weeks_holidays_weekends_covers_and_swaps(team_config):
    team = parse_config(team_config, __import__("pathlib").Path("."))
    plan = {k: Assignment(k, team.order[k % 4]) for k in range(8)}
    plan[5] = Assignment(5, "john", "adjusted: holiday balance")
    holidays = {date(2026, 12, 25): "Christmas Day", date(2026, 12, 24): "Company holiday"}
    swaps = [
        _swap(1, "james", "jill", 1, 2),
        _swap(2, "davis", "john", 3, None),  # a cover: John gives, Davis receives
        _swap(3, "davis", "john", 7, None, SwapStatus.DECLINED),  # not counted
    ]
    ledger = build_ledger(team, plan, holidays, swaps, current_week=2)
    rows = {r.member: r for r in ledger.rows}
    assert [r.member for r in ledger.rows] == ["john", "james", "jill", "davis"]
    assert (rows["john"].weeks_past, rows["john"].weeks_planned) == (1, 2)  # weeks 0 | 4, 5
    assert rows["james"].weeks == 1  # week 1 only: week 5 went to John
    assert rows["davis"].holiday_days == 2 and rows["davis"].holiday_days_planned == 2  # week 3
    assert rows["john"].weekend_days == 6
    assert (rows["john"].covers_given, rows["davis"].covers_received) == (1, 1)
    assert rows["john"].covers_received == 0
    assert (rows["james"].swaps, rows["jill"].swaps, rows["davis"].swaps) == (1, 1, 0)
    assert rows["john"].adjusted_weeks == 1
    assert ledger.spread("weeks") == 3 - 1
    assert ledger.spread("holiday_days") == 2


def test_cli_fairness_json_matches_text(env, capsys):
    assert main(["fairness", "--json"], clock=FixedClock(NOW), env=env) == 0
    data = json.loads(capsys.readouterr().out)
    weeks = [m["weeks"] for m in data["members"]]
    assert sum(weeks) == data["last_week"] - data["first_week"] + 1
    assert max(weeks) - min(weeks) == data["spread"]["weeks"] <= 1
    assert main(["fairness"], clock=FixedClock(NOW), env=env) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split()[:3] == ["Member", "Weeks", "past"]
    assert "spread: weeks" in text


def test_fairness_counts_an_accepted_swap(env, capsys):
    from bot.cli import open_service

    clock = FixedClock(NOW)
    service = open_service(env, clock)
    request = service.request_swap("james", "jill", 1, 2)
    service.accept_swap("jill", request.id)
    rows = {r.member: r for r in service.ledger().rows}
    assert rows["james"].swaps == 1 and rows["jill"].swaps == 1 and rows["john"].swaps == 0


def test_ical_is_rfc5545_with_backup_and_holidays(env, tmp_path, capsys):
    out = tmp_path / "oncall.ics"
    clock = FixedClock(NOW)
    assert main(["ical", "--weeks", "6", "-o", str(out)], clock=clock, env=env) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 6
    first = events[0]
    assert str(first["summary"]) == "On call: John"
    assert first.decoded("dtstart") == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert first.decoded("dtend") == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert "Backup: James" in str(first["description"])
    assert len({str(e["uid"]) for e in events}) == 6
    assert main(["ical", "--member", "jill", "--weeks", "8"], clock=clock, env=env) == 0
    jill = icalendar.Calendar.from_ical(capsys.readouterr().out.encode())
    # Her weeks on call (2 and 6) and as backup (the weeks before them), in time order.
    assert [str(e["summary"]) for e in jill.walk("VEVENT")] == ["Backup: Jill", "On call: Jill"] * 2


def test_ical_shows_a_take_over_as_the_feeds_do(env, capsys):
    """One source with the live feeds: a take-over splits the week where it starts."""
    from bot.cli import open_service

    clock = FixedClock(NOW)
    service = open_service(env, clock)
    takeover = datetime(2026, 12, 2, 17, tzinfo=UTC)  # Wed 12:00 New York, to the week's end
    week1 = datetime(2026, 12, 7, 14, tzinfo=UTC)
    with service.store.write() as s:
        service.store.add_override(s, Override("davis", "john", takeover, week1, "ill"), NOW)
    assert main(["ical", "--weeks", "2"], clock=clock, env=env) == 0
    cal = icalendar.Calendar.from_ical(capsys.readouterr().out.encode())
    events = [
        (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in cal.walk("VEVENT")
    ]
    assert events[:2] == [
        ("On call: John", datetime(2026, 11, 30, 14, tzinfo=UTC), takeover),
        ("On call: Davis", takeover, week1),
    ]


def test_ical_lists_holidays_and_keeps_nine_local_across_dst(env, team_config, capsys):
    # Week 3 holds Christmas; week 15 starts Mon 2027-03-15, the day after spring
    # forward: 09:00 EDT is 13:00 UTC.
    import yaml

    team_config["team"]["holidays"] = {"country": "US"}
    Path(env["ONCALL_CONFIG"]).write_text(yaml.safe_dump(team_config))
    assert main(["ical", "--weeks", "16"], clock=FixedClock(NOW), env=env) == 0
    events = list(icalendar.Calendar.from_ical(capsys.readouterr().out.encode()).walk("VEVENT"))
    christmas = [
        e for e in events if e.decoded("dtstart") == datetime(2026, 12, 21, 14, tzinfo=UTC)
    ]
    assert "Holiday: Christmas Day (2026-12-25)" in str(christmas[0]["description"])
    starts = {e.decoded("dtstart") for e in events}
    assert datetime(2027, 3, 15, 13, 0, tzinfo=UTC) in starts
    assert datetime(2027, 3, 15, 14, 0, tzinfo=UTC) not in starts


def test_ical_unknown_member_is_one_clear_line(env, capsys):
    assert main(["ical", "--member", "nobody"], clock=FixedClock(NOW), env=env) == 2
    err = capsys.readouterr().err
    assert err.strip() == "oncall: --member: 'nobody' is not a member id"
