"""Every listener, registered by folder as in Slack's bolt-python starter template."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, views


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
