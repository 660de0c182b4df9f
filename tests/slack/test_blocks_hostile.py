"""Every builder with a hostile team: 40 members and 30 pipelines whose names try to
ping the channel, mention someone and hide a link. Nothing of that reaches Slack as
markup, every name is shown (lists continue in the next block), and Slack's limits hold.

Issue 11, defects 2 and 3: before the fix the handover post and its fallback, the
note thread, the runbooks list, /oncall fairness, the swap-request DM fallback, the
requester's confirmation and the time-off confirmation sent names raw, and the
handover and fairness lists were cut at 3,000 characters mid-line.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from blocklimits import assert_within_limits
from conftest import BASE_CONFIG
from slack_sdk.models.blocks import Block

from bot.core.model import SwapRequest, SwapStatus, Team, TimeOff
from bot.service import Handover, OnCallService, TimeOffResult
from bot.slack.blocks import handover as hb
from bot.slack.blocks import requests as rb
from bot.slack.blocks import status
from bot.slack.blocks.fairness import fairness_blocks, fairness_text
from bot.slack.blocks.home import home_view
from bot.slack.mrkdwn import escape

EVIL = "<!channel> <@U123> <https://evil.example|click> & *b* _i_ 🚨"
RAW = ("<!channel>", "<@U123>", "<https://evil")
MEMBERS = [f"m{i:02d}" for i in range(40)]
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def hostile_config() -> dict[str, Any]:
    config = copy.deepcopy(BASE_CONFIG)
    config["team"]["name"] = f"{EVIL} team"
    config["team"]["admins"] = ["m00"]
    config["rotation"]["order"] = MEMBERS
    config["members"] = [
        {"id": m, "name": f"{EVIL} {m}", "slack_id": f"U1{i:08d}"} for i, m in enumerate(MEMBERS)
    ]
    config["pipelines"] = [
        {
            "id": f"p{i:02d}",
            "name": f"{EVIL} EMEA Quarterly pipeline number {i:02d}",
            "audience": "investors",
            "primary": MEMBERS[i],
            "secondary": MEMBERS[i + 1],
        }
        for i in range(30)
    ]
    return config


@pytest.fixture
def hostile(make_team: Callable[..., Team]) -> Team:
    return make_team(hostile_config())


@pytest.fixture
def hservice(make_service: Callable[..., OnCallService], hostile: Team) -> OnCallService:
    return make_service(hostile)


def _texts(node: Any, out: list[str]) -> list[str]:
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") != "plain_text":
            out.append(text)  # mrkdwn; plain_text is shown as typed and needs no escape
        for value in node.values():
            _texts(value, out)
    elif isinstance(node, list):
        for value in node:
            _texts(value, out)
    return out


def checked(blocks: list[Block], max_blocks: int = 50) -> str:
    """All mrkdwn of `blocks` after checking Slack's limits; fails on any raw markup."""
    ds = assert_within_limits(blocks, max_blocks)
    for d in ds:
        if d["type"] == "section":
            assert len(d.get("fields", [])) <= 10
    mrkdwn = "\n".join(_texts(ds, []))
    assert_inert(mrkdwn)
    return mrkdwn


def assert_inert(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw} reached Slack: {text[:200]}"


def request(**kw: Any) -> SwapRequest:
    base = SwapRequest(
        id=7,
        requester="m01",
        counterpart="m02",
        requester_week=1,
        counterpart_week=2,
        status=SwapStatus.PENDING,
        created_at=NOW,
        expires_at=datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
        reason=EVIL,
    )
    return replace(base, **kw)


# --- the surfaces of defect 2 ------------------------------------------------------------


def test_handover_post_its_fallback_and_the_dm(hservice: OnCallService) -> None:
    team = hservice.team
    h = hservice.handover(1)
    assert h.outgoing is not None
    post = checked(hb.handover_blocks(team, h))
    assert escape(team.member(h.outgoing).name) in post
    fallback = hb.handover_text(team, h)
    assert_inert(fallback)
    assert escape(team.member(h.incoming).name) in fallback
    checked(hb.handover_dm_blocks(team, h))
    checked(hb.heads_up_blocks(team, replace(h, pending_swaps=(request(),))))


def test_handover_lists_every_pipeline_in_as_many_sections_as_needed(
    hservice: OnCallService,
) -> None:
    team = hservice.team
    h = hservice.handover(1)
    for build in (hb.handover_blocks, hb.handover_dm_blocks):
        blocks = build(team, h)
        text = checked(blocks)
        for p in team.pipelines:
            assert escape(p.name) in text, p.name
        assert "EMEA Quarterly pipeline number 29: " in text  # the last line, whole
        sections = [b.to_dict() for b in blocks if b.to_dict()["type"] == "section"]
        assert len(sections) > 2  # the 30 owners did not fit one section


def test_handover_note_thread(hservice: OnCallService) -> None:
    team = hservice.team
    note = f"{EVIL}\n" * 400  # more than one section holds, once escaped
    blocks = hb.note_blocks(team, "m03", note)
    text = checked(blocks)
    assert text.count(escape(EVIL)) == 401  # 400 lines of the note and the author's name
    assert_inert(hb.note_text(team, "m03"))
    assert escape(team.member("m03").name) in hb.note_text(team, "m03")


def test_runbooks_list_names_every_pipeline(hostile: Team) -> None:
    blocks = hb.runbooks_list_blocks(hostile)
    text = checked(blocks)
    for p in hostile.pipelines:
        assert escape(p.name) in text and f"`/oncall runbook {p.id}`" in text
    assert_inert(hb.runbooks_list_text(hostile))


