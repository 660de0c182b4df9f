"""Hostile and broken `/oncall` texts, through the real HTTP endpoint.

Whatever is typed: the request is acknowledged (never a 500), the person gets a
clear private answer (or a modal opens), nothing reaching Slack carries a traceback
or an exception's name, and nothing changes in the database, since none of these
inputs can be valid (every date is impossible, past, too far ahead or not the
typist's week; every colleague unknown or a week that is not theirs).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, SENDS, STRANGER, SlackHarness, leaks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York, John's week 0
OTHER_TEAM = "T0000000002"

# --- the harness: one app for the module, listeners awaited, database snapshots ----------


@pytest.fixture(scope="module")
def h(harness: SlackHarness) -> SlackHarness:
    harness.protect_some_state()  # the module's app (conftest.py), never reset
    return harness


def check_answers(h: SlackHarness, ack: Any, typed: str) -> list[dict[str, Any]]:
    """No leak anywhere; every message has a plain text. Returns the messages sent."""
    h.executor.drain()
    calls = h.fake.calls
    shown = json.dumps([c.args for c in calls], ensure_ascii=False) + json.dumps(ack)
    assert leaks(shown, typed) == [], shown[:2000]
    sent = [c.args for c in calls if c.method in SENDS]
    for message in sent:
        assert isinstance(message.get("text"), str) and message["text"].strip(), message
    return sent


# --- strategies ------------------------------------------------------------------------------

SUBS = ["", "now", "schedule", "me", "owners", "runbook", "fairness", "help", "swap", "timeoff"]
# Dates no one can use: impossible, before the rotation, started, or beyond the plan.
BAD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "1900-01-01",
    "2026-11-29",
    "2026-12-01",
    "2100-01-01",
    "9999-12-31",
    "２０２６-１２-０８",
    "2026-12-8",
    "08-12-2026",
]
TOKENS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    f"<@{STRANGER}|ghost>",
    "<@U0000000999>",
    "<@W0000000000|nobody>",
    f"<@{JILL}|jill>",
    f"<@{DAVIS}>",
    "@jill",
    "jill",
    "John",
    "cover",
    "help",
    "²",
    "١٢",
    "1e3",
    "-1",
    "0",
    "99999999999999999999",
    "9" * 5000,
    "<https://evil.example|click here>",
    "`rm -rf`",
    "*bold* _it_ ~s~",
    "\u202eevil",
    "🔥" * 50,
    "x" * 4000,
    "%s %d {0} {}",
    "'; DROP TABLE swap_request; --",
    "ValueError",
    "Traceback",
]
token = st.one_of(
    st.sampled_from(BAD_DATES),
    st.sampled_from(TOKENS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
)
sub = st.one_of(
    st.sampled_from(SUBS), st.sampled_from([s.upper() for s in SUBS]), st.text(max_size=12)
)
command_text = st.builds(
    lambda s, args, sep: (s + sep + " ".join(args)).strip() if args else s,
    sub,
    st.lists(token, max_size=6),
    st.sampled_from([" ", "  ", "\t", "\n"]),
)
user = st.sampled_from([JOHN, JAMES, JILL, DAVIS, STRANGER, "", "U", "WXYZ", "<@U1>"])
_names = itertools.count(1)

SETTINGS = settings(
    max_examples=70,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def send(h: SlackHarness, typed: str, who: str, team_id: str | None = None) -> tuple[int, Any, str]:
    path = f"/hooks/hc{next(_names)}"
    kw: dict[str, Any] = {"response_url": h.fake.base + path}
    if team_id:
        kw["team_id"] = team_id
    status, body = h.command(typed, user=who, **kw)
    return status, body, path


# --- properties ---------------------------------------------------------------------------------


@SETTINGS
@given(typed=command_text, who=user)
def test_any_text_is_answered_clearly_and_changes_nothing(
    h: SlackHarness, typed: str, who: str
) -> None:
    before = h.snapshot()
    h.fake.reset()
    status, ack, path = send(h, typed, who)
    assert status == 200
    sent = check_answers(h, ack, typed)
    answers = [m for m in sent if m.get("_path") == path]
    opened = h.fake.calls_to("views.open")
    assert answers or opened, h.fake.summary()
    for answer in answers:
        assert answer.get("response_type") in ("ephemeral", "in_channel")
        if answer.get("response_type") == "in_channel":  # only a found runbook is public
            assert typed.split()[0].lower() == "runbook", answer
    assert h.snapshot() == before


@SETTINGS
@given(typed=command_text, who=st.sampled_from([JOHN, JAMES, JILL]))
def test_a_command_from_another_workspace_does_nothing(
    h: SlackHarness, typed: str, who: str
) -> None:
    before = h.snapshot()
    h.fake.reset()
    status, ack, _path = send(h, typed, who, team_id=OTHER_TEAM)
    assert status == 200
    assert ack["response_type"] == "ephemeral" and "only the workspace" in ack["text"]
    check_answers(h, ack, typed)
    # Nothing but the refusal in the acknowledgement (shown by the fake as Slack would).
    assert [c for c in h.fake.calls if c.method != "auth.test" and not c.args.get("_ack")] == []
    assert h.snapshot() == before


# --- examples worth keeping as such ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("schedule ²", "is not a number of weeks"),
        ("schedule " + "9" * 5000, "is not a number of weeks"),
        ("schedule ١٢", "is not a number of weeks"),
        (f"swap <@{JILL}|jill> 2026-02-30", "YYYY-MM-DD"),
        (f"swap <@{JILL}|jill> 9999-12-31", "too far ahead"),
        (f"swap <@{JILL}|jill> 2100-01-01", "too far ahead"),
        (f"swap <@{JILL}|jill> 1900-01-01", "before the rotation started"),
        (f"swap <@{JILL}|jill> 2026-12-08 2100-01-01", "too far ahead"),
        (f"swap <@{STRANGER}|ghost> 2026-12-08", "only swap with a member"),
        ("swap <!channel> <!here>", "only swap with a member"),
        ("bogus <!channel>", "Unknown sub-command"),
    ],
)
def test_hostile_examples_get_a_clear_refusal(h: SlackHarness, typed: str, expected: str) -> None:
    before = h.snapshot()
    h.fake.reset()
    status, ack, path = send(h, typed, JAMES)
    assert status == 200
    sent = check_answers(h, ack, typed)
    (answer,) = [m for m in sent if m.get("_path") == path]
    assert expected in json.dumps(answer, ensure_ascii=False), answer
    assert "<!channel>" not in json.dumps(answer) and "<!here>" not in json.dumps(answer)
    assert h.snapshot() == before


def test_a_far_date_plans_no_weeks(h: SlackHarness) -> None:
    # Before the fix, week 416,000 made the service plan every week up to it.
    with h.service.store.engine.connect() as conn:
        weeks = conn.execute(text("SELECT count(*) FROM planned_week")).scalar()
    send(h, f"swap <@{JILL}|jill> 2026-12-08 9999-12-31", JAMES)
    h.executor.drain()
    with h.service.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM planned_week")).scalar() == weeks
