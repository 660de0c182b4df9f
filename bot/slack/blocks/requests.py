"""Pure Block Kit builders for swap requests and time off: data in, blocks out.

A take-over is a request too (`SwapRequest.is_takeover`), worded by
bot/slack/blocks/takeover.py: the builders here that any request reaches (its summary,
the counterpart's buttons, the decided and outcome texts) decide that once, so a
take-over that expires, is closed or is listed never reads as a swap.

No Slack calls and no storage here, so every builder can be tested through
`.to_dict()` (which runs slack_sdk's client-side validation). All text is `Mrkdwn`
(bot.slack.mrkdwn): names and typed reasons and notes are data, escaped where they
become mrkdwn, and the text fallbacks too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.model import MAX_TEXT, Member, SwapRequest, SwapStatus, Team
from bot.core.weeks import week
from bot.service import ScheduledWeek, TimeOffResult
from bot.slack import ids
from bot.slack.blocks import takeover
from bot.slack.blocks.kit import (
    MAX_BLOCKS,
    button,
    cap,
    clip,
    context,
    header,
    plain,
    section,
)
from bot.slack.blocks.request_parts import deadline, option, reason_blocks
from bot.slack.common import fmt_day, fmt_instant, fmt_short
from bot.slack.mrkdwn import Mrkdwn, bold, code, md, plain_name
from bot.slack.mrkdwn import name as _name

# The listeners read these ids through this module (all defined in bot.slack.ids).
SWAP_MODAL, TIMEOFF_MODAL = ids.SWAP_MODAL, ids.TIMEOFF_MODAL
SWAP_ACCEPT, SWAP_DECLINE, SWAP_CANCEL = ids.SWAP_ACCEPT, ids.SWAP_DECLINE, ids.SWAP_CANCEL
SWAP_CANDIDATE, SWAP_BACK = ids.SWAP_CANDIDATE, ids.SWAP_BACK
MY_WEEK, COUNTERPART, THEIR_WEEK, THEIR_DATE, REASON = (
    ids.MY_WEEK,
    ids.COUNTERPART,
    ids.THEIR_WEEK,
    ids.THEIR_DATE,
    ids.REASON,
)
MEMBER, START, END, NOTE = ids.MEMBER, ids.START, ids.END, ids.NOTE
THEIR_NEXT, COVER_ONLY = ids.THEIR_NEXT, ids.COVER_ONLY


def _person(team: Team, member_id: str) -> Mrkdwn:
    return _name(team, member_id)


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


# --- modal inputs: one builder per kind, shared by the two modals ------------------


def _select(
    block_id: str,
    label: str,
    options: list[Option],
    *,
    placeholder: str | None = None,
    initial: Option | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        element=StaticSelectElement(
            action_id=block_id,
            placeholder=plain(placeholder) if placeholder else None,
            options=options,
            initial_option=initial,
        ),
    )


def _date(block_id: str, label: str, *, hint: str | None = None) -> InputBlock:
    """A date picker; with a hint it is optional (the hint says what leaving it does)."""
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        optional=True if hint else None,
        hint=plain(hint) if hint else None,
        element=DatePickerElement(action_id=block_id),
    )


def _free_text(block_id: str, label: str) -> InputBlock:
    """An optional reason or note, as long as is stored."""
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        optional=True,
        element=PlainTextInputElement(action_id=block_id, multiline=True, max_length=MAX_TEXT),
    )


def _modal(callback_id: str, title: str, blocks: list[Block], submit: str | None) -> View:
    """A modal; without `submit` it only informs (a Close button)."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title),
        submit=plain(submit) if submit else None,
        close=plain("Cancel" if submit else "Close"),
        blocks=blocks,
    )


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
            md("You have no upcoming on-call weeks to swap.")
            if not my_weeks
            else md("There is nobody on the team to swap with.")
        )
        return _modal(ids.SWAP_MODAL, "Swap a week", [section(why)], submit=None)
    weeks = [
        option(
            week_label(team, w.week.index) + (" · you're away" if w.cover_needed else ""),
            str(w.week.index),
        )
        for w in my_weeks
    ]
    initial = next((o for o in weeks if o.value == str(preselected_week)), None)
    choices = [
        option("Their next week after mine", ids.THEIR_NEXT),
        option("Cover only (nothing back)", ids.COVER_ONLY),
    ]
    blocks: list[Block] = [
        context(
            md(
                "{}, pick a week of yours and a colleague. Nothing changes until they accept.",
                bold(member.name),
            )
        ),
        _select(
            ids.MY_WEEK,
            "My week",
            weeks,
            placeholder="Choose one of your weeks",
            initial=initial,
        ),
        _select(
            ids.COUNTERPART,
            "Swap with",
            [option(m.name, m.id) for m in colleagues],
            placeholder="Choose a colleague",
        ),
        _select(ids.THEIR_WEEK, "Their week", choices, initial=choices[0]),
        _date(
            ids.THEIR_DATE,
            "Or a specific week of theirs",
            hint="Any date in their week; leave empty to use the choice above.",
        ),
        _free_text(ids.REASON, "Reason"),
    ]
    return _modal(ids.SWAP_MODAL, "Swap a week", blocks, submit="Send request")


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
    notice = md("Time off needs {} days' notice", team.time_off_notice_days)
    notice += (
        md(" (the first date accepted today is {}).", fmt_day(earliest)) if earliest else md(".")
    )
    if is_admin:
        notice += md(" As an admin you can record short-notice time off for anyone.")
    blocks: list[Block] = [context(notice)]
    if is_admin:
        options = [option(m.name, m.id) for m in members]
        mine = next((o for o in options if o.value == member.id), None)
        blocks.append(_select(ids.MEMBER, "Who", options, initial=mine))
    blocks += [
        _date(ids.START, "First day off"),
        _date(ids.END, "Last day off"),
        _free_text(ids.NOTE, "Note"),
    ]
    return _modal(ids.TIMEOFF_MODAL, "Time off", blocks, submit="Record")


