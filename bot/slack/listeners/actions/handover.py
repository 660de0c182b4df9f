"""Buttons on the handover announcement: list the runbooks, add a handover note."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.slack.blocks.handover import note_modal, runbooks_list_blocks, runbooks_list_text
from bot.slack.common import small_int, text_field
from bot.slack.errors import FAILED
from bot.slack.handover_notes import may_add_note
from bot.slack.interaction import Interaction
from bot.slack.mrkdwn import md


def _week(body: dict[str, Any]) -> int | None:
    return small_int(text_field(body, "actions", 0, "value"))


def list_runbooks(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    i.tell(runbooks_list_text(i.team), runbooks_list_blocks(i.team))


def open_note(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    try:
        index = _week(body)
        refusal = may_add_note(i.service, i.member, index)
    except Exception:
        logger.exception("opening the handover note failed")
        i.tell(FAILED)
        return
    if refusal or index is None:
        i.tell(md(":warning: {}", refusal or "That button is broken."))  # names escaped
        return
    view = note_modal(json.dumps({"week": index}))
    i.later(
        "open the handover note form",
        lambda: i.client.views_open(trigger_id=i.trigger_id, view=view),
        on_failure=FAILED,
    )
