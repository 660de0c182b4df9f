"""Slack side effects around swap requests and time off, shared by every entry point.

The service decides; this module tells people. Every Slack call after a decision
is made runs through `safely`: the change is already stored, so a failed DM is
logged and the rest of the notifications still go out.

`set_swap_message` / `swap_message` keep where the counterpart's request DM is
(SwapRow.dm_channel / dm_ts), so it can lose its buttons once the request is decided.
They belong on OnCallService; until they move there they live here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from logging import Logger
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.model import Member, SwapRequest, SwapStatus, Team
from bot.service import OnCallService
from bot.slack.blocks import requests as blocks
from bot.slack.common import homes_from, mapping, member_of, service_from, text_field
from bot.slack.home import HomePublisher

NOT_A_MEMBER = "Only members of the on-call team can swap weeks or file time off."
FAILED = ":x: Something went wrong on our side; nothing was changed. Try again."


# --- where the request DM is ------------------------------------------------------


def set_swap_message(service: OnCallService, swap_id: int, channel: str, ts: str) -> None:
    service.set_swap_message(swap_id, channel, ts)


def swap_message(service: OnCallService, swap_id: int) -> tuple[str, str] | None:
    return service.swap_message(swap_id)


# --- sending ------------------------------------------------------------------------


def safely(logger: Logger, what: str, call: Callable[[], Any]) -> Any:
    """Run one notification; a failure is logged, never raised (the change is stored)."""
    try:
        return call()
    except Exception:
        logger.exception("could not %s", what)
        return None


# The bot's DM channel with each person: Slack keeps one IM channel per pair, so after
# the first conversations.open a DM is one call instead of two. Keyed by the API and
# the token (one bot in one workspace): Bolt hands each request a new WebClient.
_dm_channels: dict[tuple[str, str | None], dict[str, str]] = {}
_dm_lock = threading.Lock()
# chat.postMessage errors that mean the remembered channel is no longer the DM.
_STALE_CHANNEL = frozenset({"channel_not_found", "is_archived", "not_in_channel"})


def dm_channel(client: WebClient, slack_id: str, *, fresh: bool = False) -> str:
    """The bot's DM channel with `slack_id` (conversations.open the first time)."""
    with _dm_lock:
        known = _dm_channels.setdefault((client.base_url, client.token), {})
        channel = None if fresh else known.get(slack_id)
    if channel is None:
        channel = str(client.conversations_open(users=slack_id)["channel"]["id"])
        with _dm_lock:
            known[slack_id] = channel
    return channel


def dm(
    client: WebClient, slack_id: str, text: str, blocks: list[Any] | None = None
) -> tuple[str, str]:
    """Post a DM from the bot; returns its (channel, ts)."""
    channel = dm_channel(client, slack_id)
    try:
        sent = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as e:
        if e.response.get("error") not in _STALE_CHANNEL:
            raise
        channel = dm_channel(client, slack_id, fresh=True)
        sent = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return str(sent["channel"]), str(sent["ts"])


def slack_id_of(team: Team, member_id: str) -> str | None:
    """None for someone no longer in the config: they cannot be messaged."""
    try:
        return team.member(member_id).slack_id
    except KeyError:
        return None


def publish_homes(homes: HomePublisher, team: Team, *member_ids: str) -> None:
    """Republish these members' App Homes (in the background: see HomePublisher)."""
    homes.refresh(*(s for s in (slack_id_of(team, m) for m in member_ids) if s), changed=True)


def send_request(
    client: WebClient,
    service: OnCallService,
    homes: HomePublisher,
    logger: Logger,
    actor: Member,
    counterpart: str,
    my_week: int,
    their_week: int | None = None,
    *,
    cover: bool = False,
    reason: str = "",
) -> SwapRequest:
    """Store a request (a Refusal propagates: nothing changed), then DM the counterpart."""
    request = service.request_swap(
        actor.id, counterpart, my_week, their_week, cover=cover, reason=reason
    )
    deliver_request(client, service, homes, logger, request)
    return request


