"""The whole swap lifecycle end to end (issue 16.2): swap back, admins acting for others,
deadlines and expiry. Signed Slack requests in, the strict fake Web API out.

Round robin from Mon 2026-11-30 (no holidays): week 0 John, 1 James, 2 Jill, 3 Davis,
4 John, 5 James, ... Now is Tue 2026-12-01 10:00 New York, inside week 0. John is the
admin (tests/data/team.yml).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, SlackHarness
from slackcalls import answered, buttons, dm_channel, has_text, posted

from bot.core.model import SwapStatus

CHANNEL = "C0000000000"  # the team's on-call channel in tests/data/team.yml
ROUND_ROBIN = ["james", "jill", "davis", "john", "james"]  # weeks 1-5


def click(h: SlackHarness, action: str, value: str, user: str, **kw: Any) -> None:
    kw.setdefault("channel_id", dm_channel(user))
    kw.setdefault("message", {"ts": "1.0"})
    status, _ = h.click(action, value, user=user, **kw)
    assert status == 200


def plan(h: SlackHarness, first: int = 1, count: int = 5) -> list[str]:
    return [w.member for w in h.service.schedule(first, count)]


def accepted_by_click(h: SlackHarness, requester: str, counterpart: str, week: int) -> int:
    """A request accepted through Slack; returns its id once every effect is out."""
    swap_id = h.service.request_swap(requester, counterpart, week).id
    click(h, "swap_accept", str(swap_id), {"jill": JILL, "davis": DAVIS, "john": JOHN}[counterpart])
    h.settle()
    return swap_id


# --- swap back ---------------------------------------------------------------------------


def test_swap_back_from_the_accept_notice_restores_both_weeks(h: SlackHarness) -> None:
    swap_id = accepted_by_click(h, "james", "jill", 1)
    assert plan(h) == ["jill", "james", "davis", "john", "james"]
    # Both accept notices carry "Swap back"; James clicks his.
    notice = posted(h, dm_channel(JAMES), "accepted your request")
    assert buttons(notice.args["blocks"]) == [("swap_back", str(swap_id))]
    assert buttons(posted(h, dm_channel(JILL), "you accepted").args["blocks"]) == [
        ("swap_back", str(swap_id))
    ]
    h.fake.clear()
    click(h, "swap_back", str(swap_id), JAMES)
    request_dm = posted(h, dm_channel(JILL), "swap_accept")
    assert f"swap request #{swap_id} back" in request_dm.args["blocks"][0]["text"]["text"]
    confirmation = answered(h, "Request #2 sent")
    assert ("swap_cancel", "2") in buttons(confirmation.args["blocks"])
    back = h.service.swap(2)
    assert back is not None and back.undoes == swap_id and back.status is SwapStatus.PENDING
    assert (back.requester, back.counterpart, back.requester_week, back.counterpart_week) == (
        "james",
        "jill",
        2,
        1,
    )
    assert plan(h)[:2] == ["jill", "james"]  # nothing moves until Jill accepts
    h.settle()
    h.fake.clear()
    where = h.service.swap_message(2)
    assert where is not None
    click(h, "swap_accept", "2", JILL, message={"ts": where[1]})
    line = posted(h, CHANNEL, "Swapped back").args["text"]
    assert "undid request #1" in line
    assert "accepted your request" in posted(h, dm_channel(JAMES)).args["text"]
    h.settle()
    assert plan(h) == ROUND_ROBIN
    assert [w.reason for w in h.service.schedule(1, 2)] == [
        "swapped back with Jill",
        "swapped back with James",
    ]
    # A swap back's own notice offers no further swap back.
    notices = [c for c in h.fake.calls_to("chat.postMessage") if has_text(c, "accepted")]
    assert notices and all(not buttons(c.args.get("blocks") or []) for c in notices)


def test_a_cover_can_be_asked_back_by_the_member_who_was_covered(h: SlackHarness) -> None:
    swap_id = h.service.request_swap("james", "jill", 1, cover=True).id
    h.service.accept_swap("jill", swap_id)
    assert plan(h, 1, 1) == ["jill"]
    status, _ = h.command(f"swap back #{swap_id}", user=JAMES)
    assert status == 200
    posted(h, dm_channel(JILL), "swap_accept")
    answered(h, "Request #2 sent")
    h.settle()
    h.service.accept_swap("jill", 2)
    assert plan(h, 1, 2) == ["james", "jill"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("started", "has already started"),
        ("changed hands", "changed hands since request #1 (it is Davis's now)"),
        ("pending", "already waiting for an answer (request #2)"),
        ("swapped back", "was already swapped back (request #2)"),
        ("declined", "was declined, not accepted"),
    ],
)
def test_swap_back_refusals_are_clear_and_change_nothing(
    h: SlackHarness, setup: str, expected: str
) -> None:
    swap_id = h.service.request_swap("james", "jill", 1).id
    if setup == "declined":
        h.service.decide_swap("jill", swap_id, SwapStatus.DECLINED)
    else:
        h.service.accept_swap("jill", swap_id)
    if setup == "started":
        h.clock.set(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # week 1 began 14:00 UTC
    elif setup == "changed hands":  # Jill gives week 1 on to Davis
        h.service.accept_swap("davis", h.service.request_swap("jill", "davis", 1, 3).id)
    elif setup in ("pending", "swapped back"):
        h.service.request_swap_back("jill", swap_id)
        if setup == "swapped back":
            h.service.accept_swap("james", 2)
    before = h.snapshot()
    click(h, "swap_back", str(swap_id), JAMES)
    assert expected in answered(h, ":warning:").args["text"]
    h.settle()
    assert h.snapshot() == before


# --- admins act for others ---------------------------------------------------------------


def test_an_admin_cancels_from_the_requests_list_and_both_parties_are_told(
    h: SlackHarness,
) -> None:
    h.service.request_swap("james", "jill", 1)
    h.service.request_swap("davis", "john", 3)
    status, _ = h.command("requests", user=JOHN)
    assert status == 200
    listing = answered(h, "Pending requests")
    assert ("swap_cancel", "1") in buttons(listing.args["blocks"])
    assert ("swap_accept", "2") in buttons(listing.args["blocks"])  # Davis's is to John
    h.fake.clear()
    click(
        h,
        "swap_cancel",
        "1",
        JOHN,
        channel_id="C0000000001",
        block_id="requests_list_1",
        container={
            "type": "message",
            "message_ts": "5.0",
            "channel_id": "C0000000001",
            "is_ephemeral": True,
        },
    )
    for party in (JAMES, JILL):
        assert "John, an admin, cancelled request #1" in posted(h, dm_channel(party)).args["text"]
    told = h.fake.wait_for_call("chat.postEphemeral")
    assert told.args["user"] == JOHN and "an admin, cancelled request #1" in told.args["text"]
    # The list is shown again as it is now: #1 gone, #2 still there.
    relisted = answered(h, "replace_original")
    assert relisted.args["replace_original"] is True
    assert [v for _a, v in buttons(relisted.args["blocks"])] == ["2", "2", "2"]
    h.settle()
    request = h.service.swap(1)
    assert request is not None and request.status is SwapStatus.CANCELLED
    assert plan(h) == ROUND_ROBIN


def test_an_admin_records_a_cover_both_are_told_who_did_it(h: SlackHarness) -> None:
    status, _ = h.command(f"swap <@{DAVIS}|davis> <@{JILL}|jill> 2026-12-22 cover ill", user=JOHN)
    assert status == 200
    confirmation = answered(h, "Recorded request #1")
    assert "Davis and Jill were told" in json.dumps(confirmation.args)
    for party in (DAVIS, JILL):
        dm = posted(h, dm_channel(party), "John recorded a swap")
        assert buttons(dm.args["blocks"]) == [("swap_back", "1")]
    line = posted(h, CHANNEL, "Cover").args["text"]
    assert "Jill is on call the week of Mon 21 Dec 2026 instead of Davis (recorded by John)" in (
        line
    )
    h.settle()
    request = h.service.swap(1)
    assert request is not None and request.status is SwapStatus.ACCEPTED
    assert (request.recorded_by, request.reason, request.counterpart_week) == ("john", "ill", None)
    assert plan(h, 3, 1) == ["jill"]
    assert h.service.schedule(3, 1)[0].reason == "covers Davis, recorded by John"


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (JAMES, f"swap <@{JAMES}|james> <@{JILL}|jill> 2026-12-08", "Only an admin can record"),
        (JOHN, f"swap <@{JAMES}|james> <@{JILL}|jill> 2026-12-15", "is not James's on-call"),
        (JOHN, f"swap <@{JAMES}|james> <@{JAMES}|james> 2026-12-08", "two different members"),
        (JOHN, f"swap <@{JOHN}|john> <@{JILL}|jill> 2026-11-30", "has already started"),
        (JOHN, f"swap <@{JAMES}|james> <@{JILL}|jill> soon", "is not a date in the first"),
    ],
)
def test_recording_is_refused_with_a_reason_and_changes_nothing(
    h: SlackHarness, user: str, text: str, expected: str
) -> None:
    before = h.snapshot()
    status, _ = h.command(text, user=user)
    assert status == 200
    assert expected in answered(h, ":warning:").args["text"]
    h.settle()
    assert h.snapshot() == before


# --- deadlines and expiry ----------------------------------------------------------------


def test_a_request_shows_its_deadline_and_its_expiry_is_told(h: SlackHarness) -> None:
    status, _ = h.command(f"swap <@{JILL}|jill> 2026-12-08", user=JAMES)
    assert status == 200
    request_dm = posted(h, dm_channel(JILL), "swap_accept")
    token = "<!date^1796652000^"  # Mon 7 Dec 2026 09:00 EST: week 1's handover
    assert token in json.dumps(request_dm.args["blocks"])
    assert token in json.dumps(answered(h, "Request #1 sent").args["blocks"])
    h.settle()
    h.fake.clear()
    h.clock.set(datetime(2026, 12, 7, 14, 1, tzinfo=UTC))
    assert h.announcer().expire_swaps() == 1
    update = h.fake.wait_for_call("chat.update")  # Jill's request DM loses its buttons
    assert (update.args["channel"], update.args["ts"]) == h.service.swap_message(1)
    assert "Expired" in update.args["text"] and buttons(update.args["blocks"]) == []
    told = posted(h, dm_channel(JAMES), "expired")
    assert "Your request #1 to Jill" in told.args["text"] and "Nothing changed" in told.args["text"]
    h.settle()
    assert h.announcer().expire_swaps() == 0  # told once
    request = h.service.swap(1)
    assert request is not None and request.status is SwapStatus.EXPIRED
