"""The pure Block Kit builders: what they say, their text fallbacks, Slack's limits, escaping.

Every assertion goes through `Block.to_dict()`, which runs slack_sdk's client-side
validation (header <= 150 chars, section <= 3000, button text <= 75, ...).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from blocklimits import assert_within_limits
from slack_sdk.models.blocks import Block

from bot.clock import FixedClock
from bot.config import load_config
from bot.core.model import SwapRequest, SwapStatus, Team, TimeOff
from bot.core.oncall import OnCall
from bot.core.ownership import Ownership
from bot.runbooks import Runbook, Section, load_runbook
from bot.service import OnCallService
from bot.slack.blocks import status
from bot.slack.blocks.fairness import fairness_blocks
from bot.slack.blocks.home import home_view
from bot.slack.mrkdwn import escape, md
from bot.storage.store import Store

TEAM_FILE = Path(__file__).resolve().parents[1] / "data" / "team.yml"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York: week 0
JOHN, JAMES, JILL = "<@U0000000001>", "<@U0000000002>", "<@U0000000003>"
EVIL = "<!channel> <@U0000000004> & <https://evil.example|click>"
EVIL_ESCAPED = "&lt;!channel&gt; &lt;@U0000000004&gt; &amp; &lt;https://evil.example|click&gt;"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnCallService]:
    team = load_config(TEAM_FILE)
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('blocks')}/oncall.db")
    store.create_all()
    svc = OnCallService(team, store, FixedClock(NOW))
    svc.sync_plan()
    yield svc


@pytest.fixture(scope="module")
def team(service: OnCallService) -> Team:
    return service.team


@pytest.fixture(scope="module")
def answer(service: OnCallService) -> OnCall:
    return service.who()


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]  # validates every block


def texts(blocks: list[Block]) -> str:
    """All the text a reader would see, joined (for `in` checks)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(dicts(blocks))
    return "\n".join(out)


def swap(
    id: int, requester: str, counterpart: str, mine: int, theirs: int | None, reason: str = ""
) -> SwapRequest:
    return SwapRequest(
        id=id,
        requester=requester,
        counterpart=counterpart,
        requester_week=mine,
        counterpart_week=theirs,
        status=SwapStatus.PENDING,
        created_at=NOW,
        expires_at=NOW + timedelta(days=5),
        reason=reason,
    )


# --- now ------------------------------------------------------------------------------


def test_now_names_on_call_backup_until_and_owners(team: Team, answer: OnCall) -> None:
    blocks = status.now_blocks(team, answer)
    text = texts(blocks)
    assert dicts(blocks)[0]["type"] == "header"
    assert f"*On call:* {JOHN}" in text and f"*Backup:* {JAMES}" in text
    assert "Mon 07 Dec 09:00 EST" in text  # the next handover, in the team's zone
    for p in team.pipelines:
        assert p.name in text
    assert "Public holidays this week: none" in text and "Time off this week: none" in text
    fallback = status.now_text(team, answer)
    assert fallback == "On call: John (backup James) until Mon 07 Dec 09:00 EST."


def test_now_shows_holidays_time_off_reasons_and_substitutes(team: Team, answer: OnCall) -> None:
    profit = team.pipelines[1]
    special = dataclasses.replace(
        answer,
        reasons=("adjusted: <b> & co",),
        holidays={date(2026, 12, 3): "Founders' Day"},
        time_off=(TimeOff("james", date(2026, 12, 1), date(2026, 12, 4), note=EVIL),),
        owners=(Ownership(profit, "jill", "James away (time off)"),),
    )
    text = texts(status.now_blocks(team, special))
    assert "adjusted: &lt;b&gt; &amp; co" in text
    assert "Founders' Day (Thu 03 Dec)" in text
    assert "James off Tue 01 Dec – Fri 04 Dec" in text
    assert f"*Aggregate Profit* (investors): {JILL} — _James away (time off)_" in text
    assert "<!channel>" not in text  # the note is not shown here, and never raw


def test_now_before_the_rotation_starts(service: OnCallService, team: Team) -> None:
    early = service.who(datetime(2026, 11, 20, 12, tzinfo=UTC))
    blocks = status.now_blocks(team, early)
    assert "has not started" in texts(blocks) and "Mon 30 Nov 09:00 EST" in texts(blocks)
    assert "has not started" in status.now_text(team, early)
    owners = texts(status.owners_blocks(team, early))  # falls back to the configured primaries
    assert "The rotation starts Mon 30 Nov 09:00 EST" in owners
    assert f"*Aggregate Profit* (investors): {JAMES}" in owners


