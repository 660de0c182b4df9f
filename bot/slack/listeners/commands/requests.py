"""Sub-commands about requests: swap (ask; an admin records; swap back), requests (the
pending ones, with their buttons), and timeoff.

A Refusal raised here reaches the /oncall dispatcher, which tells only the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.errors import Refusal
from bot.core.model import Member, SwapRequest, Team
from bot.slack.blocks import requests as blocks
from bot.slack.common import check_week, parse_mention, small_int
from bot.slack.errors import NOT_A_MEMBER
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.listeners.views.swap_modal import open_swap_modal
from bot.slack.listeners.views.timeoff_modal import open_timeoff_modal
from bot.slack.mrkdwn import typed_text
from bot.slack.safely import safely

SWAP_USAGE = (
    "`/oncall swap` opens a form. Or in one line: "
    "`/oncall swap @colleague <a date in my week> [<a date in their week> | cover] [reason]`, "
    "dates as YYYY-MM-DD. Without their date they give back their next week after yours. "
    "`/oncall swap back <request number>` asks to undo an accepted swap. Admins record a "
    "swap agreed elsewhere: `/oncall swap @a @b <a date in a's week> [<a date in b's week> | "
    "cover] [reason]`."
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class SwapArgs:
    counterpart: Member
    my_day: date
    their_day: date | None
    cover: bool
    reason: str


def typed_day(token: str) -> date | None:
    """A date typed as YYYY-MM-DD (a sub-command's argument), or None."""
    if not _DATE.match(token):
        return None
    try:
        return date.fromisoformat(token)
    except ValueError:
        return None


def typed_member(team: Team, token: str) -> Member | None:
    """A mention (<@U…|name>, as Slack escapes it), or a member id or name typed plainly;
    None when that is nobody in the team."""
    slack_id = parse_mention(token)
    if slack_id is not None:
        return team.member_by_slack(slack_id)
    plain = token.lstrip("@").lower()
    return next((m for m in team.members if plain in (m.id.lower(), m.name.lower())), None)


def _day(token: str, what: str) -> date:
    day = typed_day(token)
    if day is None:
        raise Refusal(f"`{token[:20]}` is not {what} as YYYY-MM-DD. {SWAP_USAGE}")
    return day


def _colleague(team: Team, token: str) -> Member:
    found = typed_member(team, token)
    if found is None:
        raise Refusal("You can only swap with a member of the on-call team.")
    return found


def parse_swap_args(team: Team, args: str, whose: str = "your") -> SwapArgs:
    """`@colleague <date> [<date> | cover] [reason]`; `whose` names the first week."""
    tokens = args.split()
    if len(tokens) < 2:
        raise Refusal(SWAP_USAGE)
    counterpart = _colleague(team, tokens[0])
    my_day = _day(tokens[1], f"a date in {whose} week")
    rest = tokens[2:]
    their_day: date | None = None
    cover = False
    if rest and rest[0].lower() == "cover":
        cover, rest = True, rest[1:]
    elif rest and typed_day(rest[0]) is not None:
        their_day, rest = _day(rest[0], "a date in their week"), rest[1:]
    reason = typed_text(" ".join(rest))[: blocks.MAX_TEXT]  # as the person saw it
    return SwapArgs(counterpart, my_day, their_day, cover, reason)


def parse_record_args(team: Team, args: str) -> tuple[Member, SwapArgs]:
    """An admin's `@a @b <date in a's week> [<date in b's week> | cover] [reason]`."""
    first, _, rest = args.strip().partition(" ")
    return _colleague(team, first), parse_swap_args(team, rest, "the first member's")


def _weeks(req: CommandRequest, parsed: SwapArgs) -> tuple[int, int | None]:
    """The rotation weeks of the typed dates (theirs None when not typed), each checked."""
    my_week = check_week(req.service, req.service.week_for_date(parsed.my_day))
    if parsed.their_day is None:
        return my_week, None
    return my_week, check_week(req.service, req.service.week_for_date(parsed.their_day))


def swap(req: CommandRequest) -> None:
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    tokens = req.args.split()
    if not tokens:
        open_swap_modal(req.client, req.service, req.member, req.trigger_id)
        return
    if tokens[0].lower() == "back":
        swap_back(req, tokens[1:])
        return
    if len(tokens) > 1 and typed_member(req.service.team, tokens[1]) is not None:
        record_swap(req)
        return
    parsed = parse_swap_args(req.service.team, req.args)
    my_week, their_week = _weeks(req, parsed)
    request = req.service.request_swap(
        req.member.id,
        parsed.counterpart.id,
        my_week,
        their_week,
        cover=parsed.cover,
        reason=parsed.reason,
    )
    _tell_requested(req, request)


def _tell_requested(req: CommandRequest, request: SwapRequest) -> None:
    """Confirm a request to the caller, with its Cancel button; DM the counterpart."""
    team = req.service.team
    # The request is stored: a failed reply must not say "nothing was changed". The
    # requester's answer first (one round trip to Slack), then the counterpart's DM.
    safely(
        req.logger,
        "confirm a swap request",
        lambda: req.reply(
            blocks.swap_requested_text(team, request), blocks.swap_requested_blocks(team, request)
        ),
    )
    req.notifier.swap_requested(request)


def swap_back(req: CommandRequest, tokens: list[str]) -> None:
    """`/oncall swap back <request number>`: what the "Swap back" button does."""
    assert req.member is not None
    swap_id = small_int(tokens[0].lstrip("#")) if len(tokens) == 1 else None
    if swap_id is None:
        raise Refusal(
            "Say which accepted request to swap back: `/oncall swap back <request number>` "
            "(the number is on the message that said it was accepted)."
        )
    _tell_requested(req, req.service.request_swap_back(req.member.id, swap_id))


def record_swap(req: CommandRequest) -> None:
    """An admin's `/oncall swap @a @b ...`: the swap is checked and in the schedule at once."""
    assert req.member is not None
    team = req.service.team
    requester, parsed = parse_record_args(team, req.args)
    my_week, their_week = _weeks(req, parsed)
    outcome = req.service.record_swap(
        req.member.id,
        requester.id,
        parsed.counterpart.id,
        my_week,
        their_week,
        cover=parsed.cover,
        reason=parsed.reason,
    )
    req.notifier.swap_recorded(outcome, req.member)
    request = outcome.request
    safely(
        req.logger,
        "confirm a recorded swap",
        lambda: req.reply(
            blocks.swap_recorded_text(team, request), blocks.swap_recorded_blocks(team, request)
        ),
    )


def list_requests(req: CommandRequest) -> None:
    """`/oncall requests`: pending requests with the buttons the caller may use."""
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    listed = req.service.requests_to_act_on(req.member.id)
    req.reply(*blocks.requests_list(req.service.team, req.member, *listed))


def timeoff(req: CommandRequest) -> None:
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    open_timeoff_modal(req.client, req.service, req.member, req.trigger_id)
