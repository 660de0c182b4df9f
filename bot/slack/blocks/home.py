"""The App Home view: who is on call, and for a member their weeks, swaps and time off.

The buttons' action_ids and values are a contract with the action handlers:
`swap_open` (value: week index), `swap_accept` / `swap_decline` / `swap_cancel`
(value: swap id) and `timeoff_open` (value: "home").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.model import Member, SwapRequest, Team, TimeOff
from bot.core.oncall import OnCall
from bot.service import ScheduledWeek
from bot.slack.blocks.status import (
    SECTION_LIMIT,
    at,
    cap,
    now_blocks,
    sections,
    span,
    swap_line,
    time_off_line,
)
from bot.slack.common import escape

MAX_VIEW_BLOCKS = 100
MAX_REQUESTS = 10  # per list; each request to me takes two blocks
MAX_WEEKS = 12  # with the caps above, the view stays well under 100 blocks

SWAP_OPEN = "swap_open"
SWAP_ACCEPT = "swap_accept"
SWAP_DECLINE = "swap_decline"
SWAP_CANCEL = "swap_cancel"
TIMEOFF_OPEN = "timeoff_open"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    label = PlainTextObject(text=text)
    return ButtonElement(text=label, action_id=action_id, value=value, style=style)


def _title(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=text))


def _md(text: str, accessory: ButtonElement | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT]), accessory=accessory)


def _note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _week_block(team: Team, w: ScheduledWeek, answer: OnCall) -> SectionBlock:
    text = f"*{span(w.week)}* (week {w.week.index}) · backup {at(team, w.backup)}"
    if w.reason:
        text += f"\n_{escape(w.reason)}_"
    if w.week.start <= answer.at:  # a week under way can no longer be swapped
        return _md(text + "\n:rotating_light: You are on call now.")
    return _md(text, _button("Request swap", SWAP_OPEN, str(w.week.index)))


def _my_weeks(team: Team, weeks: Sequence[ScheduledWeek], answer: OnCall) -> list[Block]:
    blocks: list[Block] = [_title("Your next weeks")]
    if not weeks:
        return [*blocks, _md("You have no weeks in the plan yet.")]
    return blocks + [_week_block(team, w, answer) for w in weeks[:MAX_WEEKS]]


def _to_me(team: Team, member: Member, swaps: Sequence[SwapRequest]) -> list[Block]:
    blocks: list[Block] = [_title("Swap requests to you")]
    for s in swaps[:MAX_REQUESTS]:
        value = str(s.id)
        blocks += [
            _md(swap_line(team, s, member.id)),
            ActionsBlock(
                elements=[
                    _button("Accept", SWAP_ACCEPT, value, "primary"),
                    _button("Decline", SWAP_DECLINE, value),
                ]
            ),
        ]
    if len(swaps) > MAX_REQUESTS:
        blocks.append(_note(f"_… and {len(swaps) - MAX_REQUESTS} more: see `/oncall me`._"))
    return blocks


def _from_me(team: Team, member: Member, swaps: Sequence[SwapRequest]) -> list[Block]:
    blocks: list[Block] = [_title("Your swap requests")]
    blocks += [
        _md(swap_line(team, s, member.id), _button("Cancel", SWAP_CANCEL, str(s.id)))
        for s in swaps[:MAX_REQUESTS]
    ]
    if len(swaps) > MAX_REQUESTS:
        blocks.append(_note(f"_… and {len(swaps) - MAX_REQUESTS} more: see `/oncall me`._"))
    return blocks


def _time_off(time_off: Sequence[TimeOff]) -> list[Block]:
    lines = [time_off_line(t) for t in time_off] or ["None recorded."]
    return [
        _title("Your time off"),
        *sections(lines),
        ActionsBlock(elements=[_button("Request time off", TIMEOFF_OPEN, "home")]),
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
) -> dict[str, Any]:
    """The Home tab as a `views.publish` view dict (validated, at most 100 blocks).

    `rendered_at`, when given, goes in the view's private_metadata: Slack sends it back
    with each `app_home_opened`, and it tells anyone looking (support, the benchmark)
    how fresh the Home a person saw was."""
    blocks: list[Block] = list(now_blocks(team, answer))
    if member is None:
        blocks += [
            DividerBlock(),
            _note(
                f"Only members of the *{escape(team.name)}* on-call team can swap weeks "
                "or file time off. `/oncall help` lists what you can do."
            ),
        ]
    else:
        blocks += [DividerBlock(), *_my_weeks(team, my_weeks, answer)]
        if swaps_to_me:
            blocks += [DividerBlock(), *_to_me(team, member, swaps_to_me)]
        if swaps_from_me:
            blocks += [DividerBlock(), *_from_me(team, member, swaps_from_me)]
        blocks += [DividerBlock(), *_time_off(my_time_off)]
    blocks = cap(blocks, MAX_VIEW_BLOCKS)
    metadata = json.dumps({"rendered_at": rendered_at.isoformat()}) if rendered_at else None
    return View(type="home", blocks=blocks, private_metadata=metadata).to_dict()
