"""A large hostile team driven through every Slack surface, over signed HTTP, against the
strict fake Slack (tests/fakeslack.py).

40 members and 30 pipelines whose long names carry `<`, `>`, `&`, `*`, `_`, `<!channel>`,
`<@U0123>`, `<https://evil.example|click>` and emoji, and a 12 kB runbook. For every surface
(/oncall now, schedule, me, owners, fairness, help, runbook, the runbooks list, swap typed
and in the modal, accept, time off, App Home, the Monday handover and its note thread, the
Friday heads-up, swap reminders; and /oncall report, requests, incident with "Call in
backup" and resolve, cover and its accept, calendar and the team feed, the "your weeks
changed" DMs after a re-plan, "Swap back") three things hold:

- Slack would accept every call (the strict fake refused none: no block over a limit, no
  list past 50 blocks, every message with a text fallback);
- no mention or link from a name or typed text reaches mrkdwn unescaped;
- nothing is dropped: every member (fairness) and every pipeline (owners, handover) and
  every line of the runbook is shown somewhere in the answer.

Each name ends in a token (`Q07Q` for a member, `P07P` for a pipeline) so that a name cut
short, or a list cut mid-way, loses its token and shows here.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import slackreq
import vobject
import yaml
from fakeslack import Call
from harness import SlackHarness

from bot.clock import FixedClock
from bot.core.model import Member
from bot.service.changes import CHANGE_WINDOW

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 in New York: week 0
CHANNEL = "C0000000000"

# Markup that must never reach mrkdwn as markup: it would ping, mention or disguise a link.
RAW = ("<!channel>", "<!here>", "<@U0123>", "<https://evil", "<#C0123>", "<!subteam")
HOSTILE = (
    "<!channel>",
    "<@U0123>",
    "<https://evil.example|click>",
    "<!here> & co",
    "*bold* _it_ ~s~ `t`",
    "a < b > c && d",
    "<#C0123> <!subteam^S0123>",
    "&lt;!channel&gt; &amp;",
)
EMOJI = ("🚀", "🔥", "👩‍💻", "🇩🇪", ":skull:", "Zoë Ångström", "😀😀", "日本語")
MEMBERS = 40
PIPELINES = 30


def member_id(i: int) -> str:
    return f"m{i:02d}"


def slack_id(i: int) -> str:
    return f"U1{i:09d}"


def member_token(i: int) -> str:
    return f"Q{i:02d}Q"


def pipeline_token(j: int) -> str:
    return f"P{j:02d}P"


def member_name(i: int) -> str:
    # 30 to about 100 characters: some are longer than a button or an option may be.
    padding = "-Wolfeschlegelsteinhausen" * (i % 4)
    return f"{HOSTILE[i % len(HOSTILE)]} {EMOJI[i % len(EMOJI)]} Name{padding} {member_token(i)}"


def pipeline_name(j: int) -> str:
    padding = " Reconciliation" * (j % 5)
    return (
        f"EMEA Quarterly {HOSTILE[j % len(HOSTILE)]} {EMOJI[j % len(EMOJI)]}"
        f"{padding} {pipeline_token(j)}"
    )


def runbook_text() -> str:
    """About 12 kB of Markdown: sections, lists, code, one paragraph longer than a Slack
    section, and hostile text; each line ends in a token `Lnnn` to find it again."""
    lines = [f"# EMEA Quarterly runbook {HOSTILE[0]}", "", "What it is. L000", ""]
    n = 1
    for section in range(10):
        lines += [f"## Issue {section} {HOSTILE[section % len(HOSTILE)]} L{n:03d}", ""]
        n += 1
        for _ in range(13):
            lines.append(f"- step {HOSTILE[n % len(HOSTILE)]} then check the dashboard L{n:03d}")
            n += 1
        lines += ["", "```", f"SELECT * FROM t WHERE a < b; -- <!channel> L{n:03d}", "```", ""]
        n += 1
    long_paragraph = " ".join(f"word{k} <@U0123>" for k in range(260))
    lines += ["## A very long paragraph", "", f"{long_paragraph} L{n:03d}", ""]
    return "\n".join(lines) + "\n"


RUNBOOK_TOKENS = re.findall(r"\bL\d{3}\b", runbook_text())


def write_team(folder: Path) -> Path:
    """The hostile team as a YAML file (with its runbook) in `folder`."""
    (folder / "runbook.md").write_text(runbook_text(), encoding="utf-8")
    members = [
        {"id": member_id(i), "name": member_name(i), "slack_id": slack_id(i)}
        for i in range(1, MEMBERS + 1)
    ]
    pipelines: list[dict[str, Any]] = [
        {
            "id": f"pipe-{j:02d}",
            "name": pipeline_name(j),
            "audience": "investors" if j % 2 else "experiments",
            "primary": member_id(j + 1),
            "secondary": member_id(j + 11),
        }
        for j in range(PIPELINES)
    ]
    pipelines[0]["runbook"] = "runbook.md"
    config = {
        "team": {
            "name": f"Data {HOSTILE[0]} {HOSTILE[2]} Engineering",
            "timezone": "America/New_York",
            "channel": CHANNEL,
            "admins": [member_id(1)],
        },
        "rotation": {
            "start": "2026-11-30",
            "handover": "monday 09:00",
            "order": [member_id(i) for i in range(1, MEMBERS + 1)],
        },
        "policy": {"time_off_notice_days": 14},
        "members": members,
        "pipelines": pipelines,
    }
    path = folder / "hostile-team.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_the_team_is_as_hostile_as_promised(tmp_path: Path) -> None:
    text = write_team(tmp_path).read_text(encoding="utf-8")
    assert all(raw in text for raw in ("<!channel>", "<@U0123>", "<https://evil.example|click>"))
    assert all(c in text for c in "<>&*_") and "🚀" in text
    assert len(runbook_text().encode()) >= 12_000
    assert max(len(member_name(i)) for i in range(1, MEMBERS + 1)) > 75  # past a button


# --- the running app -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackHarness]:
    """The app on the hostile team; `h` (conftest.py) gives each test a fresh database."""
    folder = tmp_path_factory.mktemp("hostile-team")
    with SlackHarness(folder, FixedClock(NOW), config=write_team(folder)) as running:
        yield running


def at_ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def done(h: SlackHarness) -> list[Call]:
    """Barrier: every listener, App Home refresh and error report has finished; returns
    every call the app made."""
    h.settle()
    return h.fake.calls


def shown_texts(node: Any, out: list[str] | None = None) -> list[str]:
    """Every mrkdwn string in a payload: text objects that are not plain_text (which
    Slack shows as typed and never parses for mentions)."""
    out = [] if out is None else out
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") != "plain_text":
            out.append(text)
        for key, value in node.items():
            if key not in ("private_metadata", "value", "initial_value"):
                shown_texts(value, out)
    elif isinstance(node, list):
        for value in node:
            shown_texts(value, out)
    return out


def all_shown(calls: list[Call]) -> str:
    """What a person sees of these messages: their blocks (the plain `text` is only the
    fallback for notifications and would hide a list cut in the blocks)."""
    return "\n".join(t for c in calls for t in shown_texts(c.args.get("blocks") or []))


def assert_slack_took_all_and_nothing_pings(h: SlackHarness) -> list[Call]:
    """The checks every surface shares; returns the calls for the surface's own checks."""
    calls = done(h)
    refused = h.fake.take_refusals()
    assert not refused, "Slack would refuse:\n" + "\n".join(
        f"  {c.method}: {c.refused} {c.problems[:3]}" for c in refused
    )
    leaks = [
        (c.method, raw, text[max(0, text.find(raw) - 40) : text.find(raw) + 40])
        for c in calls
        for text in shown_texts(c.args)
        for raw in RAW
        if raw in text
    ]
    assert not leaks, f"unescaped markup reached Slack: {leaks[:5]}"
    return calls