# --- schedule -----------------------------------------------------------------------------


def test_schedule_26_weeks_fits_and_marks_my_weeks(service: OnCallService, team: Team) -> None:
    weeks = service.schedule(count=26)
    blocks = status.schedule_blocks(team, weeks, "john")
    assert_within_limits(blocks)
    text = texts(blocks)
    for w in weeks:
        assert f"`{w.week.index:>3}` *{status.span(w.week)}*" in text
    mine = sum(1 for w in weeks if w.member == "john")
    assert text.count(":point_right: *you*") == mine > 0
    assert "Mondays at 09:00 (America/New_York)" in text
    assert status.schedule_text(team, weeks).startswith("On-call schedule, 26 week(s)")


def test_schedule_without_highlight_and_empty(service: OnCallService, team: Team) -> None:
    assert ":point_right:" not in texts(status.schedule_blocks(team, service.schedule(count=4)))
    assert "No weeks" in texts(status.schedule_blocks(team, []))
    assert "No weeks" in status.schedule_text(team, [])


def test_schedule_notes_and_capping_of_huge_input(service: OnCallService, team: Team) -> None:
    base = service.schedule(count=26)
    # Every week loaded with notes: far more text than one message can hold.
    noisy = [
        dataclasses.replace(
            w,
            reason="adjusted: Christmas <balanced>",
            fixed=False,
            holidays={
                w.week.first_day + timedelta(days=i): "Holiday " + "x" * 80 for i in range(7)
            },
            time_off=tuple(TimeOff(m, w.week.first_day, w.week.days[-1]) for m in team.order),
            cover_needed=True,
        )
        for w in base * 8
    ]
    blocks = status.schedule_blocks(team, noisy, "john", note="Showing 26 weeks.")
    assert_within_limits(blocks)
    text = texts(blocks)
    assert text.startswith(":information_source: Showing 26 weeks.")
    assert "adjusted: Christmas &lt;balanced&gt;" in text
    assert "needs cover" in text
    assert "more parts of the schedule not shown" in text


def test_schedule_fixed_reason_is_shown_as_is(service: OnCallService, team: Team) -> None:
    w = dataclasses.replace(service.schedule(count=1)[0], reason="swap with James", fixed=True)
    assert "swap with James" in status.schedule_line(team, w)


# --- me ------------------------------------------------------------------------------------


def test_me_lists_weeks_time_off_and_swaps_escaped(service: OnCallService, team: Team) -> None:
    john = team.member("john")
    weeks = service.weeks_of("john")
    off = [TimeOff("john", date(2027, 1, 4), date(2027, 1, 8), note=EVIL, id=1)]
    swaps = [
        swap(1, "john", "james", 4, 5, reason=EVIL),
        swap(2, "jill", "john", 2, None),
        dataclasses.replace(swap(3, "john", "davis", 8, 7), status=SwapStatus.DECLINED),
    ]
    blocks = status.me_blocks(team, john, weeks, off, swaps)
    assert_within_limits(blocks)
    text = texts(blocks)
    assert dicts(blocks)[0]["text"]["text"] == "Your on-call, John"
    assert f"`  4` *Mon 28 Dec – Mon 04 Jan* · backup {JAMES}" in text
    assert "Mon 04 Jan – Fri 08 Jan" in text
    assert f"You offered {JAMES} your week Mon 28 Dec – Mon 04 Jan for theirs" in text
    assert f"{JILL} asks you to cover their week Mon 14 Dec – Mon 21 Dec" in text
    assert "<@U0000000004>" not in text  # the declined request, and the raw notes, are gone
    assert text.count(EVIL_ESCAPED) == 2 and "<!channel>" not in text
    assert status.me_text(john, weeks) == "John: your next on-call week starts Mon 30 Nov."


def test_me_when_nothing_is_recorded(team: Team) -> None:
    john = team.member("john")
    text = texts(status.me_blocks(team, john, [], [], []))
    assert "No weeks for you" in text and "None recorded." in text and "None pending." in text
    assert "no on-call weeks" in status.me_text(john, [])


