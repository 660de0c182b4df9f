"""Calendar feeds end to end: `/oncall calendar` over signed HTTP, then the links it gives
fetched from the real server, parsed by an iCalendar parser that is not the writer's
(`vobject`) and by a strict RFC 5545 line check written here.

Round robin from Mon 2026-11-30 09:00 New York: week 0 John, 1 James, 2 Jill, 3 Davis,
4 John, ... Now is Tue 2026-12-01 10:00 New York, inside week 0.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import vobject
from fakeslack import Call
from harness import DAVIS, JAMES, JILL, STRANGER, SlackHarness
from sqlalchemy import text

from bot.core.model import Override
from bot.runner import setup_logging
from bot.settings import RedactingFilter, redact_feed_tokens
from bot.slack import ids

FEED_URL = re.compile(r"https?://[^\s`|<>]+/calendar/[A-Za-z0-9_-]+\.ics")


@pytest.fixture
def feeds(h: SlackHarness) -> Iterator[SlackHarness]:
    """The harness with PUBLIC_URL set to its own address, so the links it gives work."""
    saved = h.service.feed_setup
    h.service.feed_setup = replace(saved, public_url=h.base)
    yield h
    h.service.feed_setup = saved


# --- helpers ------------------------------------------------------------------------------


def fetch(
    url: str, method: str = "GET", **headers: str
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a new connection: (status, headers by any case, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            method, parts.path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def answer(h: SlackHarness, needle: str) -> Call:
    calls = h.fake.wait_for(
        lambda cs: [c for c in cs if c.method == "response_url" and needle in json.dumps(c.args)]
    )
    return calls[0]


def links_of(call: Call) -> tuple[str, str]:
    """(personal, team) from an answer's blocks."""
    found = FEED_URL.findall(json.dumps(call.args["blocks"]))
    personal, team = dict.fromkeys(found)  # each shows once in the blocks
    return personal, team


def ask_links(h: SlackHarness, user: str) -> tuple[str, str]:
    status, _ = h.command("calendar", user=user)
    assert status == 200
    call = answer(h, "/calendar/")
    assert call.args["response_type"] == "ephemeral"
    h.settle()
    h.fake.clear()
    return links_of(call)


def strict_lines(body: bytes) -> list[str]:
    """RFC 5545 3.1 on the raw bytes: CRLF line ends, at most 75 octets a line, folds
    that begin with a space; returns the unfolded content lines, each NAME[;params]:value,
    with BEGIN/END balanced and what 3.6.1 requires of each VEVENT."""
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    raw = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in raw), "a line longer than 75 octets"
    lines: list[str] = []
    for line in raw:
        if line.startswith((b" ", b"\t")):
            lines[-1] += line[1:].decode("utf-8")
        else:
            lines.append(line.decode("utf-8"))
    name = re.compile(r"^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=[^;:]*)*:")
    assert all(name.match(line) for line in lines), "a content line without NAME:value"
    stack: list[str] = []
    event: set[str] = set()
    for line in lines:
        key = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if key == "BEGIN":
            stack.append(line.split(":", 1)[1])
            event = set()
        elif key == "END":
            assert stack.pop() == line.split(":", 1)[1]
            if line == "END:VEVENT":
                assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= event
        else:
            event.add(key)
    assert not stack and lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    return lines


def events(body: bytes) -> list[dict[str, Any]]:
    """The feed's events as `vobject` (not the writer's library) reads them."""
    strict_lines(body)
    cal = vobject.readOne(body.decode("utf-8"))
    out = []
    for e in cal.vevent_list:
        out.append(
            {
                "uid": e.uid.value,
                "summary": e.summary.value,
                "start": e.dtstart.value.astimezone(UTC),
                "end": e.dtend.value.astimezone(UTC),
                "description": e.description.value,
            }
        )
    return out


def week_start(k: int) -> datetime:
    """Week k's handover in UTC, 09:00 New York (EST until 14 Mar 2027)."""
    return datetime(2026, 11, 30, 14, tzinfo=UTC) + timedelta(days=7 * k)


# --- the command ------------------------------------------------------------------------


