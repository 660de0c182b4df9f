"""Swaps and time off end to end: signed Slack requests in, Web API calls out.

Round robin from Mon 2026-11-30 (no holidays): week 0 John, 1 James, 2 Jill, 3 Davis,
4 John, 5 James, 6 Jill, ... Now is Tue 2026-12-01 10:00 New York, inside week 0.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, STRANGER, SlackHarness
from slackcalls import answered, dm_channel, elements, has_text, posted

from bot.core.model import SwapStatus
from bot.slack.listeners.commands.requests import parse_swap_args

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CHANNEL = "C0000000000"  # the team's on-call channel in tests/data/team.yml


# `h` (conftest.py): one app and fake Slack for the module, a fresh database, clock and
# call log for each test.

# --- helpers -------------------------------------------------------------------------


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for e in elements(blocks)]


def members_of_weeks(h: SlackHarness, first: int, count: int) -> list[str]:
    return [w.member for w in h.service.schedule(first, count)]


def request_by_command(h: SlackHarness, text: str, user: str, counterpart: str) -> tuple[int, str]:
    """Send `/oncall swap <text>`; returns the swap id and the ts of the counterpart's DM,
    once every effect of the request (DM, homes, the requester's reply) is done."""
    status, _ = h.command(f"swap {text}", user=user)
    assert status == 200
    dm = posted(h, dm_channel(counterpart), "swap_accept")
    swap_id = int(elements(dm.args["blocks"])[0]["value"])
    answered(h, f"Request #{swap_id} sent")
    h.settle()  # the DM is posted last: where it is, is stored once the command is done
    where = h.service.swap_message(swap_id)
    assert where is not None and where[0] == dm_channel(counterpart)
    return swap_id, where[1]


def james_asks_jill(h: SlackHarness, extra: str = "") -> tuple[int, str]:
    return request_by_command(h, f"<@{JILL}|jill> 2026-12-08 {extra}".strip(), JAMES, JILL)


def click_in_dm(h: SlackHarness, action: str, value: str, user: str, ts: str = "1.0") -> None:
    status, _ = h.click(action, value, user=user, channel_id=dm_channel(user), message={"ts": ts})
    assert status == 200


# --- the text form ---------------------------------------------------------------------------


def test_text_form_swap_dms_the_counterpart_with_buttons(h: SlackHarness) -> None:
    # As Slack sends typed text: specials and mentions as <…> tokens, & < > escaped.
    swap_id, ts = james_asks_jill(h, f"dentist <!channel> <@{JOHN}|John> knows &amp; agrees")
    dm = posted(h, dm_channel(JILL), "swap_accept")
    assert action_ids(dm.args["blocks"]) == ["swap_accept", "swap_decline"]
    assert dm.args["text"] and "Mon 07 Dec 2026" in json.dumps(dm.args["blocks"])
    shown = json.dumps(dm.args)
    assert "<!channel>" not in shown and f"<@{JOHN}|John>" not in shown
    assert "dentist @channel @John knows &amp; agrees" in shown  # as typed, escaped once
    # The requester's private confirmation has a Cancel button.
    reply = answered(h, "swap_cancel")
    assert reply.args["response_type"] == "ephemeral"
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.PENDING
    assert (request.requester, request.counterpart) == ("james", "jill")
    assert (request.requester_week, request.counterpart_week) == (1, 2)
    assert request.reason == "dentist @channel @John knows & agrees"
    # Where the DM is was stored, so it can be updated once decided.
    assert h.service.swap_message(swap_id) == (dm_channel(JILL), ts)
    # Nothing changed in the plan yet.
    assert members_of_weeks(h, 1, 2) == ["james", "jill"]


def test_text_form_refusals_are_private_and_change_nothing(h: SlackHarness) -> None:
    h.command(f"swap <@{JILL}|jill> 2026-12-15", user=JAMES)  # Jill's week, not James's
    assert "not James's on-call week" in answered(h, "not James").args["text"]
    h.command(f"swap <@{STRANGER}|x> 2026-12-08", user=JAMES)
    answered(h, "only swap with a member")
    h.command(f"swap <@{JILL}|jill> 08-12-2026", user=JAMES)
    answered(h, "YYYY-MM-DD")
    assert h.service.pending_swaps() == []
    assert h.fake.calls_to("chat.postMessage") == []


def test_parse_swap_args() -> None:
    from harness import TEAM_FILE

    from bot.config import load_config

    team = load_config(TEAM_FILE)
    args = parse_swap_args(team, "<@U0000000003|jill> 2026-12-08 2026-12-15 swap please")
    assert args.counterpart.id == "jill" and args.their_day is not None
    assert args.reason == "swap please" and not args.cover
    cover = parse_swap_args(team, "@Davis 2026-12-08 cover")
    assert cover.counterpart.id == "davis" and cover.cover and cover.their_day is None


# --- accept, decline, cancel -------------------------------------------------------------------


def test_accept_by_the_counterpart_swaps_and_tells_everyone(h: SlackHarness) -> None:
    swap_id, ts = james_asks_jill(h)
    h.fake.clear()
    click_in_dm(h, "swap_accept", str(swap_id), JILL, ts)
    update = h.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm_channel(JILL), ts)
    assert action_ids(update.args["blocks"]) == [] and "Accepted by Jill" in update.args["text"]
    assert "Jill accepted your request" in posted(h, dm_channel(JAMES)).args["text"]
    assert "you accepted James" in posted(h, dm_channel(JILL)).args["text"]
    line = posted(h, CHANNEL).args["text"]
    assert "Jill is on call the week of Mon 07 Dec 2026" in line
    h.fake.wait_for(
        lambda cs: {c.args["user_id"] for c in cs if c.method == "views.publish"} >= {JAMES, JILL}
    )
    assert members_of_weeks(h, 1, 2) == ["jill", "james"]
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.ACCEPTED


