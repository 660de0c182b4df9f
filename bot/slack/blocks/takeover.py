"""Pure Block Kit builders for take-overs ("take over now"): the modal, the request DM and
the requester's confirmation, the outcome DMs and the channel line. Data in, blocks out;
every name and typed reason is escaped where it becomes mrkdwn (bot.slack.mrkdwn)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.model import MAX_TEXT, Member, Override, SwapRequest, SwapStatus, Team
from bot.core.oncall import OnCall
from bot.slack import ids
from bot.slack.blocks.kit import button, context, plain, section
from bot.slack.blocks.request_parts import deadline, option, reason_blocks
from bot.slack.common import fmt_instant
from bot.slack.mrkdwn import Mrkdwn, at, bold, md, name

NOBODY = "nobody available"


def until(team: Team, end: datetime) -> str:
    """`Fri 04 Dec 00:00 EST`: when a take-over ends, in the team's zone."""
    return fmt_instant(team, end)


def _range(team: Team, request: SwapRequest) -> str:
    assert request.ends_at is not None
    return until(team, request.ends_at)


# --- the modal ----------------------------------------------------------------------


def takeover_modal(
    team: Team, member: Member, answer: OnCall, colleagues: Sequence[Member], is_admin: bool
) -> View:
    """Who takes over and until which day; an admin may also record it at once."""
    on_call = answer.on_call
    title, submit = plain("Take over now"), plain("Send")
    if not answer.started or answer.week is None or on_call is None:
        why = md("Nobody is on call now, so there is nothing to hand over.")
        return _info_modal(why)
    if on_call != member.id and not is_admin:
        why = md(
            "{} is on call now: only they (or an admin) can hand over the rest of the week.",
            name(team, on_call),
        )
        return _info_modal(why)
    whose = md("your") if on_call == member.id else md("{}'s", name(team, on_call))
    intro = md(
        "A colleague takes over {} on-call from the moment they accept, until this week's "
        "handover ({}) or the end of the day you pick.",
        whose,
        until(team, answer.week.end),
    )
    others = [m for m in colleagues if m.id != on_call]
    blocks: list[Block] = [
        context(intro),
        InputBlock(
            block_id=ids.TAKEOVER_COLLEAGUE,
            label=plain("Who takes over"),
            element=StaticSelectElement(
                action_id=ids.TAKEOVER_COLLEAGUE,
                placeholder=plain("Choose a colleague"),
                options=[option(m.name, m.id) for m in others],
            ),
        ),
        InputBlock(
            block_id=ids.TAKEOVER_UNTIL,
            label=plain("Until the end of"),
            optional=True,
            hint=plain("Leave empty for the rest of the week."),
            element=DatePickerElement(action_id=ids.TAKEOVER_UNTIL),
        ),
    ]
    if is_admin:
        choices = [
            option("Ask them (they accept)", ids.TAKEOVER_ASK),
            option(f"Record it now for {team.name_of(on_call)} (admin)", ids.TAKEOVER_RECORD),
        ]
        initial = choices[1] if on_call != member.id else choices[0]
        blocks.append(
            InputBlock(
                block_id=ids.TAKEOVER_MODE,
                label=plain("How"),
                element=StaticSelectElement(
                    action_id=ids.TAKEOVER_MODE, options=choices, initial_option=initial
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=ids.REASON,
            label=plain("Reason"),
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.REASON, multiline=True, max_length=MAX_TEXT
            ),
        )
    )
    return View(
        type="modal",
        callback_id=ids.TAKEOVER_MODAL,
        title=title,
        submit=submit,
        close=plain("Cancel"),
        blocks=blocks,
    )


def _info_modal(why: Mrkdwn) -> View:
    return View(
        type="modal",
        callback_id=ids.TAKEOVER_MODAL,
        title=plain("Take over now"),
        close=plain("Close"),
        blocks=[section(why)],
    )


# --- the request ----------------------------------------------------------------------


def takeover_request_text(team: Team, request: SwapRequest) -> Mrkdwn:
    return md(
        "{} asks you to take over their on-call from now until {}.",
        name(team, request.requester),
        _range(team, request),
    )


def takeover_request_dm(team: Team, request: SwapRequest) -> list[Block]:
    """The colleague's DM: who asks, until when, by when to answer, Accept / Decline."""
    ask = md(
        ":sos: {} asks you to take over their on-call *from the moment you accept* until "
        "{}. You would be on call at once{}.",
        bold(team.name_of(request.requester)),
        _range(team, request),
        md(" (and in the on-call user group)") if team.usergroup else md(""),
    )
    return [
        section(ask),
        *reason_blocks(request),
        context(
            md(
                "Take-over request #{} · answer by {}; then it expires.",
                request.id,
                deadline(team, request.expires_at),
            )
        ),
        ActionsBlock(
            block_id=f"{ids.TAKEOVER_REQUEST_PREFIX}{request.id}",
            elements=takeover_buttons(request),
        ),
    ]


def takeover_buttons(request: SwapRequest) -> list[ButtonElement]:
    """The colleague's Accept / Decline for a take-over request (wherever it is listed:
    the swap buttons refuse a take-over)."""
    value = str(request.id)
    return [
        button("Accept: take over now", ids.TAKEOVER_ACCEPT, value, "primary"),
        button("Decline", ids.TAKEOVER_DECLINE, value),
    ]


def takeover_requested_text(team: Team, request: SwapRequest) -> Mrkdwn:
    return md("Take-over request #{} sent to {}.", request.id, name(team, request.counterpart))


