""" "Your weeks changed" end to end: signed Slack requests change weeks, the scheduler's job
(run by hand at a moved clock: a barrier, not a sleep) DMs each affected member once.

Round robin from Mon 2026-11-30 (no holidays): week 0 John, 1 James, 2 Jill, 3 Davis,
4 John, ... Now is Tue 2026-12-01 10:00 New York, inside week 0. A week's backup is the
next week's engineer.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

from fakeslack import Call
from harness import DAVIS, JAMES, JILL, JOHN, SlackHarness

from bot.core.model import Member
from bot.service.changes import CHANGE_WINDOW, MAX_ATTEMPTS

HEADER = "Your on-call weeks changed"


def dm_channel(slack_id: str) -> str:
    return "D" + slack_id  # what the fake's conversations.open answers


def change_dms(h: SlackHarness) -> dict[str, list[Call]]:
    """The "your weeks changed" DMs sent so far, by Slack user."""
    out: dict[str, list[Call]] = {}
    for c in h.fake.calls_to("chat.postMessage"):
        if HEADER in json.dumps(c.args.get("blocks") or []):
            out.setdefault(str(c.args["channel"])[1:], []).append(c)
    return out


def lines(call: Call) -> str:
    return "\n".join(b["text"]["text"] for b in call.args["blocks"] if b["type"] == "section")


def accept(h: SlackHarness, requester: str, counterpart: str, mine: int, theirs: int) -> None:
    """`requester` asks (the service), the counterpart clicks Accept in Slack."""
    request = h.service.request_swap(requester, counterpart, mine, theirs)
    slack_id = h.team.member(counterpart).slack_id
    status, _ = h.click(
        "swap_accept",
        str(request.id),
        user=slack_id,
        channel_id=dm_channel(slack_id),
        message={"ts": "1.0"},
    )
    assert status == 200
    h.settle()


def deliver(h: SlackHarness, after: timedelta = CHANGE_WINDOW + timedelta(seconds=1)) -> int:
    """Move the clock on and run the job once, synchronously: what it sends is sent when
    it returns."""
    h.clock.advance(after)
    sent = h.announcer().tell_changes()
    h.settle()
    return sent


def test_an_accepted_swap_tells_both_parties_once_after_the_window(h: SlackHarness) -> None:
    accept(h, "james", "jill", 1, 2)  # James's week 1 <-> Jill's week 2
    assert h.announcer().tell_changes() == 0  # within the window: nothing yet
    assert change_dms(h) == {}
    assert deliver(h) == 2
    dms = change_dms(h)
    assert sorted(dms) == [JAMES, JILL]  # John and Davis: nothing of theirs moved
    (to_james,) = dms[JAMES]
    (to_jill,) = dms[JILL]
    assert to_james.args["text"].startswith("Your on-call weeks changed: the week of Mon 07 Dec")
    said = lines(to_james)
    assert "*Mon 07 Dec – Mon 14 Dec* (week 1) · on call: *you* → Jill" in said
    assert "(week 1) · backup: Jill → *you*" in said  # week 2's engineer backs up week 1
    assert "*Mon 14 Dec – Mon 21 Dec* (week 2) · on call: Jill → *you*" in said
    assert "_James and Jill swapped weeks_" in said
    assert "(week 1) · on call: James → *you*" in lines(to_jill)
    # Told once: the next runs send nothing.
    assert deliver(h) == 0 and deliver(h, timedelta(hours=1)) == 0
    assert [len(v) for v in change_dms(h).values()] == [1, 1]


def test_two_changes_within_the_window_are_one_dm(h: SlackHarness) -> None:
    accept(h, "james", "jill", 1, 2)  # James now has week 2
    h.clock.advance(timedelta(minutes=1))
    accept(h, "james", "davis", 2, 3)  # ... and gives it to Davis for week 3
    # The window runs from a member's first untold change: James's and Jill's are due...
    assert deliver(h, CHANGE_WINDOW - timedelta(minutes=1) + timedelta(seconds=1)) == 2
    assert sorted(change_dms(h)) == [JAMES, JILL]
    # ... Davis's (his first came a minute later) a minute after.
    assert deliver(h, timedelta(minutes=1)) == 1
    dms = change_dms(h)
    assert {k: len(v) for k, v in dms.items()} == {JAMES: 1, JILL: 1, DAVIS: 1}
    said = lines(dms[JAMES][0])
    # James: week 1 went to Jill, week 3 came to him; week 2 came and went: not said.
    assert "(week 1) · on call: *you* → Jill" in said
    assert "(week 3) · on call: Davis → *you*" in said
    assert "(week 2) · on call" not in said
    # Jill's week 2 is Davis's now (the latest holder), though her swap was with James.
    assert "(week 2) · on call: *you* → Davis" in lines(dms[JILL][0])


def test_a_change_that_moves_nothing_sends_nothing(h: SlackHarness) -> None:
    # Time off on no handover day (Wed-Thu of John's week 4) moves nobody's week.
    status, _ = h.command("timeoff 2026-12-30 2026-12-31", user=JOHN)
    assert status == 200
    h.settle()
    assert h.service.recent_changes("john") == []
    # A swap and its swap back within the window net out to nothing.
    accept(h, "james", "jill", 1, 2)
    accept(h, "jill", "james", 1, 2)
    assert len(h.service.recent_changes("james", 10)) == 6  # recorded (on the Home) ...
    h.fake.clear()
    assert deliver(h) == 0  # ... but not told: nothing of theirs moved in the end
    assert change_dms(h) == {} and h.fake.calls_to("chat.postMessage") == []


def test_time_off_recorded_by_an_admin_tells_the_members_it_moved(h: SlackHarness) -> None:
    # Jill away over week 2's handover (Mon 14 Dec): her backup Davis stands in.
    h.service.request_time_off("john", "jill", date(2026, 12, 14), date(2026, 12, 15))
    assert deliver(h) >= 2
    dms = change_dms(h)
    assert "(week 2) · on call: *you* → Davis" in lines(dms[JILL][0])
    assert "_Jill is away Mon 14 Dec to Tue 15 Dec_" in lines(dms[DAVIS][0])
    # Davis backed up week 2; standing in, the next free member (John) backs him up.
    assert "(week 2) · backup: Davis → *you*" in lines(dms[JOHN][0])
    assert JAMES not in dms


def test_a_replan_after_a_member_joins_tells_the_moved_members(h: SlackHarness) -> None:
    team = h.service.team
    kim = Member("kim", "Kim", "U0000000005")
    h.service.team = dataclasses.replace(
        team, members=(*team.members, kim), order=(*team.order, "kim")
    )
    try:
        h.service.sync_plan()  # what `oncall run` does at start with the new team file
        assert deliver(h) >= 2
        dms = change_dms(h)
        assert "U0000000005" in dms  # Kim gets weeks
        said = lines(dms["U0000000005"][0])
        assert "→ *you*" in said and "re-planned" in said
        # The weeks within the freeze (up to week 3) did not move.
        for calls in dms.values():
            assert "(week 1)" not in lines(calls[0]) and "(week 2)" not in lines(calls[0])
        assert all(len(calls) == 1 for calls in dms.values())
    finally:
        h.service.team = team


def test_a_failed_dm_is_retried_by_the_next_run_then_given_up(h: SlackHarness) -> None:
    accept(h, "james", "jill", 1, 2)
    h.fake.refuse("chat.postMessage", "ratelimited", times=2)
    assert deliver(h) == 0  # both failed: released
    assert deliver(h) == 2  # the next run sends them
    assert sorted(change_dms(h)) == [JAMES, JILL]
    # A DM that keeps failing is given up after MAX_ATTEMPTS runs.
    accept(h, "jill", "davis", 1, 3)  # tells Jill and Davis: two DMs a run
    h.fake.refuse("chat.postMessage", "ratelimited", times=2 * MAX_ATTEMPTS)
    assert [deliver(h) for _ in range(MAX_ATTEMPTS)] == [0] * MAX_ATTEMPTS
    h.fake.clear()
    assert deliver(h) == 0  # Slack answers again, but the changes were given up
    assert h.fake.calls_to("chat.postMessage") == []


def home_of(h: SlackHarness, user: str, event_id: str) -> dict[str, Any]:
    h.fake.clear()
    h.event(
        {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"},
        event_id=event_id,
    )
    h.settle()
    (call,) = [c for c in h.fake.calls_to("views.publish") if c.args["user_id"] == user]
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def test_the_home_shows_the_last_changes_newest_first(h: SlackHarness) -> None:
    before = text_of(home_of(h, DAVIS, "EvH1"))
    assert "Recent changes" in before and "No changes to your weeks yet" in before
    accept(h, "james", "jill", 1, 2)
    h.clock.advance(timedelta(minutes=5))
    accept(h, "jill", "davis", 1, 3)  # Jill's week 1 (from James) <-> Davis's week 3
    home = text_of(home_of(h, DAVIS, "EvH2"))
    assert "Recent changes" in home
    newest = home.index("(week 1) · on call: Jill → *you*")
    assert "_Jill and Davis swapped weeks_" in home
    assert "<!date^" in home  # when, in the reader's own zone
    jill = text_of(home_of(h, JILL, "EvH3"))
    assert jill.index("Jill and Davis") < jill.index("James and Jill")  # newest first
    assert newest > 0
