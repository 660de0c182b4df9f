"""`/oncall cover`: hand over the rest of the current week (or some days) from now.

`/oncall cover` opens a form; `/oncall cover @jill [until YYYY-MM-DD] [reason]` asks Jill
at once; an admin's `/oncall cover @jill for @davis [until YYYY-MM-DD]` records it for
Davis, in effect at once. A Refusal reaches the /oncall dispatcher, which tells only the
caller, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT, Member, Team
from bot.slack.blocks import takeover as blocks
from bot.slack.errors import NOT_A_MEMBER
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.listeners.commands.requests import typed_day, typed_member
from bot.slack.listeners.views.takeover_modal import open_takeover_modal, tell_takeover
from bot.slack.mrkdwn import typed_text
from bot.slack.safely import safely

COVER_USAGE = (
    "`/oncall cover` opens a form. Or in one line: "
    "`/oncall cover @colleague [until YYYY-MM-DD] [reason]` asks them to take over from now "
    "until this week's handover (or the end of that day); an admin records one at once with "
    "`/oncall cover @colleague for @engineer [until YYYY-MM-DD]`."
)


@dataclass(frozen=True)
class CoverArgs:
    colleague: Member
    replaces: Member | None  # an admin recording for the engineer on call
    until: date | None
    reason: str


def _member(team: Team, token: str) -> Member:
    found = typed_member(team, token)
    if found is None:
        raise Refusal(f"`{token[:40]}` is not a member of the on-call team. {COVER_USAGE}")
    return found


def _day(token: str) -> date:
    day = typed_day(token)
    if day is None:
        raise Refusal(f"`{token[:20]}` is not a date as YYYY-MM-DD. {COVER_USAGE}")
    return day


def parse_cover_args(team: Team, args: str) -> CoverArgs:
    tokens = args.split()
    if not tokens:
        raise Refusal(COVER_USAGE)
    colleague, rest = _member(team, tokens[0]), tokens[1:]
    replaces: Member | None = None
    until: date | None = None
    while rest and rest[0].lower() in ("for", "until"):
        if len(rest) < 2:
            raise Refusal(COVER_USAGE)
        word, value, rest = rest[0].lower(), rest[1], rest[2:]
        if word == "for" and replaces is None:
            replaces = _member(team, value)
        elif word == "until" and until is None:
            until = _day(value)
        else:
            raise Refusal(f"`{word}` is given twice. {COVER_USAGE}")
    return CoverArgs(colleague, replaces, until, typed_text(" ".join(rest))[:MAX_TEXT])


def cover(req: CommandRequest) -> None:
    if req.member is None:
        req.reply(NOT_A_MEMBER)
        return
    if not req.args.strip():
        open_takeover_modal(req.client, req.service, req.member, req.trigger_id)
        return
    parsed = parse_cover_args(req.service.team, req.args)
    outcome = req.service.request_takeover(
        req.member.id,
        parsed.colleague.id,
        parsed.until,
        replaces=parsed.replaces.id if parsed.replaces else None,
        reason=parsed.reason,
    )
    tell_takeover(req.notifier, outcome, req.member)
    team = req.service.team
    request = outcome.request
    if outcome.override is None:
        text, shown = (
            blocks.takeover_requested_text(team, request),
            blocks.takeover_requested_blocks(team, request),
        )
    else:
        text = blocks.takeover_channel_line(team, request, outcome.override)
        shown = None
    # The change is stored: a failed reply must not say "nothing was changed".
    safely(req.logger, "confirm a take-over", lambda: req.reply(text, shown))
