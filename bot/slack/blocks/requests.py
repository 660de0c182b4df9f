"""Pure Block Kit builders for swap requests and time off: data in, blocks out.

No Slack calls and no storage here, so every builder can be tested through
`.to_dict()` (which runs slack_sdk's client-side validation). Text a person typed
(reasons, notes) always goes through `escape`; names come from the team config.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.model import Member, SwapRequest, SwapStatus, Team
from bot.core.weeks import week
from bot.service import ScheduledWeek, TimeOffResult
from bot.slack.common import escape, fmt_day, fmt_instant, fmt_short

# Agreed ids: other code renders these buttons and the listeners read them back.
SWAP_MODAL, TIMEOFF_MODAL = "swap_modal", "timeoff_modal"
SWAP_ACCEPT, SWAP_DECLINE, SWAP_CANCEL = "swap_accept", "swap_decline", "swap_cancel"
SWAP_CANDIDATE = "swap_candidate"

# Input blocks: each block_id equals its element's action_id, and names the
# field a Refusal points at, so inline errors land on the right input.
MY_WEEK, COUNTERPART, THEIR_WEEK, THEIR_DATE, REASON = (
    "my_week",
    "counterpart",
    "their_week",
    "their_date",
    "reason",
)
MEMBER, START, END, NOTE = "member", "start", "end", "note"
THEIR_NEXT, COVER_ONLY = "next", "cover"  # values of the "their week" choice

MAX_TEXT = 500  # a reason or note, as stored
_OPTION_TEXT = 75  # Slack's limit for an option's or a button's text


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=True)


def _option(text: str, value: str) -> Option:
    clipped = text if len(text) <= _OPTION_TEXT else text[: _OPTION_TEXT - 1] + "…"
    return Option(text=_plain(clipped), value=value)


def _name(team: Team, member_id: str) -> str:
    try:
        return team.member(member_id).name
    except KeyError:  # someone since removed from the config
        return member_id


def week_label(team: Team, index: int) -> str:
    """`Mon 07 Dec → Mon 14 Dec`: the handover days that open and close week `index`."""
    w = week(team, index)
    return f"{fmt_short(w.first_day)} → {fmt_short(w.last_day)}"


def week_span(team: Team, index: int) -> str:
    """The week's exact handover instants, in the team's zone."""
    w = week(team, index)
    return f"{fmt_instant(team, w.start)} → {fmt_instant(team, w.end)}"


def _week_of(team: Team, index: int) -> str:
    return f"the week of {_day_of(team, index)}"


def _day_of(team: Team, index: int) -> str:
    return fmt_day(week(team, index).first_day)


# --- the swap modal ------------------------------------------------------------


def swap_modal(
    team: Team,
    member: Member,
    my_weeks: Sequence[ScheduledWeek],
    colleagues: Sequence[Member],
    preselected_week: int | None = None,
) -> View:
    """One static modal (no dynamic dispatch): my week, who, and what comes back.

    "What comes back" is a choice (their next week after mine, or a cover) that an
    optional date overrides with a specific week of theirs.
    """
    if not my_weeks or not colleagues:
        why = (
            "You have no upcoming on-call weeks to swap."
            if not my_weeks
            else "There is nobody on the team to swap with."
        )
        return View(
            type="modal",
            callback_id=SWAP_MODAL,
            title=_plain("Swap a week"),
            close=_plain("Close"),
            blocks=[SectionBlock(text=_md(why))],
        )
    weeks = [
        _option(
            week_label(team, w.week.index) + (" · you're away" if w.cover_needed else ""),
            str(w.week.index),
        )
        for w in my_weeks
    ]
    initial = next((o for o in weeks if o.value == str(preselected_week)), None)
    choices = [
        _option("Their next week after mine", THEIR_NEXT),
        _option("Cover only (nothing back)", COVER_ONLY),
    ]
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                _md(
                    f"*{escape(member.name)}*, pick a week of yours and a colleague. "
                    "Nothing changes until they accept."
                )
            ]
        ),
        InputBlock(
            block_id=MY_WEEK,
            label=_plain("My week"),
            element=StaticSelectElement(
                action_id=MY_WEEK,
                placeholder=_plain("Choose one of your weeks"),
                options=weeks,
                initial_option=initial,
            ),
        ),
        InputBlock(
            block_id=COUNTERPART,
            label=_plain("Swap with"),
            element=StaticSelectElement(
                action_id=COUNTERPART,
                placeholder=_plain("Choose a colleague"),
                options=[_option(m.name, m.id) for m in colleagues],
            ),
        ),
        InputBlock(
            block_id=THEIR_WEEK,
            label=_plain("Their week"),
            element=StaticSelectElement(
                action_id=THEIR_WEEK, options=choices, initial_option=choices[0]
            ),
        ),
        InputBlock(
            block_id=THEIR_DATE,
            label=_plain("Or a specific week of theirs"),
            optional=True,
            hint=_plain("Any date in their week; leave empty to use the choice above."),
            element=DatePickerElement(action_id=THEIR_DATE),
        ),
        InputBlock(
            block_id=REASON,
            label=_plain("Reason"),
            optional=True,
            element=PlainTextInputElement(action_id=REASON, multiline=True, max_length=MAX_TEXT),
        ),
    ]
    return View(
        type="modal",
        callback_id=SWAP_MODAL,
        title=_plain("Swap a week"),
        submit=_plain("Send request"),
        close=_plain("Cancel"),
        blocks=blocks,
    )


# --- the time off modal -----------------------------------------------------------


def timeoff_modal(
    team: Team,
    member: Member,
    is_admin: bool,
    members: Sequence[Member],
    *,
    earliest: date | None = None,
) -> View:
    """Start and end dates and a note; an admin also picks whose time off it is."""
    notice = f"Time off needs {team.time_off_notice_days} days' notice"
    notice += f" (the first date accepted today is {fmt_day(earliest)})." if earliest else "."
    if is_admin:
        notice += " As an admin you can record short-notice time off for anyone."
    blocks: list[Block] = [ContextBlock(elements=[_md(notice)])]
    if is_admin:
        options = [_option(m.name, m.id) for m in members]
        blocks.append(
            InputBlock(
                block_id=MEMBER,
                label=_plain("Who"),
                element=StaticSelectElement(
                    action_id=MEMBER,
                    options=options,
                    initial_option=next((o for o in options if o.value == member.id), None),
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=START,
            label=_plain("First day off"),
            element=DatePickerElement(action_id=START),
        ),
        InputBlock(
            block_id=END,
            label=_plain("Last day off"),
            element=DatePickerElement(action_id=END),
        ),
        InputBlock(
            block_id=NOTE,
            label=_plain("Note"),
            optional=True,
            element=PlainTextInputElement(action_id=NOTE, multiline=True, max_length=MAX_TEXT),
        ),
    ]
    return View(
        type="modal",
        callback_id=TIMEOFF_MODAL,
        title=_plain("Time off"),
        submit=_plain("Record"),
        close=_plain("Cancel"),
        blocks=blocks,
    )


# --- swap request messages ---------------------------------------------------------


def swap_summary(team: Team, request: SwapRequest) -> str:
    """`John's week of … ⇄ Jill's week of …`, or `Jill covers John's week of …`."""
    requester = escape(_name(team, request.requester))
    mine = f"{requester}'s week of {_day_of(team, request.requester_week)}"
    if request.counterpart_week is None:
        return f"{escape(_name(team, request.counterpart))} covers {mine}"
    counterpart = escape(_name(team, request.counterpart))
    return f"{mine} ⇄ {counterpart}'s week of {_day_of(team, request.counterpart_week)}"


def _reason_block(request: SwapRequest) -> list[Block]:
    if not request.reason:
        return []
    return [SectionBlock(text=_md(f"*Reason:* {escape(request.reason[:MAX_TEXT])}"))]


def swap_request_text(team: Team, request: SwapRequest) -> str:
    """The notification fallback of the request DM."""
    return f"{_name(team, request.requester)} asks you to swap: {swap_summary(team, request)}"


def swap_request_dm(
    team: Team, request: SwapRequest, requester: Member, counterpart: Member
) -> list[Block]:
    """The counterpart's DM: who asks, which weeks, why, and Accept / Decline."""
    who = f"*{escape(requester.name)}*"
    theirs = f"{_week_of(team, request.requester_week)} ({week_span(team, request.requester_week)})"
    if request.counterpart_week is None:
        ask = f"{who} asks you to cover their on-call week: {theirs}. Nothing is given back."
    else:
        k = request.counterpart_week
        yours = f"{_week_of(team, k)} ({week_span(team, k)})"
        ask = (
            f"{who} asks you to swap on-call weeks: you take theirs, {theirs}; "
            f"they take yours, {yours}."
        )
    value = str(request.id)
    return [
        SectionBlock(text=_md(f"{escape(counterpart.name)}, {ask}")),
        *_reason_block(request),
        ContextBlock(
            elements=[
                _md(
                    f"Request #{request.id} · expires {fmt_instant(team, request.expires_at)}, "
                    + (
                        "when the week starts."
                        if request.is_cover
                        else "when the first week starts."
                    )
                )
            ]
        ),
        ActionsBlock(
            block_id=f"swap_request_{request.id}",
            elements=[
                ButtonElement(
                    text=_plain("Accept"), action_id=SWAP_ACCEPT, value=value, style="primary"
                ),
                ButtonElement(text=_plain("Decline"), action_id=SWAP_DECLINE, value=value),
            ],
        ),
    ]


