"""What a sub-command handler gets: the parsed request and the means to answer."""

from __future__ import annotations

from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member
from bot.service import OnCallService
from bot.slack.notifier import Notifier


@dataclass
class CommandRequest:
    service: OnCallService
    command: dict[str, Any]  # the slash command payload as Slack sent it
    args: str  # the text after the sub-command
    user_id: str  # the Slack user who typed it
    member: Member | None  # None for someone outside the roster
    respond: Any  # bolt's Respond: posts to the command's response_url
    client: WebClient
    logger: Logger
    notifier: Notifier  # tells people what a change means
    # Bolt's Ack while the command is not acknowledged yet: the first answer then goes
    # in the acknowledgement itself (see reply).
    ack: Any = None

    @property
    def channel_id(self) -> str:
        return str(self.command.get("channel_id", ""))

    @property
    def trigger_id(self) -> str:
        return str(self.command.get("trigger_id", ""))

    def reply(self, text: str, blocks: list[Any] | None = None) -> None:
        """Answer only the caller (an ephemeral message).

        A first answer given before the acknowledgement is the acknowledgement: Slack
        shows it at once, with no second request; later ones go through response_url."""
        ack, self.ack = self.ack, None
        if ack is not None:
            ack(text=text, blocks=blocks, response_type="ephemeral")
        else:
            self.respond(text=text, blocks=blocks, response_type="ephemeral")

    def acknowledge(self) -> None:
        """Acknowledge now, if no answer did (Slack needs it within 3 seconds)."""
        ack, self.ack = self.ack, None
        if ack is not None:
            ack()
