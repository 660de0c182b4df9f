"""The notifier's section for take-overs: part of `Notifier` (bot/slack/notifier.py).

- asked: the colleague gets a DM with Accept / Decline (where it is, is stored so it can
  lose its buttons once decided);
- in effect (accepted, or recorded by an admin): the on-call user group becomes the
  colleague at once, the team channel gets one line, both people are DMed, and the
  request DM shows the outcome;
- declined or cancelled: the request DM shows it and the other person is told.
Every call runs on the follow-up threads through `safely`: the change is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member, SwapRequest, SwapStatus
from bot.service import OnCallService
from bot.service.results import Handover, TakeoverOutcome
from bot.slack.blocks import takeover as blocks
from bot.slack.dm import dm
from bot.slack.home import HomePublisher
from bot.slack.safely import safely


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
    _update_request_dm: Callable[..., tuple[str, str] | None]

    def takeover_requested(self, request: SwapRequest) -> bool:
        """DM the colleague the request with its buttons and remember where it is;
        refresh both Homes. True if DMed. Runs on a follow-up thread."""
        team = self.service.team
        colleague = team.member(request.counterpart)

        def send() -> bool:
            channel, ts = dm(
                self.client,
                colleague.slack_id,
                blocks.takeover_request_text(team, request),
                blocks.takeover_request_dm(team, request),
            )
            self.service.set_swap_message(request.id, channel, ts)
            return True

        sent = bool(safely(self.logger, f"DM take-over request #{request.id}", send))
        self._refresh_homes(request.requester, request.counterpart)
        return sent

    def takeover_in_effect(self, outcome: TakeoverOutcome, actor: Member) -> None:
        """The take-over holds from now: user group, channel line, both DMed, the request
        DM decided. Each effect on its own follow-up task, so they land together."""
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
        self.takeover_dm_decided(request, actor)
        self._refresh_homes(o.member, o.replaces, actor.id)

    def takeover_declined_or_cancelled(
        self, request: SwapRequest, actor: Member
    ) -> tuple[str, str] | None:
        """The request DM loses its buttons; the other party is told (both, when an admin
        cancelled). Returns where the request DM is (None if never sent)."""
        readers = {
            SwapStatus.DECLINED: (request.requester,),
            SwapStatus.CANCELLED: (request.requester, request.counterpart),
        }.get(request.status, ())
        for reader in readers:
            slack_id = self._slack_id(reader)
            if reader == actor.id or slack_id is None:
                continue
            text = blocks.takeover_outcome_text(self.service.team, request, reader, actor.id)
            self.later(
                f"DM the outcome of #{request.id}",
                lambda s=slack_id, t=text: dm(self.client, s, t),
            )
        where = self.takeover_dm_decided(request, actor)
        self._refresh_homes(request.requester, request.counterpart)
        return where

    def takeover_dm_decided(
        self, request: SwapRequest, actor: Member | None
    ) -> tuple[str, str] | None:
        team = self.service.team
        return self._update_request_dm(
            request,
            "take-over request",
            lambda: (
                blocks.takeover_decided_text(team, request, actor),
                blocks.takeover_decided_blocks(team, request, actor),
            ),
        )
