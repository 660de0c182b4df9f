"""Every listener, registered by folder as in Slack's bolt-python starter template."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, views
from bot.slack.listeners.actions import handover as handover_actions
from bot.slack.listeners.views import handover_note


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    handover_actions.register(app)
    handover_note.register(app)
