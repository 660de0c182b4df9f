"""The handover-note modal: posted as a thread reply under that week's announcement."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.blocks.handover import NOTE_BLOCK, NOTE_CALLBACK, NOTE_INPUT, note_blocks
from bot.slack.common import member_of, service_from
from bot.slack.handover_notes import announcement_thread, may_add_note


def submit_note(
    ack: Any,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: Any,
    logger: Logger,
) -> None:
    service = service_from(context)
    member = member_of(service.team, body.get("user", {}).get("id"))
    try:
        index = int(json.loads(view.get("private_metadata") or "{}")["week"])
        note = str(view["state"]["values"][NOTE_BLOCK][NOTE_INPUT]["value"] or "").strip()
    except (KeyError, TypeError, ValueError):
        ack(response_action="errors", errors={NOTE_BLOCK: "This form is broken; open it again."})
        return
    refusal = may_add_note(service, member, index)
    if not note:
        refusal = "Write a note first."
    thread = announcement_thread(service, index)
    if refusal is None and thread is None:
        refusal = "That week's handover was not announced here, so there is no thread to add to."
    if refusal:
        ack(response_action="errors", errors={NOTE_BLOCK: refusal})
        return
    ack()
    assert member is not None and thread is not None
    channel, ts = thread
    client.chat_postMessage(
        channel=channel,
        thread_ts=ts,
        text=f"Handover note from {member.name}",
        blocks=note_blocks(service.team, member.id, note),
    )


def register(app: App) -> None:
    app.view(NOTE_CALLBACK)(submit_note)