def swap_status_label(team: Team, request: SwapRequest, actor: Member | None) -> str:
    by = f" by {escape(actor.name)}" if actor else ""
    return {
        SwapStatus.ACCEPTED: f":white_check_mark: Accepted{by}",
        SwapStatus.DECLINED: f":no_entry_sign: Declined{by}",
        SwapStatus.CANCELLED: ":heavy_multiplication_x: Cancelled by requester",
        SwapStatus.EXPIRED: ":hourglass: Expired: the week started before anyone answered",
        SwapStatus.PENDING: ":hourglass_flowing_sand: Waiting for an answer",
    }[request.status]


def swap_decided_blocks(team: Team, request: SwapRequest, actor: Member | None) -> list[Block]:
    """The request DM once decided: the same facts, the outcome, and no buttons."""
    return [
        SectionBlock(text=_md(f"Swap request #{request.id}: {swap_summary(team, request)}.")),
        *_reason_block(request),
        ContextBlock(elements=[_md(swap_status_label(team, request, actor))]),
    ]


def swap_decided_text(team: Team, request: SwapRequest, actor: Member | None) -> str:
    label = swap_status_label(team, request, actor)
    return f"Swap request #{request.id} ({swap_summary(team, request)}): {label}"


def swap_requested_blocks(team: Team, request: SwapRequest) -> list[Block]:
    """The requester's private confirmation, with a Cancel button."""
    who = escape(_name(team, request.counterpart))
    return [
        SectionBlock(
            text=_md(
                f":incoming_envelope: Request #{request.id} sent to *{who}*: "
                f"{swap_summary(team, request)}. Nothing changes until they accept; it "
                f"expires {fmt_instant(team, request.expires_at)}."
            )
        ),
        ActionsBlock(
            block_id=f"swap_requested_{request.id}",
            elements=[
                ButtonElement(
                    text=_plain("Cancel request"), action_id=SWAP_CANCEL, value=str(request.id)
                )
            ],
        ),
    ]


