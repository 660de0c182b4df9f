"""The swap modal: opening it, and its submission (validated before the ack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import Member, SwapRequest
from bot.service import OnCallService
from bot.slack.blocks import requests as blocks
from bot.slack.common import (
    check_day,
    check_week,
    mapping,
    member_of,
    service_from,
    small_int,
    text_field,
    user_id_of,
)
from bot.slack.errors import FAILED, NOT_A_MEMBER
from bot.slack.notifier import notifier_from

UPCOMING = 8  # how many of my weeks the modal offers


def open_swap_modal(
    client: WebClient,
    service: OnCallService,
    member: Member,
    trigger_id: str,
    preselected_week: int | None = None,
) -> None:
    now = service.now()
    # A week that has started can no longer change hands.
    mine = [w for w in service.weeks_of(member.id, count=UPCOMING + 1) if w.week.start > now]
    colleagues = [m for m in service.team.members if m.id != member.id]
    view = blocks.swap_modal(service.team, member, mine[:UPCOMING], colleagues, preselected_week)
    client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class SwapForm:
    my_week: int
    counterpart: str
    their_week: int | None
    cover: bool
    reason: str
    dated: bool  # their week came from the date picker


def _selected(values: dict[str, Any], block_id: str) -> str:
    return text_field(values, block_id, block_id, "selected_option", "value")


def parse_swap_form(service: OnCallService, values: dict[str, Any]) -> SwapForm | dict[str, str]:
    """The form's values, or inline errors keyed by block_id."""
    errors: dict[str, str] = {}
    my_week = small_int(_selected(values, blocks.MY_WEEK))
    counterpart = _selected(values, blocks.COUNTERPART)
    choice = _selected(values, blocks.THEIR_WEEK) or blocks.THEIR_NEXT
    picked = text_field(values, blocks.THEIR_DATE, blocks.THEIR_DATE, "selected_date")
    if my_week is None:
        errors[blocks.MY_WEEK] = "Choose one of your weeks."
    else:
        try:
            check_week(service, my_week)
        except Refusal as e:
            errors[blocks.MY_WEEK] = e.message
    if not counterpart:
        errors[blocks.COUNTERPART] = "Choose a colleague."
    if choice not in (blocks.THEIR_NEXT, blocks.COVER_ONLY):
        errors[blocks.THEIR_WEEK] = "Choose what you get back."
    their_week: int | None = None
    if picked:
        try:
            day = check_day(service, date.fromisoformat(picked))
            their_week = check_week(service, service.week_for_date(day))
        except ValueError:
            errors[blocks.THEIR_DATE] = "That is not a date."
        except Refusal as e:
            errors[blocks.THEIR_DATE] = e.message
        if choice == blocks.COVER_ONLY:
            errors[blocks.THEIR_DATE] = "Leave this empty for a cover, or choose their week above."
    if errors or my_week is None:
        return errors
    reason = text_field(values, blocks.REASON, blocks.REASON, "value")
    return SwapForm(
        my_week,
        counterpart,
        their_week,
        choice == blocks.COVER_ONLY,
        reason[: blocks.MAX_TEXT],
        bool(picked),
    )


def _error_block(field: str | None, form: SwapForm) -> str:
    if field == blocks.THEIR_WEEK:
        return blocks.THEIR_DATE if form.dated else blocks.THEIR_WEEK
    if field in (blocks.MY_WEEK, blocks.COUNTERPART):
        return field
    return blocks.MY_WEEK  # a refusal about the request as a whole


def submit_swap_modal(ack: Any, body: dict[str, Any], context: Any, logger: Logger) -> None:
    service = service_from(context)
    try:
        request, actor = _store_request(ack, service, body)
    except Exception:
        logger.exception("swap modal submission failed")
        ack(response_action="errors", errors={blocks.MY_WEEK: FAILED})
        return
    if request is None or actor is None:
        return  # answered with inline errors
    ack()  # the modal closes; the rest is notification, on the follow-up threads
    notifier = notifier_from(context)

    def tell() -> None:
        notifier.swap_requested(request)
        notifier.swap_request_confirmed(actor, request)

    notifier.later(f"tell swap request #{request.id}", tell, logger=logger)


def _store_request(
    ack: Any, service: OnCallService, body: dict[str, Any]
) -> tuple[SwapRequest | None, Member | None]:
    """Validate and store the request; on a problem, ack with inline errors and return Nones."""
    actor = member_of(service.team, user_id_of(body))
    if actor is None:
        ack(response_action="errors", errors={blocks.MY_WEEK: NOT_A_MEMBER})
        return None, None
    form = parse_swap_form(service, mapping(body, "view", "state", "values"))
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return None, None
    try:
        request = service.request_swap(
            actor.id,
            form.counterpart,
            form.my_week,
            form.their_week,
            cover=form.cover,
            reason=form.reason,
        )
    except Refusal as e:
        ack(response_action="errors", errors={_error_block(e.field, form): e.message})
        return None, None
    return request, actor
