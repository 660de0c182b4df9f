"""What the app sent the fake Slack, found the way the end-to-end tests look for it: the
DM channel of a user, a message posted there, a private answer, the buttons in blocks."""

from __future__ import annotations

import json
from typing import Any

from fakeslack import Call
from harness import SlackHarness

PRIVATE = ("response_url", "chat.postEphemeral")


def dm_channel(slack_id: str) -> str:
    return "D" + slack_id  # what the fake's conversations.open answers


def has_text(call: Call, needle: str) -> bool:
    return needle in json.dumps(call.args)


def posted(h: SlackHarness, channel: str, needle: str = "") -> Call:
    """The first chat.postMessage to `channel` containing `needle` (waits for it)."""
    return h.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel and has_text(c, needle)
    )


def answered(h: SlackHarness, needle: str) -> Call:
    """A private answer containing `needle`: through a response_url, or chat.postEphemeral."""
    calls = h.fake.wait_for(
        lambda cs: [c for c in cs if c.method in PRIVATE and has_text(c, needle)]
    )
    return next(c for c in calls if c.method in PRIVATE and has_text(c, needle))


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every interactive element: in actions blocks, and sections' accessories."""
    out = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return out + [b["accessory"] for b in blocks if b.get("accessory")]


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(action_id, value) of every button in the blocks."""
    return [(e["action_id"], e.get("value", "")) for e in elements(blocks)]
