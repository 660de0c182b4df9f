"""The App Home view: who is on call, and for a member their weeks, the recent changes to
them, swaps and time off.

The buttons' action_ids (bot.slack.ids) and values are a contract with the action
handlers: `SWAP_OPEN` (value: week index), `SWAP_ACCEPT` / `SWAP_DECLINE` / `SWAP_CANCEL`
(value: swap id; a take-over's own `TAKEOVER_ACCEPT` / `TAKEOVER_DECLINE`) and
`TIMEOFF_OPEN` (value: "home").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock
from slack_sdk.models.views import View

from bot.core.changes import WeekChange
from bot.core.model import Member, SwapRequest, Team, TimeOff
from bot.core.oncall import OnCall
from bot.service import ScheduledWeek
from bot.slack import ids
from bot.slack.blocks.changes import recent_changes_blocks
from bot.slack.blocks.kit import MAX_VIEW_BLOCKS, button, cap, context, header, section, sections
from bot.slack.blocks.requests import answers
from bot.slack.blocks.status import at, now_blocks, span, swap_line, time_off_line
from bot.slack.mrkdwn import Mrkdwn, code, italic, md

MAX_REQUESTS = 10  # per list; each request to me takes two blocks
MAX_WEEKS = 12  # with the caps above, the view stays well under 100 blocks

# The listeners' names for these ids (defined in bot.slack.ids).
SWAP_OPEN, TIMEOFF_OPEN = ids.SWAP_OPEN, ids.TIMEOFF_OPEN
SWAP_ACCEPT, SWAP_DECLINE, SWAP_CANCEL = ids.SWAP_ACCEPT, ids.SWAP_DECLINE, ids.SWAP_CANCEL

SEE_ME = md("see {}", code("/oncall me"))


def _more(shown: int, total: int) -> list[Block]:
    """Say how many were left out of a list, and where to see them all."""
    if total <= shown:
        return []
    return [context(md("_… and {} more: {}._", total - shown, SEE_ME))]


def _week_block(team: Team, w: ScheduledWeek, answer: OnCall) -> Block:
    text = md("*{}* (week {}) · backup {}", span(w.week), w.week.index, at(team, w.backup))
    if w.reason:
        text += md("\n{}", italic(w.reason))
    if w.week.start <= answer.at:  # a week under way can no longer be swapped
        if answer.on_call not in (None, w.member):  # a take-over, or the backup standing in
            return section(
                text + md("\n{} is on call now in your place.", at(team, answer.on_call))
            )
        return section(text + md("\n:rotating_light: You are on call now."))
    return section(text, accessory=button("Request swap", ids.SWAP_OPEN, str(w.week.index)))


def _my_weeks(team: Team, weeks: Sequence[ScheduledWeek], answer: OnCall) -> list[Block]:
    blocks: list[Block] = [header("Your next weeks")]
    if not weeks:
        return [*blocks, section(md("You have no weeks in the plan yet."))]
    blocks += [_week_block(team, w, answer) for w in weeks[:MAX_WEEKS]]
    return blocks + _more(MAX_WEEKS, len(weeks))


def _to_me(team: Team, member: Member, swaps: Sequence[SwapRequest]) -> list[Block]:
    blocks: list[Block] = [header("Swap requests to you")]
    for s in swaps[:MAX_REQUESTS]:
        blocks += [section(swap_line(team, s, member.id)), ActionsBlock(elements=answers(s))]
    return blocks + _more(MAX_REQUESTS, len(swaps))


def _from_me(team: Team, member: Member, swaps: Sequence[SwapRequest]) -> list[Block]:
    blocks: list[Block] = [header("Your swap requests")]
    blocks += [
        section(
            swap_line(team, s, member.id), accessory=button("Cancel", ids.SWAP_CANCEL, str(s.id))
        )
        for s in swaps[:MAX_REQUESTS]
    ]
    return blocks + _more(MAX_REQUESTS, len(swaps))


def _time_off(time_off: Sequence[TimeOff]) -> list[Block]:
    lines: list[Mrkdwn] = [time_off_line(t) for t in time_off] or [md("None recorded.")]
    return [
        header("Your time off"),
        *sections(lines),
        ActionsBlock(elements=[button("Request time off", ids.TIMEOFF_OPEN, "home")]),
    ]


def home_view(
    team: Team,
    answer: OnCall,
    member: Member | None,
    my_weeks: Sequence[ScheduledWeek] = (),
    swaps_to_me: Sequence[SwapRequest] = (),
    swaps_from_me: Sequence[SwapRequest] = (),
    my_time_off: Sequence[TimeOff] = (),
    rendered_at: datetime | None = None,
    my_changes: Sequence[WeekChange] = (),
    incidents: Sequence[Block] = (),  # open incidents the person is in (blocks/incidents.py)
) -> dict[str, Any]:
    """The Home tab as a `views.publish` view dict (validated, at most 100 blocks).

    `rendered_at`, when given, goes in the view's private_metadata: Slack sends it back
    with each `app_home_opened`, and it tells anyone looking (support, the benchmark)
    how fresh the Home a person saw was."""
    blocks: list[Block] = list(now_blocks(team, answer))
    if incidents:
        blocks += [DividerBlock(), *incidents]
    if member is None:
        blocks += [
            DividerBlock(),
            context(
                md(
                    "Only members of the *{}* on-call team can swap weeks or file time off. "
                    "{} lists what you can do.",
                    team.name,
                    code("/oncall help"),
                )
            ),
        ]
    else:
        blocks += [DividerBlock(), *_my_weeks(team, my_weeks, answer)]
        blocks += [DividerBlock(), *recent_changes_blocks(team, member.id, my_changes)]
        if swaps_to_me:
            blocks += [DividerBlock(), *_to_me(team, member, swaps_to_me)]
        if swaps_from_me:
            blocks += [DividerBlock(), *_from_me(team, member, swaps_from_me)]
        blocks += [DividerBlock(), *_time_off(my_time_off)]
    blocks = cap(blocks, MAX_VIEW_BLOCKS, SEE_ME)
    metadata = json.dumps({"rendered_at": rendered_at.isoformat()}) if rendered_at else None
    return View(type="home", blocks=blocks, private_metadata=metadata).to_dict()
