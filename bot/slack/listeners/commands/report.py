"""`/oncall report [month]`: the on-call report of a month, for admins, answered privately."""

from __future__ import annotations

from bot.core.report import MONTHS
from bot.slack.blocks.report import report_blocks, report_text
from bot.slack.listeners.commands.context import CommandRequest


def report(req: CommandRequest) -> None:
    service = req.service
    found = service.monthly_report(req.member.id if req.member else None, req.args)
    title = f"{MONTHS[found.first.month - 1].title()} {found.first.year}"
    req.reply(report_text(service.team, found, title), report_blocks(service.team, found, title))
