""" "Your weeks changed" as Block Kit (bot.slack.blocks.changes): the reader is "you",
names are escaped, every line is shown (long lists continue in the next block), and the
fallback says what changed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from blocklimits import assert_within_limits
from teams import bare_team

from bot.core.changes import Role, WeekChange
from bot.core.model import Member
from bot.slack.blocks.changes import changes_dm, changes_text, recent_changes_blocks

EVIL = "<!channel> <@U123> <https://evil.example|click> & *b*"
TEAM = bare_team(("ana", "bob"))
HOSTILE = replace(TEAM, members=(Member("ana", "Ana", "U0"), Member("bob", EVIL, "U1")))
AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def change(
    k: int, role: Role = Role.ENGINEER, why: str = "Ana and Bob swapped weeks"
) -> WeekChange:
    return WeekChange("ana", k, role, "ana", "bob", why, k, AT)


def test_the_dm_says_each_week_before_and_after_and_why() -> None:
    changes = [
        change(4),
        change(3, Role.BACKUP),
        WeekChange("ana", 6, Role.ENGINEER, "bob", "ana", "w"),
    ]
    ds = assert_within_limits(changes_dm(TEAM, "ana", changes))
    text = json.dumps(ds, ensure_ascii=False)
    assert ds[0]["type"] == "header" and ds[0]["text"]["text"] == "Your on-call weeks changed"
    assert (
        "*Mon 28 Dec – Mon 04 Jan* (week 4) · on call: *you* → Bob · _Ana and Bob swapped weeks_"
        in text
    )
    assert "(week 3) · backup: *you* → Bob" in text
    assert "(week 6) · on call: Bob → *you* · _w_" in text
    assert changes_text(TEAM, "ana", changes) == (
        "Your on-call weeks changed: the week of Mon 28 Dec and 2 more week(s)."
    )


def test_names_and_reasons_from_people_are_escaped() -> None:
    ds = assert_within_limits(changes_dm(HOSTILE, "ana", [change(4, why=EVIL)]))
    text = json.dumps(ds)
    for raw in ("<!channel>", "<@U123>", "<https://evil"):
        assert raw not in text
    assert "&lt;!channel&gt;" in text


def test_a_long_list_continues_in_the_next_block_and_nothing_is_cut() -> None:
    changes = [
        change(k, role, "a reason long enough to fill lines " * 3)
        for k in range(1, 104)
        for role in Role
    ]
    ds = assert_within_limits(changes_dm(TEAM, "ana", changes))
    sections = [d["text"]["text"] for d in ds if d["type"] == "section"]
    assert len(sections) > 1
    shown = "\n".join(sections)
    assert all(f"(week {k})" in shown for k in range(1, 104))
    assert "shortened" not in shown and "not shown" not in json.dumps(ds)


def test_the_home_lists_recent_changes_with_when() -> None:
    ds = assert_within_limits(recent_changes_blocks(TEAM, "ana", [change(4), change(3)]), 100)
    text = json.dumps(ds, ensure_ascii=False)
    assert ds[0]["text"]["text"] == "Recent changes"
    assert text.index("(week 4)") < text.index("(week 3)")  # as given: the newest first
    assert "<!date^1796137200^" in text
    empty = json.dumps([b.to_dict() for b in recent_changes_blocks(TEAM, "ana", [])])
    assert "No changes to your weeks yet" in empty
