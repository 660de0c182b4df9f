"""Views listeners: modal submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.listeners.views.handover_note import submit_note
from bot.slack.listeners.views.swap_modal import submit_swap_modal
from bot.slack.listeners.views.timeoff_modal import submit_timeoff_modal


def register(app: App) -> None:
    app.view(ids.SWAP_MODAL)(submit_swap_modal)
    app.view(ids.TIMEOFF_MODAL)(submit_timeoff_modal)
    app.view(ids.HANDOVER_NOTE_MODAL)(submit_note)