# --- swap request messages ---------------------------------------------------------


def _weeks_back(team: Team, request: SwapRequest) -> Mrkdwn:
    """The weeks a swap back returns: `the week of … and the week of …`."""
    first, *rest = _undo_weeks(request)
    weeks = md("{}", _week_of(team, first))
    for k in rest:
        weeks += md(" and {}", _week_of(team, k))
    return weeks


def _undo_weeks(request: SwapRequest) -> list[int]:
    return sorted(k for k in (request.requester_week, request.counterpart_week) if k is not None)


def swap_summary(team: Team, request: SwapRequest) -> Mrkdwn:
    """`John's week of … ⇄ Jill's week of …`, or `Jill covers John's week of …`; a swap
    back: `Swap back of request #3: the week of … and the week of …`; a take-over its own."""
    if request.is_takeover:
        return takeover.takeover_summary(team, request)
    if request.undoes is not None:
        return md("Swap back of request #{}: {}", request.undoes, _weeks_back(team, request))
    requester = _person(team, request.requester)
    mine = md("{}'s week of {}", requester, _day_of(team, request.requester_week))
    if request.counterpart_week is None:
        return md("{} covers {}", _person(team, request.counterpart), mine)
    return md(
        "{} ⇄ {}'s week of {}",
        mine,
        _person(team, request.counterpart),
        _day_of(team, request.counterpart_week),
    )


def swap_request_text(team: Team, request: SwapRequest) -> Mrkdwn:
    """The notification fallback of the request DM."""
    if request.is_takeover:
        return takeover.takeover_request_text(team, request)
    if request.undoes is not None:
        return md(
            "{} asks you to swap request #{} back: {}",
            _person(team, request.requester),
            request.undoes,
            _weeks_back(team, request),
        )
    return md(
        "{} asks you to swap: {}", _person(team, request.requester), swap_summary(team, request)
    )


