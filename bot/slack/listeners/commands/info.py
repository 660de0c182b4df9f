"""Read-only sub-commands: now, schedule, me, owners, runbook, fairness, help."""

from __future__ import annotations

from bot.slack.listeners.commands.context import CommandRequest


def now(req: CommandRequest) -> None:
    req.reply("not yet")


def schedule(req: CommandRequest) -> None:
    req.reply("not yet")


def me(req: CommandRequest) -> None:
    req.reply("not yet")


def owners(req: CommandRequest) -> None:
    req.reply("not yet")


def runbook(req: CommandRequest) -> None:
    req.reply("not yet")


def fairness(req: CommandRequest) -> None:
    req.reply("not yet")


def help_(req: CommandRequest) -> None:
    req.reply("not yet")
