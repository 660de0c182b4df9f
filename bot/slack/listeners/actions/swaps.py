"""Swap buttons: accept, decline, cancel (the requester or an admin), swap back, open the
modal, ask a suggested colleague.

Who may do what comes from the payload's user (mapped to a member), never from a
button's value; the service enforces the rest. A Refusal is told only to the
clicker, and nothing changes.
"""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import Member, SwapRequest, SwapStatus
from bot.slack import ids
from bot.slack.blocks import requests as blocks
from bot.slack.common import check_week, small_int
from bot.slack.errors import FAILED
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.guard import guarded
from bot.slack.listeners.views.swap_modal import open_swap_modal


def _swap_id(i: Interaction) -> int:
    swap_id = small_int(i.value)
    if swap_id is None:
        raise Refusal("That button does not name a swap request.")
    return swap_id


# --- decisions ------------------------------------------------------------------------


def accept(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.SWAP_ACCEPT, lambda m: _accept(i, m))


def decline(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.SWAP_DECLINE, lambda m: decide(i, m, _swap_id(i), SwapStatus.DECLINED))


def cancel(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(i, ids.SWAP_CANCEL, lambda m: decide(i, m, _swap_id(i), SwapStatus.CANCELLED))


def swap_back(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    """ "Swap back" on an accept notice: ask the other party to undo that swap."""
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    guarded(
        i,
        ids.SWAP_BACK,
        lambda m: _tell_requested(i, i.service.request_swap_back(m.id, _swap_id(i))),
    )


def _tell_requested(i: Interaction, request: SwapRequest) -> None:
    """Later: DM the counterpart the new request; confirm it to the clicker, with Cancel."""

    def tell() -> None:
        i.notifier.swap_requested(request)
        i.tell(
            blocks.swap_requested_text(i.team, request),
            blocks.swap_requested_blocks(i.team, request),
        )

    i.later(f"tell request #{request.id}", tell)


def _accept(i: Interaction, member: Member) -> None:
    swap_id = _swap_id(i)
    try:
        outcome = i.service.accept_swap(member.id, swap_id)
    except Refusal:
        show_if_expired(i, swap_id)
        raise
    _tell_decided(i, outcome.request, member)


def decide(i: Interaction, member: Member, swap_id: int, decision: SwapStatus) -> None:
    """Decline or cancel request `swap_id`, a swap or a take-over (the same rules)."""
    outcome = i.service.decide_swap(member.id, swap_id, decision)
    _tell_decided(i, outcome.request, member)


def _tell_decided(i: Interaction, request: SwapRequest, actor: Member) -> None:
    """Later, on the follow-up threads: everyone concerned is told (the notifier); then
    the clicked message shows the decision, if it is a private copy other than the
    request DM. A cancel clicked where nothing shows it (the App Home) is told."""

    def tell() -> None:
        request_dm = i.notifier.swap_decided(request, actor)
        shown = settle_clicked(i, request, actor, request_dm)
        if not shown and request.status is SwapStatus.CANCELLED:
            i.tell(blocks.swap_outcome_text(i.team, request, actor.id, actor))

    i.later(f"tell the decision on #{request.id}", tell)


def settle_clicked(
    i: Interaction, request: SwapRequest, actor: Member, request_dm: tuple[str, str] | None
) -> bool:
    """Show a decided request (a swap or a take-over) on the private message clicked (a
    reminder DM, the requester's confirmation), unless it is the request DM (`request_dm`,
    just updated)."""
    clicked = i.clicked_message
    if not i.on_private_message or clicked == request_dm:
        return False
    if i.block_id.startswith(ids.REQUESTS_LIST_PREFIX):  # the list, shown again as it is now
        i.replace(
            *blocks.requests_list(i.service.team, actor, *i.service.requests_to_act_on(actor.id))
        )
        return False
    return i.replace(
        blocks.swap_decided_text(i.team, request, actor),
        blocks.swap_decided_blocks(i.team, request, actor),
    )


def show_if_expired(i: Interaction, swap_id: int) -> None:
    """An accept marks a request past its deadline expired: its DM should say so."""
    request = i.service.swap(swap_id)
    if request is not None and request.status is SwapStatus.EXPIRED:
        i.later(f"show #{swap_id} as expired", lambda: i.notifier.request_dm_decided(request, None))


# --- starting a request ------------------------------------------------------------------


def open_swap(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)

    def work(member: Member) -> None:
        week = small_int(i.value)
        i.later(
            "open the swap form",
            lambda: open_swap_modal(i.client, i.service, member, i.trigger_id, week),
            on_failure=FAILED,
        )

    guarded(i, ids.SWAP_OPEN, work)


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
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)

    def work(member: Member) -> None:
        k, to, back = parse_candidate(i.value)
        check_week(i.service, k)
        if back is not None:
            check_week(i.service, back)
        _tell_requested(i, i.service.request_swap(member.id, to, k, back, cover=back is None))

    guarded(i, ids.SWAP_CANDIDATE, work)