def test_not_member_says_so_and_who_is_on_call(team: Team, answer: OnCall) -> None:
    text = texts(status.not_member_blocks(team, answer))
    assert "not in the *Data Engineering* on-call team" in text and JOHN in text
    assert status.not_member_text(team, answer).startswith("You are not in the")


# --- owners ---------------------------------------------------------------------------------


def test_owners_with_a_substitution(team: Team, answer: OnCall) -> None:
    growth = team.pipelines[2]
    special = dataclasses.replace(
        answer, owners=(Ownership(growth, "davis", "Jill away (holiday: <x>)"),)
    )
    blocks = status.owners_blocks(team, special)
    text = texts(blocks)
    assert "*Aggregate Growth* (investors): <@U0000000004>" in text
    assert "Jill away (holiday: &lt;x&gt;)" in text
    assert "_primary Jill, secondary Davis_" in text
    assert "Aggregate Growth: Davis" in status.owners_text(team, special)


# --- runbook -----------------------------------------------------------------------------------


def test_runbook_with_owners_and_sections(team: Team, answer: OnCall) -> None:
    profit = next(p for p in team.pipelines if p.id == "aggregate-profit")
    assert profit.runbook is not None
    book = load_runbook(profit.runbook)
    blocks = status.runbook_blocks(team, profit, book, answer)
    assert_within_limits(blocks)
    ds = dicts(blocks)
    assert ds[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": ":book: Aggregate Profit runbook", "emoji": True},
    }
    context = ds[1]["elements"][0]["text"]
    assert "Audience: *investors*" in context
    assert f"On call now: {JOHN}" in context and f"Owner today: {JAMES}" in context
    assert f"Other owner: {JILL}" in context
    text = texts(blocks)
    for section in book.sections:
        assert f"*{section.title}*" in text
    assert "**" not in text  # Markdown bold was converted to mrkdwn
    assert status.runbook_text(team, profit, book, answer) == (
        "Aggregate Profit runbook: owner today James, on call John."
    )


def test_long_runbook_is_chunked_and_capped(team: Team, answer: OnCall) -> None:
    paragraph = ("Check the warehouse load and the upstream feed. " * 20 + "\n\n") * 12
    code = "```sql\n" + "SELECT 1;\n" * 400 + "```\n"
    book = Runbook(
        title="Huge",
        intro=paragraph,
        sections=tuple(Section(f"Issue {i} <{i}>", paragraph + code) for i in range(40)),
    )
    long_name = dataclasses.replace(team.pipelines[1], name="Aggregate Profit " * 20)
    blocks = status.runbook_blocks(team, long_name, book, answer)
    assert_within_limits(blocks)
    assert len(blocks) == 50
    assert "more parts of the runbook not shown" in texts(blocks[-1:])
    assert "Issue 0 &lt;0&gt;" in texts(blocks)
    for d in dicts(blocks):  # every piece of a cut code fence is closed again
        if d["type"] == "section":
            assert d["text"]["text"].count("```") % 2 == 0


def test_no_runbook_still_names_the_owners(team: Team, answer: OnCall) -> None:
    daily = next(p for p in team.pipelines if p.id == "daily-growth")
    blocks = status.runbook_blocks(team, daily, None, answer)
    text = texts(blocks)
    assert "No runbook is recorded for *Daily Growth*" in text
    assert "Owner today: <@U0000000004>" in text and f"Other owner: {JOHN}" in text
    assert "(no runbook)" in status.runbook_text(team, daily, None, answer)
    broken = texts(status.runbook_blocks(team, daily, None, answer, problem="Could not load."))
    assert "Could not load." in broken and "No runbook is recorded" not in broken


def test_pipelines_list(team: Team) -> None:
    text = texts(status.pipelines_blocks(team, md("Which one?")))
    assert text.startswith("Which one?")
    assert "`daily-growth` — Daily Growth _(no runbook)_" in text
    assert "`aggregate-profit` — Aggregate Profit\n" in text


# --- fairness -----------------------------------------------------------------------------------


