"""Builders for "your weeks changed": the DM that tells a member which of their future
weeks moved (before → after, and why), and the "Recent changes" lines of their App Home.

Names are plain escaped names, the reader is "you": the DM is about the reader's weeks,
and a mention of the colleague would only repeat the name. Lists go through
`kit.sections` (continued in the next block) and `kit.cap`: nothing is cut silently.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.core.changes import Role, WeekChange
from bot.core.model import Team
from bot.core.weeks import week
from bot.slack.blocks.kit import MAX_BLOCKS, cap, context, header, sections
from bot.slack.common import fmt_instant, fmt_short
from bot.slack.mrkdwn import Mrkdwn, code, date_token, italic, md, name

ROLE_NAMES = {Role.ENGINEER: "on call", Role.BACKUP: "backup"}
SEE_ME = md("Your weeks as they stand now: {}.", code("/oncall me"))


def _holder(team: Team, reader: str, member_id: str | None) -> Mrkdwn:
    if member_id == reader:
        return md("*you*")
    return name(team, member_id, "nobody")


def change_line(team: Team, reader: str, c: WeekChange) -> Mrkdwn:
    """`• Mon 14 Dec – Mon 21 Dec (week 2) · on call: you → Jill · why`."""
    w = week(team, c.week)
    line = md(
        "• *{} – {}* (week {}) · {}: {} → {}",
        fmt_short(w.first_day),
        fmt_short(w.last_day),
        c.week,
        ROLE_NAMES[c.role],
        _holder(team, reader, c.before),
        _holder(team, reader, c.after),
    )
    return line + md(" · {}", italic(c.why)) if c.why else line


def changes_text(team: Team, reader: str, changes: Sequence[WeekChange]) -> Mrkdwn:
    """The DM's plain fallback (notifications, screen readers): the first week and a count."""
    first = week(team, changes[0].week)
    more = len({c.week for c in changes}) - 1
    rest = md(" and {} more week(s)", more) if more else md("")
    return md("Your on-call weeks changed: the week of {}{}.", fmt_short(first.first_day), rest)


def changes_dm(team: Team, reader: str, changes: Sequence[WeekChange]) -> list[Block]:
    """The DM: a header, one line per week and role that changed, where to look."""
    blocks: list[Block] = [
        header("Your on-call weeks changed"),
        *sections([change_line(team, reader, c) for c in changes]),
        context(SEE_ME),
    ]
    return cap(blocks, MAX_BLOCKS, code("/oncall me"), what="lines")


def recent_changes_blocks(team: Team, reader: str, changes: Sequence[WeekChange]) -> list[Block]:
    """The App Home's "Recent changes": the newest first, each with when it happened."""
    blocks: list[Block] = [header("Recent changes")]
    if not changes:
        return [*blocks, context(md("No changes to your weeks yet."))]
    lines = []
    for c in changes:
        when = date_token(c.at, fmt_instant(team, c.at)) if c.at else md("earlier")
        lines.append(change_line(team, reader, c) + md(" ({})", when))
    return [*blocks, *sections(lines)]
