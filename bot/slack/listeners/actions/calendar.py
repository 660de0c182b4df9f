"""The "Reset links" button of `/oncall calendar`: revoke the clicker's links, show new ones.

The clicker is the payload's user (a member), never anything in the button."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member
from bot.slack import ids
from bot.slack.blocks.calendar import calendar_links_blocks, calendar_links_text
from bot.slack.interaction import Interaction
from bot.slack.listeners.actions.guard import guarded


def reset_links(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)

    def work(member: Member) -> None:
        links = i.service.reset_calendar_links(member.id)  # decided here, told later
        text = calendar_links_text(links)
        blocks = calendar_links_blocks(links, i.service.feed_setup)

        def show() -> None:
            # The links are private: they replace the clicker's own copy, or go to them alone.
            if not (i.on_private_message and i.replace(text, blocks)):
                i.tell(text, blocks)

        i.later("show the new calendar links", show)

    guarded(i, ids.CALENDAR_RESET, work)
