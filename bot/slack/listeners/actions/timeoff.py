"""Time off buttons: open the time off modal."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member
from bot.slack import ids
from bot.slack.errors import FAILED
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.guard import guarded
from bot.slack.listeners.views.timeoff_modal import open_timeoff_modal


def open_timeoff(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)

    def work(member: Member) -> None:
        i.later(
            "open the time off form",
            lambda: open_timeoff_modal(i.client, i.service, member, i.trigger_id),
            on_failure=FAILED,
        )

    guarded(i, ids.TIMEOFF_OPEN, work)
