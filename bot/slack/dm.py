"""The one way the bot sends a direct message: through its DM channel with each person.

Slack keeps one IM channel per pair, so after the first conversations.open a DM is one
call instead of two. The channels are remembered per bot (the API and the token: one bot
in one workspace), because Bolt hands each request a new WebClient.
"""

from __future__ import annotations

import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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
    """Post a DM from the bot; returns its (channel, ts). Slack errors propagate, except
    a remembered channel Slack no longer knows, which is opened again once."""
    channel = dm_channel(client, slack_id)
    try:
        sent = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as e:
        if e.response.get("error") not in _STALE_CHANNEL:
            raise
        channel = dm_channel(client, slack_id, fresh=True)
        sent = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return str(sent["channel"]), str(sent["ts"])
