"""`/oncall calendar`: the person's own subscribe links (their feed and the team's),
answered privately; a member only. Issuing links is a write, so it runs after the ack."""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.slack.blocks.calendar import calendar_links_blocks, calendar_links_text
from bot.slack.listeners.commands.context import CommandRequest


def calendar(req: CommandRequest) -> None:
    if req.member is None:
        raise Refusal("Calendar links are for members of the on-call team.")
    links = req.service.calendar_links(req.member.id)
    req.reply(calendar_links_text(links), calendar_links_blocks(links, req.service.feed_setup))
