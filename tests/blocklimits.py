"""Slack's own limits on Block Kit, checked on what a builder produced."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block


def assert_within_limits(blocks: list[Block], max_blocks: int = 50) -> list[dict[str, Any]]:
    """The blocks as dicts (slack_sdk validates each) after checking Slack's size limits."""
    ds = [b.to_dict() for b in blocks]
    assert 0 < len(ds) <= max_blocks
    for d in ds:
        if d["type"] == "section" and "text" in d:
            assert 0 < len(d["text"]["text"]) <= 3000
        if d["type"] == "header":
            assert len(d["text"]["text"]) <= 150
    return ds
