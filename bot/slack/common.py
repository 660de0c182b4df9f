"""Small helpers every listener and block builder shares."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.core.model import Member, Team
from bot.service import OnCallService

SERVICE_KEY = "oncall"


def service_from(context: Any) -> OnCallService:
    """The service the app was built with (put in every request's context by a middleware)."""
    return context[SERVICE_KEY]


def escape(text: str) -> str:
    """Make text a person typed inert in mrkdwn: no pings (<!channel>), no links, no mentions.

    Slack's rule: escape &, < and >; with those escaped no `<...>` control sequence
    survives. `@channel` typed as plain text does not ping from an app's message.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(member: Member | None) -> str:
    return f"<@{member.slack_id}>" if member else "nobody"


def member_of(team: Team, slack_user_id: str | None) -> Member | None:
    """The team member a Slack user is, or None for someone outside the roster."""
    if not slack_user_id:
        return None
    return team.member_by_slack(slack_user_id)


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


def slack_date(at: datetime, fallback: str) -> str:
    """A Slack date token, shown in each reader's own time zone."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"
