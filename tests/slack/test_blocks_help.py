"""`/oncall help` states the rules it describes, read from them (issue 11, defect 4):
it said a swap without their date asks them "to cover your week" (the code has them give
back their next week) and that time off needs "two weeks" (the notice is configurable)."""

from __future__ import annotations

from dataclasses import replace

from bot.core.model import Team
from bot.service import OnCallService
from bot.slack.blocks import status
from bot.slack.listeners.commands.info import parse_weeks


def help_of(team: Team) -> str:
    return "\n".join(b.to_dict().get("text", {}).get("text", "") for b in status.help_blocks(team))


def _usage(team: Team, usage_start: str) -> str:
    return next(str(what) for usage, what in status.commands(team) if usage.startswith(usage_start))


def test_the_notice_for_time_off_is_the_teams(team: Team) -> None:
    for days, shown in (
        (14, "at least 14 days ahead"),
        (21, "at least 21 days ahead"),
        (1, "at least 1 day ahead"),
    ):
        custom = replace(team, time_off_notice_days=days)
        assert shown in help_of(custom)
    assert "two weeks" not in help_of(team)


def test_a_swap_without_their_date_gives_back_their_next_week(service: OnCallService) -> None:
    said = _usage(service.team, "/oncall swap @user")
    assert "without their date they give back their next week after yours" in said
    assert "to cover your week" not in said.split(";")[1]
    # ... which is what the service does: jill's weeks are 2, 6, 10, ...
    request = service.request_swap("john", "jill", 8)
    assert request.counterpart_week == 10


def test_a_swap_with_cover_gives_nothing_back(service: OnCallService) -> None:
    said = _usage(service.team, "/oncall swap @user")
    assert "with `cover` they cover your week and get none back" in said
    assert (
        "| cover]"
        in [u for u, _ in status.commands(service.team) if u.startswith("/oncall swap @")][0]
    )
    request = service.request_swap("john", "jill", 8, cover=True)
    assert request.counterpart_week is None


def test_the_schedule_default_and_maximum_are_the_parsers(team: Team) -> None:
    said = _usage(team, "/oncall schedule")
    default, cap = status.DEFAULT_SCHEDULE_WEEKS, status.MAX_SCHEDULE_WEEKS
    assert f"(default {default}, at most {cap})" in said
    assert parse_weeks("") == (default, None)
    assert parse_weeks(str(cap + 1))[0] == cap
