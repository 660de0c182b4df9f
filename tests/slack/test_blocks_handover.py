"""The handover post's opening line: on time it says "from now"; posted late (the
catch-up at start, after the handover instant) it says since when."""

from __future__ import annotations

from dataclasses import replace

from bot.service import Handover, OnCallService
from bot.slack.blocks import handover as hb


def _intro(blocks: list) -> str:
    """The text of the first section: the line that says who is on call."""
    dicts = [b.to_dict() for b in blocks]  # to_dict() runs slack_sdk's validation
    return next(d["text"]["text"] for d in dicts if d["type"] == "section")


def test_the_handover_on_time_says_from_now(service: OnCallService) -> None:
    h: Handover = service.handover(1)
    assert not h.late
    assert _intro(hb.handover_blocks(service.team, h)) == (
        ":rotating_light: <@U0000000002> is on call from now, taking over from John. Backup: Jill."
    )


def test_a_late_handover_says_since_the_handover_instant(service: OnCallService) -> None:
    """The issue: a catch-up post on a Tuesday said "is on call from now"."""
    h = replace(service.handover(1), late=True)
    blocks = hb.handover_blocks(service.team, h)
    intro = _intro(blocks)
    assert intro == (
        ":rotating_light: <@U0000000002> has been on call since Mon 07 Dec 09:00 EST, "
        "taking over from John. Backup: Jill."
    )
    assert "from now" not in str([b.to_dict() for b in blocks])
    # the fallback text stays true either way
    assert hb.handover_text(service.team, h) == (
        "On call this week: James (taking over from John); backup Jill."
    )