def missing(tokens: list[str], shown: str) -> list[str]:
    return [t for t in tokens if t not in shown]


ALL_MEMBERS = [member_token(i) for i in range(1, MEMBERS + 1)]
ALL_PIPELINES = [pipeline_token(j) for j in range(PIPELINES)]


def answer_to(h: SlackHarness, text: str, user: str) -> list[Call]:
    """Send `/oncall <text>`; the calls that answered it (acknowledgement or response_url)."""
    url = h.fake.response_url(f"c{abs(hash((text, user))) % 10**8}")
    status, _ = h.command(text, user=user, response_url=url)
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    path = url[len(h.fake.base) :]
    return [c for c in calls if c.args.get("_path") == path]


def button(calls: list[Call], action_id: str) -> dict[str, Any]:
    for call in calls:
        for block in call.args.get("blocks") or []:
            for element in block.get("elements", []) + [block.get("accessory") or {}]:
                if isinstance(element, dict) and element.get("action_id") == action_id:
                    return element
    raise AssertionError(f"no {action_id} button in {len(calls)} calls")


def dms_to(calls: list[Call], i: int) -> list[Call]:
    return [
        c
        for c in calls
        if c.method == "chat.postMessage" and c.args["channel"] == "D" + slack_id(i)
    ]


# --- questions ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "now", "schedule 26", "me", "help"])
def test_questions(h: SlackHarness, text: str) -> None:
    answers = answer_to(h, text, slack_id(2))
    assert answers and all(a.args.get("text") for a in answers)