def swap_request_dm(
    team: Team, request: SwapRequest, requester: Member, counterpart: Member
) -> list[Block]:
    """The counterpart's DM: who asks, which weeks, why, and Accept / Decline."""
    if request.is_takeover:
        return takeover.takeover_request_dm(team, request)
    who = bold(requester.name)
    theirs = f"{_week_of(team, request.requester_week)} ({week_span(team, request.requester_week)})"
    if request.undoes is not None:
        spans = " and ".join(
            f"{_week_of(team, k)} ({week_span(team, k)})" for k in _undo_weeks(request)
        )
        ask = md(
            "{} asks you to swap request #{} back: each week goes back to whoever had it "
            "before, {}.",
            who,
            request.undoes,
            spans,
        )
    elif request.counterpart_week is None:
        ask = md("{} asks you to cover their on-call week: {}. Nothing is given back.", who, theirs)
    else:
        k = request.counterpart_week
        yours = f"{_week_of(team, k)} ({week_span(team, k)})"
        ask = md(
            "{} asks you to swap on-call weeks: you take theirs, {}; they take yours, {}.",
            who,
            theirs,
            yours,
        )
    expires = md("when the week starts.") if request.is_cover else md("when the first week starts.")
    return [
        section(md("{}, {}", counterpart.name, ask)),
        *reason_blocks(request),
        context(
            md(
                "Request #{} · expires {}, {}",
                request.id,
                deadline(team, request.expires_at),
                expires,
            )
        ),
        ActionsBlock(block_id=f"{ids.SWAP_REQUEST_PREFIX}{request.id}", elements=answers(request)),
    ]


def answers(request: SwapRequest) -> list[ButtonElement]:
    """The counterpart's Accept / Decline, wherever a request is shown to them: a
    take-over's own (the swap accept refuses a take-over)."""
    if request.is_takeover:
        return takeover.takeover_buttons(request)
    value = str(request.id)
    return [
        button("Accept", ids.SWAP_ACCEPT, value, "primary"),
        button("Decline", ids.SWAP_DECLINE, value),
    ]


def swap_status_label(team: Team, request: SwapRequest, actor: Member | None) -> Mrkdwn:
    by = md(" by {}", actor.name) if actor else md("")
    cancelled_by = (
        md("{} (an admin)", actor.name)
        if actor is not None and actor.id != request.requester
        else md("requester")
    )
    return {
        SwapStatus.ACCEPTED: md(":white_check_mark: Accepted{}", by),
        SwapStatus.DECLINED: md(":no_entry_sign: Declined{}", by),
        SwapStatus.CANCELLED: md(":heavy_multiplication_x: Cancelled by {}", cancelled_by),
        SwapStatus.EXPIRED: md(":hourglass: Expired: the week started before anyone answered"),
        SwapStatus.PENDING: md(":hourglass_flowing_sand: Waiting for an answer"),
    }[request.status]


def swap_decided_blocks(team: Team, request: SwapRequest, actor: Member | None) -> list[Block]:
    """The request DM once decided: the same facts, the outcome, and no buttons."""
    if request.is_takeover:
        return takeover.takeover_decided_blocks(team, request, actor)
    return [
        section(md("Swap request #{}: {}.", request.id, swap_summary(team, request))),
        *reason_blocks(request),
        context(swap_status_label(team, request, actor)),
    ]


def swap_decided_text(team: Team, request: SwapRequest, actor: Member | None) -> Mrkdwn:
    if request.is_takeover:
        return takeover.takeover_decided_text(team, request, actor)
    return md(
        "Swap request #{} ({}): {}",
        request.id,
        swap_summary(team, request),
        swap_status_label(team, request, actor),
    )


def swap_closed_text(team: Team, request: SwapRequest, reason: str) -> Mrkdwn:
    """A pending request the bot closed itself (e.g. a party left the team), for both
    parties and for the request DM."""
    return md(
        ":heavy_multiplication_x: {} #{} ({}) was closed: {}.",
        "Take-over request" if request.is_takeover else "Swap request",
        request.id,
        swap_summary(team, request),
        reason,
    )


