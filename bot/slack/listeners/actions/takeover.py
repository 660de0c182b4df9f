"""Take-over buttons: accept (the colleague), decline (the colleague), cancel (the engineer).

Who may do what comes from the payload's user, never from the button's value; the
service enforces the rest (decline and cancel are the swap requests' own rules). A
Refusal is told only to the clicker, and nothing changes.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import Member, SwapRequest, SwapStatus
from bot.slack import ids
from bot.slack.blocks import takeover as blocks
from bot.slack.common import small_int
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.swaps import guarded
from bot.slack.listeners.views.takeover_modal import tell_takeover


def _request_id(i: Interaction) -> int:
    request_id = small_int(i.value)
    if request_id is None:
        raise Refusal("That button does not name a take-over request.")
    return request_id


def _takeover(i: Interaction, request_id: int) -> SwapRequest:
    request = i.service.swap(request_id)
    if request is None or not request.is_takeover:
        raise Refusal("That take-over request does not exist.")
    return request


def accept(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.TAKEOVER_ACCEPT, lambda m: _accept(i, m))


def decline(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.TAKEOVER_DECLINE, lambda m: _decide(i, m, SwapStatus.DECLINED))


def cancel(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.TAKEOVER_CANCEL, lambda m: _decide(i, m, SwapStatus.CANCELLED))


def _accept(i: Interaction, member: Member) -> None:
    request_id = _request_id(i)
    try:
        outcome = i.service.accept_takeover(member.id, request_id)
    except Refusal:
        _show_if_expired(i, request_id)
        raise
    request = outcome.request

    def tell() -> None:
        assert i.notifier is not None
        tell_takeover(i.notifier, outcome, member)
        _settle_clicked(i, request, member)

    i.later(f"tell the take-over #{request.id}", tell)


def _decide(i: Interaction, member: Member, decision: SwapStatus) -> None:
    request_id = _takeover(i, _request_id(i)).id
    request = i.service.decide_swap(member.id, request_id, decision).request

    def tell() -> None:
        assert i.notifier is not None
        where = i.notifier.takeover_declined_or_cancelled(request, member)
        shown = i.clicked_message != where and _settle_clicked(i, request, member)
        if not shown and request.status is SwapStatus.CANCELLED:
            i.tell(blocks.takeover_outcome_text(i.team, request, member.id, member.id))

    i.later(f"tell the decision on #{request.id}", tell)


def _settle_clicked(i: Interaction, request: SwapRequest, actor: Member) -> bool:
    """Show the outcome on the private message clicked (the requester's confirmation),
    unless it is the request DM, which the notifier updates."""
    if not i.on_private_message or i.clicked_message == i.service.swap_message(request.id):
        return False
    return i.replace(
        blocks.takeover_decided_text(i.team, request, actor),
        blocks.takeover_decided_blocks(i.team, request, actor),
    )


def _show_if_expired(i: Interaction, request_id: int) -> None:
    """accept_takeover marks an overdue request expired: its DM should say so."""
    request = i.service.swap(request_id)
    if request is not None and request.status is SwapStatus.EXPIRED and i.notifier is not None:
        notifier = i.notifier
        i.later(
            f"show #{request_id} as expired", lambda: notifier.takeover_dm_decided(request, None)
        )
