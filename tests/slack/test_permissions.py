"""Who may do what: one test per cell of the table in the README (and docs/permissions.md).

Every cell goes through signed HTTP requests; who acts is the payload's user (a
button's value never names the actor). Each asserts what the person sees and what
the database holds afterwards.

The people: member = Davis (a plain member), counterpart = Jill (the member James's
request #1 is addressed to), admin = John, outside = someone not in the roster.
James is the requester in the swap scenarios. Round robin from Mon 2026-11-30:
week 0 John (started), 1 James (Dec 7), 2 Jill (Dec 14), 3 Davis (Dec 21),
4 John (Dec 28), 5 James, 6 Jill, 7 Davis... Now is Tue 1 Dec, 10:00 New York.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, STRANGER, SlackHarness
from sqlmodel import select

from bot.storage.store import claim_announcement, renew_announcement
from bot.storage.tables import SwapRow

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
MEMBER, COUNTERPART, ADMIN, OUTSIDE = "member", "counterpart", "admin", "outside"
ACTOR = {MEMBER: DAVIS, COUNTERPART: JILL, ADMIN: JOHN, OUTSIDE: STRANGER}
NAME = {DAVIS: "Davis", JILL: "Jill", JOHN: "John", JAMES: "James"}
ID = {DAVIS: "davis", JILL: "jill", JOHN: "john", JAMES: "james", STRANGER: "nobody"}
ONLY_MEMBERS = "Only members of the on-call team"


# `h` (conftest.py): the module's app with a fresh database and call log for each cell.

# --- what the person sees, what the database holds -----------------------------------------


def seen_by(h: SlackHarness, user: str, needle: str) -> str:
    """Wait for a message to `user` containing `needle`: through a response_url, an
    ephemeral message or a DM. Returns its text."""

    def to_user(call: Any) -> bool:
        if call.method == "response_url":
            return call.args.get("_path", "").startswith(f"/hooks/{user}-")
        if call.method == "chat.postEphemeral":
            return call.args.get("user") == user
        return call.method == "chat.postMessage" and call.args.get("channel") == "D" + user

    def match(calls: list[Any]) -> list[Any]:
        return [c for c in calls if to_user(c) and needle in json.dumps(c.args)]

    found = h.fake.wait_for(match)
    return json.dumps(match(found)[0].args)


_n = iter(range(1, 10**6))


def url_for(h: SlackHarness, user: str) -> str:
    return h.fake.response_url(f"{user}-{next(_n)}")


def command(h: SlackHarness, user: str, text: str) -> None:
    status, _ = h.command(text, user=user, response_url=url_for(h, user))
    assert status == 200


def click(h: SlackHarness, user: str, action: str, value: str) -> None:
    status, _ = h.click(
        action,
        value,
        user=user,
        channel_id="D" + user,
        message={"ts": "1.0"},
        response_url=url_for(h, user),
    )
    assert status == 200


def submit(h: SlackHarness, user: str, callback: str, values: dict[str, Any], **kw: Any) -> Any:
    status, ack = h.submit(callback, values, user=user, **kw)
    assert status == 200
    return ack


def _swaps(h: SlackHarness) -> list[tuple[str, str, int, int | None, str]]:
    """Every stored request, oldest first: (requester, counterpart, weeks, status)."""
    with h.service.store.read() as s:
        return [
            (r.requester, r.counterpart, r.requester_week, r.counterpart_week, r.status)
            for r in s.exec(select(SwapRow).order_by(SwapRow.id))  # type: ignore[arg-type]
        ]


def time_off(h: SlackHarness) -> list[tuple[str, str, str]]:
    return [(t.member, t.start.isoformat(), t.end.isoformat()) for t in h.service.time_off_of()]


def plan(h: SlackHarness, first: int = 1, count: int = 5) -> list[str]:
    return [w.member for w in h.service.schedule(first, count)]


ROUND_ROBIN = ["james", "jill", "davis", "john", "james"]  # weeks 1-5


def request(h: SlackHarness, requester: str, counterpart: str, week: int) -> int:
    """A pending request, stored as the service does it (the setup, not the cell)."""
    return h.service.request_swap(requester, counterpart, week).id


def unchanged(h: SlackHarness, before: dict[str, Any]) -> None:
    assert {"swaps": _swaps(h), "time_off": time_off(h), "plan": plan(h)} == before


def state(h: SlackHarness) -> dict[str, Any]:
    return {"swaps": _swaps(h), "time_off": time_off(h), "plan": plan(h)}


# --- the rows ------------------------------------------------------------------------------------


def see_everything(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    before = state(h)
    command(h, user, "now")
    seen_by(h, user, "On call: John")
    command(h, user, "schedule 4")
    seen_by(h, user, "On-call schedule, 4 week(s)")
    command(h, user, "owners")
    seen_by(h, user, "Pipeline owners today")
    command(h, user, "runbook daily-growth")
    posted = seen_by(h, user, '"in_channel"')  # a runbook is for the whole channel
    assert "Daily Growth" in posted
    unchanged(h, before)


def oncall_me(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    before = state(h)
    command(h, user, "me")
    if col == OUTSIDE:
        seen_by(h, user, "You are not in the Data Engineering on-call team")
    else:
        seen_by(h, user, f"{NAME[user]}: your next on-call week starts")
    unchanged(h, before)


OWN_WEEK = {  # a date in the actor's own coming week, and whom they ask
    MEMBER: ("2026-12-22", JOHN, ("davis", "john", 3, 4)),
    COUNTERPART: ("2026-12-15", DAVIS, ("jill", "davis", 2, 3)),
    ADMIN: ("2026-12-28", JAMES, ("john", "james", 4, 5)),
    OUTSIDE: ("2026-12-08", JILL, None),
}


def swap_own_week(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    day, whom, stored = OWN_WEEK[col]
    command(h, user, f"swap <@{whom}|x> {day}")
    if stored is None:
        seen_by(h, user, ONLY_MEMBERS)
        assert _swaps(h) == []
        return
    seen_by(h, user, "Request #")
    seen_by(h, whom, "swap_accept")  # the counterpart's DM, with its buttons
    assert _swaps(h) == [(*stored, "pending")]
    assert plan(h) == ROUND_ROBIN


def swap_someone_elses_week(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    whom = JOHN if col == MEMBER else DAVIS
    command(h, user, f"swap <@{whom}|x> 2026-12-08")  # James's week 1
    if col == OUTSIDE:
        seen_by(h, user, ONLY_MEMBERS)
    else:
        seen_by(h, user, f"is not {NAME[user]}'s on-call week")
    assert _swaps(h) == [] and plan(h) == ROUND_ROBIN


def decide_addressed_to_me(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    if col == OUTSIDE:
        # Nothing can be addressed to them: asking them is refused, and their click on
        # any request is refused.
        command(h, JAMES, f"swap <@{STRANGER}|x> 2026-12-08")
        seen_by(h, JAMES, "only swap with a member")
        assert _swaps(h) == []
        swap_id = request(h, "james", "jill", 1)
        click(h, user, "swap_accept", str(swap_id))
        seen_by(h, user, ONLY_MEMBERS)
        assert _swaps(h) == [("james", "jill", 1, 2, "pending")]
        return
    if col == COUNTERPART:  # Jill declines James's request #1
        swap_id = request(h, "james", "jill", 1)
        click(h, user, "swap_decline", str(swap_id))
        seen_by(h, JAMES, "Jill declined your request")
        assert _swaps(h) == [("james", "jill", 1, 2, "declined")] and plan(h) == ROUND_ROBIN
        return
    their_week = {MEMBER: 3, ADMIN: 4}[col]
    swap_id = request(h, "james", ID[user], 1)
    click(h, user, "swap_accept", str(swap_id))
    seen_by(h, user, "you accepted James")
    assert _swaps(h) == [("james", ID[user], 1, their_week, "accepted")]
    expected = list(ROUND_ROBIN)
    expected[0], expected[their_week - 1] = ID[user], "james"
    assert plan(h) == expected


def decide_addressed_to_someone_else(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    if col == COUNTERPART:  # Jill, on a request addressed to Davis
        swap_id, to = request(h, "james", "davis", 1), "Davis"
    else:
        swap_id, to = request(h, "james", "jill", 1), "Jill"
    before = state(h)
    for action in ("swap_accept", "swap_decline"):
        click(h, user, action, str(swap_id))
        seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else f"Only {to} can accept or decline")
        h.settle()
    unchanged(h, before)


OWN_REQUEST = {MEMBER: ("davis", "john", 3), COUNTERPART: ("jill", "davis", 2)}
OWN_REQUEST[ADMIN] = ("john", "james", 4)


def cancel_own_request(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    if col == OUTSIDE:  # they cannot have one; cancelling James's is refused
        swap_id = request(h, "james", "jill", 1)
        click(h, user, "swap_cancel", str(swap_id))
        seen_by(h, user, ONLY_MEMBERS)
        assert _swaps(h)[0][-1] == "pending"
        return
    requester, counterpart, week = OWN_REQUEST[col]
    swap_id = request(h, requester, counterpart, week)
    click(h, user, "swap_cancel", str(swap_id))
    seen_by(h, user, "Cancelled by requester")  # the clicked DM, replaced
    seen_by(h, {"davis": DAVIS, "john": JOHN, "james": JAMES}[counterpart], "cancelled")
    assert _swaps(h)[0][-1] == "cancelled" and plan(h) == ROUND_ROBIN


def cancel_someone_elses_request(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    swap_id = request(h, "james", "jill", 1)
    before = state(h)
    click(h, user, "swap_cancel", str(swap_id))
    seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "Only James can cancel")
    unchanged(h, before)


def timeoff_values(start: str, end: str, member: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "start": {"start": {"type": "datepicker", "selected_date": start}},
        "end": {"end": {"type": "datepicker", "selected_date": end}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }
    if member:
        values["member"] = {
            "member": {"type": "static_select", "selected_option": {"value": member}}
        }
    return values


def file_own_timeoff(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    ack = submit(h, user, "timeoff_modal", timeoff_values("2026-12-28", "2026-12-29"))
    if col == OUTSIDE:
        assert ONLY_MEMBERS in ack["errors"]["start"] and time_off(h) == []
        command(h, user, "timeoff")  # nor can they open the form
        seen_by(h, user, ONLY_MEMBERS)
        return
    assert ack is None  # the modal closes
    seen_by(h, user, "Time off recorded")
    assert time_off(h) == [(ID[user], "2026-12-28", "2026-12-29")]


def file_short_notice_timeoff(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    ack = submit(h, user, "timeoff_modal", timeoff_values("2026-12-03", "2026-12-04"))
    if col == ADMIN:
        assert ack is None
        seen_by(h, user, "Time off recorded")
        assert time_off(h) == [("john", "2026-12-03", "2026-12-04")]
        return
    expected = ONLY_MEMBERS if col == OUTSIDE else "14 days' notice"
    assert expected in ack["errors"]["start"], ack
    assert time_off(h) == []


def file_timeoff_for_someone_else(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    values = timeoff_values("2026-12-28", "2026-12-29", member="james")
    ack = submit(h, user, "timeoff_modal", values)
    if col == ADMIN:
        assert ack is None
        seen_by(h, JAMES, "Recorded by John")
        assert time_off(h) == [("james", "2026-12-28", "2026-12-29")]
        return
    if col == OUTSIDE:
        assert ONLY_MEMBERS in ack["errors"]["start"]
    else:
        assert "Only an admin can record time off for someone else" in ack["errors"]["member"]
    assert time_off(h) == []


NOTE_WEEKS = {  # (a handover the actor hands over, or None; one they do not)
    MEMBER: (4, 2),  # Davis hands over week 3 -> 4; James hands over 1 -> 2
    COUNTERPART: (3, 4),  # Jill hands over week 2 -> 3
    ADMIN: (2, None),  # an admin may add to any handover
    OUTSIDE: (None, 2),
}


def add_handover_note(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    for week in (2, 3, 4):
        claim_announcement(h.service.store, "handover", week, NOW)
        renew_announcement(
            h.service.store,
            "handover",
            week,
            NOW,
            status="sent",
            channel="C0000000000",
            ts=f"{week}.5",
        )
    before = state(h)
    allowed, refused = NOTE_WEEKS[col]
    values = {"note": {"note_text": {"type": "plain_text_input", "value": "disk 80% full"}}}
    if allowed is not None:
        click(h, user, "handover_note_open", str(allowed))
        h.fake.wait_for_call("views.open")
        ack = submit(
            h, user, "handover_note_modal", values, private_metadata=json.dumps({"week": allowed})
        )
        assert ack is None
        note = h.fake.wait_for_call("chat.postMessage", where=lambda c: c.args.get("thread_ts"))
        assert note.args["thread_ts"] == f"{allowed}.5" and "disk 80% full" in json.dumps(note.args)
    if refused is not None:
        h.fake.clear()
        click(h, user, "handover_note_open", str(refused))
        seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "who handed over this week")
        ack = submit(
            h, user, "handover_note_modal", values, private_metadata=json.dumps({"week": refused})
        )
        assert ack["response_action"] == "errors"
        h.settle()
        assert not [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("thread_ts")]
        assert h.fake.calls_to("views.open") == []
    unchanged(h, before)


ROWS: dict[str, Callable[[SlackHarness, str], None]] = {
    "see who is on call / schedule / owners / runbook": see_everything,
    "/oncall me": oncall_me,
    "request a swap of own week": swap_own_week,
    "request a swap of someone else's week": swap_someone_elses_week,
    "accept/decline a request addressed to you": decide_addressed_to_me,
    "accept/decline a request addressed to someone else": decide_addressed_to_someone_else,
    "cancel own request": cancel_own_request,
    "cancel someone else's request": cancel_someone_elses_request,
    "file own time off (with notice)": file_own_timeoff,
    "file short-notice time off": file_short_notice_timeoff,
    "file time off for someone else": file_timeoff_for_someone_else,
    "add a handover note": add_handover_note,
}
COLUMNS = (MEMBER, COUNTERPART, ADMIN, OUTSIDE)

# The table as docs/permissions.md states it: ✓ allowed, ✗ refused, "own" only for
# the handover they hand over.
TABLE = {
    "see who is on call / schedule / owners / runbook": "✓✓✓✓",
    "/oncall me": "✓✓✓✓",
    "request a swap of own week": "✓✓✓✗",
    "request a swap of someone else's week": "✗✗✗✗",
    "accept/decline a request addressed to you": "✓✓✓✗",
    "accept/decline a request addressed to someone else": "✗✗✗✗",
    "cancel own request": "✓✓✓✗",
    "cancel someone else's request": "✗✗✗✗",
    "file own time off (with notice)": "✓✓✓✗",
    "file short-notice time off": "✗✗✓✗",
    "file time off for someone else": "✗✗✓✗",
    "add a handover note": "◐◐✓✗",
}


@pytest.mark.parametrize("col", COLUMNS)
@pytest.mark.parametrize("row", list(ROWS))
def test_permission(h: SlackHarness, row: str, col: str) -> None:
    ROWS[row](h, col)


def test_the_documented_table_is_the_tested_one() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("README.md", "docs/permissions.md"):
        check_table((root / name).read_text(encoding="utf-8"))
    assert set(TABLE) == set(ROWS)


def check_table(doc: str) -> None:
    for row, marks in TABLE.items():
        line = next(ln for ln in doc.splitlines() if ln.startswith(f"| {row} |"))
        cells = [c.strip() for c in line.strip().strip("|").split("|")[1:5]]
        assert "".join(c[0] for c in cells) == marks, (row, cells)


def test_a_button_value_never_names_the_actor(h: SlackHarness) -> None:
    # The value is Jill's request id, the clicker Davis: Davis is refused, as Davis.
    swap_id = request(h, "james", "jill", 1)
    before = state(h)
    click(h, DAVIS, "swap_accept", str(swap_id))
    seen_by(h, DAVIS, "Only Jill can accept or decline")
    unchanged(h, before)
