"""`/oncall calendar`."""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.slack.listeners.commands.context import CommandRequest


def calendar(req: CommandRequest) -> None:
    raise Refusal("`/oncall calendar` is not available yet.")