def test_fairness_shows_the_planners_rules_against_the_proven_best(tmp_path: Path) -> None:
    """Through the service: the per-rule results stored with the plan reach the blocks."""
    team = load_config(Path(__file__).resolve().parents[2] / "oncall.yml")  # with holidays
    store = Store(f"sqlite:///{tmp_path}/fairness.db")
    store.create_all()
    svc = OnCallService(team, store, FixedClock(NOW))
    svc.sync_plan()
    blocks = fairness_blocks(svc.ledger())
    dicts(blocks)
    text = texts(blocks)
    for line in (
        "rule 1 (availability): kept (proven best)",
        "rule 2 (fair share of weeks): kept (proven best)",
        "rule 3 (holiday balance): kept (proven best)",
        "rule 4 (major holidays): kept (proven best)",
        "rule 5 (no back-to-back): kept (proven best)",
    ):
        assert line in text


# --- help ---------------------------------------------------------------------------------------


def test_help_lists_every_sub_command_and_the_note_first(team: Team) -> None:
    blocks = status.help_blocks(team, md("Unknown sub-command `x`."))
    text = texts(blocks)
    assert text.startswith(":warning: Unknown sub-command `x`.")
    for usage in (
        "/oncall now",
        "/oncall schedule [N]",
        "/oncall me",
        "/oncall swap`",
        "/oncall swap @user <date in my week> [<date in their week> | cover]",
        "/oncall timeoff",
        "/oncall runbook <pipeline>",
        "/oncall owners",
        "/oncall fairness",
        "/oncall help",
    ):
        # `<` in mrkdwn starts a link even inside code: the usage is shown escaped.
        assert escape(usage) in text
    assert "<" not in text
    assert not texts(status.help_blocks(team)).startswith(":warning:")
    assert status.help_text(md("Unknown.")).startswith("Unknown. /oncall now")


# --- home -----------------------------------------------------------------------------------------


def _buttons(view: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    found: list[tuple[str, str, str | None]] = []
    for block in view["blocks"]:
        elements = block.get("elements", []) + (
            [block["accessory"]] if "accessory" in block else []
        )
        for e in elements:
            if e.get("type") == "button":
                found.append((e["action_id"], e["value"], e.get("style")))
    return found


def test_home_for_a_member(service: OnCallService, team: Team, answer: OnCall) -> None:
    john = team.member("john")
    weeks = service.weeks_of("john", count=4)
    to_me = [swap(11, "james", "john", 5, 4, reason=EVIL)]
    from_me = [swap(12, "john", "jill", 8, None)]
    off = [TimeOff("john", date(2027, 2, 1), date(2027, 2, 3), id=5)]
    view = home_view(team, answer, john, weeks, to_me, from_me, off)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    buttons = _buttons(view)
    # Week 0 is under way: no swap button for it.
    assert [b for b in buttons if b[0] == "swap_open"] == [
        ("swap_open", str(w.week.index), None) for w in weeks[1:]
    ]
    assert ("swap_accept", "11", "primary") in buttons
    assert ("swap_decline", "11", None) in buttons
    assert ("swap_cancel", "12", None) in buttons
    assert ("timeoff_open", "home", None) in buttons
    raw = json.dumps(view)
    assert "You are on call now" in raw and "<!channel>" not in raw


def test_home_for_a_stranger(team: Team, answer: OnCall) -> None:
    view = home_view(team, answer, None)
    assert _buttons(view) == []
    assert "Only members of the *Data Engineering* on-call team" in json.dumps(view)
    assert JOHN in json.dumps(view)


def test_home_stays_within_100_blocks(service: OnCallService, team: Team, answer: OnCall) -> None:
    john = team.member("john")
    many = [swap(i, "james", "john", 5, 4) for i in range(60)]
    mine = [swap(100 + i, "john", "jill", 8, None) for i in range(60)]
    off = [
        TimeOff("john", date(2027, 3, 1), date(2027, 3, 2), note="x" * 400, id=i) for i in range(40)
    ]
    view = home_view(team, answer, john, service.weeks_of("john", count=30), many, mine, off)
    assert len(view["blocks"]) <= 100
    assert ("timeoff_open", "home", None) in _buttons(view)
    assert "and 50 more" in json.dumps(view)


def test_runbook_when_both_owners_are_away(team: Team, answer: OnCall) -> None:
    profit = next(p for p in team.pipelines if p.id == "aggregate-profit")
    away = dataclasses.replace(
        answer, owners=(Ownership(profit, "john", "both owners away; John covers"),)
    )
    context = texts(status.runbook_blocks(team, profit, None, away)[1:2])
    assert f"Owner today: {JOHN} (both owners away; John covers)" in context
    assert f"Other owners: {JAMES}, {JILL}" in context