def test_fairness_names_every_member(h: SlackHarness) -> None:
    answers = answer_to(h, "fairness", slack_id(3))
    assert answers
    assert missing(ALL_MEMBERS, all_shown(answers)) == []


def test_owners_names_every_pipeline(h: SlackHarness) -> None:
    answers = answer_to(h, "owners", slack_id(3))
    assert answers
    assert missing(ALL_PIPELINES, all_shown(answers)) == []


def test_the_12kb_runbook_is_posted_whole(h: SlackHarness) -> None:
    answers = answer_to(h, "runbook pipe-00", slack_id(5))
    assert answers and answers[-1].args.get("response_type") == "in_channel"
    assert len(RUNBOOK_TOKENS) > 100
    assert missing(RUNBOOK_TOKENS, all_shown(answers)) == []


def test_the_runbooks_list_button_names_every_pipeline(h: SlackHarness) -> None:
    status, _ = h.click("runbooks_list", "0", user=slack_id(7))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    answers = [c for c in calls if c.method in ("response_url", "chat.postEphemeral")]
    assert answers
    assert missing(ALL_PIPELINES, all_shown(answers)) == []


# --- swaps -------------------------------------------------------------------------------


def typed_swap(h: SlackHarness) -> tuple[str, str]:
    """m02 (on call in week 1, Mon 7 Dec) asks m03 by `/oncall swap`; the request's id and
    the ts of m03's DM."""
    reason = "dentist <!channel> <@U0123> <https://evil.example|click> 🚀"
    status, _ = h.command(f"swap <@{slack_id(3)}|m03> 2026-12-08 {reason}", user=slack_id(2))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    dm = dms_to(calls, 3)
    assert dm, "the counterpart got no DM"
    accept = button(dm, "swap_accept")
    return str(accept["value"]), str(dm[0].args.get("ts") or "1.0")


def test_swap_typed(h: SlackHarness) -> None:
    typed_swap(h)


