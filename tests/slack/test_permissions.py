"""Who may do what: one test per cell of the table in docs/permissions.md (and the README).

Every cell goes through signed HTTP requests; who acts is the payload's user (a
button's value never names the actor). Each asserts what the person sees and what
the database holds afterwards.

The people: member = Davis (a plain member), counterpart = Jill (the member James's
request #1 is addressed to), admin = John, outside = someone not in the roster.
James is the requester in the swap scenarios. Round robin from Mon 2026-11-30:
week 0 John (started), 1 James (Dec 7), 2 Jill (Dec 14), 3 Davis (Dec 21),
4 John (Dec 28), 5 James, 6 Jill, 7 Davis... Now is Tue 1 Dec, 10:00 New York.
In the take-over rows the counterpart is the colleague asked to take over; the scenario of
each row (take-overs, calendar links, incidents, the report) is in docs/permissions.md.

The tables in README.md and docs/permissions.md list exactly TABLE's rows with its marks
(`check_table`), so no documented cell goes untested.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, STRANGER, SlackHarness
from sqlalchemy import text as sql
from sqlmodel import select

from bot.slack import ids
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


def command(h: SlackHarness, user: str, text: str, channel: str = "C0000000001") -> None:
    status, _ = h.command(text, user=user, channel=channel, response_url=url_for(h, user))
    assert status == 200


def click(h: SlackHarness, user: str, action: str, value: str, channel: str = "") -> None:
    status, _ = h.click(
        action,
        value,
        user=user,
        channel_id=channel or "D" + user,
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


def _rows(h: SlackHarness, query: str) -> list[tuple[Any, ...]]:
    with h.service.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sql(query))]


def overrides(h: SlackHarness) -> list[tuple[Any, ...]]:
    """Every take-over that took effect: (who is on call instead, whom they replace)."""
    return _rows(h, "SELECT member, replaces FROM override ORDER BY id")


def tokens(h: SlackHarness) -> list[tuple[str, str, bool]]:
    """Every calendar link: (whose, "member" or "team", revoked)."""
    rows = _rows(h, "SELECT member, scope, revoked_at FROM calendar_token ORDER BY id")
    return [(member, scope, revoked is not None) for member, scope, revoked in rows]


def incidents(h: SlackHarness) -> list[tuple[Any, ...]]:
    """Every incident: (pipeline, opened by, status, resolved by)."""
    query = "SELECT pipeline, opened_by, status, resolved_by FROM incident ORDER BY id"
    return _rows(h, query)


def calls(h: SlackHarness) -> list[tuple[Any, ...]]:
    """Everyone in an incident: (incident, member, role, called in by)."""
    query = "SELECT incident_id, member, role, called_by FROM incident_call ORDER BY id"
    return _rows(h, query)


def state(h: SlackHarness) -> dict[str, Any]:
    return {
        "swaps": _swaps(h),
        "time_off": time_off(h),
        "plan": plan(h),
        "overrides": overrides(h),
        "tokens": tokens(h),
        "incidents": incidents(h),
        "calls": calls(h),
    }


def unchanged(h: SlackHarness, before: dict[str, Any]) -> None:
    assert state(h) == before


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
    if col == ADMIN:  # John cancels James's request to Jill: both are told who did
        seen_by(h, user, "Cancelled by John (an admin)")  # the clicked copy, replaced
        for party in (JAMES, JILL):
            seen_by(h, party, "John, an admin, cancelled request #1")
        assert _swaps(h) == [("james", "jill", 1, 2, "cancelled")] and plan(h) == ROUND_ROBIN
        return
    seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "Only James can cancel")
    unchanged(h, before)


def list_pending_requests(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    to_jill = request(h, "james", "jill", 1)
    to_davis = request(h, "john", "davis", 4)
    before = state(h)
    command(h, user, "requests")
    if col == OUTSIDE:
        seen_by(h, user, ONLY_MEMBERS)
        unchanged(h, before)
        return
    shown = json.loads(seen_by(h, user, "Pending requests"))
    listed = {
        int(b["block_id"].rsplit("_", 1)[1]): [e["action_id"] for e in b["elements"]]
        for b in shown["blocks"]
        if b["type"] == "actions"
    }
    expected = {
        MEMBER: {to_davis: ["swap_accept", "swap_decline"]},
        COUNTERPART: {to_jill: ["swap_accept", "swap_decline"]},
        ADMIN: {to_jill: ["swap_cancel"], to_davis: ["swap_cancel"]},
    }[col]
    assert listed == expected
    assert "date^" in json.dumps(shown)  # each deadline, in the reader's own time zone
    unchanged(h, before)


def accepted(h: SlackHarness, requester: str, counterpart: str, week: int) -> int:
    """An accepted swap (the setup, not the cell)."""
    swap_id = request(h, requester, counterpart, week)
    h.service.accept_swap(counterpart, swap_id)
    return swap_id


OWN_SWAP = {  # a swap the actor is party to: (requester, counterpart, week), and the
    # swap back it asks for: (asker, other, the asker's week now, the other's)
    MEMBER: (("davis", "john", 3), ("davis", "john", 4, 3)),
    COUNTERPART: (("james", "jill", 1), ("jill", "james", 1, 2)),
    ADMIN: (("john", "james", 4), ("john", "james", 5, 4)),
}


def swap_back_own_swap(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    if col == OUTSIDE:
        swap_id = accepted(h, "james", "jill", 1)
        before = state(h)
        click(h, user, "swap_back", str(swap_id))
        seen_by(h, user, ONLY_MEMBERS)
        unchanged(h, before)
        return
    (requester, counterpart, week), back = OWN_SWAP[col]
    swap_id = accepted(h, requester, counterpart, week)
    before = plan(h)
    click(h, user, "swap_back", str(swap_id))
    other = {"john": JOHN, "james": JAMES, "davis": DAVIS}[back[1]]
    seen_by(h, other, "swap_accept")  # the other party's request DM, with its buttons
    seen_by(h, user, "Request #2 sent")
    assert _swaps(h)[1] == (*back, "pending")
    assert plan(h) == before  # nothing moves until the other accepts


def swap_back_someone_elses_swap(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    parties = ("james", "davis") if col == COUNTERPART else ("james", "jill")
    swap_id = accepted(h, parties[0], parties[1], 1)
    before = state(h)
    click(h, user, "swap_back", str(swap_id))
    names = " or ".join(p.title() for p in parties)
    seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else f"Only {names} can ask to swap")
    unchanged(h, before)


def record_a_swap(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    before = state(h)
    command(h, user, f"swap <@{JAMES}|james> <@{JILL}|jill> 2026-12-08")
    if col != ADMIN:
        seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "Only an admin can record")
        unchanged(h, before)
        return
    seen_by(h, user, "Recorded request #1")
    for party in (JAMES, JILL):
        seen_by(h, party, "John recorded a swap")
    assert _swaps(h) == [("james", "jill", 1, 2, "accepted")]
    assert plan(h) == ["jill", "james", "davis", "john", "james"]
    assert [w.reason for w in h.service.schedule(1, 2)] == [
        "swap with James, recorded by John",
        "swap with Jill, recorded by John",
    ]


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


# --- take-overs: the engineer on call now hands over the rest of the week -------------------

JAMES_ON_CALL = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # Wed 10:00 New York, week 1
ON_CALL = {  # a Wednesday 10:00 in the actor's own week: week 3 Davis, 2 Jill, 4 John
    MEMBER: datetime(2026, 12, 23, 15, 0, tzinfo=UTC),
    COUNTERPART: datetime(2026, 12, 16, 15, 0, tzinfo=UTC),
    ADMIN: datetime(2026, 12, 30, 15, 0, tzinfo=UTC),
}
WEEK_OF = {MEMBER: 3, COUNTERPART: 2, ADMIN: 4}
TEAM = "C0000000000"  # the team's channel


def ask_takeover(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    whom = DAVIS if col == COUNTERPART else JILL
    h.clock.set(JAMES_ON_CALL)  # someone else's week: refused
    before = state(h)
    command(h, user, f"cover <@{whom}|x>")
    if col == OUTSIDE:
        seen_by(h, user, ONLY_MEMBERS)
        unchanged(h, before)
        return
    refused = seen_by(h, user, "Only the engineer on call now (James)")
    assert ("record it for them" in refused) == (col == ADMIN)  # an admin is shown the way
    unchanged(h, before)
    h.clock.set(ON_CALL[col])  # their own week: the colleague is asked
    command(h, user, f"cover <@{whom}|x>")
    seen_by(h, user, "Take-over request #1 sent")
    seen_by(h, whom, ids.TAKEOVER_ACCEPT)  # the colleague's DM, with its buttons
    assert _swaps(h) == [(ID[user], ID[whom], WEEK_OF[col], None, "pending")]
    assert overrides(h) == [] and h.service.who().on_call == ID[user]  # nothing yet


def record_takeover(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    h.clock.set(JAMES_ON_CALL)
    before = state(h)
    command(h, user, f"cover <@{JILL}|jill> for <@{JAMES}|james>")
    if col != ADMIN:
        seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "Only an admin can record")
        unchanged(h, before)
        assert h.service.who().on_call == "james"
        return
    for party in (JILL, JAMES):
        seen_by(h, party, "recorded by John")
    line = ":sos: Jill takes over from James until Mon 14 Dec 09:00 EST (recorded by John)."
    h.fake.wait_for_call(
        "chat.postMessage", where=lambda c: (c.args["channel"], c.args["text"]) == (TEAM, line)
    )
    assert _swaps(h) == [("james", "jill", 1, None, "accepted")]
    assert overrides(h) == [("jill", "james")] and h.service.who().on_call == "jill"


def decide_takeover_addressed_to_me(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    if col == OUTSIDE:
        # Nothing can be addressed to them: John (on call now) asking them is refused,
        # and their click on a take-over request is refused.
        command(h, JOHN, f"cover <@{STRANGER}|x>")
        seen_by(h, JOHN, "is not a member of the on-call team")
        assert _swaps(h) == []
        request_id = h.service.request_takeover("john", "jill").request.id
        before = state(h)
        click(h, user, ids.TAKEOVER_ACCEPT, str(request_id))
        seen_by(h, user, ONLY_MEMBERS)
        unchanged(h, before)
        return
    engineer, week_index = "john", 0  # on call now, asks the actor
    if col == ADMIN:  # John cannot ask himself: Davis, in week 3, asks him
        h.clock.set(ON_CALL[MEMBER])
        engineer, week_index = "davis", 3
    request_id = h.service.request_takeover(engineer, ID[user]).request.id
    if col == COUNTERPART:  # Jill declines John's request
        click(h, user, ids.TAKEOVER_DECLINE, str(request_id))
        seen_by(h, JOHN, "Jill declined to take over")
        assert _swaps(h) == [("john", "jill", 0, None, "declined")]
        assert overrides(h) == [] and h.service.who().on_call == "john"
        return
    click(h, user, ids.TAKEOVER_ACCEPT, str(request_id))
    seen_by(h, user, "on call from now")
    assert _swaps(h) == [(engineer, ID[user], week_index, None, "accepted")]
    assert overrides(h) == [(ID[user], engineer)] and h.service.who().on_call == ID[user]


def decide_takeover_addressed_to_someone_else(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    h.clock.set(JAMES_ON_CALL)  # James asks Jill (Davis when Jill is the one clicking)
    to = "Davis" if col == COUNTERPART else "Jill"
    request_id = h.service.request_takeover("james", to.lower()).request.id
    before = state(h)
    for action in (ids.TAKEOVER_ACCEPT, ids.TAKEOVER_DECLINE):
        click(h, user, action, str(request_id))
        seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else f"Only {to} can accept or decline")
        h.fake.clear()
    unchanged(h, before)
    assert h.service.who().on_call == "james"


def cancel_someone_elses_takeover(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    h.clock.set(JAMES_ON_CALL)  # James's request to Jill, which only James may cancel
    request_id = h.service.request_takeover("james", "jill").request.id
    before = state(h)
    click(h, user, ids.TAKEOVER_CANCEL, str(request_id))
    if col == ADMIN:
        for party in (JAMES, JILL):
            seen_by(h, party, "John cancelled take-over request #1")
        assert _swaps(h) == [("james", "jill", 1, None, "cancelled")] and overrides(h) == []
        return
    seen_by(h, user, ONLY_MEMBERS if col == OUTSIDE else "Only James can cancel")
    unchanged(h, before)


# --- calendar feeds ------------------------------------------------------------------------


@contextmanager
def feeds_served(h: SlackHarness) -> Iterator[None]:
    """PUBLIC_URL set to the harness's own address, so links can be given."""
    saved = h.service.feed_setup
    h.service.feed_setup = replace(saved, public_url=h.base)
    try:
        yield
    finally:
        h.service.feed_setup = saved


