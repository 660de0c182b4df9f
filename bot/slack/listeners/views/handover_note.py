"""The handover-note modal: posted as a thread reply under that week's announcement."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from bot.service import OnCallService
from bot.slack.blocks.handover import NOTE_BLOCK, NOTE_INPUT
from bot.slack.common import (
    field,
    member_of,
    service_from,
    small_int,
    text_field,
    user_id_of,
)
from bot.slack.errors import FAILED
from bot.slack.handover_notes import announcement_thread, may_add_note
from bot.slack.notifier import notifier_from


def submit_note(ack: Any, body: dict[str, Any], context: Any, logger: Logger) -> None:
    service = service_from(context)
    try:
        checked = _check_note(service, body)
    except Exception:
        logger.exception("handover note submission failed")
        checked = FAILED
    if isinstance(checked, str):
        ack(response_action="errors", errors={NOTE_BLOCK: checked})
        return
    ack()
    member, note, thread = checked
    notifier = notifier_from(context)
    notifier.later(
        "post a handover note", lambda: notifier.handover_note(thread, member, note), logger=logger
    )


def _check_note(service: OnCallService, body: dict[str, Any]) -> tuple[Any, str, Any] | str:
    """(member, note, thread) when the note may be posted; else the inline error."""
    member = member_of(service.team, user_id_of(body))
    try:
        meta = json.loads(text_field(body, "view", "private_metadata") or "{}")
    except ValueError:
        meta = None
    index = small_int(field(meta, "week"))
    raw = field(body, "view", "state", "values", NOTE_BLOCK, NOTE_INPUT, "value")
    if index is None or not isinstance(raw, str | None):
        return "This form is broken; open it again."
    note = (raw or "").strip()
    refusal = may_add_note(service, member, index)
    if refusal:
        return refusal
    if not note:
        return "Write a note first."
    thread = announcement_thread(service, index)
    if thread is None:
        return "That week's handover was not announced here, so there is no thread to add to."
    return member, note, thread
