"""The one wrapper every button's listener runs its work in."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.errors import Refusal
from bot.core.model import Member
from bot.slack.errors import FAILED, NOT_A_MEMBER
from bot.slack.interaction import Interaction
from bot.slack.mrkdwn import md


def guarded(i: Interaction, what: str, work: Callable[[Member], None]) -> None:
    """Run `work` for a team member; never let an exception escape the listener.

    `work` makes the decision here, on the listener thread, and hands what it tells
    to `i.later`: see bot/slack/followup.py."""
    member = i.member
    if member is None:
        i.tell(NOT_A_MEMBER)
        return
    try:
        work(member)
    except Refusal as e:
        i.tell(md(":warning: {}", e.message))  # a refusal is plain text: escaped here
    except Exception:
        i.logger.exception("%s failed", what)
        i.tell(FAILED)
