"""The swap and time off block builders: pure, validated by slack_sdk through to_dict()."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.core.model import SwapRequest, SwapStatus, Team, TimeOff
from bot.service import OnCallService, TimeOffResult
from bot.slack.blocks import requests as b

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EVIL = "off to <!channel> see <https://evil|x> & <@U0000000002>"


def dicts(blocks: list[Any]) -> list[dict[str, Any]]:
    return [x.to_dict() for x in blocks]


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks)


def actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every interactive element: in actions blocks and as section accessories."""
    out = [e for x in blocks if x["type"] == "actions" for e in x["elements"]]
    return out + [x["accessory"] for x in blocks if x.get("accessory")]


def request(**kw: Any) -> SwapRequest:
    base = SwapRequest(
        id=7,
        requester="james",
        counterpart="jill",
        requester_week=1,
        counterpart_week=2,
        status=SwapStatus.PENDING,
        created_at=NOW,
        expires_at=datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
        reason="",
    )
    return replace(base, **kw)


def input_ids(view: dict[str, Any]) -> list[str]:
    return [x["block_id"] for x in view["blocks"] if x["type"] == "input"]


# --- modals -------------------------------------------------------------------------


def test_swap_modal_offers_my_weeks_colleagues_and_what_comes_back(
    team: Team, service: OnCallService
) -> None:
    james = team.member("james")
    weeks = service.weeks_of("james", count=3)
    colleagues = [m for m in team.members if m.id != "james"]
    view = b.swap_modal(team, james, weeks, colleagues, preselected_week=5).to_dict()
    assert view["callback_id"] == "swap_modal" and view["submit"]
    assert input_ids(view) == ["my_week", "counterpart", "their_week", "their_date", "reason"]
    by_id = {x["block_id"]: x for x in view["blocks"] if x["type"] == "input"}
    mine = by_id["my_week"]["element"]
    assert [o["value"] for o in mine["options"]] == ["1", "5", "9"]
    assert mine["initial_option"]["value"] == "5"
    assert "Mon 04 Jan" in mine["initial_option"]["text"]["text"]
    assert [o["value"] for o in by_id["counterpart"]["element"]["options"]] == [
        "john",
        "jill",
        "davis",
    ]
    their = by_id["their_week"]["element"]
    assert [o["value"] for o in their["options"]] == ["next", "cover"]
    assert their["initial_option"]["value"] == "next"
    assert (
        by_id["their_date"]["optional"] and by_id["their_date"]["element"]["type"] == "datepicker"
    )
    assert by_id["reason"]["element"]["max_length"] == 500


def test_swap_modal_ignores_a_preselected_week_not_offered(
    team: Team, service: OnCallService
) -> None:
    weeks = service.weeks_of("james", count=2)
    view = b.swap_modal(team, team.member("james"), weeks, team.members[:1], 3).to_dict()
    assert "initial_option" not in view["blocks"][1]["element"]


def test_swap_modal_without_weeks_cannot_be_submitted(team: Team) -> None:
    view = b.swap_modal(team, team.member("james"), [], team.members).to_dict()
    assert "submit" not in view and input_ids(view) == []
    assert "no upcoming on-call weeks" in text_of(view["blocks"])


def test_timeoff_modal_for_a_member_and_for_an_admin(team: Team) -> None:
    jill = team.member("jill")
    plain = b.timeoff_modal(team, jill, False, team.members, earliest=date(2026, 12, 15))
    view = plain.to_dict()
    assert view["callback_id"] == "timeoff_modal"
    assert input_ids(view) == ["start", "end", "note"]
    assert "Tue 15 Dec 2026" in text_of(view["blocks"])
    note = view["blocks"][-1]
    assert note["optional"] and note["element"]["multiline"]
    assert note["element"]["max_length"] == 500

    john = team.member("john")
    admin = b.timeoff_modal(team, john, True, team.members).to_dict()
    assert input_ids(admin) == ["member", "start", "end", "note"]
    picker = admin["blocks"][1]["element"]
    assert [o["value"] for o in picker["options"]] == ["john", "james", "jill", "davis"]
    assert picker["initial_option"]["value"] == "john"


# --- swap messages --------------------------------------------------------------------


def test_swap_request_dm_says_who_which_weeks_and_has_accept_and_decline(team: Team) -> None:
    r = request(reason=EVIL)
    blocks = dicts(b.swap_request_dm(team, r, team.member("james"), team.member("jill")))
    text = text_of(blocks)
    assert "*James*" in text and "Mon 07 Dec 2026" in text and "Mon 14 Dec 2026" in text
    assert "09:00 EST" in text
    buttons = actions(blocks)
    assert [(x["action_id"], x["value"]) for x in buttons] == [
        ("swap_accept", "7"),
        ("swap_decline", "7"),
    ]
    assert buttons[0]["style"] == "primary"
    # The typed reason is inert: no ping, no link, no mention.
    assert "<!channel>" not in text and "<https://evil|x>" not in text
    assert "<@U0000000002>" not in text
    assert "&lt;!channel&gt;" in text and "&lt;https://evil|x&gt;" in text and "&amp;" in text


