"""The `/oncall` slash command."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands.oncall import oncall_command


def register(app: App) -> None:
    app.command("/oncall")(oncall_command)
