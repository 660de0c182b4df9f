"""`/oncall calendar`'s answer (bot/slack/blocks/calendar.py), through to_dict()."""

from __future__ import annotations

import json

from blocklimits import assert_within_limits

from bot.service.calendar import CalendarLinks, FeedSetup
from bot.slack import ids
from bot.slack.blocks.calendar import calendar_links_blocks, calendar_links_text

BASE = "https://oncall.example.com/calendar/"
LINKS = CalendarLinks("jill", BASE + "a" * 43 + ".ics", BASE + "b" * 43 + ".ics")


def test_the_answer_has_both_links_how_to_add_them_and_a_confirmed_reset() -> None:
    blocks = assert_within_limits(calendar_links_blocks(LINKS, FeedSetup(BASE, True)))
    shown = json.dumps(blocks)
    assert LINKS.personal in shown and LINKS.team in shown
    assert "Google Calendar" in shown and "Outlook" in shown and "Apple" in shown
    assert "Socket Mode" not in shown and "revoked" not in shown
    reset = blocks[-1]["elements"][0]
    assert reset["action_id"] == ids.CALENDAR_RESET and reset["style"] == "danger"
    assert reset["confirm"]["confirm"]["text"] == "Reset"
    text = calendar_links_text(LINKS)
    assert LINKS.personal in text and LINKS.team in text


def test_after_a_reset_and_in_socket_mode_the_answer_says_so() -> None:
    links = CalendarLinks("jill", LINKS.personal, LINKS.team, revoked=3)
    setup = FeedSetup(BASE, True, socket_mode=True, calendar_port=8089)
    shown = json.dumps(assert_within_limits(calendar_links_blocks(links, setup)))
    assert "3 earlier link(s) revoked" in shown
    assert "Socket Mode" in shown and "8089" in shown
