"""The notifier's section for 'your weeks changed' DMs: part of `Notifier`."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.service import OnCallService
from bot.service.changes import ChangeNotice
from bot.slack.blocks.changes import changes_dm, changes_text
from bot.slack.dm import dm
from bot.slack.home import HomePublisher


class ChangeNotices:
    """Mixed into Notifier, whose attributes these are."""

    client: WebClient
    service: OnCallService
    homes: HomePublisher | None
    logger: Logger
    later: Callable[..., Any]

    def tell_week_changes(self, notice: ChangeNotice) -> None:
        """DM a member the weeks of theirs that moved (for the scheduler: a failure
        raises, and the announcer releases the changes for the next run to retry)."""
        team = self.service.team
        member = team.member(notice.member)
        dm(
            self.client,
            member.slack_id,
            changes_text(team, member.id, notice.changes),
            changes_dm(team, member.id, notice.changes),
        )
        if self.homes is not None:  # "Recent changes" on their Home
            self.homes.refresh(member.slack_id, changed=True)
