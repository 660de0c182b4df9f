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
from bot.slack.common import small_int
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.guard import guarded
from bot.slack.listeners.actions.swaps import decide, settle_clicked, show_if_expired
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
        show_if_expired(i, request_id)
        raise
    request = outcome.request

    def tell() -> None:
        assert i.notifier is not None  # `later` runs nothing without one
        settle_clicked(i, request, member, tell_takeover(i.notifier, outcome, member))

    i.later(f"tell the take-over #{request.id}", tell)


def _decide(i: Interaction, member: Member, decision: SwapStatus) -> None:
    """Decline and cancel are any request's (the swaps' rules, notices and wording)."""
    decide(i, member, _takeover(i, _request_id(i)).id, decision)