def deliver_request(
    client: WebClient,
    service: OnCallService,
    homes: HomePublisher,
    logger: Logger,
    request: SwapRequest,
) -> bool:
    """DM the counterpart the request with its buttons, and remember where it is."""
    team = service.team
    requester, counterpart = team.member(request.requester), team.member(request.counterpart)

    def send() -> bool:
        channel, ts = dm(
            client,
            counterpart.slack_id,
            blocks.swap_request_text(team, request),
            blocks.swap_request_dm(team, request, requester, counterpart),
        )
        set_swap_message(service, request.id, channel, ts)
        return True

    sent = bool(safely(logger, f"DM swap request #{request.id}", send))
    publish_homes(homes, team, request.requester, request.counterpart)
    return sent


def announce_decision(
    client: WebClient,
    service: OnCallService,
    homes: HomePublisher,
    logger: Logger,
    request: SwapRequest,
    actor: Member,
) -> tuple[str, str] | None:
    """After accept / decline / cancel: the request DM loses its buttons, the other
    person is told, an accepted swap gets a line in the on-call channel, and both
    App Homes are republished. Returns where the request DM is (None if never sent)."""
    team = service.team
    request_dm = refresh_request_dm(client, service, logger, request, actor)
    readers = {
        SwapStatus.ACCEPTED: (request.requester, request.counterpart),
        SwapStatus.DECLINED: (request.requester,),
        SwapStatus.CANCELLED: (request.counterpart,),
    }.get(request.status, ())
    for reader in readers:
        slack_id = slack_id_of(team, reader)
        if slack_id is None:
            continue
        text = blocks.swap_outcome_text(team, request, reader)
        safely(
            logger, f"DM the outcome of #{request.id}", lambda s=slack_id, t=text: dm(client, s, t)
        )
    if request.status is SwapStatus.ACCEPTED:
        line = blocks.swap_channel_line(team, request)
        safely(
            logger,
            "post the swap in the on-call channel",
            lambda: client.chat_postMessage(channel=team.channel, text=line),
        )
    publish_homes(homes, team, request.requester, request.counterpart)
    return request_dm


def refresh_request_dm(
    client: WebClient,
    service: OnCallService,
    logger: Logger,
    request: SwapRequest,
    actor: Member | None,
) -> tuple[str, str] | None:
    """Show the request DM as decided (chat.update without buttons); returns where it
    is (None if it was never sent).

    Only the stored DM: the same buttons also sit on messages that must keep their
    own content (the handover announcement, the App Home)."""
    where = swap_message(service, request.id)
    if where is None:
        return None
    channel, ts = where
    safely(
        logger,
        f"update the DM of request #{request.id}",
        lambda: client.chat_update(
            channel=channel,
            ts=ts,
            text=blocks.swap_decided_text(service.team, request, actor),
            blocks=blocks.swap_decided_blocks(service.team, request, actor),
        ),
    )
    return where


# --- answering the person who clicked ----------------------------------------------


@dataclass
class Interaction:
    """A block_actions payload, read the same way by every button listener."""

    body: dict[str, Any]
    client: WebClient
    respond: Any  # bolt's Respond; usable only when the payload has a response_url
    logger: Logger
    service: OnCallService
    homes: HomePublisher

    @classmethod
    def of(
        cls, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
    ) -> Interaction:
        return cls(body, client, respond, logger, service_from(context), homes_from(context))

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

    def tell(self, text: str, blocks: list[Any] | None = None) -> None:
        """A message only the clicker sees; never raises."""
        safely(self.logger, "answer the clicker", lambda: self._tell(text, blocks))

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
        """Replace the message the button is on (through response_url), if possible."""
        if not self.response_url:
            return False
        return bool(
            safely(
                self.logger,
                "replace the clicked message",
                lambda: self.respond(text=text, blocks=blocks, replace_original=True) or True,
            )
        )