def get_calendar_links(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    with feeds_served(h):
        before = state(h)
        command(h, user, "calendar")
        if col == OUTSIDE:
            seen_by(h, user, "Calendar links are for members of the on-call team")
            unchanged(h, before)
            return
        shown = seen_by(h, user, f"{h.base}/calendar/")
    assert '"response_type": "ephemeral"' in shown  # the links are the person's own
    assert ids.CALENDAR_RESET in shown
    assert tokens(h) == [(ID[user], "member", False), (ID[user], "team", False)]


def reset_own_calendar_links(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    other = "davis" if col == COUNTERPART else "jill"  # someone else's links stay
    with feeds_served(h):
        h.service.calendar_links(other)
        if col == OUTSIDE:
            before = state(h)
            click(h, user, ids.CALENDAR_RESET, "reset")
            seen_by(h, user, ONLY_MEMBERS)
            unchanged(h, before)
            return
        h.service.calendar_links(ID[user])
        click(h, user, ids.CALENDAR_RESET, "reset")
        seen_by(h, user, "2 earlier link(s) revoked")
    mine = [(ID[user], scope, revoked) for revoked in (True, False) for scope in ("member", "team")]
    assert tokens(h) == [(other, "member", False), (other, "team", False), *mine]


# --- incidents -----------------------------------------------------------------------------

WHERE = "C0000000001"  # where commands are typed


def person(user: str) -> str:
    """How an incident names someone: their member id, else their Slack user id."""
    return STRANGER if user == STRANGER else ID[user]


def opened(h: SlackHarness, user: str, pipeline: str) -> tuple[int, str]:
    """An incident `user` opens by the command, with its channel: (id, channel id)."""
    command(h, user, f"incident {pipeline} loads failing", WHERE)
    seen_by(h, user, "is open")  # told last, once the channel is made and recorded
    incident_id = len(incidents(h))
    incident = h.service.incident(incident_id)
    assert incident is not None and incident.channel_id is not None
    h.fake.clear()
    return incident_id, incident.channel_id


def open_an_incident(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    before = state(h)
    incident_id, channel = opened(h, user, "aggregate-profit")
    opener = person(user)
    assert incidents(h) == [("aggregate-profit", opener, "open", None)]
    room = h.fake.channel(channel)
    assert room is not None and user in room.members  # an outsider is invited as opener
    roles = {member: role for i, member, role, _by in calls(h) if i == incident_id}
    assert roles[opener] == ("engineer" if col == ADMIN else "opener")  # John is on call
    after = state(h)
    for key in ("incidents", "calls"):
        del before[key], after[key]
    assert after == before


def call_in_people(h: SlackHarness, col: str) -> None:
    # Week 3 (Davis on call, John backup); James opens one on Aggregate Profit (owners
    # James and Jill): the backup (John) and the other owner (Jill) are not in it yet.
    user = ACTOR[col]
    h.clock.set(ON_CALL[MEMBER])
    incident_id, channel = opened(h, JAMES, "aggregate-profit")
    value = json.dumps({"i": incident_id, "p": "aggregate-profit"})
    if col == OUTSIDE:  # not in an incident someone else opened ...
        before = state(h)
        for action in (ids.INCIDENT_CALL_BACKUP, ids.INCIDENT_CALL_OWNER):
            click(h, user, action, value, channel)
            seen_by(h, user, "Only members of the on-call team, or who opened it")
        unchanged(h, before)
        # ... but in the one they opened themselves
        incident_id, channel = opened(h, user, "aggregate-profit")
        value = json.dumps({"i": incident_id, "p": "aggregate-profit"})
    actor = person(user)
    before = calls(h)
    for action in (ids.INCIDENT_CALL_BACKUP, ids.INCIDENT_CALL_OWNER):
        click(h, user, action, value, channel)
    for called, role in ((JOHN, "backup"), (JILL, "other owner")):
        note = f"<@{user}> called in <@{called}> ({role})"
        h.fake.wait_for_call(
            "chat.postMessage",
            where=lambda c, n=note: c.args["channel"] == channel and n in c.args["text"],
        )
        seen_by(h, called, f"<#{channel}>")  # their DM, with the link
    added = [(incident_id, "jill", "other owner", actor), (incident_id, "john", "backup", actor)]
    assert calls(h)[: len(before)] == before and sorted(calls(h)[len(before) :]) == added


def resolve_an_incident(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    incident_id, channel = opened(h, JAMES, "aggregate-profit")
    if col == OUTSIDE:  # not one someone else opened ...
        before = state(h)
        command(h, user, "resolve reran the load", channel)
        seen_by(h, user, "Only members of the on-call team, or who opened it")
        unchanged(h, before)
        # ... but the one they opened themselves
        incident_id, channel = opened(h, user, "aggregate-growth")
    command(h, user, "resolve reran the load", channel)
    seen_by(h, user, "Resolved. The summary is in the channel.")
    h.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.args["channel"] == channel and "reran the load" in json.dumps(c.args),
    )
    resolved = incidents(h)[incident_id - 1]
    assert resolved[2:] == ("resolved", person(user))
    assert [i[2] for i in incidents(h)] == ["open"] * (incident_id - 1) + ["resolved"]


# --- the on-call report --------------------------------------------------------------------


def see_the_report(h: SlackHarness, col: str) -> None:
    user = ACTOR[col]
    before = state(h)
    command(h, user, "report")
    if col == ADMIN:
        shown = seen_by(h, user, "On-call report: December 2026")
        assert "168 h on call" in shown and '"response_type": "ephemeral"' in shown
    else:
        shown = seen_by(h, user, "Only a team admin can see the on-call report.")
        assert "168" not in shown
    unchanged(h, before)  # a read never writes


ROWS: dict[str, Callable[[SlackHarness, str], None]] = {
    "see who is on call / schedule / owners / runbook": see_everything,
    "/oncall me": oncall_me,
    "request a swap of own week": swap_own_week,
    "request a swap of someone else's week": swap_someone_elses_week,
    "accept/decline a request addressed to you": decide_addressed_to_me,
    "accept/decline a request addressed to someone else": decide_addressed_to_someone_else,
    "cancel own request": cancel_own_request,
    "cancel someone else's request": cancel_someone_elses_request,
    "list pending requests (`/oncall requests`)": list_pending_requests,
    "ask to swap back an accepted swap of one's own": swap_back_own_swap,
    "ask to swap back someone else's swap": swap_back_someone_elses_swap,
    "record a swap or cover between two members": record_a_swap,
    "file own time off (with notice)": file_own_timeoff,
    "file short-notice time off": file_short_notice_timeoff,
    "file time off for someone else": file_timeoff_for_someone_else,
    "add a handover note": add_handover_note,
    "ask a colleague to take over (`/oncall cover @x`)": ask_takeover,
    "record a take-over for the engineer on call (`/oncall cover @x for @engineer`)": (
        record_takeover
    ),
    "accept/decline a take-over addressed to you": decide_takeover_addressed_to_me,
    "accept/decline a take-over addressed to someone else": (
        decide_takeover_addressed_to_someone_else
    ),
    "cancel someone else's take-over request": cancel_someone_elses_takeover,
    "get calendar links (`/oncall calendar`)": get_calendar_links,
    "reset own calendar links": reset_own_calendar_links,
    "open an incident (`/oncall incident`)": open_an_incident,
    "call in the backup / the other owner": call_in_people,
    "resolve an incident": resolve_an_incident,
    "see the on-call report (`/oncall report`)": see_the_report,
}
COLUMNS = (MEMBER, COUNTERPART, ADMIN, OUTSIDE)

# The table as docs/permissions.md and the README state it, row for row: ✓ allowed,
# ✗ refused, ◐ only their own (the handover they hand over, the week they are on call in).
TABLE = {
    "see who is on call / schedule / owners / runbook": "✓✓✓✓",
    "/oncall me": "✓✓✓✓",
    "request a swap of own week": "✓✓✓✗",
    "request a swap of someone else's week": "✗✗✗✗",
    "accept/decline a request addressed to you": "✓✓✓✗",
    "accept/decline a request addressed to someone else": "✗✗✗✗",
    "cancel own request": "✓✓✓✗",
    "cancel someone else's request": "✗✗✓✗",
    "list pending requests (`/oncall requests`)": "✓✓✓✗",
    "ask to swap back an accepted swap of one's own": "✓✓✓✗",
    "ask to swap back someone else's swap": "✗✗✗✗",
    "record a swap or cover between two members": "✗✗✓✗",
    "file own time off (with notice)": "✓✓✓✗",
    "file short-notice time off": "✗✗✓✗",
    "file time off for someone else": "✗✗✓✗",
    "add a handover note": "◐◐✓✗",
    "ask a colleague to take over (`/oncall cover @x`)": "◐◐◐✗",
    "record a take-over for the engineer on call (`/oncall cover @x for @engineer`)": "✗✗✓✗",
    "accept/decline a take-over addressed to you": "✓✓✓✗",
    "accept/decline a take-over addressed to someone else": "✗✗✗✗",
    "cancel someone else's take-over request": "✗✗✓✗",
    "get calendar links (`/oncall calendar`)": "✓✓✓✗",
    "reset own calendar links": "✓✓✓✗",
    "open an incident (`/oncall incident`)": "✓✓✓✓",
    "call in the backup / the other owner": "✓✓✓✗",
    "resolve an incident": "✓✓✓✗",
    "see the on-call report (`/oncall report`)": "✗✗✓✗",
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


TABLE_HEADER = "| action | member | counterpart | admin | outside |"


def documented_table(doc: str) -> dict[str, list[str]]:
    """The permission table of a Markdown document: each row's action and its four cells."""
    lines = [ln.strip() for ln in doc.splitlines()]
    assert lines.count(TABLE_HEADER) == 1, "one permission table"
    rows: dict[str, list[str]] = {}
    for line in lines[lines.index(TABLE_HEADER) + 2 :]:
        if not line.startswith("|"):
            break
        action, *cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), line
        assert action not in rows, f"{action!r} twice"
        rows[action] = cells
    return rows


def check_table(doc: str) -> None:
    """The document lists exactly TABLE's rows, in its order, with its marks: no
    documented cell goes untested, and no tested row goes undocumented."""
    rows = documented_table(doc)
    assert list(rows) == list(TABLE), set(rows) ^ set(TABLE)
    for row, marks in TABLE.items():
        assert "".join(c[0] for c in rows[row]) == marks, (row, rows[row])


RESOLVE = "| resolve an incident |"


@pytest.mark.parametrize(
    "change",
    [
        lambda doc: doc.replace(RESOLVE, "| resolve any incident |"),
        lambda doc: doc.replace(RESOLVE, "| fly | ✓ | ✓ | ✓ | ✓ |\n" + RESOLVE, 1),
        lambda doc: doc.replace("| ✗ | ✗ | ✓ | ✗ |\n", "| ✗ | ✗ | ✓ | ✓ |\n", 1),
        lambda doc: doc.replace("| reset own calendar links | ✓ | ✓ | ✓ | ✗ |\n", ""),
    ],
)
def test_check_table_refuses_a_table_that_differs(change: Callable[[str], str]) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text("utf-8")
    check_table(doc)
    assert change(doc) != doc
    with pytest.raises(AssertionError):
        check_table(change(doc))


def test_a_button_value_never_names_the_actor(h: SlackHarness) -> None:
    # The value is Jill's request id, the clicker Davis: Davis is refused, as Davis.
    swap_id = request(h, "james", "jill", 1)
    before = state(h)
    click(h, DAVIS, "swap_accept", str(swap_id))
    seen_by(h, DAVIS, "Only Jill can accept or decline")
    unchanged(h, before)
