"""What goes where: today's features on a real run, and what each one sends to whom.

    .venv/bin/python bench/what_goes_where.py

Drives the real HTTP app (tests/harness.py's SlackHarness: the waitress server, signed
requests in Slack's payload formats, the strict fake Slack Web API) on the shipped example
team (oncall.yml, with a user group added so take-overs move one), with a fixed clock that
the script moves: Tue 1 Dec 2026 10:00 New York, then Mon 21 Dec (a request expires), then
Wed 23 Dec (a take-over, calendar feeds, an incident, the report). The scheduler's jobs
(`tell_changes`, `expire_swaps`) are run by hand at the moved clock, as the runner's jobs
would run them.

For each step it prints the action, then every call the app made, summarised as "to whom /
where: what" (the first line of a message's text), grouped by kind (calls made on parallel
threads arrive in any order; grouped, the output is the same on every run apart from the
timings); the number of Web API calls (a post to a response_url is not one; it is counted
apart); and the times: the acknowledgement (the HTTP response), the last message and the
last effect (an App Home refresh waits a moment on purpose, see bot/slack/home.py).
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from fakeslack import RESPONSE_URL, Call  # noqa: E402
from harness import SlackHarness  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.slack import ids  # noqa: E402

TEAM_CHANNEL = "C0000000000"  # oncall.yml's team.channel
TYPED_IN = "C0000000001"  # where the commands are typed
GROUP = "S0000000001"  # the on-call user group added to the example team
TUESDAY = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 10:00 New York, week 0
WEEK_3_STARTED = datetime(2026, 12, 21, 14, 1, tzinfo=UTC)  # a minute after Mon 09:00 EST
WEDNESDAY = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)  # Wed 23 Dec 10:00 New York, week 3
# The order calls are listed in within a step: the incident's calls in the order they are
# made, then messages, then the Homes.
ORDER = (
    "conversations.create",
    "conversations.setTopic",
    "conversations.invite",
    "chat.postMessage",
    "pins.add",
    "chat.update",
    "chat.postEphemeral",
    RESPONSE_URL,
    "usergroups.users.update",
    "views.open",
    "conversations.open",
    "views.publish",
)
GROUPED = ("conversations.open", "views.publish")  # one line each: for whom
WIDTH = 150


def example_team(folder: Path) -> Path:
    """oncall.yml with absolute runbook paths and an on-call user group, in `folder`."""
    text = (ROOT / "oncall.yml").read_text()
    text = text.replace("runbook: runbooks/", f"runbook: {ROOT / 'runbooks'}/")
    text, n = re.subn(r"(?m)^  # usergroup:.*$", f"  usergroup: {GROUP}", text)
    if n != 1:
        raise SystemExit("oncall.yml has no commented-out `usergroup:` line to turn on")
    path = folder / "team.yml"
    path.write_text(text)
    return path


MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|[^>]*)?>")
DATE_TOKEN = re.compile(r"<!date\^[0-9]+\^[^|>]*\|([^>]*)>")
FEED_TOKEN = re.compile(r"/calendar/[A-Za-z0-9_-]+\.ics")
BASE = re.compile(r"http://127\.0\.0\.1:[0-9]+")


class Run:
    """The harness, who is who, and the steps' printing."""

    def __init__(self, h: SlackHarness) -> None:
        self.h = h
        self.names = {m.slack_id: m.name for m in h.team.members}
        self.slack = {m.id: m.slack_id for m in h.team.members}
        self.replies: dict[str, str] = {}  # a response_url's path -> who acted
        self.n = 0

    # --- who and where ----------------------------------------------------------------
    def name(self, user: str) -> str:
        return self.names.get(user, user)

    def where(self, channel: Any) -> str:
        channel = str(channel)
        if channel == TEAM_CHANNEL:
            return "#team channel"
        if channel == TYPED_IN:
            return "#where typed"
        if channel[:1] in ("D", "U") and channel.lstrip("D") in self.names:
            return f"DM to {self.name(channel.lstrip('D'))}"
        kept = self.h.fake.channel(channel)
        return f"#{kept.name}" if kept is not None else channel

    def first_line(self, text: Any) -> str:
        """The first line of a message as Slack shows it: names for mentions and channels,
        a date token's fallback; the feed's address and token masked (they vary per run)."""
        line = str(text or "").strip().split("\n", 1)[0]
        line = MENTION.sub(lambda m: "@" + self.name(m.group(1)), line)
        line = CHANNEL.sub(lambda m: self.where(m.group(1)), line)
        line = DATE_TOKEN.sub(lambda m: m.group(1), line)
        line = FEED_TOKEN.sub("/calendar/<token>.ics", BASE.sub("http://<bot>", line))
        return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"

    def people(self, users: Any) -> str:
        found = users if isinstance(users, list) else str(users or "").split(",")
        return "[" + ", ".join(self.name(str(u).strip()) for u in found if str(u).strip()) + "]"

    def describe(self, call: Call) -> str:
        a, m = call.args, call.method
        if m == "chat.postMessage":
            thread = " (in a thread)" if a.get("thread_ts") else ""
            return f"{self.where(a.get('channel'))}{thread}: {self.first_line(a.get('text'))}"
        if m == "chat.update":
            return f"update in {self.where(a.get('channel'))}: {self.first_line(a.get('text'))}"
        if m == "chat.postEphemeral":
            return (
                f"ephemeral in {self.where(a.get('channel'))} to {self.name(a.get('user', ''))}: "
                f"{self.first_line(a.get('text'))}"
            )
        if m == RESPONSE_URL:
            to = self.replies.get(str(a.get("_path")), "?")
            if a.get("_ack"):
                how = f"reply to {to} (in the acknowledgement)"
            elif a.get("replace_original") in (True, "true"):
                how = f"replaces the message {to} clicked"
            elif a.get("response_type") == "in_channel":
                how = f"reply in channel for {to}"
            else:
                how = f"ephemeral reply to {to}"
            return f"{how}: {self.first_line(a.get('text'))}"
        if m == "conversations.create":
            return f"#{a.get('name')}"
        if m == "conversations.setTopic":
            return f"{self.where(a.get('channel'))}: {self.first_line(a.get('topic'))}"
        if m == "conversations.invite":
            return f"{self.where(a.get('channel'))}: {self.people(a.get('users'))}"
        if m == "pins.add":
            return f"{self.where(a.get('channel'))}"
        if m == "usergroups.users.update":
            return f"{a.get('usergroup')}: {self.people(a.get('users'))}"
        if m == "views.open":
            view = a.get("view") or {}
            return f"modal {view.get('callback_id', '')}"
        return ", ".join(sorted(k for k in a if not k.startswith("_") and k != "token"))

    # --- a step --------------------------------------------------------------------------
    def url(self, user: str) -> str:
        self.n += 1
        path = f"/hooks/w{self.n}"
        self.replies[path] = self.name(user)
        return self.h.fake.response_url(f"w{self.n}")

    def command(self, text: str, user: str, channel: str = TYPED_IN) -> float:
        """`/oncall <text>` from `user`; returns the acknowledgement's time, in ms."""
        started = time.monotonic()
        status, _ = self.h.command(text, user=user, channel=channel, response_url=self.url(user))
        if status != 200:
            raise SystemExit(f"/oncall {text}: HTTP {status}")
        return (time.monotonic() - started) * 1000

    def click(self, action: str, value: str, user: str, channel: str, **kw: Any) -> float:
        started = time.monotonic()
        status, _ = self.h.click(
            action, value, user=user, channel_id=channel, response_url=self.url(user), **kw
        )
        if status != 200:
            raise SystemExit(f"{action}: HTTP {status}")
        return (time.monotonic() - started) * 1000

    @contextmanager
    def step(self, title: str, *, sections: bool = False) -> Iterator[dict[str, Any]]:
        """Print what happened inside the block: the calls, their count, the times. Set
        `shown["ack"]` to the acknowledgement's ms; `shown["extra"]` for lines to add.
        With `sections`, each message's section blocks are printed under its line."""
        self.h.settle()
        self.h.fake.clear()
        shown: dict[str, Any] = {"extra": []}
        started = time.monotonic()
        yield shown
        self.h.settle()
        calls = self.h.fake.calls
        print(f"\n== {title}")
        for line in shown["extra"]:
            print(f"   {line}")
        lines: list[tuple[int, str]] = []
        for method in GROUPED:
            who = sorted({self.name(self._user(c)) for c in calls if c.method == method})
            if who:
                lines.append((ORDER.index(method), f"{method} for {', '.join(who)}"))
        for c in calls:
            if c.method in GROUPED:
                continue
            rank = ORDER.index(c.method) if c.method in ORDER else len(ORDER)
            refused = f" [REFUSED: {c.refused}]" if c.refused else ""
            line = f"{c.method:<24} {self.describe(c)}{refused}"
            if sections:
                line += "".join(f"\n      | {text}" for text in self.sections(c))
            lines.append((rank, line))
        for _rank, line in sorted(lines):
            print(f"   {line}")
        web = [c for c in calls if c.method != RESPONSE_URL]
        replies = len(calls) - len(web)
        times = [f"ack {shown['ack']:.0f} ms"] if "ack" in shown else []
        messages = [c.time for c in calls if c.method not in GROUPED]
        if messages:
            times.append(f"last message {(max(messages) - started) * 1000:.0f} ms")
        if calls:
            times.append(f"last effect {(max(c.time for c in calls) - started) * 1000:.0f} ms")
        counts = f"{len(web)} Web API call(s), {replies} response_url post(s)"
        print("   -- " + "; ".join([counts, *times]))

    def sections(self, call: Call) -> list[str]:
        """Every line of a message's section blocks, as Slack shows them."""
        found: list[str] = []
        for block in call.args.get("blocks") or []:
            if block.get("type") == "section" and isinstance(block.get("text"), dict):
                found += [self.first_line(t) for t in str(block["text"]["text"]).split("\n")]
        return found

    def _user(self, call: Call) -> str:
        if call.method == "views.publish":
            return str(call.args.get("user_id", ""))
        users = call.args.get("users") or call.args.get("channel") or ""
        return str(users[0] if isinstance(users, list) else users).split(",")[0]

    # --- finding what the app sent -------------------------------------------------------
    def posted(self, channel: str, needle: str) -> Call:
        for c in self.h.fake.calls_to("chat.postMessage"):
            if c.args.get("channel") == channel and needle in json.dumps(c.args):
                return c
        raise SystemExit(f"nothing with {needle!r} was posted to {channel}")

    def button(self, call: Call, action: str) -> str:
        for block in call.args.get("blocks") or []:
            for e in block.get("elements", []) if block.get("type") == "actions" else []:
                if e.get("action_id") == action:
                    return str(e["value"])
        raise SystemExit(f"no {action} button in {call.args.get('text')!r}")

    def tell_changes(self, after: str) -> None:
        """The scheduler's minute job once the window has passed: "your weeks changed"."""
        self.h.clock.advance(timedelta(minutes=2, seconds=1))
        title = f"{after}: the scheduler's tell_changes, 2 min 1 s later"
        with self.step(title, sections=True) as shown:
            sent = self.h.announcer().tell_changes()
            shown["extra"].append(f"tell_changes() -> {sent} DM(s)")


