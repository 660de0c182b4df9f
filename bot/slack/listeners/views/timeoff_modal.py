"""The time off modal: opening it, and its submission (validated before the ack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import Member
from bot.core.timeoff import first_accepted_start
from bot.service import OnCallService, TimeOffResult
from bot.slack.blocks import requests as blocks
from bot.slack.common import (
    check_day,
    mapping,
    member_of,
    service_from,
    text_field,
    user_id_of,
)
from bot.slack.errors import FAILED, NOT_A_MEMBER
from bot.slack.notifier import notifier_from


def open_timeoff_modal(
    client: WebClient, service: OnCallService, member: Member, trigger_id: str
) -> None:
    team = service.team
    view = blocks.timeoff_modal(
        team,
        member,
        team.is_admin(member.id),
        team.members,
        earliest=first_accepted_start(team, service.today()),
    )
    client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class TimeOffForm:
    member: str
    start: date
    end: date
    note: str


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = text_field(values, block_id, block_id, "selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_timeoff_form(values: dict[str, Any], actor: Member) -> TimeOffForm | dict[str, str]:
    """The form's values, or inline errors keyed by block_id."""
    start, end = _date(values, blocks.START), _date(values, blocks.END)
    errors: dict[str, str] = {}
    if start is None:
        errors[blocks.START] = "Pick the first day off."
    if end is None:
        errors[blocks.END] = "Pick the last day off."
    if errors or start is None or end is None:
        return errors
    # Only an admin's modal has the member picker; everyone else files for themselves.
    member = text_field(values, blocks.MEMBER, blocks.MEMBER, "selected_option", "value")
    note = text_field(values, blocks.NOTE, blocks.NOTE, "value")
    return TimeOffForm(member or actor.id, start, end, note[: blocks.MAX_TEXT])


def _error_block(field: str | None, values: dict[str, Any]) -> str:
    """The input a Refusal points at, if the modal has it; else the start date."""
    if field in (blocks.START, blocks.END) or (field == blocks.MEMBER and field in values):
        return field
    return blocks.START


def submit_timeoff_modal(ack: Any, body: dict[str, Any], context: Any, logger: Logger) -> None:
    service = service_from(context)
    try:
        stored = _store_time_off(ack, service, body)
    except Exception:
        logger.exception("time off submission failed")
        ack(response_action="errors", errors={blocks.START: FAILED})
        return
    if stored is not None:
        ack()  # the modal closes; the rest is notification, on the follow-up threads
        notifier = notifier_from(context)
        notifier.later("tell time off", lambda: notifier.time_off_recorded(*stored), logger=logger)


def _store_time_off(
    ack: Any, service: OnCallService, body: dict[str, Any]
) -> tuple[TimeOffResult, Member] | None:
    """Validate and store the time off; on a problem, ack with inline errors and return None."""
    actor = member_of(service.team, user_id_of(body))
    if actor is None:
        ack(response_action="errors", errors={blocks.START: NOT_A_MEMBER})
        return None
    values = mapping(body, "view", "state", "values")
    form = parse_timeoff_form(values, actor)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return None
    try:
        check_day(service, form.start, blocks.START)
        check_day(service, form.end, blocks.END)
        result = service.request_time_off(actor.id, form.member, form.start, form.end, form.note)
    except Refusal as e:
        ack(response_action="errors", errors={_error_block(e.field, values): e.message})
        return None
    return result, actor
