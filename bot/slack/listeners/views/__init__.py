"""Views listeners: modal submissions."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.listeners.views.handover_note import submit_note
from bot.slack.listeners.views.incident_resolve import submit_resolve
from bot.slack.listeners.views.swap_modal import submit_swap_modal
from bot.slack.listeners.views.takeover_modal import submit_takeover_modal
from bot.slack.listeners.views.timeoff_modal import submit_timeoff_modal


def register(app: App) -> None:
    app.view(ids.SWAP_MODAL)(submit_swap_modal)
    app.view(ids.TIMEOFF_MODAL)(submit_timeoff_modal)
    app.view(ids.HANDOVER_NOTE_MODAL)(submit_note)
    app.view(ids.TAKEOVER_MODAL)(submit_takeover_modal)
    app.view(ids.INCIDENT_RESOLVE_MODAL)(submit_resolve)
