"""Every listener, registered by folder as in Slack's bolt-python starter template:
each folder's `register(app)` registers all of its listeners.

Each is registered through `SafeRegistry`, which wraps it with `never_raises`: a
listener's exception is logged and the person answered, never a 500 to Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.slack.errors import never_raises
from bot.slack.listeners import actions, commands, events, fallback, views

_REGISTRARS = ("command", "action", "view", "event", "options", "shortcut")


class SafeRegistry:
    """The App as the register() functions see it: `app.action(...)(func)` registers
    `never_raises(func)`. Everything else is the App's own."""

    def __init__(self, app: App) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._app, name)
        if name not in _REGISTRARS:
            return attribute

        def registrar(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
            register = attribute(*args, **kwargs)
            return lambda func: register(never_raises(func))

        return registrar


def register_listeners(app: App) -> None:
    safe: Any = SafeRegistry(app)
    commands.register(safe)
    actions.register(safe)
    views.register(safe)
    events.register(safe)
    fallback.register(safe)  # last: it takes whatever the others did not
