"""Buttons on the handover announcement: list the runbooks, add a handover note."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.blocks.handover import NOTE_ACTION, RUNBOOKS_ACTION, note_modal, runbooks_list_blocks
from bot.slack.common import small_int, text_field
from bot.slack.handover_notes import may_add_note
from bot.slack.swap_messages import FAILED, Interaction


def _week(body: dict[str, Any]) -> int | None:
    return small_int(text_field(body, "actions", 0, "value"))


def list_runbooks(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    i.tell("Runbooks", runbooks_list_blocks(i.team))


def open_note(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    try:
        index = _week(body)
        refusal = may_add_note(i.service, i.member, index)
        if refusal or index is None:
            i.tell(f":warning: {refusal or 'That button is broken.'}")
            return
        i.client.views_open(trigger_id=i.trigger_id, view=note_modal(json.dumps({"week": index})))
    except Exception:
        logger.exception("opening the handover note failed")
        i.tell(FAILED)


def register(app: App) -> None:
    app.action(RUNBOOKS_ACTION)(list_runbooks)
    app.action(NOTE_ACTION)(open_note)
