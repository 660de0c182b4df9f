"""`/oncall report [month]` end to end (signed HTTP, the fake Slack), and its blocks.

tests/data/team.yml: New York, Monday 09:00, John, James, Jill, Davis from Mon 30 Nov
2026; John is the admin. Now is Tue 1 Dec 2026. December 2026 (744 h): John 153 h to Mon
7 Dec 09:00 and 87 h from Mon 28 Dec 09:00, James, Jill and Davis 168 h each.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

import pytest
from blocklimits import assert_within_limits
from harness import JAMES, JILL, JOHN, STRANGER, SlackHarness

from bot.core.report import Report, ReportRow
from bot.slack.blocks.report import report_blocks, report_text

_names = itertools.count(1)


def ask(h: SlackHarness, text: str, user: str = JOHN) -> dict[str, Any]:
    """`/oncall <text>` on a response_url of its own: its one answer, which only the caller
    sees; nothing else reaches Slack and nothing is stored."""
    before = h.snapshot()
    path = f"/hooks/report{next(_names)}"
    status, _body = h.command(text, user=user, response_url=h.fake.response_url(path[7:]))
    assert status == 200
    h.fake.wait_for(lambda cs: [c for c in cs if c.args.get("_path") == path])
    h.settle()
    calls = h.fake.calls
    [reply] = [c.args for c in calls if c.args.get("_path") == path]
    assert reply["response_type"] == "ephemeral", reply
    assert [c.method for c in calls if c.args.get("_path") != path] == []  # no post, no DM
    assert h.snapshot() == before  # a read never writes
    return reply


def shown(reply: dict[str, Any]) -> str:
    return json.dumps(reply.get("blocks", []), ensure_ascii=False)


@pytest.mark.parametrize("month", ["2026-12", "december", "Dec 2026", ""])
def test_an_admin_gets_the_month(h: SlackHarness, month: str) -> None:
    reply = ask(h, f"report {month}".strip())
    blocks = reply["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "On-call report: December 2026", "emoji": True},
    }
    text = shown(reply)
    assert "*John*: 240 h on call, 168 h backup · 2 weekend day(s), 0 holiday day(s)" in text
    assert "*James*: 168 h on call, 240 h backup" in text
    assert "oncall report --from 2026-12-01 --to 2026-12-31 --csv" in text
    assert reply["text"] == (
        "On-call report December 2026: John 240 h on call; James 168 h on call; "
        "Jill 168 h on call; Davis 168 h on call"
    )


def test_the_answer_has_the_numbers_of_the_cli(h: SlackHarness) -> None:
    reply = ask(h, "report 2027-01")
    for r in h.service.report(date(2027, 1, 1), date(2027, 1, 31)).rows:
        assert f"*{r.name}*: {r.on_call_hours:g} h on call, {r.backup_hours:g} h backup" in shown(
            reply
        )


def test_before_the_rotation_there_is_nothing_to_report(h: SlackHarness) -> None:
    reply = ask(h, "report 2026-10")
    assert "the rotation starts Mon 30 Nov 2026; nothing to report" in shown(reply)


@pytest.mark.parametrize("user", [JILL, JAMES, STRANGER])
@pytest.mark.parametrize("month", ["", "2026-12", "not a month"])
def test_only_an_admin_sees_the_report(h: SlackHarness, user: str, month: str) -> None:
    reply = ask(h, f"report {month}", user=user)
    assert reply["text"] == ":warning: Only a team admin can see the on-call report."
    assert "168" not in json.dumps(reply)


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2026-13", "is not a month"),
        ("<!channel>", "`&lt;!channel&gt;` is not a month"),
        ("2040-01", "That is beyond the week of"),
    ],
)
def test_an_admin_typing_a_bad_month_is_told_why(h: SlackHarness, month: str, says: str) -> None:
    reply = ask(h, f"report {month}")
    assert reply["text"].startswith(":warning: ") and says in reply["text"]
    assert "<!channel>" not in json.dumps(reply)


# --- the blocks (pure) ------------------------------------------------------------------------


def test_names_are_escaped_and_a_long_list_continues(harness: SlackHarness) -> None:
    hostile = "<!channel> *Bob* & <@U123>"
    team = harness.team
    rows = tuple(ReportRow(f"m{i}", f"{hostile} {i}", 168.5, 0.25, 2, 1) for i in range(120))
    report = Report(date(2027, 3, 1), date(2027, 3, 31), rows, {date(2027, 3, 8): hostile}, 3.5)
    blocks = assert_within_limits(report_blocks(team, report, "March 2027"))
    dumped = json.dumps(blocks)
    assert "<!channel>" not in dumped and "<@U123>" not in dumped
    assert "&lt;!channel&gt; *Bob* &amp; &lt;@U123&gt; 119" in dumped  # the last row is there
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 1  # continued, not cut
    assert all(dumped.count(f"&gt; {i}*:") == 1 for i in range(120))
    assert "168.5 h on call, 0.25 h backup" in dumped
    assert "Nobody was free to be on call for 3.5 h." in dumped
    text = report_text(team, report, "March 2027")
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
