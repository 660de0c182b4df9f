"""Buttons on the handover announcement: list the runbooks, add a handover note."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.blocks.handover import NOTE_ACTION, RUNBOOKS_ACTION, note_modal, runbooks_list_blocks
from bot.slack.common import member_of, service_from
from bot.slack.handover_notes import may_add_note


def _week(body: dict[str, Any]) -> int | None:
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def list_runbooks(ack: Any, respond: Any, context: Any) -> None:
    ack()
    team = service_from(context).team
    respond(
        text="Runbooks",
        blocks=runbooks_list_blocks(team),
        response_type="ephemeral",
        replace_original=False,
    )


def open_note(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    service = service_from(context)
    index = _week(body)
    member = member_of(service.team, body.get("user", {}).get("id"))
    refusal = may_add_note(service, member, index)
    if refusal or index is None:
        respond(
            text=f":warning: {refusal or 'That button is broken.'}",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    client.views_open(trigger_id=body["trigger_id"], view=note_modal(json.dumps({"week": index})))


def register(app: App) -> None:
    app.action(RUNBOOKS_ACTION)(list_runbooks)
    app.action(NOTE_ACTION)(open_note)
