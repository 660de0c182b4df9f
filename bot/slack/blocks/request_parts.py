"""Pieces every request's builders share, a swap's (bot/slack/blocks/requests.py) and a
take-over's (bot/slack/blocks/takeover.py): the deadline, the reason, a select option."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block, Option

from bot.core.model import MAX_TEXT, SwapRequest, Team
from bot.slack.blocks.kit import BUTTON_LIMIT, plain, section
from bot.slack.common import fmt_instant
from bot.slack.mrkdwn import Mrkdwn, date_token, md


def deadline(team: Team, at: datetime) -> Mrkdwn:
    """When a request expires: a Slack date token, which each reader sees in their own
    time zone (the team's local time as the fallback)."""
    return date_token(at, fmt_instant(team, at))


def reason_blocks(request: SwapRequest) -> list[Block]:
    """The requester's typed reason, if any (escaped: it is data)."""
    if not request.reason:
        return []
    return [section(md("*Reason:* {}", request.reason[:MAX_TEXT]))]


def option(text: str, value: str) -> Option:
    """A select option, its text within Slack's limit."""
    return Option(text=plain(text, BUTTON_LIMIT), value=value)
