"""Builders of the swap lifecycle (issue 16.2): the accept notice's "Swap back", swap back
requests, recorded swaps, admin cancels, deadlines and the /oncall requests list. Pure,
validated by slack_sdk through to_dict()."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.core.model import SwapRequest, SwapStatus, Team
from bot.slack.blocks import requests as b
from bot.slack.blocks.kit import MAX_BLOCKS

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Mon 7 Dec 09:00 EST
EVIL = "off to <!channel> & <@U0000000002>"


def dicts(blocks: list[Any]) -> list[dict[str, Any]]:
    return [x.to_dict() for x in blocks]


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = [e for x in blocks if x["type"] == "actions" for e in x["elements"]]
    return [(e["action_id"], e["value"]) for e in found]


def request(**kw: Any) -> SwapRequest:
    base = SwapRequest(7, "james", "jill", 1, 2, SwapStatus.PENDING, NOW, EXPIRES)
    return replace(base, **kw)


def test_the_deadline_is_a_date_token_with_the_team_time_as_fallback(team: Team) -> None:
    token = b.deadline(team, EXPIRES)
    assert token == "<!date^1796652000^{date_short_pretty} {time}|Mon 07 Dec 09:00 EST>"
    dm = json.dumps(dicts(b.swap_request_dm(team, request(), *_parties(team))))
    assert token in dm
    assert token in json.dumps(dicts(b.swap_requested_blocks(team, request())))


def _parties(team: Team) -> tuple[Any, Any]:
    return team.member("james"), team.member("jill")


def test_only_an_accepted_swap_or_cover_offers_swap_back(team: Team) -> None:
    accepted = request(status=SwapStatus.ACCEPTED)
    for reader in ("james", "jill"):
        blocks = dicts(b.swap_outcome_blocks(team, accepted, reader))
        assert buttons(blocks) == [("swap_back", "7")]
    cover = request(status=SwapStatus.ACCEPTED, counterpart_week=None)
    assert buttons(dicts(b.swap_outcome_blocks(team, cover, "james"))) == [("swap_back", "7")]
    for no in (
        request(status=SwapStatus.DECLINED),
        request(status=SwapStatus.ACCEPTED, undoes=3),  # a swap back is not swapped back
        request(status=SwapStatus.ACCEPTED, starts_at=NOW, ends_at=EXPIRES),  # a take-over
    ):
        assert buttons(dicts(b.swap_outcome_blocks(team, no, "james"))) == []


def test_a_swap_back_request_says_the_weeks_go_back(team: Team) -> None:
    back = request(id=8, undoes=7, requester="jill", counterpart="james")
    text = json.dumps(dicts(b.swap_request_dm(team, back, *reversed(_parties(team)))))
    assert "asks you to swap request #7 back" in text
    assert "the week of Mon 07 Dec 2026" in text and "the week of Mon 14 Dec 2026" in text
    assert buttons(dicts(b.swap_request_dm(team, back, *_parties(team)))) == [
        ("swap_accept", "8"),
        ("swap_decline", "8"),
    ]
    assert b.swap_summary(team, back).startswith("Swap back of request #7")
    line = b.swap_channel_line(team, replace(back, status=SwapStatus.ACCEPTED))
    assert "Swapped back" in line and "undid request #7" in line


def test_a_recorded_swap_names_the_admin_everywhere(team: Team) -> None:
    recorded = request(status=SwapStatus.ACCEPTED, recorded_by="john")
    for reader, other in (("james", "Jill"), ("jill", "James")):
        text = b.swap_outcome_text(team, recorded, reader)
        assert f"John recorded a swap between you and {other}" in text
    assert "(recorded by John)" in b.swap_channel_line(team, recorded)
    # an admin who is a party: each reads it from where they stand
    own = request(status=SwapStatus.ACCEPTED, recorded_by="james")
    assert "You recorded a swap with Jill" in b.swap_outcome_text(team, own, "james")
    assert "James recorded a swap with you" in b.swap_outcome_text(team, own, "jill")
    assert "James and Jill were told" in json.dumps(dicts(b.swap_recorded_blocks(team, recorded)))


def test_an_admin_cancel_says_who_cancelled(team: Team) -> None:
    john = team.member("john")
    cancelled = request(status=SwapStatus.CANCELLED)
    for reader in ("james", "jill"):
        assert "John, an admin, cancelled request #7" in b.swap_outcome_text(
            team, cancelled, reader, john
        )
    assert "Cancelled by John (an admin)" in b.swap_decided_text(team, cancelled, john)
    james = team.member("james")
    assert "Cancelled by requester" in b.swap_decided_text(team, cancelled, james)


def test_the_expiry_notice_tells_the_requester_nothing_changed(team: Team) -> None:
    expired = request(status=SwapStatus.EXPIRED)
    text = b.swap_outcome_text(team, expired, "james")
    assert "Your request #7 to Jill" in text and "Nothing changed" in text
    assert "<!date^1796652000^" in text


def test_the_requests_list_gives_each_viewer_their_buttons(team: Team) -> None:
    to_jill, from_jill = request(id=1), request(id=2, requester="jill", counterpart="davis")
    jill, john = team.member("jill"), team.member("john")
    mine = dicts(b.requests_list_blocks(team, jill, [to_jill, from_jill], is_admin=False))
    assert buttons(mine) == [("swap_accept", "1"), ("swap_decline", "1"), ("swap_cancel", "2")]
    admin = dicts(b.requests_list_blocks(team, john, [to_jill, from_jill], is_admin=True))
    assert buttons(admin) == [("swap_cancel", "1"), ("swap_cancel", "2")]
    assert [x["block_id"] for x in admin if x["type"] == "actions"] == [
        "requests_list_1",
        "requests_list_2",
    ]
    empty = json.dumps(dicts(b.requests_list_blocks(team, jill, [], is_admin=False)))
    assert "No pending requests" in empty


def test_a_long_requests_list_stays_within_a_message_and_says_how_many_more(team: Team) -> None:
    john = team.member("john")
    many = [request(id=k, reason=EVIL) for k in range(1, 61)]
    blocks = dicts(b.requests_list_blocks(team, john, many, is_admin=True))
    assert len(blocks) <= MAX_BLOCKS
    assert "40 more" in json.dumps(blocks[-1])
    assert "<!channel>" not in json.dumps(blocks) and "&lt;!channel&gt;" in json.dumps(blocks)
