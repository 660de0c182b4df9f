"""A click (a block_actions payload), read the same way by every button listener, and
the ways to answer the person who clicked.

Answering calls Slack, so it happens on the follow-up threads (`later`, `tell`), never
on the listener thread that acknowledges: see bot/slack/followup.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member, Team
from bot.service import OnCallService
from bot.slack.common import mapping, member_of, service_from, text_field
from bot.slack.dm import dm
from bot.slack.notifier import Notifier, notifier_from
from bot.slack.safely import safely


@dataclass
class Interaction:
    body: dict[str, Any]
    client: WebClient
    respond: Any  # bolt's Respond; usable only when the payload has a response_url
    logger: Logger
    service: OnCallService
    notifier: Notifier | None

    @classmethod
    def of(
        cls, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
    ) -> Interaction:
        return cls(body, client, respond, logger, service_from(context), notifier_from(context))

    @classmethod
    def acknowledge(
        cls,
        ack: Any,
        body: dict[str, Any],
        client: WebClient,
        respond: Any,
        context: Any,
        logger: Logger,
    ) -> Interaction:
        """Acknowledge a click at once (its acknowledgement carries nothing), then read it."""
        ack()
        return cls.of(body, client, respond, context, logger)

    @property
    def team(self) -> Team:
        return self.service.team

    @property
    def user_id(self) -> str:
        return text_field(self.body, "user", "id")

    @property
    def member(self) -> Member | None:
        """The clicker, from the payload's user: never from a value in the button."""
        return member_of(self.team, self.user_id)

    @property
    def value(self) -> str:
        return text_field(self.body, "actions", 0, "value")

    @property
    def block_id(self) -> str:
        """The block the clicked button is in (which message part it came from)."""
        return text_field(self.body, "actions", 0, "block_id")

    @property
    def trigger_id(self) -> str:
        return text_field(self.body, "trigger_id")

    @property
    def response_url(self) -> str:
        return text_field(self.body, "response_url")

    @property
    def channel_id(self) -> str | None:
        channel = text_field(self.body, "channel", "id")
        return channel or text_field(self.body, "container", "channel_id") or None

    @property
    def clicked_message(self) -> tuple[str, str] | None:
        """(channel, ts) of the message the button is on, if it is one."""
        container = mapping(self.body, "container")
        channel, ts = self.channel_id, text_field(container, "message_ts")
        if container.get("type") != "message" or not channel or not ts:
            return None
        return channel, ts

    @property
    def on_private_message(self) -> bool:
        """On an ephemeral message or in a DM: replacing it changes only the clicker's copy."""
        container = mapping(self.body, "container")
        if self.clicked_message is None or not self.response_url:
            return False
        return container.get("is_ephemeral") is True or (self.channel_id or "").startswith("D")

    def later(self, what: str, call: Callable[[], Any], *, on_failure: str | None = None) -> None:
        """Run `call` (Web API work) on the follow-up threads; if it fails, the error is
        logged and the clicker told `on_failure`, when given."""
        told = None if on_failure is None else (lambda: self._tell(on_failure, None))
        if self.notifier is not None:
            self.notifier.later(what, call, logger=self.logger, on_failure=told)
            return
        # No app around it (an error handler's last resort): here and now.
        if safely(self.logger, what, lambda: call() or True) is None and told is not None:
            safely(self.logger, "answer the clicker", told)

    def tell(self, text: str, blocks: list[Any] | None = None) -> None:
        """A message only the clicker sees, sent on the follow-up threads; never raises."""
        self.later("answer the clicker", lambda: self._tell(text, blocks))

    def _tell(self, text: str, blocks: list[Any] | None) -> None:
        channel = self.channel_id
        if not self.user_id:
            return  # nobody to answer
        if channel and not channel.startswith("D"):
            self.client.chat_postEphemeral(
                channel=channel, user=self.user_id, text=text, blocks=blocks
            )
        elif self.response_url:
            self.respond(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
        else:  # the App Home: no channel and no response_url
            dm(self.client, self.user_id, text, blocks)

    def replace(self, text: str, blocks: list[Any] | None = None) -> bool:
        """Replace the message the button is on (through response_url), if possible.
        Calls Slack on this thread: for work already handed to `later`."""
        if not self.response_url:
            return False
        return bool(
            safely(
                self.logger,
                "replace the clicked message",
                lambda: self.respond(text=text, blocks=blocks, replace_original=True) or True,
            )
        )
