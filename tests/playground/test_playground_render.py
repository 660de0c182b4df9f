"""What the page must know to show the app's messages as Slack does, checked without a
browser: every emoji code the app writes, and mentions escaped as Slack sends them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from harness import JILL, JOHN

from bot.playground.interactions import escape_mentions

ROOT = Path(__file__).resolve().parents[2]
SHORTCODE = re.compile(r":([a-z][a-z0-9_+-]*):")
NOT_EMOJI = {"sha256"}  # a cache key's separator in bot/slack/middleware.py


def _app_shortcodes() -> set[str]:
    """The :emoji: codes in the Slack layer's string literals."""
    found: set[str] = set()
    for path in (ROOT / "bot" / "slack").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= set(SHORTCODE.findall(node.value))
    return found - NOT_EMOJI


def _page_emoji() -> set[str]:
    script = (ROOT / "bot" / "playground" / "static" / "mrkdwn.js").read_text(encoding="utf-8")
    table = script[script.index("const EMOJI = {") : script.index("};")]
    return set(re.findall(r"([a-z][a-z0-9_+-]*):\s*\"", table))


def test_the_page_shows_every_emoji_code_the_app_writes() -> None:
    used = _app_shortcodes()
    assert {"white_check_mark", "warning", "handshake"} <= used  # the scan finds them
    assert used - _page_emoji() == set()  # else add them to EMOJI in mrkdwn.js


def test_mentions_in_a_command_are_escaped_as_slack_sends_them() -> None:
    people = {JOHN: "John", JILL: "Jill"}
    channels = {"C0000000000": "on-call"}
    text = "cover @jill until 2026-12-03 ask #on-call, not @nobody or a@b.c; thanks @John."
    assert escape_mentions(text, people, channels) == (
        f"cover <@{JILL}|jill> until 2026-12-03 ask <#C0000000000|on-call>, "
        f"not @nobody or a@b.c; thanks <@{JOHN}|John>."
    )
    already = f"<@{JOHN}|john>"
    assert escape_mentions(already, people, channels) == already
