"""`/oncall cover`."""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.slack.listeners.commands.context import CommandRequest


def cover(req: CommandRequest) -> None:
    raise Refusal("`/oncall cover` is not available yet.")
