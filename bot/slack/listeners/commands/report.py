"""`/oncall report`."""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.slack.listeners.commands.context import CommandRequest


def report(req: CommandRequest) -> None:
    raise Refusal("`/oncall report` is not available yet.")