def takeover_requested_blocks(team: Team, request: SwapRequest) -> list[Block]:
    """The requester's private confirmation, with a Cancel button."""
    return [
        section(
            md(
                ":incoming_envelope: Take-over request #{} sent to {}: from when they accept "
                "until {}. You stay on call until then; it expires {} if they do not answer.",
                request.id,
                bold(team.name_of(request.counterpart)),
                _range(team, request),
                deadline(team, request.expires_at),
            )
        ),
        ActionsBlock(
            block_id=f"{ids.TAKEOVER_REQUESTED_PREFIX}{request.id}",
            elements=[button("Cancel request", ids.TAKEOVER_CANCEL, str(request.id))],
        ),
    ]


def _status(request: SwapRequest, actor: Member | None) -> Mrkdwn:
    by = md(" by {}", actor.name) if actor else md("")
    return {
        SwapStatus.ACCEPTED: md(":white_check_mark: Accepted{}: in effect", by),
        SwapStatus.DECLINED: md(":no_entry_sign: Declined{}", by),
        SwapStatus.CANCELLED: md(":heavy_multiplication_x: Cancelled{}", by),
        SwapStatus.EXPIRED: md(":hourglass: Expired before anyone answered"),
        SwapStatus.PENDING: md(":hourglass_flowing_sand: Waiting for an answer"),
    }[request.status]


def takeover_summary(team: Team, request: SwapRequest) -> Mrkdwn:
    return md(
        "{} takes over from {} until {}",
        name(team, request.counterpart),
        name(team, request.requester),
        _range(team, request),
    )


def takeover_decided_text(team: Team, request: SwapRequest, actor: Member | None) -> Mrkdwn:
    return md(
        "Take-over request #{} ({}): {}",
        request.id,
        takeover_summary(team, request),
        _status(request, actor),
    )


def takeover_decided_blocks(team: Team, request: SwapRequest, actor: Member | None) -> list[Block]:
    """The request DM once decided: the same facts, the outcome, no buttons."""
    return [
        section(md("Take-over request #{}: {}.", request.id, takeover_summary(team, request))),
        *reason_blocks(request),
        context(_status(request, actor)),
    ]


def takeover_outcome_text(
    team: Team, request: SwapRequest, reader: str, actor: str | None = None
) -> Mrkdwn:
    """A decline, cancel or expiry, as `reader` (a member id) is told it; `actor` who did
    it (an admin may cancel someone else's request)."""
    summary = takeover_summary(team, request)
    if request.status is SwapStatus.DECLINED:
        return md(
            ":no_entry_sign: {} declined to take over ({}). You are still on call: ask "
            "someone else with `/oncall cover`.",
            name(team, request.counterpart),
            summary,
        )
    if request.status is SwapStatus.CANCELLED:
        if actor not in (None, request.requester):
            return md(
                ":heavy_multiplication_x: {} cancelled take-over request #{} ({}).",
                name(team, actor),
                request.id,
                summary,
            )
        if reader == request.requester:
            return md(":heavy_multiplication_x: You cancelled take-over request #{}.", request.id)
        return md(
            ":heavy_multiplication_x: {} no longer needs you to take over ({}).",
            name(team, request.requester),
            summary,
        )
    if request.status is SwapStatus.EXPIRED:
        return md(
            ":hourglass: Your take-over request #{} to {} expired before they answered "
            "({}). You are still on call: ask someone else with `/oncall cover`.",
            request.id,
            name(team, request.counterpart),
            summary,
        )
    return md("Take-over request #{} ({}): {}.", request.id, summary, request.status.value)


# --- in effect ------------------------------------------------------------------------


def _recorded(team: Team, request: SwapRequest) -> Mrkdwn:
    if request.recorded_by is None:
        return md("")
    return md(" (recorded by {})", name(team, request.recorded_by))


def takeover_channel_line(team: Team, request: SwapRequest, o: Override) -> Mrkdwn:
    """One line for the on-call channel: `Jill takes over from Davis until Fri 09:00`."""
    return md(
        ":sos: {} takes over from {} until {}{}.",
        name(team, o.member),
        name(team, o.replaces),
        until(team, o.end),
        _recorded(team, request),
    )


def takeover_started_text(
    team: Team, request: SwapRequest, o: Override, backup: str | None, reader: str
) -> Mrkdwn:
    """What the colleague (`reader` == o.member) and the engineer replaced are told."""
    recorded = _recorded(team, request)
    if reader == o.member:
        return md(
            ":rotating_light: You are on call from now until {}, taking over from {}{}. "
            "Backup: {}. See `/oncall now`.",
            until(team, o.end),
            name(team, o.replaces),
            recorded,
            at(team, backup, NOBODY),
        )
    return md(
        ":handshake: {} takes over your on-call from now until {}{}. You are off call until then.",
        name(team, o.member),
        until(team, o.end),
        recorded,
    )


# --- in the read views ------------------------------------------------------------------


def takeover_note(team: Team, o: Override) -> Mrkdwn:
    """`Jill took over from Davis, Wed 02 Dec 10:00 EST → Mon 07 Dec 09:00 EST`."""
    return md(
        "{} took over from {}, {} → {}",
        name(team, o.member),
        name(team, o.replaces),
        until(team, o.start),
        until(team, o.end),
    )


def pending_takeover_line(team: Team, s: SwapRequest, member_id: str) -> Mrkdwn:
    """A pending take-over request as `member_id` sees it in their lists."""
    if s.requester == member_id:
        line = md(
            "You asked {} to take over from you until {}", at(team, s.counterpart), _range(team, s)
        )
    else:
        line = md("{} asks you to take over until {}", at(team, s.requester), _range(team, s))
    return line + md(" (answer by {})", deadline(team, s.expires_at))