def swap_requested_blocks(team: Team, request: SwapRequest) -> list[Block]:
    """The requester's private confirmation, with a Cancel button."""
    if request.is_takeover:
        return takeover.takeover_requested_blocks(team, request)
    return [
        section(
            md(
                ":incoming_envelope: Request #{} sent to {}: {}. Nothing changes until they "
                "accept; it expires {}.",
                request.id,
                bold(plain_name(team, request.counterpart)),
                swap_summary(team, request),
                deadline(team, request.expires_at),
            )
        ),
        ActionsBlock(
            block_id=f"{ids.SWAP_REQUESTED_PREFIX}{request.id}",
            elements=[button("Cancel request", ids.SWAP_CANCEL, str(request.id))],
        ),
    ]


def swap_requested_text(team: Team, request: SwapRequest) -> Mrkdwn:
    if request.is_takeover:
        return takeover.takeover_requested_text(team, request)
    return md("Request #{} sent to {}.", request.id, _person(team, request.counterpart))


def swap_outcome_text(
    team: Team, request: SwapRequest, reader: str, actor: Member | None = None
) -> Mrkdwn:
    """What a decision means for `reader` (a member id), for a DM; `actor` is who
    decided, when it may not be a party (an admin cancelling)."""
    if request.is_takeover:
        return takeover.takeover_outcome_text(team, request, reader, actor.id if actor else None)
    requester, counterpart = _person(team, request.requester), _person(team, request.counterpart)
    summary = swap_summary(team, request)
    if request.status is SwapStatus.ACCEPTED and request.recorded_by is not None:
        other_id = request.counterpart if reader == request.requester else request.requester
        other, admin = _person(team, other_id), _person(team, request.recorded_by)
        if reader == request.recorded_by:  # the admin is a party
            done = md("You recorded a swap with {}", other)
        elif other_id == request.recorded_by:
            done = md("{} recorded a swap with you", admin)
        else:
            done = md("{} recorded a swap between you and {}", admin, other)
        return md(":white_check_mark: {}: {}. It is in the schedule now.", done, summary)
    if request.status is SwapStatus.ACCEPTED:
        if reader == request.counterpart:
            return md(":white_check_mark: Done: you accepted {}'s request. {}.", requester, summary)
        return md(":white_check_mark: {} accepted your request. {}.", counterpart, summary)
    if request.status is SwapStatus.DECLINED:
        return md(":no_entry_sign: {} declined your request ({}).", counterpart, summary)
    if request.status is SwapStatus.CANCELLED:
        if actor is not None and actor.id != request.requester:
            return md(
                ":heavy_multiplication_x: {}, an admin, cancelled request #{} ({}). "
                "Nothing changed.",
                actor.name,
                request.id,
                summary,
            )
        if reader == request.requester:
            return md(
                ":heavy_multiplication_x: You cancelled request #{} ({}).", request.id, summary
            )
        return md(":heavy_multiplication_x: {} cancelled their request ({}).", requester, summary)
    if request.status is SwapStatus.EXPIRED:
        return md(
            ":hourglass: Your request #{} to {} ({}) expired {}: the week started before they "
            "answered. Nothing changed.",
            request.id,
            counterpart,
            summary,
            deadline(team, request.expires_at),
        )
    return md("Request #{} ({}): {}.", request.id, summary, request.status.value)


def can_swap_back(request: SwapRequest) -> bool:
    """Whether an accepted request's notice offers "Swap back" (the click is checked
    again by the rules): not a swap back itself, nor a take-over."""
    return (
        request.status is SwapStatus.ACCEPTED and request.undoes is None and not request.is_takeover
    )


