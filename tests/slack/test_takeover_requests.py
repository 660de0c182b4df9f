"""Take over now, end to end: signed Slack requests in, Web API calls out.

Round robin from Mon 2026-11-30: week 3 (Mon 21 Dec 09:00 EST -> Mon 28 Dec 09:00) is
Davis's. Davis falls ill on Wednesday 23 Dec; Jill takes over. John is the admin. The team
has an on-call user group, which follows whoever is on call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import slackreq
from harness import DAVIS, JAMES, JILL, JOHN, STRANGER, TEAM_FILE, SlackHarness, leaks
from slackcalls import answered, dm_channel, has_text, posted
from sqlalchemy import text

from bot.clock import FixedClock
from bot.core.model import SwapStatus
from bot.scheduler.takeover import hand_back_groups
from bot.slack import ids

WED = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)  # Wed 10:00 New York, week 3
HANDOVER = datetime(2026, 12, 28, 14, 0, tzinfo=UTC)  # Mon 28 Dec 09:00 EST
CHANNEL = "C0000000000"
GROUP = "S0000000001"


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackHarness]:
    """The module's app on the test team with a user group."""
    folder = tmp_path_factory.mktemp("takeover")
    config = TEAM_FILE.read_text().replace(
        "../../runbooks/", str(TEAM_FILE.parents[2] / "runbooks") + "/"
    )
    config = config.replace("  admins: [john]", f"  admins: [john]\n  usergroup: {GROUP}")
    path = folder / "team.yml"
    path.write_text(config)
    with SlackHarness(folder, FixedClock(WED), path) as running:
        yield running


@pytest.fixture
def h(harness: SlackHarness, tmp_path: Path) -> Iterator[SlackHarness]:
    harness.fresh_database(tmp_path, WED)
    yield harness
    harness.settle()