def test_swap_in_the_modal(h: SlackHarness) -> None:
    status, _ = h.command("swap", user=slack_id(2))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    (opened,) = [c for c in calls if c.method == "views.open"]
    assert opened.args["view"]["callback_id"] == "swap_modal"

    def select(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    values = {
        "my_week": {"my_week": select("1")},
        "counterpart": {"counterpart": select(member_id(7))},
        "their_week": {"their_week": select("next")},
        "their_date": {"their_date": {"type": "datepicker", "selected_date": None}},
        "reason": {"reason": {"type": "plain_text_input", "value": "<!here> family <@U0123>"}},
    }
    h.fake.clear()
    status, body = h.submit("swap_modal", values, user=slack_id(2))
    assert status == 200 and not body, body
    calls = assert_slack_took_all_and_nothing_pings(h)
    assert dms_to(calls, 7), "the counterpart got no DM"


def test_accept(h: SlackHarness) -> None:
    swap_id, ts = typed_swap(h)
    h.fake.clear()
    status, _ = h.click(
        "swap_accept", swap_id, user=slack_id(3), channel_id="D" + slack_id(3), message={"ts": ts}
    )
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    assert [c for c in calls if c.method == "chat.update"], "the request DM was not updated"
    assert [c for c in calls if c.args.get("channel") == CHANNEL], "the channel was not told"


# --- time off ----------------------------------------------------------------------------


def test_time_off_modal(h: SlackHarness) -> None:
    status, _ = h.command("timeoff", user=slack_id(3))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    assert [c for c in calls if c.method == "views.open"]
    h.fake.clear()
    values = {  # m03's own week (week 2, from Mon 14 Dec): the bot offers who could cover
        "start": {"start": {"type": "datepicker", "selected_date": "2026-12-15"}},
        "end": {"end": {"type": "datepicker", "selected_date": "2026-12-18"}},
        "note": {"note": {"type": "plain_text_input", "value": "<!channel> flu <@U0123>"}},
    }
    status, body = h.submit("timeoff_modal", values, user=slack_id(3))
    assert status == 200 and not body, body
    calls = assert_slack_took_all_and_nothing_pings(h)
    assert dms_to(calls, 3), "no confirmation"


# --- App Home ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", [1, 2, 40])
def test_app_home(h: SlackHarness, who: int) -> None:
    status, _ = h.event(slackreq.app_home_opened_event(slack_id(who)))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    published = [c for c in calls if c.method == "views.publish"]
    assert published and published[-1].args["user_id"] == slack_id(who)


# --- the scheduler's posts ---------------------------------------------------------------


def test_monday_handover_and_its_note_thread(h: SlackHarness) -> None:
    h.clock.set(at_ny(2026, 12, 7, 9, 0))
    assert h.announcer().announce(1)
    calls = assert_slack_took_all_and_nothing_pings(h)
    posts = [c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == CHANNEL]
    assert len(posts) == 1
    assert missing(ALL_PIPELINES, all_shown(posts)) == []
    assert dms_to(calls, 2), "the incoming engineer got no DM"

    h.fake.clear()
    status, _ = h.click("handover_note_open", "1", user=slack_id(1))  # the outgoing engineer
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    (opened,) = [c for c in calls if c.method == "views.open"]
    typed = "Backfill ran <!channel> <@U0123> <https://evil.example|click> & *done*"
    values = {"note": {"note_text": {"type": "plain_text_input", "value": typed}}}
    h.fake.clear()
    status, body = h.submit(
        "handover_note_modal",
        values,
        user=slack_id(1),
        private_metadata=opened.args["view"]["private_metadata"],
    )
    assert status == 200 and not body, body
    calls = assert_slack_took_all_and_nothing_pings(h)
    thread = [c for c in calls if c.method == "chat.postMessage" and "thread_ts" in c.args]
    assert thread, "the note was not threaded under the handover"


def test_friday_heads_up(h: SlackHarness) -> None:
    h.clock.set(at_ny(2026, 12, 4, 15, 0))  # the Friday before week 1
    assert h.announcer().heads_up()
    calls = assert_slack_took_all_and_nothing_pings(h)
    assert dms_to(calls, 2), "m02, on call next week, was not told"


def test_swap_reminders(h: SlackHarness) -> None:
    typed_swap(h)  # expires when m02's week starts: Mon 7 Dec 09:00
    h.fake.clear()
    h.clock.set(at_ny(2026, 12, 4, 10, 0))  # three days before
    assert h.announcer().remind_swaps() == 1
    h.clock.set(at_ny(2026, 12, 6, 13, 0))  # the day before
    assert h.announcer().remind_swaps() == 1
    calls = assert_slack_took_all_and_nothing_pings(h)
    reminders = dms_to(calls, 3)
    assert len(reminders) == 2
    button(reminders, "swap_accept")


def test_a_hostile_name_is_escaped_not_dropped(h: SlackHarness) -> None:
    """The now answer names the on-call engineer, m01, whose name holds `<@U0123>`: it
    shows escaped and whole (the leak checks passing because names vanished would be no
    pass)."""
    answers = answer_to(h, "now", slack_id(9))
    shown = "\n".join(t for a in answers for t in shown_texts(a.args))
    assert "<@U0123>" in member_name(1)
    assert "&lt;@U0123&gt;" in shown and member_token(1) in shown


# --- today's surfaces: report, requests, incidents, cover, calendar, changes, swap back ----


def test_report_by_the_admin_names_every_member(h: SlackHarness) -> None:
    answers = answer_to(h, "report", slack_id(1))
    assert answers and answers[-1].args.get("response_type") == "ephemeral"
    assert answers[-1].args.get("text")
    assert missing(ALL_MEMBERS, all_shown(answers)) == []


def test_report_by_a_non_admin_is_refused_privately(h: SlackHarness) -> None:
    answers = answer_to(h, "report", slack_id(2))
    assert answers and answers[-1].args.get("response_type") == "ephemeral"
    assert "admin" in json.dumps([a.args for a in answers])
    assert missing(ALL_MEMBERS[1:], all_shown(answers)) == ALL_MEMBERS[1:]  # no report shown


@pytest.mark.parametrize("count", [6, 30])
def test_requests_lists_pending_requests_with_cancel_buttons(h: SlackHarness, count: int) -> None:
    """The admin's list: each request with its Cancel button and both names whole; past
    20 (two blocks each, within 50) the rest are counted, not dropped silently."""
    # m(k+1) is on call in week k and asks m(k+2), whose week is the next one.
    pairs = [(k + 1, k + 2, k) for k in range(1, count + 1)]
    for mine, theirs, week in pairs:
        h.service.request_swap(member_id(mine), member_id(theirs), week)
    h.settle()
    h.fake.clear()
    answers = answer_to(h, "requests", slack_id(1))  # the admin
    assert answers and answers[-1].args.get("response_type") == "ephemeral"
    cancels = [
        e["value"]
        for c in answers
        for b in c.args.get("blocks") or []
        for e in b.get("elements", []) + [b.get("accessory") or {}]
        if isinstance(e, dict) and e.get("action_id") == "swap_cancel"
    ]
    listed = pairs[:20]
    assert cancels == [str(k) for k in range(1, len(listed) + 1)]
    shown = all_shown(answers)
    assert missing([member_token(i) for p in listed for i in p[:2]], shown) == []
    if len(pairs) > len(listed):
        assert f"and {len(pairs) - len(listed)} more" in shown


HOSTILE_TYPED = "<!channel> <@U0123|eve> <https://evil.example|click> &amp; *db* _down_ 🔥"
# As the person saw what they typed, escaped once for mrkdwn (not twice: no `&amp;amp;`).
HOSTILE_SHOWN = "@channel @eve click (https://evil.example) &amp; *db* _down_ 🔥"


def test_incident_call_in_backup_and_resolve(h: SlackHarness) -> None:
    status, _ = h.command(f"incident pipe-00 {HOSTILE_TYPED}", user=slack_id(1))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    room = h.fake.channel("inc-20261201-pipe-00")
    assert room is not None, h.fake.summary()
    # Slack shows a topic as typed (conversations.setTopic: no formatting, no links), so
    # names go there as they are; within 250 characters, here whole.
    assert len(room.topic) <= 250 and pipeline_token(0) in room.topic
    assert member_token(1) in room.topic and "@channel @eve" in room.topic
    assert set(room.members) == {"UBOT", slack_id(1)}  # m01: on call and pipe-00's owner
    posts = [c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == room.id]
    assert missing(RUNBOOK_TOKENS, all_shown(posts)) == []  # the 12 kB runbook, whole
    call_backup = button(posts, "incident_call_backup")
    button(posts, "incident_resolve")
    button(posts, "incident_call_owner")
    team_line = [
        c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == CHANNEL
    ]
    assert len(team_line) == 1 and f"<#{room.id}>" in team_line[0].args["text"]
    assert pipeline_token(0) in "\n".join(shown_texts(team_line[0].args))
    told = [c for c in calls if c.method in ("response_url", "chat.postEphemeral")]
    assert told and f"<#{room.id}>" in json.dumps([c.args for c in told])

    h.fake.clear()
    backup = h.service.who().backup
    assert backup is not None
    backup_slack = h.team.member(backup).slack_id
    status, _ = h.click(
        "incident_call_backup",
        str(call_backup["value"]),
        user=slack_id(1),
        channel_id=room.id,
        message={"ts": "1.0"},
    )
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    dm = [
        c
        for c in calls
        if c.method == "chat.postMessage" and c.args["channel"] == "D" + str(backup_slack)
    ]
    assert len(dm) == 1 and f"<#{room.id}>" in dm[0].args["text"]
    assert pipeline_token(0) in dm[0].args["text"] and HOSTILE_SHOWN in dm[0].args["text"]
    assert backup_slack in (h.fake.channel(room.id) or room).members

    h.fake.clear()
    status, _ = h.command(f"resolve {HOSTILE_TYPED}", user=slack_id(1), channel=room.id)
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    summary = [c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == room.id]
    assert summary and "resolved" in json.dumps([c.args for c in summary])
    resolved = "\n".join(t for c in summary for t in shown_texts(c.args))
    assert pipeline_token(0) in resolved and HOSTILE_SHOWN in resolved  # the note, as typed
    assert [c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == CHANNEL]
    incident = h.service.incident_in_channel(room.id)
    assert incident is not None and not incident.is_open


def test_cover_by_the_engineer_on_call_and_its_accept(h: SlackHarness) -> None:
    reason = "fever <!channel> <@U0123|eve> <https://evil.example|click> &amp; *now* 🤒"
    status, _ = h.command(f"cover <@{slack_id(5)}|m05> {reason}", user=slack_id(1))
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    dm = dms_to(calls, 5)
    assert dm, "the colleague got no DM"
    accept = button(dm, "takeover_accept")
    typed = "fever @channel @eve click (https://evil.example) &amp; *now* 🤒"
    assert member_token(1) in all_shown(dm) and typed in all_shown(dm)
    h.fake.clear()
    status, _ = h.click(
        "takeover_accept",
        str(accept["value"]),
        user=slack_id(5),
        channel_id="D" + slack_id(5),
        message={"ts": str(dm[0].args.get("ts") or "1.0")},
    )
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    line = [c for c in calls if c.method == "chat.postMessage" and c.args["channel"] == CHANNEL]
    assert len(line) == 1
    said = json.dumps([c.args for c in line], ensure_ascii=False)
    assert member_token(5) in said and member_token(1) in said
    assert dms_to(calls, 5) and dms_to(calls, 1), "both were to be told by DM"
    assert h.service.who().on_call == member_id(5)


@pytest.fixture
def feeds(h: SlackHarness) -> Iterator[SlackHarness]:
    """The harness with PUBLIC_URL set to its own address, so the links it gives work."""
    saved = h.service.feed_setup
    h.service.feed_setup = dataclasses.replace(saved, public_url=h.base)
    yield h
    h.service.feed_setup = saved


FEED_URL = re.compile(r"https?://[^\s`|<>]+/calendar/[A-Za-z0-9_-]+\.ics")


def test_calendar_links_and_the_team_feed_name_everyone(feeds: SlackHarness) -> None:
    h = feeds
    answers = answer_to(h, "calendar", slack_id(4))
    assert answers and answers[-1].args.get("response_type") == "ephemeral"
    links = list(dict.fromkeys(FEED_URL.findall(json.dumps([a.args for a in answers]))))
    assert len(links) == 2 and all(u.startswith(h.base) for u in links)
    with urllib.request.urlopen(links[1], timeout=10) as response:  # the team's feed
        assert response.status == 200
        body = response.read().decode("utf-8")
    calendar = vobject.readOne(body)
    summaries = [e.summary.value for e in calendar.vevent_list]
    on_call = "\n".join(s for s in summaries if s.startswith("On call: "))
    assert missing(ALL_MEMBERS, on_call) == []
    assert member_name(1) in on_call  # as written in the team file, whole


def test_your_weeks_changed_after_a_replan_moving_many_weeks(h: SlackHarness) -> None:
    team = h.service.team
    newcomer = Member("m41", f"{HOSTILE[0]} {HOSTILE[1]} Newcomer Q41Q", slack_id(41))
    h.service.team = dataclasses.replace(
        team, members=(*team.members, newcomer), order=(*team.order, "m41")
    )
    try:
        h.service.sync_plan()  # what `oncall run` does at start with the new team file
        h.clock.advance(CHANGE_WINDOW + timedelta(seconds=1))
        sent = h.announcer().tell_changes()
        calls = assert_slack_took_all_and_nothing_pings(h)
    finally:
        h.service.team = team
    told = [
        c
        for c in calls
        if c.method == "chat.postMessage"
        and "Your on-call weeks changed" in json.dumps(c.args.get("blocks") or [])
    ]
    assert sent >= 10 and len(told) == sent
    assert len({c.args["channel"] for c in told}) == len(told)  # one DM each
    assert "D" + slack_id(41) in {c.args["channel"] for c in told}


def test_swap_back_from_the_accept_notice(h: SlackHarness) -> None:
    swap_id, ts = typed_swap(h)
    h.fake.clear()
    status, _ = h.click(
        "swap_accept", swap_id, user=slack_id(3), channel_id="D" + slack_id(3), message={"ts": ts}
    )
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    back = button(dms_to(calls, 2), "swap_back")  # on m02's accept notice
    assert back["value"] == swap_id
    h.fake.clear()
    status, _ = h.click(
        "swap_back", swap_id, user=slack_id(2), channel_id="D" + slack_id(2), message={"ts": "1.0"}
    )
    assert status == 200
    calls = assert_slack_took_all_and_nothing_pings(h)
    request = dms_to(calls, 3)
    assert request, "m03 was not asked to swap back"
    button(request, "swap_accept")
    assert member_token(2) in all_shown(request)