def swap_requested_text(team: Team, request: SwapRequest) -> str:
    return f"Request #{request.id} sent to {_name(team, request.counterpart)}."


def swap_outcome_text(team: Team, request: SwapRequest, reader: str) -> str:
    """What a decision means for `reader` (a member id), for a DM."""
    requester, counterpart = _name(team, request.requester), _name(team, request.counterpart)
    summary = swap_summary(team, request)
    if request.status is SwapStatus.ACCEPTED:
        if reader == request.counterpart:
            return (
                f":white_check_mark: Done: you accepted {escape(requester)}'s request. {summary}."
            )
        return f":white_check_mark: {escape(counterpart)} accepted your request. {summary}."
    if request.status is SwapStatus.DECLINED:
        return f":no_entry_sign: {escape(counterpart)} declined your request ({summary})."
    if request.status is SwapStatus.CANCELLED:
        if reader == request.requester:
            return f":heavy_multiplication_x: You cancelled request #{request.id} ({summary})."
        return f":heavy_multiplication_x: {escape(requester)} cancelled their request ({summary})."
    return f"Request #{request.id} ({summary}): {request.status.value}."


def swap_channel_line(team: Team, request: SwapRequest) -> str:
    """One line for the on-call channel once a swap is accepted."""
    requester = escape(_name(team, request.requester))
    counterpart = escape(_name(team, request.counterpart))
    mine = fmt_day(week(team, request.requester_week).first_day)
    if request.counterpart_week is None:
        return (
            f":repeat: Cover: {counterpart} is on call the week of {mine} instead of {requester}."
        )
    theirs = fmt_day(week(team, request.counterpart_week).first_day)
    return (
        f":repeat: Swap: {counterpart} is on call the week of {mine} and {requester} "
        f"the week of {theirs}."
    )