def swap_outcome_blocks(
    team: Team, request: SwapRequest, reader: str, actor: Member | None = None
) -> list[Block]:
    """The DM telling `reader` a decision; an accepted swap or cover has "Swap back",
    for either party to ask the other to undo it while both weeks are still ahead."""
    blocks: list[Block] = [section(swap_outcome_text(team, request, reader, actor))]
    if can_swap_back(request):
        blocks += [
            context(
                md(
                    "Changed your mind? Either of you can ask to swap back until the first of "
                    "these weeks starts; the other accepts or declines."
                )
            ),
            ActionsBlock(
                block_id=f"{ids.SWAP_OUTCOME_PREFIX}{request.id}",
                elements=[button("Swap back", ids.SWAP_BACK, str(request.id))],
            ),
        ]
    return blocks


def swap_channel_line(team: Team, request: SwapRequest) -> Mrkdwn:
    """One line for the on-call channel once a swap is accepted (or recorded)."""
    requester = _person(team, request.requester)
    counterpart = _person(team, request.counterpart)
    by = (
        md(" (recorded by {})", _person(team, request.recorded_by))
        if request.recorded_by
        else md("")
    )
    if request.undoes is not None:
        return md(
            ":leftwards_arrow_with_hook: Swapped back: {} and {} undid request #{}; {} are "
            "back with whoever had them before.",
            requester,
            counterpart,
            request.undoes,
            _weeks_back(team, request),
        )
    mine = fmt_day(week(team, request.requester_week).first_day)
    if request.counterpart_week is None:
        return md(
            ":repeat: Cover: {} is on call the week of {} instead of {}{}.",
            counterpart,
            mine,
            requester,
            by,
        )
    theirs = fmt_day(week(team, request.counterpart_week).first_day)
    return md(
        ":repeat: Swap: {} is on call the week of {} and {} the week of {}{}.",
        counterpart,
        mine,
        requester,
        theirs,
        by,
    )


def swap_recorded_blocks(team: Team, request: SwapRequest) -> list[Block]:
    """The admin's private confirmation of a swap they recorded."""
    return [
        section(
            md(
                ":white_check_mark: Recorded request #{}: {}. It is in the schedule now; {} and "
                "{} were told.",
                request.id,
                swap_summary(team, request),
                _person(team, request.requester),
                _person(team, request.counterpart),
            )
        )
    ]


def swap_recorded_text(team: Team, request: SwapRequest) -> Mrkdwn:
    return md("Recorded request #{}: {}.", request.id, swap_summary(team, request))


# --- /oncall requests: pending requests, with the buttons the viewer may use -------------

MAX_LISTED = 20  # two blocks each, within a message's 50


def requests_list_blocks(
    team: Team, viewer: Member, requests: Sequence[SwapRequest], is_admin: bool
) -> list[Block]:
    """Pending requests as `viewer` may act on them: Accept / Decline on those addressed
    to them, Cancel on their own and (an admin) on anyone's."""
    title = "Pending requests" + ("" if is_admin else ": yours")
    if not requests:
        return [header(title), section(md("No pending requests."))]
    blocks: list[Block] = [header(title)]
    if is_admin:
        blocks.append(context(md("As an admin you can cancel anyone's pending request.")))
    for r in requests[:MAX_LISTED]:
        line = md(
            "*#{}* {} asks {}: {}\nExpires {}",
            r.id,
            _person(team, r.requester),
            _person(team, r.counterpart),
            swap_summary(team, r),
            deadline(team, r.expires_at),
        )
        if r.reason:
            line += md("\n_“{}”_", clip(r.reason, 300))
        buttons = answers(r) if r.counterpart == viewer.id else []
        if r.requester == viewer.id or is_admin:
            buttons.append(button("Cancel request", ids.SWAP_CANCEL, str(r.id)))
        blocks.append(section(line))
        if buttons:
            blocks.append(
                ActionsBlock(block_id=f"{ids.REQUESTS_LIST_PREFIX}{r.id}", elements=buttons)
            )
    if len(requests) > MAX_LISTED:
        blocks.append(
            context(
                md("_… and {} more, listed once these are decided._", len(requests) - MAX_LISTED)
            )
        )
    return cap(blocks, MAX_BLOCKS, code("/oncall requests"))