def button_values(blocks: list[dict[str, Any]], action_id: str) -> list[str]:
    return [
        e["value"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]


def overrides(h: SlackHarness) -> list[Any]:
    with h.service.store.engine.connect() as conn:
        return conn.execute(text('SELECT member, replaces, start, "end" FROM override')).all()


def ask_jill(h: SlackHarness, extra: str = "") -> tuple[int, str]:
    """Davis asks Jill; returns the request id and the ts of Jill's DM."""
    status, _ = h.command(f"cover <@{JILL}|jill> {extra}".strip(), user=DAVIS)
    assert status == 200
    dm = posted(h, dm_channel(JILL), ids.TAKEOVER_ACCEPT)
    (value,) = button_values(dm.args["blocks"], ids.TAKEOVER_ACCEPT)
    answered(h, f"Take-over request #{value} sent")
    where = h.service.swap_message(int(value))
    assert where is not None
    return int(value), where[1]


def click_in_dm(h: SlackHarness, action: str, value: str, user: str, ts: str) -> None:
    status, _ = h.click(action, value, user=user, channel_id=dm_channel(user), message={"ts": ts})
    assert status == 200


def test_request_then_accept_takes_effect_at_once(h: SlackHarness) -> None:
    assert h.service.who().on_call == "davis"
    request_id, ts = ask_jill(h, "fever")
    dm = posted(h, dm_channel(JILL), ids.TAKEOVER_ACCEPT)
    assert "Davis" in dm.args["text"] and "Mon 28 Dec 09:00 EST" in dm.args["text"]
    # 4 hours, as a date token each reader sees in their own zone (team time the fallback)
    deadline = f"answer by <!date^{int(datetime(2026, 12, 23, 19, tzinfo=UTC).timestamp())}^"
    assert deadline in json.dumps(dm.args["blocks"])
    assert "|Wed 23 Dec 14:00 EST>" in json.dumps(dm.args["blocks"])
    assert "fever" in json.dumps(dm.args["blocks"])
    confirmation = answered(h, ids.TAKEOVER_CANCEL)
    assert confirmation.args["response_type"] == "ephemeral"
    request = h.service.swap(request_id)
    assert request is not None and request.status is SwapStatus.PENDING and request.is_takeover
    assert (request.requester, request.counterpart, request.requester_week) == ("davis", "jill", 3)
    assert request.counterpart_week is None and request.ends_at == HANDOVER
    assert h.service.who().on_call == "davis" and overrides(h) == []  # nothing yet
    h.settle()
    h.fake.clear()

    h.clock.set(datetime(2026, 12, 23, 16, 0, tzinfo=UTC))
    click_in_dm(h, ids.TAKEOVER_ACCEPT, str(request_id), JILL, ts)
    group = h.fake.wait_for_call("usergroups.users.update")
    assert group.args["usergroup"] == GROUP and group.args["users"] in ([JILL], JILL)
    line = posted(h, CHANNEL).args["text"]
    assert line == ":sos: Jill takes over from Davis until Mon 28 Dec 09:00 EST."
    assert (
        "You are on call from now" in posted(h, dm_channel(JILL), "on call from now").args["text"]
    )
    assert "Jill takes over your on-call" in posted(h, dm_channel(DAVIS)).args["text"]
    update = h.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm_channel(JILL), ts)
    assert button_values(update.args["blocks"], ids.TAKEOVER_ACCEPT) == []
    h.settle()
    channel_lines = [c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(channel_lines) == 1 and len(h.fake.calls_to("usergroups.users.update")) == 1
    (row,) = overrides(h)
    assert row[:2] == ("jill", "davis")

    h.fake.clear()
    h.command("now", user=JAMES)
    now = answered(h, "On call")
    assert "Jill (taking over from Davis until Mon 28 Dec 09:00 EST)" in now.args["text"]
    h.command("schedule 2", user=JAMES)
    assert "Jill took over from Davis, Wed 23 Dec 11:00 EST" in json.dumps(
        answered(h, "On-call schedule").args["blocks"]
    )
    # Monday's handover: Jill hands over, not Davis.
    handover = h.service.handover(4)
    assert (handover.outgoing, handover.incoming) == ("jill", "john")
    # Davis's Home says who is on call in his place, not that he is.
    h.fake.clear()
    h.event(slackreq.app_home_opened_event(DAVIS))
    home = json.dumps(h.fake.wait_for_call("views.publish").args["view"])
    assert "is on call now in your place" in home and "You are on call now" not in home


def test_accept_clicked_twice_has_one_effect(h: SlackHarness) -> None:
    request_id, ts = ask_jill(h)
    h.settle()
    h.fake.clear()
    click_in_dm(h, ids.TAKEOVER_ACCEPT, str(request_id), JILL, ts)
    click_in_dm(h, ids.TAKEOVER_ACCEPT, str(request_id), JILL, ts)
    answered(h, "already accepted")
    h.settle()
    assert len(overrides(h)) == 1
    assert (
        len([c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]) == 1
    )


def test_an_admin_records_it_without_a_click(h: SlackHarness) -> None:
    h.command(f"cover <@{JILL}|jill> for <@{DAVIS}|davis> until 2026-12-24", user=JOHN)
    line = posted(h, CHANNEL).args["text"]
    assert line == ":sos: Jill takes over from Davis until Fri 25 Dec 00:00 EST (recorded by John)."
    assert h.fake.wait_for_call("usergroups.users.update").args["usergroup"] == GROUP
    assert "recorded by John" in posted(h, dm_channel(JILL)).args["text"]
    assert "recorded by John" in posted(h, dm_channel(DAVIS)).args["text"]
    answered(h, "recorded by John")
    h.settle()
    assert [
        c for c in h.fake.calls_to("chat.postMessage") if has_text(c, ids.TAKEOVER_ACCEPT)
    ] == []
    assert h.service.who().on_call == "jill"
    assert h.service.who(datetime(2026, 12, 25, 5, 0, tzinfo=UTC)).on_call == "davis"
    recorded = h.service.swap(1)
    assert recorded is not None and recorded.status is SwapStatus.ACCEPTED
    assert recorded.recorded_by == "john"


def test_decline_tells_the_engineer_and_changes_nothing(h: SlackHarness) -> None:
    request_id, ts = ask_jill(h)
    h.settle()
    h.fake.clear()
    click_in_dm(h, ids.TAKEOVER_DECLINE, str(request_id), JILL, ts)
    assert "Jill declined to take over" in posted(h, dm_channel(DAVIS)).args["text"]
    h.fake.wait_for_call("chat.update")
    h.settle()
    assert h.fake.calls_to("usergroups.users.update") == []
    assert overrides(h) == [] and h.service.who().on_call == "davis"


def test_the_modal_asks_and_its_submission_stores_the_request(h: SlackHarness) -> None:
    h.command("cover", user=DAVIS)
    view = h.fake.wait_for_call("views.open").args["view"]
    assert view["callback_id"] == ids.TAKEOVER_MODAL
    block_ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.TAKEOVER_COLLEAGUE in block_ids and ids.TAKEOVER_MODE not in block_ids
    values = {
        ids.TAKEOVER_COLLEAGUE: {
            ids.TAKEOVER_COLLEAGUE: {"type": "static_select", "selected_option": {"value": "jill"}}
        },
        ids.TAKEOVER_UNTIL: {ids.TAKEOVER_UNTIL: {"type": "datepicker", "selected_date": None}},
    }
    status, ack = h.submit(ids.TAKEOVER_MODAL, values, user=DAVIS)
    assert status == 200 and not ack
    posted(h, dm_channel(JILL), ids.TAKEOVER_ACCEPT)
    posted(h, dm_channel(DAVIS), ids.TAKEOVER_CANCEL)  # the confirmation, with Cancel
    # Refused inline, nothing stored: a day after the week's handover.
    values[ids.TAKEOVER_UNTIL] = {
        ids.TAKEOVER_UNTIL: {"type": "datepicker", "selected_date": "2026-12-30"}
    }
    status, ack = h.submit(ids.TAKEOVER_MODAL, values, user=DAVIS)
    assert ack["response_action"] == "errors" and ids.TAKEOVER_UNTIL in ack["errors"]


def test_the_engineer_cancels_from_the_confirmation(h: SlackHarness) -> None:
    request_id, _ = ask_jill(h)
    h.settle()
    h.fake.clear()
    status, _ = h.click(
        ids.TAKEOVER_CANCEL, str(request_id), user=DAVIS, channel_id=dm_channel(DAVIS)
    )
    assert status == 200
    assert "no longer needs you" in posted(h, dm_channel(JILL)).args["text"]
    h.settle()
    request = h.service.swap(request_id)
    assert request is not None and request.status is SwapStatus.CANCELLED


@pytest.mark.parametrize(
    ("user", "args", "needle"),
    [
        (JAMES, f"<@{JILL}|jill>", "Only the engineer on call now (Davis)"),
        (JOHN, f"<@{JILL}|jill>", "record it for them"),
        (DAVIS, f"<@{DAVIS}|davis>", "Davis is the one on call"),
        (DAVIS, f"<@{JILL}|jill> until 2026-12-29", "at most until this week's handover"),
        (DAVIS, f"<@{JILL}|jill> until 2026-12-22", "is already over"),
        (DAVIS, f"<@{JILL}|jill> until 23-12-2026", "YYYY-MM-DD"),
        (DAVIS, f"<@{STRANGER}|x>", "not a member of the on-call team"),
        (JAMES, f"<@{JILL}|jill> for <@{DAVIS}|davis>", "Only an admin"),
        (JOHN, f"<@{JILL}|jill> for <@{JAMES}|james>", "James is not on call now"),
        (DAVIS, f"<@{JAMES}|james>", "James has time off"),
        (STRANGER, f"<@{JILL}|jill>", "Only members of the on-call team"),
    ],
)
def test_refusals_are_private_and_change_nothing(
    h: SlackHarness, user: str, args: str, needle: str
) -> None:
    h.service.request_time_off("john", "james", date(2026, 12, 24), date(2026, 12, 26))
    before = h.snapshot()
    h.fake.clear()
    h.command(f"cover {args}", user=user)
    assert answered(h, needle).args["response_type"] == "ephemeral"
    h.settle()
    assert h.snapshot() == before and overrides(h) == []
    assert h.fake.calls_to("chat.postMessage") == []
    assert h.fake.calls_to("usergroups.users.update") == []


def test_accept_by_someone_else_changes_nothing(h: SlackHarness) -> None:
    request_id, _ = ask_jill(h)
    h.settle()
    before = h.snapshot()
    h.fake.clear()
    h.click(ids.TAKEOVER_ACCEPT, str(request_id), user=JAMES, channel_id="C0000000001")
    notice = h.fake.wait_for_call("chat.postEphemeral")
    assert notice.args["user"] == JAMES and "Only Jill can accept" in notice.args["text"]
    h.settle()
    assert h.snapshot() == before and overrides(h) == []


def test_a_take_over_until_a_day_hands_the_group_back_when_it_ends(h: SlackHarness) -> None:
    request_id, ts = ask_jill(h, "until 2026-12-24")
    click_in_dm(h, ids.TAKEOVER_ACCEPT, str(request_id), JILL, ts)
    assert h.fake.wait_for_call("usergroups.users.update").args["users"] in ([JILL], JILL)
    h.settle()
    h.fake.clear()
    announcer = h.announcer()
    assert hand_back_groups(announcer) == 0  # still Jill's
    h.clock.set(datetime(2026, 12, 25, 5, 10, tzinfo=UTC))  # Fri 00:10 New York
    assert h.service.who().on_call == "davis"
    assert hand_back_groups(announcer) == 1
    group = h.fake.wait_for_call("usergroups.users.update")
    assert group.args["users"] in ([DAVIS], DAVIS)
    assert hand_back_groups(announcer) == 0  # once


def test_the_reminder_of_a_take_over_has_its_own_buttons(h: SlackHarness) -> None:
    request_id, _ = ask_jill(h)
    h.settle()
    h.fake.clear()
    assert h.announcer().remind_swaps() == 1
    reminder = posted(h, dm_channel(JILL))
    assert button_values(reminder.args["blocks"], ids.TAKEOVER_ACCEPT) == [str(request_id)]
    assert button_values(reminder.args["blocks"], ids.SWAP_ACCEPT) == []
    assert "Davis still needs someone to take over" in json.dumps(reminder.args["blocks"])


def test_an_admin_records_it_from_the_modal(h: SlackHarness) -> None:
    h.command("cover", user=JOHN)
    view = h.fake.wait_for_call("views.open").args["view"]
    (mode,) = [b for b in view["blocks"] if b.get("block_id") == ids.TAKEOVER_MODE]
    assert mode["element"]["initial_option"]["value"] == ids.TAKEOVER_RECORD
    values = {
        ids.TAKEOVER_COLLEAGUE: {
            ids.TAKEOVER_COLLEAGUE: {"type": "static_select", "selected_option": {"value": "jill"}}
        },
        ids.TAKEOVER_MODE: {
            ids.TAKEOVER_MODE: {
                "type": "static_select",
                "selected_option": {"value": ids.TAKEOVER_RECORD},
            }
        },
    }
    status, ack = h.submit(ids.TAKEOVER_MODAL, values, user=JOHN)
    assert status == 200 and not ack
    assert "recorded by John" in posted(h, CHANNEL).args["text"]
    assert "recorded by John" in posted(h, dm_channel(JOHN)).args["text"]
    h.fake.wait_for_call("usergroups.users.update")
    h.settle()
    assert h.service.who().on_call == "jill"


def test_an_admin_cancels_someone_elses_request_and_both_are_told(h: SlackHarness) -> None:
    request_id, _ = ask_jill(h)
    h.settle()
    h.fake.clear()
    status, _ = h.click(ids.TAKEOVER_CANCEL, str(request_id), user=JOHN, channel_id="C0000000001")
    assert status == 200
    for slack_id in (DAVIS, JILL):
        assert "John cancelled take-over request" in posted(h, dm_channel(slack_id)).args["text"]
    h.settle()
    request = h.service.swap(request_id)
    assert request is not None and request.status is SwapStatus.CANCELLED
    assert overrides(h) == []


def test_declined_from_the_requests_list_with_its_own_buttons(h: SlackHarness) -> None:
    """`/oncall requests` lists a take-over in its own words with its own buttons; a
    decline there is any request's decline, and the list is shown again as it is now."""
    request_id, _ = ask_jill(h)
    h.settle()
    h.fake.clear()
    status, _ = h.command("requests", user=JILL)
    assert status == 200
    listing = answered(h, "Pending requests")
    shown = json.dumps(listing.args["blocks"])
    assert "Jill takes over from Davis" in shown and "covers" not in shown
    assert button_values(listing.args["blocks"], ids.TAKEOVER_DECLINE) == [str(request_id)]
    assert button_values(listing.args["blocks"], ids.SWAP_ACCEPT) == []
    h.fake.clear()
    status, _ = h.click(
        ids.TAKEOVER_DECLINE,
        str(request_id),
        user=JILL,
        channel_id=dm_channel(JILL),
        block_id=f"{ids.REQUESTS_LIST_PREFIX}{request_id}",
        container={
            "type": "message",
            "message_ts": "5.0",
            "channel_id": dm_channel(JILL),
            "is_ephemeral": True,
        },
    )
    assert status == 200
    assert "Jill declined to take over" in posted(h, dm_channel(DAVIS)).args["text"]
    relisted = answered(h, "No pending requests")
    assert relisted.args["replace_original"] is True
    h.settle()
    request = h.service.swap(request_id)
    assert request is not None and request.status is SwapStatus.DECLINED
    assert overrides(h) == [] and h.service.who().on_call == "davis"


def test_an_unanswered_request_expires_and_loses_its_buttons(h: SlackHarness) -> None:
    request_id, ts = ask_jill(h)
    h.settle()
    h.fake.clear()
    h.clock.set(datetime(2026, 12, 23, 19, 1, tzinfo=UTC))  # past the 4 hours
    assert h.announcer().expire_swaps() == 1
    update = h.fake.wait_for_call("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm_channel(JILL), ts)
    assert button_values(update.args["blocks"], ids.TAKEOVER_ACCEPT) == []
    told = posted(h, dm_channel(DAVIS))  # the requester is told, in a take-over's words
    for said in (json.dumps(update.args), json.dumps(told.args)):
        assert "Jill takes over from Davis" in said
        assert "covers" not in said and "week started" not in said
    assert "Expired before anyone answered" in json.dumps(update.args["blocks"])
    assert "expired before they answered" in told.args["text"]
    h.settle()
    request = h.service.swap(request_id)
    assert request is not None and request.status is SwapStatus.EXPIRED
    assert h.service.who().on_call == "davis" and overrides(h) == []


@pytest.mark.parametrize(
    ("action", "value"),
    [
        (ids.TAKEOVER_ACCEPT, "not-a-number"),
        (ids.TAKEOVER_ACCEPT, "99999"),
        (ids.TAKEOVER_DECLINE, "١"),
        (ids.TAKEOVER_CANCEL, "9" * 5000),
        (ids.TAKEOVER_CANCEL, None),
    ],
)
def test_hostile_clicks_are_told_and_change_nothing(
    h: SlackHarness, action: str, value: str | None
) -> None:
    ask_jill(h)
    h.settle()
    before = h.snapshot()
    h.fake.clear()
    status, _ = h.click(action, value, user=JILL, channel_id="C0000000001")
    assert status == 200
    notice = h.fake.wait_for_call("chat.postEphemeral")
    assert "take-over request" in notice.args["text"] and not leaks(notice.args["text"], "")
    h.settle()
    assert h.snapshot() == before


@pytest.mark.parametrize(
    ("colleague", "day", "field"),
    [
        ("zed", None, ids.TAKEOVER_COLLEAGUE),
        ("", None, ids.TAKEOVER_COLLEAGUE),
        ("jill", "2026-13-45", ids.TAKEOVER_UNTIL),
        ("jill", "2026-12-22", ids.TAKEOVER_UNTIL),
    ],
)
def test_hostile_forms_get_inline_errors_and_change_nothing(
    h: SlackHarness, colleague: str, day: str | None, field: str
) -> None:
    before = h.snapshot()
    values = {
        ids.TAKEOVER_COLLEAGUE: {
            ids.TAKEOVER_COLLEAGUE: {
                "type": "static_select",
                "selected_option": {"value": colleague} if colleague else None,
            }
        },
        ids.TAKEOVER_UNTIL: {ids.TAKEOVER_UNTIL: {"type": "datepicker", "selected_date": day}},
    }
    status, ack = h.submit(ids.TAKEOVER_MODAL, values, user=DAVIS)
    assert status == 200 and ack["response_action"] == "errors"
    assert list(ack["errors"]) == [field] and not leaks(json.dumps(ack), "")
    assert h.snapshot() == before
