"""Time off buttons: open the time off modal."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.swaps import guarded
from bot.slack.listeners.views.timeoff_modal import open_timeoff_modal


def open_timeoff(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    guarded(i, ids.TIMEOFF_OPEN, lambda m: open_timeoff_modal(i.client, i.service, m, i.trigger_id))