def get(url: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes, float]:
    """One GET on a new connection: (status, headers, body, ms)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    started = time.monotonic()
    try:
        conn.request(
            "GET", parts.path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = conn.getresponse()
        body = response.read()
        return response.status, response.headers, body, (time.monotonic() - started) * 1000
    finally:
        conn.close()


def feed_line(what: str, got: tuple[int, http.client.HTTPMessage, bytes, float]) -> str:
    status, headers, body, ms = got
    events = body.count(b"BEGIN:VEVENT")
    kind = (headers.get("Content-Type") or "").split(";")[0]
    return (
        f"GET {what}: {status}, ETag {headers.get('ETag')}, {kind or '-'}, {len(body)} bytes, "
        f"{events} events, {ms:.0f} ms"
    )


def swaps(run: Run) -> None:
    h, s = run, run.slack
    with h.step("James types /oncall swap @Jill 2026-12-08 dentist (his week 1 for hers)") as x:
        x["ack"] = h.command(f"swap <@{s['jill']}|jill> 2026-12-08 dentist", s["james"])
    request = run.h.service.pending_swaps()[-1]
    channel, ts = run.h.service.swap_message(request.id) or ("", "")
    with h.step(f"Jill clicks Accept on request #{request.id} in her DM") as x:
        x["ack"] = h.click(ids.SWAP_ACCEPT, str(request.id), s["jill"], channel, message={"ts": ts})
    notice = h.posted("D" + s["james"], ids.SWAP_BACK)
    h.tell_changes("After the accept")

    with h.step(f"James clicks Swap back on his accept notice of #{request.id}") as x:
        value = h.button(notice, ids.SWAP_BACK)
        ts = str((notice.result or {}).get("ts"))
        x["ack"] = h.click(ids.SWAP_BACK, value, s["james"], "D" + s["james"], message={"ts": ts})
    back = run.h.service.pending_swaps()[-1]
    channel, ts = run.h.service.swap_message(back.id) or ("", "")
    with h.step(f"Jill accepts the swap back #{back.id}") as x:
        x["ack"] = h.click(ids.SWAP_ACCEPT, str(back.id), s["jill"], channel, message={"ts": ts})
    h.tell_changes("After the swap back")

    with h.step("John (admin) records: /oncall swap @Jill @Davis 2026-12-15 cover ill") as x:
        x["ack"] = h.command(
            f"swap <@{s['jill']}|jill> <@{s['davis']}|davis> 2026-12-15 cover ill", s["john"]
        )
    h.tell_changes("After the recorded cover")

    with h.step("James types /oncall swap @Jill 2026-12-08 (to be cancelled by the admin)") as x:
        x["ack"] = h.command(f"swap <@{s['jill']}|jill> 2026-12-08", s["james"])
    mine = run.h.service.pending_swaps()[-1]
    with h.step("John (admin) types /oncall requests") as x:
        x["ack"] = h.command("requests", s["john"])
    with h.step(f"John (admin) clicks Cancel on James's request #{mine.id} in that list") as x:
        container = {
            "type": "message",
            "message_ts": "5.0",
            "channel_id": TYPED_IN,
            "is_ephemeral": True,
        }
        x["ack"] = h.click(
            ids.SWAP_CANCEL,
            str(mine.id),
            s["john"],
            TYPED_IN,
            block_id=f"{ids.REQUESTS_LIST_PREFIX}{mine.id}",
            container=container,
        )

    with h.step("Davis types /oncall swap @John 2026-12-21 (nobody answers it)") as x:
        x["ack"] = h.command(f"swap <@{s['john']}|john> 2026-12-21", s["davis"])
    run.h.clock.set(WEEK_3_STARTED)
    with h.step("Mon 21 Dec 09:01 EST, week 3 began: the scheduler's expire_swaps") as x:
        x["extra"].append(f"expire_swaps() -> {run.h.announcer().expire_swaps()} expired")


def takeover(run: Run) -> None:
    h, s = run, run.slack
    run.h.clock.set(WEDNESDAY)
    with h.step("Wed 23 Dec 10:00 EST: Davis (on call) types /oncall cover @Jill fever") as x:
        x["ack"] = h.command(f"cover <@{s['jill']}|jill> fever", s["davis"])
    request = run.h.service.pending_swaps()[-1]
    channel, ts = run.h.service.swap_message(request.id) or ("", "")
    run.h.clock.set(WEDNESDAY + timedelta(hours=1))
    with h.step(f"11:00 EST: Jill clicks Accept on take-over request #{request.id}") as x:
        x["ack"] = h.click(
            ids.TAKEOVER_ACCEPT, str(request.id), s["jill"], channel, message={"ts": ts}
        )
    with h.step("James types /oncall now") as x:
        x["ack"] = h.command("now", s["james"])
    h.tell_changes("After the take-over")
    with h.step("John (admin) records: /oncall cover @James for @Jill until 2026-12-24") as x:
        x["ack"] = h.command(
            f"cover <@{s['james']}|james> for <@{s['jill']}|jill> until 2026-12-24", s["john"]
        )
    with h.step("James types /oncall now") as x:
        x["ack"] = h.command("now", s["james"])


def calendar(run: Run) -> None:
    h, s = run, run.slack
    with h.step("Jill types /oncall calendar") as x:
        x["ack"] = h.command("calendar", s["jill"])
    answer = next(
        c for c in run.h.fake.calls_to(RESPONSE_URL) if "/calendar/" in json.dumps(c.args)
    )
    links = re.findall(
        r"https?://[^\s`|<>\"]+/calendar/[A-Za-z0-9_-]+\.ics", json.dumps(answer.args)
    )
    personal, team = dict.fromkeys(links)
    with h.step("Her personal feed, fetched as a calendar app does") as x:
        first = get(personal)
        x["extra"].append(feed_line("personal feed", first))
        again = get(personal, If_None_Match=str(first[1].get("ETag")))
        x["extra"].append(feed_line("again with If-None-Match", again))
        x["extra"].append(feed_line("the team feed", get(team)))
    with h.step("John (admin) records: /oncall swap @Jill @John 2027-01-11 2026-12-28") as x:
        x["ack"] = h.command(
            f"swap <@{s['jill']}|jill> <@{s['john']}|john> 2027-01-11 2026-12-28", s["john"]
        )
    with h.step("Her personal feed after the swap, with the old ETag") as x:
        x["extra"].append(
            feed_line("with If-None-Match", get(personal, If_None_Match=str(first[1].get("ETag"))))
        )


def incident(run: Run) -> None:
    h, s = run, run.slack
    with h.step("Davis types /oncall incident aggregate-engagement loads failing since 9:00") as x:
        x["ack"] = h.command("incident aggregate-engagement loads failing since 9:00", s["davis"])
    made = run.h.fake.calls_to("conversations.create")
    if not made or made[-1].result is None:
        raise SystemExit("no incident channel was made:\n" + run.h.fake.summary())
    channel = str(made[-1].result["channel"]["id"])
    post = h.posted(channel, ids.INCIDENT_CALL_BACKUP)
    value = h.button(post, ids.INCIDENT_CALL_BACKUP)
    ts = str((post.result or {}).get("ts"))
    for who in ("john", "davis"):
        with h.step(f"{who.title()} clicks Call in backup on the runbook post") as x:
            x["ack"] = h.click(ids.INCIDENT_CALL_BACKUP, value, s[who], channel, message={"ts": ts})
    run.h.clock.advance(timedelta(hours=2, minutes=5))
    with h.step(
        "2 h 05 min later, John types /oncall resolve reran the load (in the channel)"
    ) as x:
        x["ack"] = h.command("resolve reran the load after the upstream fix", s["john"], channel)


def report(run: Run) -> None:
    h, s = run, run.slack
    for who in ("john", "james"):
        with h.step(f"{who.title()} types /oncall report") as x:
            x["ack"] = h.command("report", s[who])


def main() -> None:
    started = time.monotonic()
    print("What goes where: the example team (oncall.yml + a user group), a fixed clock.")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with SlackHarness(folder, FixedClock(TUESDAY), example_team(folder)) as h:
            h.service.feed_setup = replace(h.service.feed_setup, public_url=h.base)
            run = Run(h)
            with h.service.store.read() as s:
                plan = h.service.store.plan(s, 0, 6)
            order = ", ".join(f"{k} {h.team.name_of(a.member)}" for k, a in sorted(plan.items()))
            print(f"Planned weeks (from Mon 30 Nov 2026): {order}")
            steps: tuple[Callable[[Run], None], ...] = (swaps, takeover, calendar, incident, report)
            for part in steps:
                part(run)
            refused = h.fake.take_refusals()
            if refused:
                raise SystemExit(f"Slack would have refused {len(refused)} call(s): {refused}")
    print(f"\n(the whole run: {time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