def test_calendar_answers_privately_with_two_links_that_serve_the_feeds(feeds) -> None:
    h = feeds
    status, _ = h.command("calendar", user=JILL)
    assert status == 200
    call = answer(h, "/calendar/")
    assert call.args["response_type"] == "ephemeral"
    shown = json.dumps(call.args)
    assert "Google Calendar" in shown and "Outlook" in shown
    assert ids.CALENDAR_RESET in shown
    personal, team = links_of(call)
    assert personal.startswith(h.base + "/calendar/") and personal != team

    status, headers, body = fetch(personal)
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    mine = events(body)
    assert {e["summary"] for e in mine} == {"On call: Jill", "Backup: Jill"}
    first = next(e for e in mine if e["summary"] == "On call: Jill")
    assert (first["start"], first["end"]) == (week_start(2), week_start(3))
    assert first["description"].startswith("Backup: Davis")
    backup = next(e for e in mine if e["summary"] == "Backup: Jill")
    assert (backup["start"], backup["description"]) == (week_start(1), "On call: James")
    assert len({e["uid"] for e in mine}) == len(mine)

    status, _, body = fetch(team)
    everyone = events(body)
    assert [e["summary"] for e in everyone[:5]] == [
        f"On call: {n}" for n in ("John", "James", "Jill", "Davis", "John")
    ]
    assert everyone[0]["start"] == week_start(0)
    # Only the tokens' hashes are stored, and the links were recorded in the audit log.
    with h.service.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT member, scope, token_hash FROM calendar_token")).all()
        audit = conn.execute(text("SELECT actor, action FROM audit_log")).all()
    tokens = {u.rsplit("/", 1)[1].removesuffix(".ics") for u in (personal, team)}
    assert sorted((m, s) for m, s, _ in rows) == [("jill", "member"), ("jill", "team")]
    assert {hx for *_, hx in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert ("jill", "calendar_links") in audit
    assert all(len(t) >= 43 for t in tokens)  # token_urlsafe(32): 256 bits


def test_a_stranger_gets_no_link_and_nothing_is_stored(feeds) -> None:
    h = feeds
    h.command("calendar", user=STRANGER)
    call = answer(h, "members of the on-call team")
    assert "/calendar/" not in json.dumps(call.args)
    with h.service.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM calendar_token")).scalar() == 0


def test_without_public_url_the_answer_says_what_to_set(h: SlackHarness) -> None:
    assert h.service.feed_setup.public_url is None and h.service.feed_setup.served
    before = h.snapshot()
    h.command("calendar", user=JILL)
    call = answer(h, "PUBLIC_URL")
    assert "/calendar/" not in json.dumps(call.args)
    assert h.snapshot() == before
    with h.service.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM calendar_token")).scalar() == 0


def test_in_socket_mode_without_a_calendar_port_the_answer_says_so(feeds) -> None:
    h = feeds
    h.service.feed_setup = replace(h.service.feed_setup, socket_mode=True, calendar_port=None)
    h.command("calendar", user=JILL)
    call = answer(h, "Socket Mode")
    assert "CALENDAR_PORT" in json.dumps(call.args)
    assert "/calendar/" not in json.dumps(call.args)
    h.fake.clear()
    h.service.feed_setup = replace(h.service.feed_setup, calendar_port=8089)
    h.command("calendar", user=JILL)
    call = answer(h, "/calendar/")
    assert "Socket Mode" in json.dumps(call.args) and "8089" in json.dumps(call.args)


# --- HTTP: 200, 304, 404 -------------------------------------------------------------------


def test_etag_and_last_modified_give_304_while_unchanged(feeds) -> None:
    personal, _ = ask_links(feeds, JILL)
    status, headers, body = fetch(personal)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    assert "no-cache" in headers["Cache-Control"]

    status, again, empty = fetch(personal, If_None_Match=etag)
    assert (status, empty, again["ETag"]) == (304, b"", etag)
    assert fetch(personal, If_None_Match=f'"other", W/{etag}')[0] == 304
    assert fetch(personal, If_None_Match='"other"')[0] == 200
    assert fetch(personal, If_Modified_Since=modified)[0] == 304
    earlier = format_datetime(datetime(2026, 11, 1, tzinfo=UTC), usegmt=True)
    assert fetch(personal, If_Modified_Since=earlier)[0] == 200
    assert fetch(personal, If_Modified_Since="not a date")[0] == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2).
    assert fetch(personal, If_None_Match='"other"', If_Modified_Since=modified)[0] == 200

    status, head, nothing = fetch(personal, "HEAD")
    assert (status, nothing, head["ETag"]) == (200, b"", etag)
    assert int(head["Content-Length"]) == len(body)


