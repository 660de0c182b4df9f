"""Time off buttons: open the time off modal."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.listeners.actions.swaps import guarded
from bot.slack.listeners.views.timeoff_modal import open_timeoff_modal
from bot.slack.swap_messages import Interaction

TIMEOFF_OPEN = "timeoff_open"


def register(app: App) -> None:
    app.action(TIMEOFF_OPEN)(open_modal)


def open_modal(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    ack()
    i = Interaction.of(body, client, respond, context, logger)
    guarded(i, TIMEOFF_OPEN, lambda m: open_timeoff_modal(i.client, i.service, m, i.trigger_id))