def test_fairness_shows_all_40_members_whole(hservice: OnCallService) -> None:
    ledger = hservice.ledger()
    assert len(ledger.rows) == 40
    blocks = fairness_blocks(ledger, "m05")
    text = checked(blocks)
    for row in ledger.rows:
        assert f"*{escape(row.name)}*: {row.weeks} weeks" in text
    assert text.count(":point_left: you") == 1
    fallback = fairness_text(ledger)
    assert_inert(fallback)
    assert all(escape(r.name) in fallback for r in ledger.rows)


def test_swap_request_dm_and_its_fallback(hostile: Team) -> None:
    r = request()
    checked(rb.swap_request_dm(hostile, r, hostile.member("m01"), hostile.member("m02")))
    fallback = rb.swap_request_text(hostile, r)
    assert_inert(fallback)
    assert fallback.startswith(escape(hostile.member("m01").name) + " asks you to swap")


def test_requesters_confirmation_and_its_fallback(hostile: Team) -> None:
    r = request()
    checked(rb.swap_requested_blocks(hostile, r))
    fallback = rb.swap_requested_text(hostile, r)
    assert_inert(fallback)
    assert escape(hostile.member("m02").name) in fallback


def test_swap_outcomes_and_the_channel_line(hostile: Team) -> None:
    for status_ in SwapStatus:
        r = request(status=status_)
        for reader in ("m01", "m02"):
            assert_inert(rb.swap_outcome_text(hostile, r, reader))
        checked(rb.swap_decided_blocks(hostile, r, hostile.member("m02")))
        assert_inert(rb.swap_decided_text(hostile, r, hostile.member("m02")))
    assert_inert(rb.swap_channel_line(hostile, request()))
    assert_inert(rb.swap_channel_line(hostile, request(counterpart_week=None)))


def test_time_off_confirmation_and_its_fallback(hostile: Team) -> None:
    off = TimeOff("m04", date(2026, 12, 20), date(2026, 12, 24), note=EVIL)
    result = TimeOffResult(off, (), (4,), {4: [("m05", 9)]})
    member, admin = hostile.member("m04"), hostile.member("m00")
    checked(rb.timeoff_confirmation(hostile, result, member, admin))
    fallback = rb.timeoff_confirmation_text(result, member)
    assert_inert(fallback)
    assert escape(member.name) in fallback
    candidates = [(m, None) for m in MEMBERS[5:]]  # 35 colleagues
    text = checked(rb.swap_candidates_blocks(hostile, member, 4, candidates))
    assert "… and" not in text  # 35 fit
    text = checked(rb.swap_candidates_blocks(hostile, member, 4, candidates * 2))
    assert "… and 30 more" in text


def test_the_modals_within_limits(hostile: Team, hservice: OnCallService) -> None:
    weeks = hservice.weeks_of("m01", count=3)
    view = rb.swap_modal(hostile, hostile.member("m01"), weeks, hostile.members[2:]).to_dict()
    assert_inert("\n".join(_texts(view["blocks"], [])))
    view = rb.timeoff_modal(hostile, hostile.member("m00"), True, hostile.members).to_dict()
    assert len(view["blocks"]) <= 100


# --- the read-only answers and Home ---------------------------------------------------------


def test_now_owners_schedule_me_runbook_help(hservice: OnCallService) -> None:
    team = hservice.team
    answer = hservice.who()
    text = checked(status.now_blocks(team, answer))
    assert_inert(status.now_text(team, answer))
    text = checked(status.owners_blocks(team, answer))
    assert all(escape(p.name) in text for p in team.pipelines)
    assert_inert(status.owners_text(team, answer))
    weeks = hservice.schedule(count=status.MAX_SCHEDULE_WEEKS)
    checked(status.schedule_blocks(team, weeks, "m01"))
    assert_inert(status.schedule_text(team, weeks))
    member = team.member("m01")
    mine = hservice.weeks_of("m01", count=8)
    checked(status.me_blocks(team, member, mine, [], [request()]))
    assert_inert(status.me_text(member, mine))
    checked(status.not_member_blocks(team, answer))
    assert_inert(status.not_member_text(team, answer))
    p = team.pipelines[3]
    checked(status.runbook_blocks(team, p, None, answer))
    assert_inert(status.runbook_text(team, p, None, answer))
    intro = status.pipelines_intro("<!channel>", team.pipelines[:3])
    text = checked(status.pipelines_blocks(team, intro))
    assert all(escape(q.name) in text for q in team.pipelines)
    assert_inert(status.pipelines_text(team, intro))
    checked(status.help_blocks(team))


def test_home_view(hservice: OnCallService) -> None:
    team = hservice.team
    member = team.member("m01")
    view = home_view(
        team,
        hservice.who(),
        member,
        hservice.weeks_of("m01", count=20),
        [request(id=i, requester="m03", counterpart="m01") for i in range(15)],
        [request(id=i) for i in range(15)],
        [TimeOff("m01", date(2027, 1, 4), date(2027, 1, 8), note=EVIL)],
    )
    assert len(view["blocks"]) <= 100
    text = "\n".join(_texts(view["blocks"], []))
    assert_inert(text)
    assert "… and 5 more" in text  # requests beyond the ten shown are counted, not dropped
    assert json.dumps(view).count('"swap_cancel"') == 10
    outsider = home_view(team, hservice.who(), None)
    assert_inert("\n".join(_texts(outsider["blocks"], [])))


def test_a_handover_of_a_team_with_nothing_hostile_is_unchanged(
    service: OnCallService,
) -> None:
    """The escaping changes nothing for ordinary names (the existing tests pin the rest)."""
    h: Handover = service.handover(1)
    assert hb.handover_text(service.team, h) == (
        "On call this week: James (taking over from John); backup Jill."
    )
