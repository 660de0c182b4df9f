"""`/oncall` read-only sub-commands and the App Home, end to end.

Signed requests go to the real HTTP server (waitress + Bolt); answers are asserted
on what reached the fake Slack: posts to the command's response_url and Web API
calls. One server serves the whole module; each command gets its own response_url
so a test only ever looks at its own answers.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import slackreq
from fakeslack import Call
from harness import DAVIS, JAMES, JILL, JOHN, SECRET, STRANGER, SlackHarness
from slack_sdk.errors import SlackApiError

from bot.clock import FixedClock
from bot.core.model import SwapStatus
from bot.slack.common import HOMES_KEY
from bot.slack.home import HomePublisher
from bot.slack.listeners.commands import info
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.listeners.events.app_home import app_home_opened

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York, John's week 0
_names = itertools.count(1)


@pytest.fixture(scope="module")
def h(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackHarness]:
    with SlackHarness(tmp_path_factory.mktemp("info"), FixedClock(NOW)) as harness:
        yield harness


@pytest.fixture(autouse=True)
def _fresh(h: SlackHarness) -> None:
    h.fake.reset()


def send(h: SlackHarness, text: str, user: str = JOHN) -> str:
    """Send `/oncall <text>` with a response_url of its own; returns that url's path."""
    name = f"c{next(_names)}"
    status, _body = h.command(text, user=user, response_url=h.fake.response_url(name))
    assert status == 200  # the ack
    return f"/hooks/{name}"


def answers(h: SlackHarness, path: str, count: int = 1) -> list[dict[str, Any]]:
    """Wait for `count` posts to one response_url; return their bodies, oldest first."""
    calls = h.fake.wait_for(lambda cs: len([c for c in cs if c.args.get("_path") == path]) >= count)
    return [c.args for c in calls if c.args.get("_path") == path]


def ask(h: SlackHarness, text: str, user: str = JOHN) -> dict[str, Any]:
    """Send a command that answers once, privately; return the answer."""
    path = send(h, text, user)
    [reply] = answers(h, path)
    h.settle()  # every listener has finished: nothing else may follow (e.g. a channel post)
    assert len([c for c in h.fake.calls if c.args.get("_path") == path]) == 1
    assert reply["response_type"] == "ephemeral", reply
    return reply


def shown(reply: dict[str, Any]) -> str:
    return json.dumps(reply.get("blocks", []), ensure_ascii=False)


# --- now / schedule / me / owners / help -------------------------------------------------


@pytest.mark.parametrize("text", ["", "now", "NOW"])
def test_now(h: SlackHarness, text: str) -> None:
    reply = ask(h, text)
    assert reply["text"] == "On call: John (backup James) until Mon 07 Dec 09:00 EST."
    blocks = shown(reply)
    assert f"*On call:* <@{JOHN}>" in blocks and f"*Backup:* <@{JAMES}>" in blocks
    assert "Aggregate Engagement" in blocks


def test_schedule_12(h: SlackHarness) -> None:
    reply = ask(h, "schedule 12", user=JILL)
    assert reply["text"].startswith("On-call schedule, 12 week(s) from Mon 30 Nov")
    blocks = shown(reply)
    assert "Mon 15 Feb – Mon 22 Feb" in blocks  # week 11
    assert "Mon 22 Feb – Mon 01 Mar" not in blocks  # week 12
    assert blocks.count(":point_right: *you*") == 3  # Jill has weeks 2, 6 and 10


def test_schedule_is_capped_at_26_weeks(h: SlackHarness) -> None:
    reply = ask(h, "schedule 100")
    assert "Showing 26 weeks" in reply["text"] and "26 week(s)" in reply["text"]
    assert len(reply["blocks"]) <= 50


@pytest.mark.parametrize("arg", ["abc", "0", "-3", "<!channel>"])
def test_schedule_with_a_bad_number(h: SlackHarness, arg: str) -> None:
    reply = ask(h, f"schedule {arg}")
    assert reply["text"].startswith(":warning:") and "is not a number of weeks" in reply["text"]
    assert "<!channel>" not in reply["text"]


def test_me_for_a_member(h: SlackHarness) -> None:
    reply = ask(h, "me", user=JAMES)
    assert reply["text"] == "James: your next on-call week starts Mon 07 Dec."
    blocks = shown(reply)
    assert "Your on-call, James" in blocks and "Your time off" in blocks
    assert "Your swap requests" in blocks


def test_me_for_a_stranger(h: SlackHarness) -> None:
    reply = ask(h, "me", user=STRANGER)
    assert reply["text"].startswith("You are not in the Data Engineering on-call team.")
    assert f"<@{JOHN}>" in shown(reply)


def test_owners(h: SlackHarness) -> None:
    reply = ask(h, "owners", user=STRANGER)
    assert reply["text"].startswith("Pipeline owners today: Unit-level Profit: John;")
    assert f"*Daily Growth* (experiments): <@{DAVIS}>" in shown(reply)