def requests_list_text(requests: Sequence[SwapRequest]) -> Mrkdwn:
    return md("{} pending swap request(s).", len(requests))


# --- time off ---------------------------------------------------------------------


def timeoff_confirmation(
    team: Team, result: TimeOffResult, member: Member, actor: Member
) -> list[Block]:
    """The private confirmation of recorded time off, and the weeks that need cover."""
    t = result.time_off
    whose = md("your") if actor.id == member.id else md("{}'s", member.name)
    text = md(
        ":palm_tree: Time off recorded for {}: {} → {}",
        bold(member.name),
        fmt_day(t.start),
        fmt_day(t.end),
    )
    if result.merged_with:
        text += md(" (merged with {} range(s) already recorded)", len(result.merged_with))
    blocks: list[Block] = [section(text + md("."))]
    if t.note:
        blocks.append(section(md("*Note:* {}", t.note[:MAX_TEXT])))
    if actor.id != member.id:
        blocks.append(context(md("Recorded by {}.", actor.name)))
    if result.weeks_needing_cover:
        weeks = " and ".join(_day_of(team, k) for k in result.weeks_needing_cover)
        hint = (
            md(" {} gets a list of colleagues who could swap.", member.name)
            if result.candidates
            else md("")
        )
        warning = md(
            ":warning: This overlaps {} on-call week of {}; it needs cover.{}", whose, weeks, hint
        )
        blocks.append(section(warning))
    return blocks


def timeoff_confirmation_text(result: TimeOffResult, member: Member) -> Mrkdwn:
    t = result.time_off
    return md("Time off recorded for {}: {} → {}.", member.name, fmt_day(t.start), fmt_day(t.end))


def candidate_value(week_index: int, to: str, back: int | None) -> str:
    return json.dumps({"week": week_index, "to": to, "back": back}, separators=(",", ":"))


def swap_candidates_blocks(
    team: Team, member: Member, week_index: int, candidates: Sequence[tuple[str, int | None]]
) -> list[Block]:
    """Who could take `member`'s week, each with a button that sends them a request."""
    intro = md(
        "{}, you are on call {} ({}) and away then.",
        member.name,
        _week_of(team, week_index),
        week_span(team, week_index),
    )
    if not candidates:
        return [section(md("{} Nobody is free that week; ask an admin.", intro))]
    blocks: list[Block] = [
        section(md("{} Who could take it? A click sends them a request:", intro))
    ]
    for other, back in candidates[:40]:  # 40 sections and the intro: within 50 blocks
        who = bold(plain_name(team, other))
        deal = (
            md("{} takes it; you take theirs, {}.", who, _week_of(team, back))
            if back is not None
            else md("{} covers it (no later week of theirs fits).", who)
        )
        blocks.append(
            section(
                deal,
                block_id=clip(f"{ids.CANDIDATE_PREFIX}{week_index}_{other}", 255),
                accessory=button(
                    f"Ask {plain_name(team, other)}",
                    ids.SWAP_CANDIDATE,
                    candidate_value(week_index, other, back),
                ),
            )
        )
    if len(candidates) > 40:
        blocks.append(context(md("_… and {} more: use the swap form._", len(candidates) - 40)))
    return blocks


def swap_candidates_text(team: Team, week_index: int) -> Mrkdwn:
    return md("You are on call {} and away: here is who could swap.", _week_of(team, week_index))


def requests_list(
    team: Team, member: Member, listed: Sequence[SwapRequest], is_admin: bool
) -> tuple[Mrkdwn, list[Block]]:
    """`/oncall requests` as (text, blocks): what `OnCallService.requests_to_act_on` gave."""
    return requests_list_text(listed), requests_list_blocks(team, member, listed, is_admin)
