"""Answers for what no other listener takes: registered last, so they only see leftovers.

Without them Bolt answers 404, which Slack shows as an error (and, for events,
redelivers). A button or a form this app does not know (out of date after a
deploy, or not ours) is acknowledged and the person told so; an event, a menu's
options request or a shortcut is acknowledged and ignored.
"""

from __future__ import annotations

import re
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.common import text_field
from bot.slack.interaction import Interaction
from bot.slack.middleware import notice_view
from bot.slack.mrkdwn import code, md

ANY = re.compile(r"")  # matches every id: Bolt's patterns are searched

STALE_BUTTON = (
    ":warning: That button is out of date, or not one of this app's. "
    "Type `/oncall help` to see what you can do."
)
STALE_FORM = md("This form is out of date. Close it and open it again from `/oncall`.")


def unknown_action(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    logger.info(
        "a click on an unknown action: %s", text_field(body, "actions", 0, "action_id")[:80]
    )
    i.tell(STALE_BUTTON)


def unknown_view(ack: Any, body: dict[str, Any], logger: Logger) -> None:
    if text_field(body, "type") == "view_submission":
        logger.info("a submitted unknown view: %s", text_field(body, "view", "callback_id")[:80])
        ack(response_action="update", view=notice_view(STALE_FORM))
    else:
        ack()


def unknown_command(ack: Any, body: dict[str, Any]) -> None:
    name = code(text_field(body, "command")[:40])
    ack(
        text=md(
            "This app answers `/oncall`, not {}. Type `/oncall help` to see what it does.", name
        )
    )


def ignore(ack: Any) -> None:
    ack()


def no_options(ack: Any) -> None:
    ack(options=[])


def register(app: App) -> None:
    app.action(ANY)(unknown_action)
    app.view(ANY)(unknown_view)
    app.command(ANY)(unknown_command)
    app.event(ANY)(ignore)
    app.options(ANY)(no_options)
    app.shortcut(ANY)(ignore)
