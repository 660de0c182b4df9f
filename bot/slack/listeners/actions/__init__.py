"""Actions listeners: buttons on messages, DMs and the App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.actions import swaps, timeoff


def register(app: App) -> None:
    swaps.register(app)
    timeoff.register(app)
