"""The take-over modal: opening it, and its submission (validated before the ack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.model import MAX_TEXT, Member
from bot.service import OnCallService
from bot.service.results import TakeoverOutcome
from bot.slack import ids
from bot.slack.blocks import takeover as blocks
from bot.slack.common import mapping, member_of, service_from, text_field, user_id_of
from bot.slack.dm import dm
from bot.slack.errors import FAILED, NOT_A_MEMBER
from bot.slack.notifier import Notifier, notifier_from


def open_takeover_modal(
    client: WebClient, service: OnCallService, member: Member, trigger_id: str
) -> None:
    team = service.team
    view = blocks.takeover_modal(
        team, member, service.who(), team.members, team.is_admin(member.id)
    )
    client.views_open(trigger_id=trigger_id, view=view)


def tell_takeover(
    notifier: Notifier, outcome: TakeoverOutcome, actor: Member
) -> tuple[str, str] | None:
    """Tell whom a take-over concerns: the colleague's request DM, or, in effect, the user
    group, the channel and both people (then returns where the request DM is, if any).
    Runs on a follow-up thread."""
    if outcome.override is None:
        notifier.swap_requested(outcome.request)
        return None
    return notifier.takeover_in_effect(outcome, actor)


@dataclass(frozen=True)
class TakeoverForm:
    colleague: str
    until: date | None
    record: bool  # an admin records it for the engineer on call
    reason: str


def _value(values: dict[str, Any], block_id: str, *path: str) -> str:
    return text_field(values, block_id, block_id, *path)


def parse_takeover_form(values: dict[str, Any]) -> TakeoverForm | dict[str, str]:
    """The form's values, or inline errors keyed by block_id."""
    colleague = _value(values, ids.TAKEOVER_COLLEAGUE, "selected_option", "value")
    picked = _value(values, ids.TAKEOVER_UNTIL, "selected_date")
    mode = _value(values, ids.TAKEOVER_MODE, "selected_option", "value") or ids.TAKEOVER_ASK
    errors: dict[str, str] = {}
    if not colleague:
        errors[ids.TAKEOVER_COLLEAGUE] = "Choose a colleague."
    until: date | None = None
    if picked:
        try:
            until = date.fromisoformat(picked)
        except ValueError:
            errors[ids.TAKEOVER_UNTIL] = "That is not a date."
    if mode not in (ids.TAKEOVER_ASK, ids.TAKEOVER_RECORD):
        errors[ids.TAKEOVER_MODE] = "Choose how."
    if errors:
        return errors
    reason = _value(values, ids.REASON, "value")[:MAX_TEXT]
    return TakeoverForm(colleague, until, mode == ids.TAKEOVER_RECORD, reason)


def submit_takeover_modal(ack: Any, body: dict[str, Any], context: Any, logger: Logger) -> None:
    service = service_from(context)
    try:
        stored = _store(ack, service, body)
    except Exception:
        logger.exception("take-over modal submission failed")
        ack(response_action="errors", errors={ids.TAKEOVER_COLLEAGUE: FAILED})
        return
    if stored is None:
        return  # answered with inline errors
    outcome, actor = stored
    ack()  # the modal closes; the rest is notification, on the follow-up threads
    notifier = notifier_from(context)
    team = service.team

    def tell() -> None:
        tell_takeover(notifier, outcome, actor)
        request = outcome.request
        if outcome.override is None:  # the requester's confirmation, with Cancel
            notifier.swap_request_confirmed(actor, request)
        elif actor.id not in (request.requester, request.counterpart):  # an admin recorded it
            line = blocks.takeover_channel_line(team, request, outcome.override)
            notifier.later("confirm a take-over", lambda: dm(notifier.client, actor.slack_id, line))

    notifier.later(f"tell take-over #{outcome.request.id}", tell, logger=logger)


def _store(
    ack: Any, service: OnCallService, body: dict[str, Any]
) -> tuple[TakeoverOutcome, Member] | None:
    """Validate and store; on a problem, ack with inline errors and return None."""
    actor = member_of(service.team, user_id_of(body))
    if actor is None:
        ack(response_action="errors", errors={ids.TAKEOVER_COLLEAGUE: NOT_A_MEMBER})
        return None
    form = parse_takeover_form(mapping(body, "view", "state", "values"))
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return None
    try:
        ask = service.record_takeover_now if form.record else service.request_takeover
        outcome = ask(actor.id, form.colleague, form.until, reason=form.reason)
    except Refusal as e:
        field = e.field if e.field in (ids.TAKEOVER_COLLEAGUE, ids.TAKEOVER_UNTIL) else None
        ack(response_action="errors", errors={field or ids.TAKEOVER_COLLEAGUE: e.message})
        return None
    return outcome, actor
