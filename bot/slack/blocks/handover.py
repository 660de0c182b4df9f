"""Blocks for the Monday handover, the Friday heads-up and swap reminders (pure)."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.core.model import SwapRequest, Team
from bot.core.weeks import week
from bot.service import Handover
from bot.slack import ids
from bot.slack.blocks.kit import button, cap, context, header, plain, section, sections
from bot.slack.blocks.requests import answers, deadline, swap_summary
from bot.slack.common import fmt_instant, fmt_short
from bot.slack.mrkdwn import Mrkdwn, at, bold, code, escape, italic, join, md, name

# The listeners' names for these ids (defined in bot.slack.ids).
RUNBOOKS_ACTION = ids.RUNBOOKS_LIST
NOTE_ACTION = ids.HANDOVER_NOTE_OPEN
NOTE_CALLBACK = ids.HANDOVER_NOTE_MODAL
NOTE_BLOCK, NOTE_INPUT = ids.HANDOVER_NOTE_BLOCK, ids.HANDOVER_NOTE_INPUT

NOBODY = "nobody available"
SEE_OWNERS = md("see {}", code("/oncall owners"))


def week_details(team: Team, h: Handover) -> list[Mrkdwn]:
    """The lines both the channel post and the DM carry."""
    lines = [md("*Week:* {} → {}", fmt_instant(team, h.week.start), fmt_instant(team, h.week.end))]
    if h.answer.holidays:
        hols = join(", ", (md("{} ({})", n, fmt_short(d)) for d, n in h.answer.holidays.items()))
        lines.append(md("*Public holidays:* {}", hols))
    else:
        lines.append(md("*Public holidays:* none"))
    if h.answer.time_off:
        off = join(
            ", ",
            (
                md("{} {}–{}", name(team, t.member), fmt_short(t.start), fmt_short(t.end))
                for t in h.answer.time_off
            ),
        )
        lines.append(md("*Time off:* {}", off))
    lines += [italic(reason) for reason in h.answer.reasons]
    return lines


def owners_lines(team: Team, h: Handover) -> list[Mrkdwn]:
    out = []
    for o in h.answer.owners:
        line = md("• {}: {}", o.pipeline.name, name(team, o.owner))
        if o.reason:
            line += md(" _({})_", o.reason)
        out.append(line)
    return out


def _owners_sections(team: Team, h: Handover) -> list[Block]:
    if not h.answer.owners:
        return []
    return list(sections([md("*Pipelines (effective owner):*"), *owners_lines(team, h)]))


def handover_text(team: Team, h: Handover) -> Mrkdwn:
    """The plain-text fallback (notifications, screen readers): mrkdwn too, so escaped."""
    out = md("On call this week: {}", name(team, h.incoming))
    if h.outgoing:
        out += md(" (taking over from {})", name(team, h.outgoing))
    return out + md("; backup {}.", name(team, h.backup))


def handover_blocks(team: Team, h: Handover) -> list[Block]:
    # A late post (the catch-up at start) comes after the handover instant: the engineer
    # took over then, not when the message arrives.
    since = (
        md("has been on call since {}", fmt_instant(team, h.week.start))
        if h.late
        else md("is on call from now")
    )
    intro = md(":rotating_light: {} {}", at(team, h.incoming, NOBODY), since)
    if h.outgoing and h.outgoing != h.incoming:
        intro += md(", taking over from {}", name(team, h.outgoing))
    intro += md(". Backup: {}.", name(team, h.backup))
    blocks: list[Block] = [
        header(f"On-call handover: week {h.week.index}"),
        section(intro),
        *sections(week_details(team, h)),
        *_owners_sections(team, h),
    ]
    buttons = [button("Runbooks", ids.RUNBOOKS_LIST, str(h.week.index))]
    if h.outgoing:
        buttons.append(button("Add handover note", ids.HANDOVER_NOTE_OPEN, str(h.week.index)))
    actions = ActionsBlock(block_id=ids.HANDOVER_ACTIONS, elements=buttons)
    return [*cap(blocks, 49, SEE_OWNERS), actions]


def handover_dm_blocks(team: Team, h: Handover) -> list[Block]:
    first = md(":wave: You are on call this week. Your backup is {}.", at(team, h.backup, NOBODY))
    blocks: list[Block] = [
        *sections([first, *week_details(team, h)]),
        *_owners_sections(team, h),
    ]
    actions = ActionsBlock(elements=[button("Runbooks", ids.RUNBOOKS_LIST, str(h.week.index))])
    return [*cap(blocks, 49, SEE_OWNERS), actions]


def _swap_line(team: Team, r: SwapRequest) -> Mrkdwn:
    if r.is_takeover:
        return md(
            "#{}: {} (answer by {})", r.id, swap_summary(team, r), deadline(team, r.expires_at)
        )
    mine = week(team, r.requester_week).first_day
    what = md(
        "#{}: {} asks {} to take the week of {}",
        r.id,
        name(team, r.requester),
        name(team, r.counterpart),
        fmt_short(mine),
    )
    if r.counterpart_week is not None:
        theirs = week(team, r.counterpart_week).first_day
        what += md(" for the week of {}", fmt_short(theirs))
    return what + md(" (expires {})", deadline(team, r.expires_at))


def heads_up_blocks(team: Team, h: Handover) -> list[Block]:
    lines = [
        md(
            ":calendar: Heads-up: you are on call next week, from {}. Your backup will be {}.",
            fmt_instant(team, h.week.start),
            name(team, h.backup),
        ),
        *week_details(team, h)[1:],
    ]
    if h.pending_swaps:
        lines.append(md("*Pending swap requests:*"))
        lines += [md("• {}", _swap_line(team, r)) for r in h.pending_swaps]
    return cap(list(sections(lines)), more=md("see {}", code("/oncall me")))


def reminder_text(team: Team, r: SwapRequest) -> Mrkdwn:
    """The reminder's notification fallback."""
    if r.is_takeover:
        return md("{} still needs someone to take over.", name(team, r.requester))
    return md("A swap request waits for your answer.")


