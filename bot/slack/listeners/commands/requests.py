"""Sub-commands that start a change: swap and timeoff."""

from __future__ import annotations

from bot.slack.listeners.commands.context import CommandRequest


def swap(req: CommandRequest) -> None:
    req.reply("not yet")


def timeoff(req: CommandRequest) -> None:
    req.reply("not yet")
