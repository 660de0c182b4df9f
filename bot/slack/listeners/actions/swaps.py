"""Swap buttons: accept, decline, cancel, open the modal, ask a suggested colleague.

Who may do what comes from the payload's user (mapped to a member), never from a
button's value; the service enforces the rest. A Refusal is told only to the
clicker, and nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import Member, SwapRequest, SwapStatus
from bot.slack import swap_messages
from bot.slack.blocks import requests as blocks
from bot.slack.common import check_week, small_int
from bot.slack.listeners.views.swap_modal import open_swap_modal
from bot.slack.swap_messages import Interaction

SWAP_OPEN = "swap_open"


def register(app: App) -> None:
    app.action(blocks.SWAP_ACCEPT)(accept)
    app.action(blocks.SWAP_DECLINE)(decline)
    app.action(blocks.SWAP_CANCEL)(cancel)
    app.action(SWAP_OPEN)(open_modal)
    app.action(blocks.SWAP_CANDIDATE)(candidate)


def guarded(i: Interaction, what: str, work: Callable[[Member], None]) -> None:
    """Run `work` for a team member; never let an exception escape the listener."""
    member = i.member
    if member is None:
        i.tell(swap_messages.NOT_A_MEMBER)
        return
    try:
        work(member)
    except Refusal as e:
        i.tell(f":warning: {e.message}")
    except Exception:
        i.logger.exception("%s failed", what)
        i.tell(swap_messages.FAILED)


def _swap_id(i: Interaction) -> int:
    swap_id = small_int(i.value)
    if swap_id is None:
        raise Refusal("That button does not name a swap request.")
    return swap_id


# --- decisions ------------------------------------------------------------------------


def accept(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    guarded(i, "swap_accept", lambda m: _accept(i, m))


def _accept(i: Interaction, member: Member) -> None:
    swap_id = _swap_id(i)
    try:
        outcome = i.service.accept_swap(member.id, swap_id)
    except Refusal:
        _show_if_expired(i, swap_id)
        raise
    request_dm = swap_messages.announce_decision(
        i.client, i.service, i.homes, i.logger, outcome.request, member
    )
    settle_clicked(i, outcome.request, member, request_dm)


def settle_clicked(
    i: Interaction, request: SwapRequest, actor: Member, request_dm: tuple[str, str] | None
) -> bool:
    """Show a decided request on the private message clicked (a reminder DM, the
    requester's confirmation), unless it is the request DM (`request_dm`, just updated)."""
    clicked = i.clicked_message
    if not i.on_private_message or clicked == request_dm:
        return False
    return i.replace(
        blocks.swap_decided_text(i.team, request, actor),
        blocks.swap_decided_blocks(i.team, request, actor),
    )


def _show_if_expired(i: Interaction, swap_id: int) -> None:
    """accept_swap marks a request past its start as expired: its DM should say so."""
    request = i.service.swap(swap_id)
    if request is not None and request.status is SwapStatus.EXPIRED:
        swap_messages.refresh_request_dm(i.client, i.service, i.logger, request, None)


def decline(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)

    def work(member: Member) -> None:
        outcome = i.service.decide_swap(member.id, _swap_id(i), SwapStatus.DECLINED)
        request_dm = swap_messages.announce_decision(
            i.client, i.service, i.homes, i.logger, outcome.request, member
        )
        settle_clicked(i, outcome.request, member, request_dm)

    guarded(i, "swap_decline", work)


def cancel(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)

    def work(member: Member) -> None:
        outcome = i.service.decide_swap(member.id, _swap_id(i), SwapStatus.CANCELLED)
        request = outcome.request
        request_dm = swap_messages.announce_decision(
            i.client, i.service, i.homes, i.logger, request, member
        )
        if not settle_clicked(i, request, member, request_dm):  # e.g. clicked on the App Home
            i.tell(blocks.swap_outcome_text(i.team, request, member.id))

    guarded(i, "swap_cancel", work)


# --- starting a request ------------------------------------------------------------------


def open_modal(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    guarded(
        i,
        SWAP_OPEN,
        lambda m: open_swap_modal(i.client, i.service, m, i.trigger_id, small_int(i.value)),
    )


def parse_candidate(value: str) -> tuple[int, str, int | None]:
    """`{"week": k, "to": member_id, "back": k2 | null}` -> (k, member_id, k2)."""
    try:
        data = json.loads(value)
        k, to, back = data["week"], data["to"], data.get("back")
    except (ValueError, TypeError, KeyError):
        raise Refusal("That button is out of date; ask with `/oncall swap` instead.") from None
    if not _week_index(k) or not isinstance(to, str) or not (back is None or _week_index(back)):
        raise Refusal("That button is out of date; ask with `/oncall swap` instead.")
    return k, to, back


def _week_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def candidate(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)

    def work(member: Member) -> None:
        k, to, back = parse_candidate(i.value)
        check_week(i.service, k)
        if back is not None:
            check_week(i.service, back)
        request = swap_messages.send_request(
            i.client, i.service, i.homes, i.logger, member, to, k, back, cover=back is None
        )
        i.tell(
            blocks.swap_requested_text(i.team, request),
            blocks.swap_requested_blocks(i.team, request),
        )

    guarded(i, blocks.SWAP_CANDIDATE, work)