def test_a_swap_and_a_take_over_show_at_once_with_a_new_etag(feeds) -> None:
    h = feeds
    james_feed, team_feed = ask_links(h, JAMES)
    _, before, old_body = fetch(team_feed)
    _, mine_before, _ = fetch(james_feed)
    old = {e["uid"]: e for e in events(old_body)}

    request = h.service.request_swap("james", "jill", 1)
    h.service.accept_swap("jill", request.id)

    status, after, body = fetch(team_feed, If_None_Match=before["ETag"])
    assert status == 200 and after["ETag"] != before["ETag"]
    assert fetch(team_feed, If_Modified_Since=before["Last-Modified"])[0] == 200
    new = {e["uid"]: e for e in events(body)}
    week1 = next(u for u, e in old.items() if e["start"] == week_start(1))
    # The week's event keeps its UID: a calendar app updates it rather than adding one.
    assert (old[week1]["summary"], new[week1]["summary"]) == ("On call: James", "On call: Jill")
    status, mine, body = fetch(james_feed, If_None_Match=mine_before["ETag"])
    assert status == 200
    on_call = [e["start"] for e in events(body) if e["summary"] == "On call: James"]
    assert week_start(1) not in on_call and week_start(2) in on_call

    # Davis takes over from John on Wednesday 2 Dec, 12:00 New York, to the week's end.
    takeover = datetime(2026, 12, 2, 17, tzinfo=UTC)
    store = h.service.store
    with store.write() as s:
        store.add_override(
            s,
            Override("davis", "john", takeover, week_start(1), "ill", None, "john"),
            h.clock.now(),
        )
    status, _, body = fetch(team_feed, If_None_Match=after["ETag"])
    assert status == 200
    week0 = [
        (e["summary"], e["start"], e["end"]) for e in events(body) if e["start"] < week_start(1)
    ]
    assert week0 == [
        ("On call: John", week_start(0), takeover),
        ("On call: Davis", takeover, week_start(1)),
    ]
    davis_feed, _ = ask_links(h, DAVIS)
    _, _, body = fetch(davis_feed)
    partial = [e for e in events(body) if e["summary"] == "On call: Davis"][0]
    assert (partial["start"], partial["end"]) == (takeover, week_start(1))
    assert "took over from John" in partial["description"]


def test_event_times_across_the_dst_changes(feeds) -> None:
    """09:00 New York is 14:00 UTC in winter and 13:00 UTC in summer: the week that
    spring forward shortens ends at 13:00 UTC, and so on in November."""
    _, team_feed = ask_links(feeds, JILL)
    _, _, body = fetch(team_feed)
    by_start = {e["start"]: e for e in events(body)}
    march = by_start[datetime(2027, 3, 8, 14, tzinfo=UTC)]  # week 14, EST -> EDT on 14 Mar
    assert march["end"] == datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert march["end"] - march["start"] == timedelta(days=7, hours=-1)
    november = by_start[datetime(2027, 11, 1, 13, tzinfo=UTC)]  # EDT -> EST on 7 Nov
    assert november["end"] == datetime(2027, 11, 8, 14, tzinfo=UTC)


def test_unknown_revoked_or_malformed_tokens_get_the_plain_404(feeds) -> None:
    h = feeds
    personal, team = ask_links(h, JILL)
    unknown_path = fetch(h.base + "/no/such/path")
    assert unknown_path[0] == 404
    for url in (
        h.base + "/calendar/" + "A" * 43 + ".ics",  # well formed, unknown
        h.base + "/calendar/short.ics",
        h.base + "/calendar/",
        h.base + "/calendar/../healthz",
        personal.removesuffix(".ics"),
        personal + "x",
    ):
        status, headers, body = fetch(url)
        assert (status, body) == (404, unknown_path[2]), url
        assert headers["Content-Type"] == unknown_path[1]["Content-Type"]
    assert fetch(personal, "POST")[0] == 404
    assert fetch(personal, "DELETE")[0] == 404
    assert fetch(personal)[0] == 200