def test_help(h: SlackHarness) -> None:
    reply = ask(h, "help extra words")
    blocks = shown(reply)
    # `<` starts a link in mrkdwn even inside code, so the usage is sent escaped.
    assert "/oncall runbook &lt;pipeline&gt;" in blocks and "/oncall fairness" in blocks
    assert ":warning:" not in blocks  # words after `help` are not an error note


def test_unknown_sub_command_shows_help_with_a_note(h: SlackHarness) -> None:
    reply = ask(h, "bogus")
    assert reply["blocks"][0]["text"]["text"] == ":warning: Unknown sub-command `bogus`."
    assert "/oncall schedule [N]" in shown(reply)


def test_fairness_shows_the_ledger_of_the_cli(h: SlackHarness) -> None:
    reply = ask(h, "fairness", user=JILL)
    ledger = h.service.ledger()
    jill = next(r for r in ledger.rows if r.member == "jill")
    assert f"Jill {jill.weeks} weeks, {jill.holiday_days} holiday days" in reply["text"]
    assert ":point_left: you" in shown(reply) and "Spread:" in shown(reply)


# --- runbook ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("aggregate-profit", "Aggregate Profit"),
        ("Aggregate Profit", "Aggregate Profit"),
        ("aggregate g", "Aggregate Growth"),
        ("AGGREGATE_ENG", "Aggregate Engagement"),
    ],
)
def test_runbook_is_posted_in_the_channel(h: SlackHarness, query: str, title: str) -> None:
    path = send(h, f"runbook {query}", user=STRANGER)
    [post] = answers(h, path)
    assert post["response_type"] == "in_channel"
    assert post["text"].startswith(f"{title} runbook: owner today")
    assert post["blocks"][0]["text"]["text"] == f":book: {title} runbook"
    assert f"On call now: <@{JOHN}>" in post["blocks"][1]["elements"][0]["text"]
    assert 3 < len(post["blocks"]) <= 50


@pytest.mark.parametrize(
    "text", ["", "now", "schedule 3", "schedule 0", "me", "owners", "fairness", "help", "bogus"]
)
def test_questions_are_answered_in_the_acknowledgement(h: SlackHarness, text: str) -> None:
    """The raw HTTP answer carries the message; nothing goes to the response_url."""
    url = h.fake.response_url(f"inack{next(_names)}")
    status, _headers, raw = slackreq.post_command(
        h.base, SECRET, text=text, user_id=JOHN, response_url=url
    )
    assert status == 200
    answer = json.loads(raw)
    assert answer["response_type"] == "ephemeral" and answer["text"].strip()
    if text == "schedule 0":  # a refusal is one line of text
        assert "is not a number of weeks" in answer["text"]
    else:
        assert answer["blocks"] and all(b["type"] for b in answer["blocks"])
    h.settle()  # the barrier: every listener has finished
    assert h.fake.calls_to("response_url") == []


def test_a_runbook_is_acknowledged_then_posted(h: SlackHarness) -> None:
    """A public post (in_channel) goes through the response_url, after an empty ack."""
    url = h.fake.response_url(f"rb{next(_names)}")
    status, _headers, raw = slackreq.post_command(
        h.base, SECRET, text="runbook aggregate-profit", user_id=JOHN, response_url=url
    )
    assert status == 200 and raw == b""
    post = h.fake.wait_for_call("response_url").args
    assert post["response_type"] == "in_channel" and post["_path"].endswith(url[-8:])


def test_runbook_names_the_effective_and_other_owner(h: SlackHarness) -> None:
    [post] = answers(h, send(h, "runbook aggregate-profit"))
    context = post["blocks"][1]["elements"][0]["text"]
    assert f"Owner today: <@{JAMES}>" in context and f"Other owner: <@{JILL}>" in context


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("AGG", "matches several pipelines (Aggregate Profit, Aggregate Growth"),
        ("growth", "No pipeline matches `growth`"),
        ("", "Which pipeline?"),
        ("<!here>", "No pipeline matches `&lt;!here&gt;`"),
    ],
)
def test_runbook_miss_answers_privately_only(h: SlackHarness, query: str, says: str) -> None:
    reply = ask(h, f"runbook {query}")
    assert says in reply["text"]
    assert "`daily-growth` — Daily Growth" in shown(reply)
    assert not [c for c in h.fake.calls if c.args.get("response_type") == "in_channel"]


def test_runbook_for_a_pipeline_without_one(h: SlackHarness) -> None:
    [post] = answers(h, send(h, "runbook daily-growth"))
    assert post["response_type"] == "in_channel"
    assert post["text"] == "Daily Growth (no runbook): owner today Davis, on call John."
    blocks = shown(post)
    assert "No runbook is recorded for *Daily Growth*" in blocks
    assert f"Owner today: <@{DAVIS}>" in blocks and f"Other owner: <@{JOHN}>" in blocks


