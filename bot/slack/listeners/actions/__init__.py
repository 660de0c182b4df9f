"""Actions listeners: buttons on messages, DMs and the App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.listeners.actions import calendar, incidents, takeover
from bot.slack.listeners.actions.handover import list_runbooks, open_note
from bot.slack.listeners.actions.swaps import (
    accept,
    cancel,
    candidate,
    decline,
    open_swap,
    swap_back,
)
from bot.slack.listeners.actions.timeoff import open_timeoff


def register(app: App) -> None:
    app.action(ids.SWAP_ACCEPT)(accept)
    app.action(ids.SWAP_DECLINE)(decline)
    app.action(ids.SWAP_CANCEL)(cancel)
    app.action(ids.SWAP_OPEN)(open_swap)
    app.action(ids.SWAP_CANDIDATE)(candidate)
    app.action(ids.SWAP_BACK)(swap_back)
    app.action(ids.TIMEOFF_OPEN)(open_timeoff)
    app.action(ids.RUNBOOKS_LIST)(list_runbooks)
    app.action(ids.HANDOVER_NOTE_OPEN)(open_note)
    app.action(ids.CALENDAR_RESET)(calendar.reset_links)
    app.action(ids.TAKEOVER_ACCEPT)(takeover.accept)
    app.action(ids.TAKEOVER_DECLINE)(takeover.decline)
    app.action(ids.TAKEOVER_CANCEL)(takeover.cancel)
    app.action(ids.INCIDENT_CALL_BACKUP)(incidents.call_backup)
    app.action(ids.INCIDENT_CALL_OWNER)(incidents.call_owner)
    app.action(ids.INCIDENT_RESOLVE)(incidents.open_resolve)