def test_reset_revokes_the_old_links_and_shows_new_ones(feeds) -> None:
    h = feeds
    personal, team = ask_links(h, JILL)
    earlier, _ = ask_links(h, JILL)  # asking again gives new links; the first still work
    assert earlier != personal and fetch(personal)[0] == 200
    james_personal, _ = ask_links(h, JAMES)
    status, _ = h.click(
        ids.CALENDAR_RESET,
        "reset",
        user=JILL,
        container={"type": "message", "message_ts": "1.0", "is_ephemeral": True},
        channel_id="C0000000001",
    )
    assert status == 200
    shown = h.fake.wait_for_call(
        "response_url", where=lambda c: c.args.get("replace_original") is True
    )
    assert "4 earlier link(s) revoked" in json.dumps(shown.args)
    new_personal, new_team = links_of(shown)
    for url in (personal, team, earlier):
        assert fetch(url)[0] == 404
    assert fetch(new_personal)[0] == 200 and fetch(new_team)[0] == 200
    assert fetch(james_personal)[0] == 200  # someone else's links are theirs to reset
    with h.service.store.engine.connect() as conn:
        audit = conn.execute(text("SELECT actor, action, detail FROM audit_log")).all()
    assert ("jill", "calendar_reset", '{"revoked": 4}') in audit


def test_a_stranger_clicking_reset_changes_nothing(feeds) -> None:
    h = feeds
    personal, _ = ask_links(h, JILL)
    before = h.snapshot()
    h.click(ids.CALENDAR_RESET, "reset", user=STRANGER, channel_id="C0000000001")
    h.fake.wait_for_call("chat.postEphemeral")
    assert h.snapshot() == before and fetch(personal)[0] == 200


def test_a_link_stops_working_when_its_owner_leaves_the_team(feeds) -> None:
    h = feeds
    personal, team = ask_links(h, JILL)
    saved = h.service.team
    h.service.team = replace(saved, members=tuple(m for m in saved.members if m.id != "jill"))
    try:
        assert fetch(personal)[0] == 404 and fetch(team)[0] == 404
    finally:
        h.service.team = saved
    assert fetch(personal)[0] == 200


# --- logs -------------------------------------------------------------------------------------


def test_a_token_never_reaches_the_logs(feeds, caplog, monkeypatch) -> None:
    h = feeds
    caplog.set_level(logging.DEBUG, logger="waitress")
    caplog.set_level(logging.DEBUG, logger="bot")
    personal, team = ask_links(h, JILL)
    fetch(personal)
    fetch(personal, If_None_Match='"x"')
    fetch(h.base + "/calendar/" + "B" * 43 + ".ics")

    def broken(token: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(h.service, "calendar_feed", broken)
    status, _, body = fetch(team)
    assert (status, body) == (500, b"internal error")
    assert "a calendar feed could not be built: RuntimeError" in caplog.text
    for url in (personal, team):
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert token not in caplog.text
    assert "B" * 43 not in caplog.text


def test_debug_logs_hide_the_tokens_of_the_links_slack_is_sent(feeds) -> None:
    """At LOG_LEVEL=DEBUG slack_sdk logs every request's body, the answer that carries the
    links among them: the log handler of `oncall run` masks each feed token."""
    h = feeds
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    try:
        setup_logging(replace(h.settings, log_level="DEBUG"))
        root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
        personal, team = ask_links(h, JILL)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    logs = buffer.getvalue()
    assert "/calendar/[redacted].ics" in logs  # the answer's body was logged, masked
    for url in (personal, team):
        assert url.rsplit("/", 1)[1].removesuffix(".ics") not in logs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET https://h.example/calendar/Ab_-9z.ics",
            "GET https://h.example/calendar/[redacted].ics",
        ),
        (
            '{"url": "https:\\/\\/h\\/calendar\\/Ab_-9z.ics"}',
            '{"url": "https:\\/\\/h\\/calendar\\/[redacted].ics"}',
        ),
        (
            "u=https%3A%2F%2Fh%2Fcalendar%2FAb_-9z.ics",
            "u=https%3A%2F%2Fh%2Fcalendar%2F[redacted].ics",
        ),
        ("the calendar/ page, /calendars/x", "the calendar/ page, /calendars/x"),
    ],
)
def test_redacting_filter_masks_feed_tokens_in_any_encoding(text: str, expected: str) -> None:
    record = logging.LogRecord("slack_sdk", logging.DEBUG, __file__, 1, "%s", (text,), None)
    RedactingFilter([]).filter(record)
    assert record.getMessage() == expected
    assert redact_feed_tokens(text) == expected
