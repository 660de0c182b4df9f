"""Views listeners: modal submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.requests import SWAP_MODAL, TIMEOFF_MODAL
from bot.slack.listeners.views.swap_modal import submit_swap_modal
from bot.slack.listeners.views.timeoff_modal import submit_timeoff_modal


def register(app: App) -> None:
    app.view(SWAP_MODAL)(submit_swap_modal)
    app.view(TIMEOFF_MODAL)(submit_timeoff_modal)
