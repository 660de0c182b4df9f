"""Blocks for the Monday handover, the Friday heads-up and swap reminders (pure)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.model import SwapRequest, Team
from bot.core.weeks import week
from bot.service import Handover
from bot.slack.common import escape, fmt_instant, fmt_short, mention

RUNBOOKS_ACTION = "runbooks_list"
NOTE_ACTION = "handover_note_open"
NOTE_CALLBACK = "handover_note_modal"
NOTE_BLOCK, NOTE_INPUT = "note", "note_text"


def _who(team: Team, member_id: str | None) -> str:
    return mention(team.member(member_id)) if member_id else "nobody available"


def _name(team: Team, member_id: str | None) -> str:
    return team.member(member_id).name if member_id else "nobody"


def week_details(team: Team, h: Handover) -> list[str]:
    """The lines both the channel post and the DM carry."""
    lines = [
        f"*Week:* {fmt_instant(team, h.week.start)} → {fmt_instant(team, h.week.end)}",
    ]
    if h.answer.holidays:
        hols = ", ".join(f"{n} ({fmt_short(d)})" for d, n in h.answer.holidays.items())
        lines.append(f"*Public holidays:* {hols}")
    else:
        lines.append("*Public holidays:* none")
    if h.answer.time_off:
        off = ", ".join(
            f"{_name(team, t.member)} {fmt_short(t.start)}–{fmt_short(t.end)}"
            for t in h.answer.time_off
        )
        lines.append(f"*Time off:* {off}")
    for reason in h.answer.reasons:
        lines.append(f"_{escape(reason)}_")
    return lines


def owners_lines(team: Team, h: Handover) -> list[str]:
    out = []
    for o in h.answer.owners:
        line = f"• {o.pipeline.name}: {_name(team, o.owner)}"
        if o.reason:
            line += f" _({escape(o.reason)})_"
        out.append(line)
    return out


def handover_text(team: Team, h: Handover) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    out = f"On call this week: {_name(team, h.incoming)}"
    if h.outgoing:
        out += f" (taking over from {_name(team, h.outgoing)})"
    return out + f"; backup {_name(team, h.backup)}."


def handover_blocks(team: Team, h: Handover) -> list[Block]:
    intro = f":rotating_light: {_who(team, h.incoming)} is on call from now"
    if h.outgoing and h.outgoing != h.incoming:
        intro += f", taking over from {_name(team, h.outgoing)}"
    intro += f". Backup: {_name(team, h.backup)}."
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"On-call handover: week {h.week.index}")),
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(text=MarkdownTextObject(text="\n".join(week_details(team, h)))),
    ]
    if h.answer.owners:
        text = "*Pipelines (effective owner):*\n" + "\n".join(owners_lines(team, h))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:3000])))
    buttons = [
        ButtonElement(text="Runbooks", action_id=RUNBOOKS_ACTION, value=str(h.week.index)),
    ]
    if h.outgoing:
        buttons.append(
            ButtonElement(text="Add handover note", action_id=NOTE_ACTION, value=str(h.week.index))
        )
    blocks.append(ActionsBlock(block_id="handover_actions", elements=buttons))
    return blocks


def handover_dm_blocks(team: Team, h: Handover) -> list[Block]:
    lines = [
        f":wave: You are on call this week. Your backup is {_who(team, h.backup)}.",
        *week_details(team, h),
    ]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    if h.answer.owners:
        text = "*Pipelines (effective owner):*\n" + "\n".join(owners_lines(team, h))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:3000])))
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(text="Runbooks", action_id=RUNBOOKS_ACTION, value=str(h.week.index))
            ]
        )
    )
    return blocks


def _swap_line(team: Team, r: SwapRequest) -> str:
    mine = week(team, r.requester_week).first_day
    what = f"#{r.id}: {_name(team, r.requester)} asks {_name(team, r.counterpart)} to take "
    what += f"the week of {fmt_short(mine)}"
    if r.counterpart_week is not None:
        what += f" for the week of {fmt_short(week(team, r.counterpart_week).first_day)}"
    return what + f" (expires {fmt_instant(team, r.expires_at)})"


def heads_up_blocks(team: Team, h: Handover) -> list[Block]:
    lines = [
        f":calendar: Heads-up: you are on call next week, from {fmt_instant(team, h.week.start)}."
        f" Your backup will be {_name(team, h.backup)}.",
        *week_details(team, h)[1:],
    ]
    if h.pending_swaps:
        lines.append("*Pending swap requests:*")
        lines += [f"• {_swap_line(team, r)}" for r in h.pending_swaps]
    return [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:3000]))]


def reminder_blocks(team: Team, r: SwapRequest, days_left: int) -> list[Block]:
    when = "tomorrow" if days_left <= 1 else f"in {days_left} days"
    text = f":hourglass: Reminder: a swap request waits for your answer and expires {when}.\n"
    text += _swap_line(team, r)
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Accept", action_id="swap_accept", value=str(r.id), style="primary"
                ),
                ButtonElement(text="Decline", action_id="swap_decline", value=str(r.id)),
            ]
        ),
    ]


def runbooks_list_blocks(team: Team) -> list[Block]:
    lines = []
    for p in team.pipelines:
        has = "runbook" if p.runbook else "no runbook"
        lines.append(f"• *{p.name}* ({p.audience}, {has}): `/oncall runbook {p.id}`")
    text = "*Runbooks* — post one into an incident channel with the command:\n" + "\n".join(lines)
    return [SectionBlock(text=MarkdownTextObject(text=text[:3000]))]


def note_modal(metadata: str) -> View:
    return View(
        type="modal",
        callback_id=NOTE_CALLBACK,
        private_metadata=metadata,
        title=PlainTextObject(text="Handover note"),
        submit=PlainTextObject(text="Post"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(
                block_id=NOTE_BLOCK,
                label=PlainTextObject(text="What should the next engineer know?"),
                element=PlainTextInputElement(
                    action_id=NOTE_INPUT, multiline=True, max_length=2500
                ),
            )
        ],
    )


def note_blocks(team: Team, author: str, note: str) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=f"*Handover note from {_name(team, author)}:*")),
        SectionBlock(text=MarkdownTextObject(text=escape(note)[:3000])),
        ContextBlock(elements=[MarkdownTextObject(text="Added with the handover button.")]),
    ]
