"""Small helpers every listener and block builder shares."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.core.errors import Refusal
from bot.core.model import Member, Team
from bot.core.weeks import week
from bot.service import OnCallService

SERVICE_KEY = "oncall"
HOMES_KEY = "oncall_homes"


def service_from(context: Any) -> OnCallService:
    """The service the app was built with (put in every request's context by a middleware)."""
    return context[SERVICE_KEY]


def member_of(team: Team, slack_user_id: object) -> Member | None:
    """The team member a Slack user is, or None for someone outside the roster."""
    if not slack_user_id or not isinstance(slack_user_id, str):
        return None
    return team.member_by_slack(slack_user_id)


# --- reading payloads: Slack's shapes, but never trusted to have them -------------------


def field(data: object, *path: str | int) -> Any:
    """`data[path[0]][path[1]]...`, or None as soon as a step is missing or of a wrong type."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[key] if isinstance(data, list) else data.get(key)
    return data


def text_field(data: object, *path: str | int) -> str:
    """A string field of a payload; "" when missing or not a string (a number is kept)."""
    value = field(data, *path)
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, str | int) else ""


def mapping(data: object, *path: str | int) -> dict[str, Any]:
    """A dict field of a payload; {} when missing or not a dict."""
    value = field(data, *path)
    return value if isinstance(value, dict) else {}


_SMALL_INT = re.compile(r"^-?[0-9]{1,15}$")


def small_int(text: object) -> int | None:
    """A week index or a row id typed or carried in a button: plain ASCII digits, small
    enough for any database integer; None for anything else (`١`, `1e3`, 5000 digits)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if abs(text) < 10**15 else None
    if not isinstance(text, str) or not _SMALL_INT.match(text.strip()):
        return None
    return int(text.strip())


def user_id_of(body: object) -> str:
    """The Slack user who acted: `user.id` (interactions) or `user_id` (slash commands)."""
    return text_field(body, "user", "id") or text_field(body, "user_id")


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def parse_mention(token: str) -> str | None:
    """`<@U123|name>` (an escaped slash-command mention) -> 'U123'."""
    m = _MENTION.match(token.strip())
    return m.group(1) if m else None


def fmt_day(day: date) -> str:
    return f"{day:%a %d %b %Y}"


def fmt_short(day: date) -> str:
    return f"{day:%a %d %b}"


def fmt_instant(team: Team, at: datetime) -> str:
    local = at.astimezone(team.timezone)
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


# --- how far ahead a person may ask ------------------------------------------------------


def check_week(service: OnCallService, index: int, field: str | None = None) -> int:
    """`index` when it is a week of the rotation within the plan; else a Refusal."""
    if index < 0:
        raise Refusal(
            f"That week is before the rotation started ({fmt_day(service.team.start)}).", field
        )
    last = service.last_plannable_week()
    if index > last:
        until = fmt_day(week(service.team, last).first_day)
        raise Refusal(
            f"That week is too far ahead: the schedule is planned up to the week of {until}.",
            field,
        )
    return index


def check_day(service: OnCallService, day: date, field: str | None = None) -> date:
    """A date a person picked, when it lies within the planned schedule (past dates pass:
    the rules say what is wrong with them); else a Refusal."""
    last = week(service.team, service.last_plannable_week()).last_day
    if day > last:
        raise Refusal(
            f"{fmt_day(day)} is too far ahead: the schedule is planned up to {fmt_day(last)}.",
            field,
        )
    return day
