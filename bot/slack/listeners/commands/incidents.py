"""`/oncall incident`, `/oncall resolve`."""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.slack.listeners.commands.context import CommandRequest


def incident(req: CommandRequest) -> None:
    raise Refusal("`/oncall incident` is not available yet.")


def resolve(req: CommandRequest) -> None:
    raise Refusal("`/oncall resolve` is not available yet.")