def reminder_blocks(team: Team, r: SwapRequest, days_left: int) -> list[Block]:
    if r.is_takeover:  # urgent: the deadline is hours away
        text = md(":hourglass: Reminder: {}\n{}", reminder_text(team, r), _swap_line(team, r))
    else:
        when = "tomorrow" if days_left <= 1 else f"in {days_left} days"
        text = md(
            ":hourglass: Reminder: a swap request waits for your answer and expires {}.\n{}",
            when,
            _swap_line(team, r),
        )
    return [section(text), ActionsBlock(elements=answers(r))]


def runbooks_list_blocks(team: Team) -> list[Block]:
    lines = [md("*Runbooks* — post one into an incident channel with the command:")]
    for p in team.pipelines:
        has = "runbook" if p.runbook else "no runbook"
        lines.append(
            md("• {} ({}, {}): {}", bold(p.name), p.audience, has, code(f"/oncall runbook {p.id}"))
        )
    return cap(list(sections(lines)))


def runbooks_list_text(team: Team) -> Mrkdwn:
    return md("Runbooks: {}", join(", ", (p.name for p in team.pipelines)) or md("none"))


def note_modal(metadata: str) -> View:
    return View(
        type="modal",
        callback_id=ids.HANDOVER_NOTE_MODAL,
        private_metadata=metadata,
        title=plain("Handover note"),
        submit=plain("Post"),
        close=plain("Cancel"),
        blocks=[
            InputBlock(
                block_id=ids.HANDOVER_NOTE_BLOCK,
                label=plain("What should the next engineer know?"),
                element=PlainTextInputElement(
                    action_id=ids.HANDOVER_NOTE_INPUT, multiline=True, max_length=2500
                ),
            )
        ],
    )


def note_blocks(team: Team, author: str, note: str) -> list[Block]:
    return [
        section(md("*Handover note from {}:*", name(team, author))),
        *sections([escape(line) for line in note.split("\n")]),
        context(md("Added with the handover button.")),
    ]


def note_text(team: Team, author: str) -> Mrkdwn:
    return md("Handover note from {}", name(team, author))