# --- time off ---------------------------------------------------------------------


def timeoff_confirmation(
    team: Team, result: TimeOffResult, member: Member, actor: Member
) -> list[Block]:
    """The private confirmation of recorded time off, and the weeks that need cover."""
    t = result.time_off
    whose = "your" if actor.id == member.id else f"{escape(member.name)}'s"
    text = f":palm_tree: Time off recorded for *{escape(member.name)}*: "
    text += f"{fmt_day(t.start)} → {fmt_day(t.end)}"
    if result.merged_with:
        text += f" (merged with {len(result.merged_with)} range(s) already recorded)"
    blocks: list[Block] = [SectionBlock(text=_md(text + "."))]
    if t.note:
        blocks.append(SectionBlock(text=_md(f"*Note:* {escape(t.note[:MAX_TEXT])}")))
    if actor.id != member.id:
        blocks.append(ContextBlock(elements=[_md(f"Recorded by {escape(actor.name)}.")]))
    if result.weeks_needing_cover:
        weeks = " and ".join(_day_of(team, k) for k in result.weeks_needing_cover)
        hint = (
            f" {escape(member.name)} gets a list of colleagues who could swap."
            if result.candidates
            else ""
        )
        warning = f":warning: This overlaps {whose} on-call week of {weeks}; it needs cover."
        blocks.append(SectionBlock(text=_md(warning + hint)))
    return blocks


def timeoff_confirmation_text(result: TimeOffResult, member: Member) -> str:
    t = result.time_off
    return f"Time off recorded for {member.name}: {fmt_day(t.start)} → {fmt_day(t.end)}."


def candidate_value(week_index: int, to: str, back: int | None) -> str:
    return json.dumps({"week": week_index, "to": to, "back": back}, separators=(",", ":"))


def swap_candidates_blocks(
    team: Team, member: Member, week_index: int, candidates: Sequence[tuple[str, int | None]]
) -> list[Block]:
    """Who could take `member`'s week, each with a button that sends them a request."""
    intro = (
        f"{escape(member.name)}, you are on call {_week_of(team, week_index)} "
        f"({week_span(team, week_index)}) and away then."
    )
    if not candidates:
        return [SectionBlock(text=_md(f"{intro} Nobody is free that week; ask an admin."))]
    blocks: list[Block] = [
        SectionBlock(text=_md(f"{intro} Who could take it? A click sends them a request:"))
    ]
    for other, back in candidates:
        name = escape(_name(team, other))
        deal = (
            f"*{name}* takes it; you take theirs, {_week_of(team, back)}."
            if back is not None
            else f"*{name}* covers it (no later week of theirs fits)."
        )
        blocks.append(
            SectionBlock(
                block_id=f"candidate_{week_index}_{other}"[:255],
                text=_md(deal),
                accessory=ButtonElement(
                    text=_plain(f"Ask {_name(team, other)}"[:_OPTION_TEXT]),
                    action_id=SWAP_CANDIDATE,
                    value=candidate_value(week_index, other, back),
                ),
            )
        )
    return blocks


def swap_candidates_text(team: Team, week_index: int) -> str:
    return f"You are on call {_week_of(team, week_index)} and away: here is who could swap."