def test_runbook_that_fails_to_load(h: SlackHarness, tmp_path: Path) -> None:
    """Said privately, and the owners are still posted (the handler, without HTTP)."""
    broken = tmp_path / "broken.md"
    broken.write_text("no title here\n")
    team = h.service.team
    pipelines = tuple(
        dataclasses.replace(p, runbook=broken) if p.id == "aggregate-growth" else p
        for p in team.pipelines
    )
    patched = dataclasses.replace(team, pipelines=pipelines)
    sent: list[dict[str, Any]] = []
    stub = _StubService(h, patched)
    req = CommandRequest(
        stub,  # type: ignore[arg-type]
        {"text": "runbook aggregate-growth"},
        "aggregate-growth",
        JOHN,
        team.member("john"),
        lambda **kw: sent.append(kw),
        None,  # type: ignore[arg-type]
        logging.getLogger("test"),
        None,  # type: ignore[arg-type]
    )
    info.runbook(req)
    public, private = sent
    assert private["response_type"] == "ephemeral" and "no H1 title" in private["text"]
    assert public["response_type"] == "in_channel"
    text = json.dumps([b.to_dict() for b in public["blocks"]])
    assert "could not be loaded" in text and f"Owner today: <@{JILL}>" in text


class _StubService:
    """The harness's service with another team (a runbook path changed)."""

    def __init__(self, h: SlackHarness, team: Any) -> None:
        self.team = team
        self._service = h.service

    def who(self) -> Any:
        return self._service.who()


# --- App Home -------------------------------------------------------------------------------


def _publishes(h: SlackHarness, user: str) -> list[Call]:
    return [c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == user]


def _buttons(view: dict[str, Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for block in view["blocks"]:
        for e in block.get("elements", []) + [block.get("accessory") or {}]:
            if e.get("type") == "button":
                out.add((e["action_id"], e["value"]))
    return out


def test_home_opened_publishes_the_members_view(h: SlackHarness) -> None:
    request = h.service.request_swap("james", "john", 5, 4)  # James offers week 5 for week 4
    try:
        status, _ = h.event(slackreq.app_home_opened_event(JOHN))
        assert status == 200
        call = h.fake.wait_for_call("views.publish", where=lambda c: c.args["user_id"] == JOHN)
        view = call.args["view"]
        assert view["type"] == "home" and len(view["blocks"]) <= 100
        buttons = _buttons(view)
        assert {("swap_open", "4"), ("swap_open", "8")} <= buttons
        assert ("swap_open", "0") not in buttons  # week 0 is under way
        assert {("swap_accept", str(request.id)), ("swap_decline", str(request.id))} <= buttons
        assert ("timeoff_open", "home") in buttons
        assert f"*On call:* <@{JOHN}>" in json.dumps(view)
    finally:
        h.service.decide_swap("james", request.id, SwapStatus.CANCELLED)


def test_home_for_a_stranger_and_other_tabs(h: SlackHarness) -> None:
    h.event(slackreq.app_home_opened_event(JILL, tab="messages"), event_id="EvMsg")
    h.event(slackreq.app_home_opened_event(STRANGER), event_id="EvHome")
    call = h.fake.wait_for_call("views.publish", where=lambda c: c.args["user_id"] == STRANGER)
    view = call.args["view"]
    assert _buttons(view) == set()
    assert "Only members of the *Data Engineering* on-call team" in json.dumps(view)
    h.settle()  # the barrier: both events' listeners have finished
    assert _publishes(h, JILL) == []  # the Messages tab has no view


def test_home_publish_failure_is_logged_and_swallowed(
    h: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    class FailingClient:
        def views_publish(self, **kw: Any) -> None:
            raise SlackApiError("boom", {"ok": False, "error": "invalid_blocks"})  # type: ignore[arg-type]

    homes = HomePublisher(FailingClient(), h.service, workers=1)  # type: ignore[arg-type]
    try:
        with caplog.at_level(logging.WARNING):
            app_home_opened(
                {"type": "app_home_opened", "user": JOHN, "tab": "home"}, {HOMES_KEY: homes}
            )
            assert homes.drain(5)
        assert "invalid_blocks" in caplog.text
        # The worker survived the failure: the next refresh is still served.
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            homes.refresh(JILL)
            assert homes.drain(5)
        assert "views.publish for U0000000003 failed: invalid_blocks" in caplog.text
    finally:
        homes.stop()


# --- request verification ----------------------------------------------------------------------


def test_bad_signature_is_rejected(h: SlackHarness) -> None:
    body = slackreq.slash_command_body(text="now", response_url=h.fake.response_url("sig"))
    status, _h, _b = slackreq.post(
        f"{h.base}/slack/events",
        body,
        SECRET,
        slackreq.FORM,
        headers={"X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert status == 401  # nothing ran: see test_hostile_http.py for the barrier version


def test_stale_timestamp_is_rejected(h: SlackHarness) -> None:
    body = slackreq.slash_command_body(text="now", response_url=h.fake.response_url("old"))
    six_minutes_ago = int(time.time()) - 6 * 60
    status, _h, _b = slackreq.post(
        f"{h.base}/slack/events", body, SECRET, slackreq.FORM, timestamp=six_minutes_ago
    )
    assert status == 401  # nothing ran: see test_hostile_http.py for the barrier version
