"""Actions listeners: buttons on messages, DMs and the App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.listeners.actions.handover import list_runbooks, open_note
from bot.slack.listeners.actions.swaps import accept, cancel, candidate, decline, open_swap
from bot.slack.listeners.actions.timeoff import open_timeoff


def register(app: App) -> None:
    app.action(ids.SWAP_ACCEPT)(accept)
    app.action(ids.SWAP_DECLINE)(decline)
    app.action(ids.SWAP_CANCEL)(cancel)
    app.action(ids.SWAP_OPEN)(open_swap)
    app.action(ids.SWAP_CANDIDATE)(candidate)
    app.action(ids.TIMEOFF_OPEN)(open_timeoff)
    app.action(ids.RUNBOOKS_LIST)(list_runbooks)
    app.action(ids.HANDOVER_NOTE_OPEN)(open_note)
