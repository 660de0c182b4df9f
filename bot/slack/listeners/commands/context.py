"""What a sub-command handler gets: the parsed request and the means to answer."""

from __future__ import annotations

from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member
from bot.service import OnCallService
from bot.slack.notifier import Notifier


def split_command(text: str) -> tuple[str, str]:
    """`/oncall` text -> (the sub-command, lower case; the rest)."""
    parts = (text or "").strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1] if len(parts) > 1 else ""


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
    def sub_command(self) -> str:
        """The sub-command as typed (lower case), even when another handler answers it."""
        return split_command(str(self.command.get("text", "")))[0]

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