def test_accept_clicked_twice_has_one_effect(h: SlackHarness) -> None:
    swap_id, ts = james_asks_jill(h)
    h.fake.clear()
    clicks = [
        threading.Thread(target=click_in_dm, args=(h, "swap_accept", str(swap_id), JILL, ts))
        for _ in range(2)
    ]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    notice = answered(h, "already accepted")
    assert notice.method == "response_url" and notice.args["response_type"] == "ephemeral"
    posted(h, CHANNEL)
    h.fake.wait_for_call("chat.update")
    assert len(h.fake.calls_to("chat.update")) == 1
    assert (
        len([c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]) == 1
    )
    assert members_of_weeks(h, 1, 2) == ["jill", "james"]


@pytest.mark.parametrize("clicker", [DAVIS, JAMES])
def test_accept_by_someone_else_changes_nothing(h: SlackHarness, clicker: str) -> None:
    swap_id, _ = james_asks_jill(h)
    h.fake.clear()
    # The right value, in a channel: only the payload's user decides who acts.
    h.click("swap_accept", str(swap_id), user=clicker, channel_id="C0000000001")
    notice = h.fake.wait_for_call("chat.postEphemeral")
    assert notice.args["user"] == clicker and "Only Jill can accept" in notice.args["text"]
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.PENDING
    assert members_of_weeks(h, 1, 2) == ["james", "jill"]
    assert h.fake.calls_to("chat.update") == [] and h.fake.calls_to("chat.postMessage") == []


def test_a_stranger_clicking_is_told_only_members_can(h: SlackHarness) -> None:
    swap_id, _ = james_asks_jill(h)
    h.click("swap_accept", str(swap_id), user=STRANGER)
    answered(h, "Only members of the on-call team")
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.PENDING


def test_decline_by_the_counterpart(h: SlackHarness) -> None:
    swap_id, ts = james_asks_jill(h)
    h.fake.clear()
    click_in_dm(h, "swap_decline", str(swap_id), JILL, ts)
    update = h.fake.wait_for_call("chat.update")
    assert action_ids(update.args["blocks"]) == [] and "Declined by Jill" in update.args["text"]
    assert "Jill declined" in posted(h, dm_channel(JAMES)).args["text"]
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.DECLINED
    assert members_of_weeks(h, 1, 2) == ["james", "jill"]


def test_cancel_by_the_requester(h: SlackHarness) -> None:
    swap_id, ts = james_asks_jill(h)
    h.fake.clear()
    # Jill cannot cancel James's request.
    click_in_dm(h, "swap_cancel", str(swap_id), JILL)
    answered(h, "Only James can cancel")
    # James cancels from his ephemeral confirmation: it is replaced, Jill's DM updated.
    h.click(
        "swap_cancel",
        str(swap_id),
        user=JAMES,
        container={
            "type": "message",
            "message_ts": "9.9",
            "channel_id": "C0000000001",
            "is_ephemeral": True,
        },
    )
    update = h.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm_channel(JILL), ts)
    assert (
        "Cancelled by requester" in update.args["text"] and action_ids(update.args["blocks"]) == []
    )
    assert "James cancelled" in posted(h, dm_channel(JILL)).args["text"]
    replaced = h.fake.wait_for_call("response_url", where=lambda c: c.args.get("replace_original"))
    assert "Cancelled by requester" in json.dumps(replaced.args["blocks"])
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.CANCELLED