def test_swap_request_dm_for_a_cover(team: Team) -> None:
    r = request(counterpart_week=None)
    text = text_of(dicts(b.swap_request_dm(team, r, team.member("james"), team.member("jill"))))
    assert "cover" in text and "Nothing is given back" in text
    assert "week of Mon 14 Dec" not in text and "when the week starts" in text


@pytest.mark.parametrize(
    ("status", "actor", "label"),
    [
        (SwapStatus.ACCEPTED, "jill", "Accepted by Jill"),
        (SwapStatus.DECLINED, "jill", "Declined by Jill"),
        (SwapStatus.CANCELLED, "james", "Cancelled by requester"),
        (SwapStatus.EXPIRED, None, "Expired"),
    ],
)
def test_swap_decided_blocks_have_the_outcome_and_no_buttons(
    team: Team, status: SwapStatus, actor: str | None, label: str
) -> None:
    r = request(status=status, reason=EVIL)
    who = team.member(actor) if actor else None
    blocks = dicts(b.swap_decided_blocks(team, r, who))
    assert actions(blocks) == []
    text = text_of(blocks)
    assert label in text and "#7" in text and "<!channel>" not in text
    assert label in b.swap_decided_text(team, r, who)


def test_swap_requested_blocks_offer_cancel(team: Team) -> None:
    blocks = dicts(b.swap_requested_blocks(team, request()))
    assert [(x["action_id"], x["value"]) for x in actions(blocks)] == [("swap_cancel", "7")]
    assert "*Jill*" in text_of(blocks)


def test_swap_channel_line(team: Team) -> None:
    line = b.swap_channel_line(team, request(status=SwapStatus.ACCEPTED))
    assert "\n" not in line
    assert "Jill is on call the week of Mon 07 Dec 2026" in line
    assert "James the week of Mon 14 Dec 2026" in line
    cover = b.swap_channel_line(team, request(counterpart_week=None))
    assert "Cover" in cover and "instead of James" in cover


def test_swap_outcome_text_for_each_reader(team: Team) -> None:
    accepted = request(status=SwapStatus.ACCEPTED)
    assert "Jill accepted your request" in b.swap_outcome_text(team, accepted, "james")
    assert "you accepted James" in b.swap_outcome_text(team, accepted, "jill")
    declined = request(status=SwapStatus.DECLINED)
    assert "Jill declined" in b.swap_outcome_text(team, declined, "james")
    cancelled = request(status=SwapStatus.CANCELLED)
    assert "James cancelled" in b.swap_outcome_text(team, cancelled, "jill")


# --- time off ----------------------------------------------------------------------------


def _result(note: str = "", cover: tuple[int, ...] = (), candidates: Any = None) -> TimeOffResult:
    t = TimeOff("jill", date(2026, 12, 15), date(2026, 12, 18), note, 3)
    return TimeOffResult(t, (), cover, candidates or {})


def test_timeoff_confirmation_escapes_the_note(team: Team) -> None:
    jill = team.member("jill")
    blocks = dicts(b.timeoff_confirmation(team, _result(EVIL), jill, jill))
    text = text_of(blocks)
    assert "Tue 15 Dec 2026" in text and "Fri 18 Dec 2026" in text
    assert "<!channel>" not in text and "<https://evil|x>" not in text
    assert "&lt;!channel&gt;" in text
    assert "needs cover" not in text and "Recorded by" not in text


def test_timeoff_confirmation_names_weeks_needing_cover_and_the_admin(team: Team) -> None:
    jill, john = team.member("jill"), team.member("john")
    result = _result(cover=(2,), candidates={2: [("john", 4)]})
    text = text_of(dicts(b.timeoff_confirmation(team, result, jill, john)))
    assert "on-call week of Mon 14 Dec 2026" in text and "needs cover" in text
    assert "Recorded by John" in text and "Jill gets a list" in text


def test_swap_candidates_blocks_have_one_button_per_colleague(team: Team) -> None:
    jill = team.member("jill")
    blocks = dicts(b.swap_candidates_blocks(team, jill, 2, [("john", 4), ("davis", None)]))
    buttons = actions(blocks)
    assert [x["action_id"] for x in buttons] == ["swap_candidate", "swap_candidate"]
    assert [json.loads(x["value"]) for x in buttons] == [
        {"week": 2, "to": "john", "back": 4},
        {"week": 2, "to": "davis", "back": None},
    ]
    text = text_of(blocks)
    assert "Mon 28 Dec 2026" in text and "covers it" in text
    none = text_of(dicts(b.swap_candidates_blocks(team, jill, 2, [])))
    assert "Nobody is free" in none
