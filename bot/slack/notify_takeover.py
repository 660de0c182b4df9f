"""The notifier's section for take-overs: part of `Notifier` (bot/slack/notifier.py).

In effect (accepted, or recorded by an admin): the on-call user group becomes the
colleague at once, the team channel gets one line, both people are DMed, and the request
DM shows the outcome. What a take-over shares with any request is the notifier's own,
worded for a take-over by the request builders (bot/slack/blocks/requests.py): asked
(`swap_requested`: the colleague's DM with Accept / Decline, remembered so it can lose
them), declined or cancelled (`swap_decided`), expired (`swap_expired`), and the request
DM shown decided (`request_dm_decided`). Every call runs on the follow-up threads.
"""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member, SwapRequest
from bot.service import OnCallService
from bot.service.results import Handover, TakeoverOutcome
from bot.slack.blocks import takeover as blocks
from bot.slack.dm import dm
from bot.slack.home import HomePublisher


class TakeoverNotices:
    """Mixed into Notifier, whose attributes these are."""

    client: WebClient
    service: OnCallService
    homes: HomePublisher | None
    logger: Logger
    later: Callable[..., Any]

    # Notifier's own, used here.
    set_on_call_group: Callable[[Handover], None]
    _slack_id: Callable[[str], str | None]
    _refresh_homes: Callable[..., None]
    request_dm_decided: Callable[[SwapRequest, Member | None], tuple[str, str] | None]

    def takeover_in_effect(self, outcome: TakeoverOutcome, actor: Member) -> tuple[str, str] | None:
        """The take-over holds from now: user group, channel line, both DMed, the request
        DM decided. Each effect on its own follow-up task, so they land together. Returns
        where the request DM is (None if never sent: an admin recorded it)."""
        team, request, o, h = self.service.team, outcome.request, outcome.override, outcome.handover
        assert o is not None and h is not None
        self.later("set the on-call user group", lambda: self.set_on_call_group(h))
        line = blocks.takeover_channel_line(team, request, o)
        self.later(
            "post the take-over in the on-call channel",
            lambda: self.client.chat_postMessage(channel=team.channel, text=line),
        )
        for reader in (o.member, o.replaces):
            slack_id = self._slack_id(reader)
            if slack_id is None:
                continue
            text = blocks.takeover_started_text(team, request, o, h.backup, reader)
            self.later(
                f"DM the take-over #{request.id}",
                lambda s=slack_id, t=text: dm(self.client, s, t),
            )
        where = self.request_dm_decided(request, actor)
        self._refresh_homes(o.member, o.replaces, actor.id)
        return where