def test_an_expired_request_is_refused(h: SlackHarness) -> None:
    swap_id, ts = james_asks_jill(h)
    h.fake.clear()
    h.clock.set(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # week 1 began at 14:00 UTC
    click_in_dm(h, "swap_accept", str(swap_id), JILL, ts)
    assert "expired" in answered(h, "expired").args["text"]
    update = h.fake.wait_for_call("chat.update")  # the DM loses its buttons
    assert "Expired" in update.args["text"] and action_ids(update.args["blocks"]) == []
    request = h.service.swap(swap_id)
    assert request is not None and request.status is SwapStatus.EXPIRED
    assert members_of_weeks(h, 1, 2) == ["james", "jill"]
    assert [c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL] == []


# --- the swap modal -----------------------------------------------------------------------------


def swap_values(
    my_week: str, counterpart: str, choice: str = "next", their_date: str | None = None
) -> dict[str, Any]:
    def select(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    return {
        "my_week": {"my_week": select(my_week)},
        "counterpart": {"counterpart": select(counterpart)},
        "their_week": {"their_week": select(choice)},
        "their_date": {"their_date": {"type": "datepicker", "selected_date": their_date}},
        "reason": {"reason": {"type": "plain_text_input", "value": "family <!here>"}},
    }


def test_swap_without_args_opens_the_modal(h: SlackHarness) -> None:
    h.command("swap", user=JAMES)
    opened = h.fake.wait_for_call("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] and view["callback_id"] == "swap_modal"
    weeks = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in weeks][:2] == ["1", "5"]


def test_swap_open_button_preselects_the_week(h: SlackHarness) -> None:
    h.click("swap_open", "5", user=JAMES)
    view = h.fake.wait_for_call("views.open").args["view"]
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "5"


def test_swap_modal_errors_are_inline(h: SlackHarness) -> None:
    status, body = h.submit("swap_modal", swap_values("1", "james"), user=JAMES)
    assert status == 200 and body["response_action"] == "errors"
    assert "yourself" in body["errors"]["counterpart"]
    # 2026-12-22 is in Davis's week, not Jill's: the error sits on the date picker.
    _, body = h.submit("swap_modal", swap_values("1", "jill", their_date="2026-12-22"), user=JAMES)
    assert list(body["errors"]) == ["their_date"] and "Jill" in body["errors"]["their_date"]
    _, body = h.submit("swap_modal", swap_values("2", "jill"), user=JAMES)
    assert list(body["errors"]) == ["my_week"]
    _, body = h.submit("swap_modal", swap_values("1", "jill", "cover", "2026-12-15"), user=JAMES)
    assert list(body["errors"]) == ["their_date"]
    _, body = h.submit("swap_modal", swap_values("1", "jill"), user=STRANGER)
    assert "Only members" in body["errors"]["my_week"]
    assert h.service.pending_swaps() == []


def test_swap_modal_submission_sends_the_request(h: SlackHarness) -> None:
    status, body = h.submit("swap_modal", swap_values("1", "davis", "cover"), user=JAMES)
    assert status == 200 and not body
    dm = posted(h, dm_channel(DAVIS), "swap_accept")
    assert "cover" in dm.args["text"] or "covers" in dm.args["text"]
    assert "&lt;!here&gt;" in json.dumps(dm.args["blocks"])
    confirmation = posted(h, dm_channel(JAMES), "swap_cancel")
    assert "Request #" in confirmation.args["text"]
    (request,) = h.service.pending_swaps()
    assert (request.counterpart, request.requester_week, request.counterpart_week) == (
        "davis",
        1,
        None,
    )


# --- time off ---------------------------------------------------------------------------------


def timeoff_values(
    start: str | None, end: str | None, note: str = "", member: str | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "start": {"start": {"type": "datepicker", "selected_date": start}},
        "end": {"end": {"type": "datepicker", "selected_date": end}},
        "note": {"note": {"type": "plain_text_input", "value": note or None}},
    }
    if member:
        values["member"] = {
            "member": {"type": "static_select", "selected_option": {"value": member}}
        }
    return values


def test_timeoff_command_opens_the_modal(h: SlackHarness) -> None:
    h.command("timeoff", user=JILL)
    view = h.fake.wait_for_call("views.open").args["view"]
    assert view["callback_id"] == "timeoff_modal"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "start",
        "end",
        "note",
    ]
    h.fake.clear()
    h.click("timeoff_open", "home", user=JOHN)  # an admin also picks the member
    view = h.fake.wait_for_call("views.open").args["view"]
    assert view["blocks"][1]["block_id"] == "member"


def test_timeoff_needs_notice_and_valid_dates(h: SlackHarness) -> None:
    _, body = h.submit("timeoff_modal", timeoff_values("2026-12-14", "2026-12-16"), user=JILL)
    assert body["response_action"] == "errors" and "2026-12-15" in body["errors"]["start"]
    _, body = h.submit("timeoff_modal", timeoff_values("2026-12-20", "2026-12-18"), user=JILL)
    assert list(body["errors"]) == ["end"]
    _, body = h.submit("timeoff_modal", timeoff_values(None, None), user=JILL)
    assert set(body["errors"]) == {"start", "end"}
    _, body = h.submit("timeoff_modal", timeoff_values("2026-12-21", "2026-12-22"), user=STRANGER)
    assert "Only members" in body["errors"]["start"]
    assert h.service.time_off_of() == []


def test_timeoff_outside_my_weeks_is_confirmed(h: SlackHarness) -> None:
    status, body = h.submit(
        "timeoff_modal", timeoff_values("2026-12-21", "2026-12-23", "<https://evil|x>"), user=JILL
    )
    assert status == 200 and not body
    confirmation = posted(h, dm_channel(JILL), "Time off recorded")
    assert "&lt;https://evil|x&gt;" in json.dumps(confirmation.args["blocks"])
    (t,) = h.service.time_off_of("jill")
    assert (t.start.isoformat(), t.end.isoformat()) == ("2026-12-21", "2026-12-23")
    h.fake.wait_for_call("views.publish")
    assert not [c for c in h.fake.calls_to("chat.postMessage") if has_text(c, "swap_candidate")]


def test_timeoff_in_my_week_offers_candidates_and_a_click_sends_a_request(
    h: SlackHarness,
) -> None:
    _, body = h.submit("timeoff_modal", timeoff_values("2026-12-15", "2026-12-18"), user=JILL)
    assert not body
    assert "needs cover" in json.dumps(posted(h, dm_channel(JILL), "Time off recorded").args)
    offer = posted(h, dm_channel(JILL), "swap_candidate")
    buttons = elements(offer.args["blocks"])
    values = [json.loads(b["value"]) for b in buttons]
    assert {v["to"] for v in values} == {"john", "james", "davis"}
    assert all(v["week"] == 2 for v in values)
    davis = next(v for v in values if v["to"] == "davis")
    assert davis["back"] == 3
    h.fake.clear()
    click_in_dm(h, "swap_candidate", json.dumps(davis), JILL)
    posted(h, dm_channel(DAVIS), "swap_accept")
    answered(h, "swap_cancel")
    (request,) = h.service.pending_swaps()
    assert (request.requester, request.counterpart) == ("jill", "davis")
    assert (request.requester_week, request.counterpart_week) == (2, 3)


def test_an_admin_records_short_notice_time_off_for_someone(h: SlackHarness) -> None:
    values = timeoff_values("2026-12-08", "2026-12-09", "flu", member="james")
    _, body = h.submit("timeoff_modal", values, user=JOHN)
    assert not body
    posted(h, dm_channel(JOHN), "Time off recorded")
    posted(h, dm_channel(JAMES), "Recorded by John")
    posted(h, dm_channel(JAMES), "swap_candidate")  # James's week 1 needs cover
    # A member cannot do the same for someone else.
    values = timeoff_values("2026-12-28", "2026-12-29", member="davis")
    _, body = h.submit("timeoff_modal", values, user=JILL)
    assert "admin" in body["errors"]["member"]


# --- strangers and failures ------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["swap", f"swap <@{JILL}|jill> 2026-12-08", "timeoff"])
def test_a_stranger_is_told_only_members_can(h: SlackHarness, sub: str) -> None:
    h.command(sub, user=STRANGER)
    answered(h, "Only members of the on-call team can do that")
    assert h.fake.calls_to("views.open") == []


def test_a_slack_failure_opening_the_modal_says_nothing_changed(h: SlackHarness) -> None:
    h.fake.respond_with("views.open", {"ok": False, "error": "expired_trigger_id"}, times=1)
    h.click("swap_open", "1", user=JAMES)
    answered(h, "nothing was changed")
