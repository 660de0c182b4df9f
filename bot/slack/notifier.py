"""What a change means, told to whom: the one place that sends it to Slack.

The service decides; the notifier tells people. It holds what every notification needs
(the Web API client, the service for the team and where request DMs are, the App Home
publisher, a logger), so a listener calls one method after one service operation.

A listener never calls Slack on its own thread: it hands that work to `later` (the
follow-up threads of bot/slack/followup.py), so a slow Slack never holds up the
acknowledgement of the next request.

Two kinds of method:
- after a change made in Slack (a swap requested or decided, time off recorded, a
  handover note): the change is stored, so each Slack call runs through `safely`: a
  failure is logged and the rest of the notifications still go out;
- for the scheduler (bot.scheduler.announcer.Announcements: the handover post and DM,
  the user group, the heads-up, swap reminders): a failure raises, because the
  announcer decides whether to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.model import Member, SwapRequest, SwapStatus, Team
from bot.service import ClosedRequest, Handover, OnCallService, SwapOutcome, TimeOffResult
from bot.slack.blocks import handover as handover_blocks
from bot.slack.blocks import requests as blocks
from bot.slack.blocks.kit import section
from bot.slack.dm import dm
from bot.slack.followup import FollowUps
from bot.slack.home import HomePublisher
from bot.slack.mrkdwn import escape, md, shorten
from bot.slack.notify_changes import ChangeNotices
from bot.slack.notify_incidents import IncidentNotices
from bot.slack.notify_takeover import TakeoverNotices
from bot.slack.safely import safely

NOTIFIER_KEY = "oncall_notifier"
MAX_SECTION = 3000

log = logging.getLogger("bot.slack")


def notifier_from(context: Any) -> Notifier:
    """The app's notifier (put in every request's context when the app is built)."""
    return context[NOTIFIER_KEY]


class Notifier(ChangeNotices, TakeoverNotices, IncidentNotices):
    """What a change means, told to whom. Sections for week changes, take-overs and
    incidents live in bot/slack/notify_*.py."""

    def __init__(
        self,
        client: WebClient,
        service: OnCallService,
        homes: HomePublisher | None = None,
        logger: Logger | None = None,
    ) -> None:
        self.client = client
        self.service = service
        self.homes = homes  # None (the CLI): no App Home to refresh
        self.logger = logger or log
        # Web API work after an acknowledgement, off Bolt's listener threads:
        # `later(what, call, logger=..., on_failure=...)`, see bot/slack/followup.py.
        self.followups = FollowUps(self.logger)
        self.later = self.followups.run

    @property
    def team(self) -> Team:
        return self.service.team

    # --- swaps ----------------------------------------------------------------------

    def swap_requested(self, request: SwapRequest) -> bool:
        """DM the counterpart the stored request with its buttons, remember where it is
        (so it can lose them once decided), and refresh both Homes. True if DMed."""
        team = self.team
        requester, counterpart = team.member(request.requester), team.member(request.counterpart)

        def send() -> bool:
            channel, ts = dm(
                self.client,
                counterpart.slack_id,
                blocks.swap_request_text(team, request),
                blocks.swap_request_dm(team, request, requester, counterpart),
            )
            self.service.set_swap_message(request.id, channel, ts)
            return True

        sent = bool(safely(self.logger, f"DM swap request #{request.id}", send))
        self._refresh_homes(request.requester, request.counterpart)
        return sent

    def swap_request_confirmed(self, actor: Member, request: SwapRequest) -> None:
        """DM the requester what they asked (a modal, once closed, shows nothing)."""
        team = self.team
        safely(
            self.logger,
            "confirm a swap request",
            lambda: dm(
                self.client,
                actor.slack_id,
                blocks.swap_requested_text(team, request),
                blocks.swap_requested_blocks(team, request),
            ),
        )

    def swap_decided(self, request: SwapRequest, actor: Member) -> tuple[str, str] | None:
        """After accept / decline / cancel: the request DM loses its buttons, the other
        person is told, an accepted swap gets a line in the on-call channel, and both
        App Homes are refreshed. Returns where the request DM is (None if never sent)."""
        # The effects do not depend on each other: the DMs and the channel line start
        # on other follow-up threads while this one updates the request DM (what the
        # person who clicked sees, when they clicked it), so all land in the same round
        # trips instead of one after another.
        readers = {
            SwapStatus.ACCEPTED: (request.requester, request.counterpart),
            SwapStatus.DECLINED: (request.requester,),
            # An admin cancelling someone's request: both parties are told who did.
            SwapStatus.CANCELLED: (request.counterpart,)
            if actor.id == request.requester
            else (request.requester, request.counterpart),
        }.get(request.status, ())
        self._tell_parties(request, readers, actor)
        request_dm = self.request_dm_decided(request, actor)
        self._refresh_homes(request.requester, request.counterpart)
        return request_dm

    def swap_recorded(self, outcome: SwapOutcome, admin: Member) -> None:
        """An admin recorded a swap: both members are told (with "Swap back"), the
        on-call channel gets its line, and both App Homes are refreshed."""
        request = outcome.request
        self._tell_parties(request, (request.requester, request.counterpart), admin)
        self._refresh_homes(request.requester, request.counterpart)

    def swap_expired(self, request: SwapRequest) -> None:
        """For the scheduler: an expired request's DM loses its buttons, the requester is
        told it expired, and both App Homes are refreshed. Raises if the DM fails."""
        self.request_dm_decided(request, None)
        self._refresh_homes(request.requester, request.counterpart)
        slack_id = self._slack_id(request.requester)
        if slack_id is not None:
            dm(
                self.client,
                slack_id,
                blocks.swap_outcome_text(self.team, request, request.requester),
            )

    def _tell_parties(self, request: SwapRequest, readers: tuple[str, ...], actor: Member) -> None:
        """DM each reader what became of `request` (an accepted one with "Swap back") and,
        once accepted, post its line in the on-call channel: each on its own follow-up."""
        team = self.team
        for reader in readers:
            slack_id = self._slack_id(reader)
            if slack_id is None:
                continue
            text = blocks.swap_outcome_text(team, request, reader, actor)
            content = blocks.swap_outcome_blocks(team, request, reader, actor)
            self.later(
                f"DM the outcome of #{request.id}",
                lambda s=slack_id, t=text, b=content: dm(self.client, s, t, b),
            )
        if request.status is SwapStatus.ACCEPTED:
            line = blocks.swap_channel_line(team, request)
            self.later(
                "post the swap in the on-call channel",
                lambda: self.client.chat_postMessage(channel=team.channel, text=line),
            )

    def swap_closed(self, closed: ClosedRequest) -> None:
        """A request the bot closed (a party left the team): its DM loses its buttons and
        both parties are told why, the one who left too while Slack still reaches them."""
        request, team = closed.request, self.team
        text = blocks.swap_closed_text(team, request, closed.reason)
        self._update_request_dm(request, "closed request", lambda: (text, [section(text)]))
        for reader in (request.requester, request.counterpart):
            slack_id = self._slack_id(reader)
            if slack_id is not None:
                safely(
                    self.logger,
                    f"DM that request #{request.id} was closed",
                    lambda s=slack_id: dm(self.client, s, text),
                )
        self._refresh_homes(request.requester, request.counterpart)

    def request_dm_decided(
        self, request: SwapRequest, actor: Member | None
    ) -> tuple[str, str] | None:
        """Show the request DM as decided (chat.update without buttons); `actor` None for
        an expired request. Returns where it is (None if it was never sent).

        Only the stored DM: the same buttons also sit on messages that must keep their
        own content (the handover announcement, the App Home)."""
        team = self.team
        return self._update_request_dm(
            request,
            "request",
            lambda: (
                blocks.swap_decided_text(team, request, actor),
                blocks.swap_decided_blocks(team, request, actor),
            ),
        )

    # --- time off -----------------------------------------------------------------------

    def time_off_recorded(self, result: TimeOffResult, actor: Member) -> None:
        """Confirm privately (to the member too, when an admin filed it); for each
        on-call week it hits, DM the member swap candidates; refresh both Homes."""
        team = self.team
        member = team.member(result.time_off.member)
        text = blocks.timeoff_confirmation_text(result, member)
        confirmation = blocks.timeoff_confirmation(team, result, member, actor)

        def tell_member() -> None:
            # One task: the member reads the confirmation before the swap candidates.
            safely(
                self.logger,
                "confirm time off",
                lambda: dm(self.client, member.slack_id, text, confirmation),
            )
            for k, candidates in result.candidates.items():
                safely(
                    self.logger,
                    "DM swap candidates",
                    lambda k=k, c=candidates: dm(
                        self.client,
                        member.slack_id,
                        blocks.swap_candidates_text(team, k),
                        blocks.swap_candidates_blocks(team, member, k, c),
                    ),
                )

        if actor != member:  # an admin filed it: told alongside the member
            self.later(
                "confirm time off", lambda: dm(self.client, actor.slack_id, text, confirmation)
            )
        self.later("tell the member their time off", tell_member)
        self._refresh_homes(actor.id, member.id)

    # --- the handover note ------------------------------------------------------------

    def handover_note(self, thread: tuple[str, str], author: Member, note: str) -> bool:
        """Post a note in the handover's thread. If that fails, the form is closed
        already: the note goes back to its writer by DM, so it is not lost."""
        channel, ts = thread

        def post() -> bool:
            self.client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=handover_blocks.note_text(self.team, author.id),
                blocks=handover_blocks.note_blocks(self.team, author.id, note),
            )
            return True

        if safely(self.logger, "post a handover note", post):
            return True
        returned = md(
            "Your handover note could not be posted in the handover thread. "
            "Here it is, to post again:\n{}",
            shorten(escape(note), MAX_SECTION),
        )
        safely(
            self.logger,
            "return a handover note",
            lambda: dm(self.client, author.slack_id, returned),
        )
        return False

    # --- for the scheduler: failures raise (the announcer retries) ---------------------

    def post_handover(self, h: Handover) -> tuple[str, str]:
        """Post the handover in the team's channel; returns its (channel, ts)."""
        team = self.team
        posted = self.client.chat_postMessage(
            channel=team.channel,
            text=handover_blocks.handover_text(team, h),
            blocks=handover_blocks.handover_blocks(team, h),
        )
        return str(posted["channel"]), str(posted["ts"])

    def dm_on_call(self, h: Handover) -> None:
        """DM the incoming engineer their week."""
        team = self.team
        incoming = team.member(h.incoming)
        text = md("You are on call this week. {}", handover_blocks.handover_text(team, h))
        dm(self.client, incoming.slack_id, text, handover_blocks.handover_dm_blocks(team, h))

    def set_on_call_group(self, h: Handover) -> None:
        """Make the team's user group the incoming engineer alone (if it has one)."""
        team = self.team
        slack_id = self._slack_id(h.incoming) if h.incoming else None
        if team.usergroup and slack_id:  # Slack refuses an empty group
            self.client.usergroups_users_update(usergroup=team.usergroup, users=[slack_id])

    def dm_heads_up(self, h: Handover) -> None:
        """Tell next week's engineer before the weekend."""
        member = self.team.member(h.incoming)
        text = md("Heads-up: you are on call next week (week {}).", h.week.index)
        dm(self.client, member.slack_id, text, handover_blocks.heads_up_blocks(self.team, h))

    def remind_swap(self, request: SwapRequest, days_left: int) -> None:
        """Remind the counterpart that a request waits for their answer."""
        counterpart = self.team.member(request.counterpart)
        dm(
            self.client,
            counterpart.slack_id,
            handover_blocks.reminder_text(self.team, request),
            handover_blocks.reminder_blocks(self.team, request, days_left),
        )

    # --- helpers ----------------------------------------------------------------------

    def _slack_id(self, member_id: str) -> str | None:
        """None for someone no longer in the config: they cannot be messaged."""
        try:
            return self.team.member(member_id).slack_id
        except KeyError:
            return None

    def _update_request_dm(
        self,
        request: SwapRequest,
        what: str,
        content: Callable[[], tuple[str, list[Any]]],
    ) -> tuple[str, str] | None:
        """Replace the stored request DM with `content()` (text, blocks) by chat.update;
        returns where it is, None if it was never sent. A failure is logged: the change
        is stored."""
        where = self.service.swap_message(request.id)
        if where is None:
            return None
        channel, ts = where

        def update() -> Any:
            text, new_blocks = content()
            return self.client.chat_update(channel=channel, ts=ts, text=text, blocks=new_blocks)

        safely(self.logger, f"update the DM of {what} #{request.id}", update)
        return where

    def _refresh_homes(self, *member_ids: str) -> None:
        """Republish these members' App Homes (in the background: see HomePublisher)."""
        if self.homes is None:
            return
        slack_ids = (self._slack_id(m) for m in member_ids)
        self.homes.refresh(*(s for s in slack_ids if s), changed=True)
