"""Sub-commands that start a change: swap and timeoff.

A Refusal raised here reaches the /oncall dispatcher, which tells only the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.errors import Refusal
from bot.core.model import Member, Team
from bot.slack.blocks import requests as blocks
from bot.slack.common import check_week, parse_mention
from bot.slack.errors import NOT_A_MEMBER
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.listeners.views.swap_modal import open_swap_modal
from bot.slack.listeners.views.timeoff_modal import open_timeoff_modal
from bot.slack.safely import safely

SWAP_USAGE = (
    "`/oncall swap` opens a form. Or in one line: "
    "`/oncall swap @colleague <a date in my week> [<a date in their week> | cover] [reason]`, "
    "dates as YYYY-MM-DD. Without their date they give back their next week after yours."
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class SwapArgs:
    counterpart: Member
    my_day: date
    their_day: date | None
    cover: bool
    reason: str


def _day(token: str, what: str) -> date:
    try:
        if not _DATE.match(token):
            raise ValueError
        return date.fromisoformat(token)
    except ValueError:
        raise Refusal(f"`{token[:20]}` is not {what} as YYYY-MM-DD. {SWAP_USAGE}") from None


def _colleague(team: Team, token: str) -> Member:
    """A mention (<@U…|name>, as Slack escapes it), or a member id or name typed plainly."""
    slack_id = parse_mention(token)
    found = team.member_by_slack(slack_id) if slack_id else None
    if found is None and slack_id is None:
        plain = token.lstrip("@").lower()
        found = next((m for m in team.members if plain in (m.id.lower(), m.name.lower())), None)
    if found is None:
        raise Refusal("You can only swap with a member of the on-call team.")
    return found


def parse_swap_args(team: Team, args: str) -> SwapArgs:
    tokens = args.split()
    if len(tokens) < 2:
        raise Refusal(SWAP_USAGE)
    counterpart = _colleague(team, tokens[0])
    my_day = _day(tokens[1], "a date in your week")
    rest = tokens[2:]
    their_day: date | None = None
    cover = False
    if rest and rest[0].lower() == "cover":
        cover, rest = True, rest[1:]
    elif rest and _DATE.match(rest[0]):
        their_day, rest = _day(rest[0], "a date in their week"), rest[1:]
    return SwapArgs(counterpart, my_day, their_day, cover, " ".join(rest)[: blocks.MAX_TEXT])


def swap(req: CommandRequest) -> None:
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    if not req.args.strip():
        open_swap_modal(req.client, req.service, req.member, req.trigger_id)
        return
    parsed = parse_swap_args(req.service.team, req.args)
    my_week = check_week(req.service, req.service.week_for_date(parsed.my_day))
    their_week = None
    if parsed.their_day is not None:
        their_week = check_week(req.service, req.service.week_for_date(parsed.their_day))
    request = req.service.request_swap(
        req.member.id,
        parsed.counterpart.id,
        my_week,
        their_week,
        cover=parsed.cover,
        reason=parsed.reason,
    )
    req.notifier.swap_requested(request)
    team = req.service.team
    # The request is stored: a failed reply must not say "nothing was changed".
    safely(
        req.logger,
        "confirm a swap request",
        lambda: req.reply(
            blocks.swap_requested_text(team, request), blocks.swap_requested_blocks(team, request)
        ),
    )


def timeoff(req: CommandRequest) -> None:
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    open_timeoff_modal(req.client, req.service, req.member, req.trigger_id)
