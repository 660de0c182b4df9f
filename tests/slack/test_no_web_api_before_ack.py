"""Issue 15: no Web API call on the acknowledgement path of any request.

Every kind of request the app listens for (each `/oncall` sub-command, each button and
each modal the listeners register, app_home_opened) is sent while the fake Slack stalls
every call (Web API and response_url) for STALL seconds, as a distant or struggling
Slack would. Two things are checked for each:

- its acknowledgement came back before one stalled call could have been answered, so
  nothing on the way to the ack waited on Slack;
- every call that reached Slack was sent from a thread that runs after
  acknowledgements (the follow-ups, the App Home publisher, the error teller), never
  from the HTTP server's threads or Bolt's listener threads, which make the ack.

The thread of each call is read where every HTTP request leaves the process
(`http.client.HTTPConnection.request`, under urllib, slack_sdk and the pooled client
alike), so a call through a client of Bolt's own (its one-time auth.test) is seen too.
This module's harness is new: its first request is the first the app ever handled.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from harness import DAVIS, JAMES, JILL, JOHN, SlackHarness

from bot.slack import ids
from bot.slack.listeners import register_listeners
from bot.slack.listeners.commands.oncall import HANDLERS

STALL = 2.0  # seconds the fake holds every call; an acknowledgement takes ~0.01-0.1 s
#: Threads that run after acknowledgements (bot/slack/followup.py, home.py, errors.py).
AFTER_ACK_THREADS = ("slack-follow-up", "home-publisher", "tell-error")


@dataclass
class Sent:
    thread: str
    path: str


class Outgoing:
    """Every HTTP request the process sends to the fake Slack: from which thread, where."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    @property
    def on_ack_path(self) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if not s.thread.startswith(AFTER_ACK_THREADS)]


@pytest.fixture
def outgoing(h: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[Outgoing]:
    seen = Outgoing(h.fake.port)
    original = http.client.HTTPConnection.request

    def request(self: http.client.HTTPConnection, method: str, url: str, *a: Any, **k: Any) -> Any:
        if self.port == seen.port:
            with seen._lock:
                seen.sent.append(Sent(threading.current_thread().name, url))
        return original(self, method, url, *a, **k)

    monkeypatch.setattr(http.client.HTTPConnection, "request", request)
    yield seen


# --- what to send ---------------------------------------------------------------------------

Send = Callable[[SlackHarness], tuple[int, Any]]

#: Arguments that take a sub-command down its main path (a new one gets none: its
#: help, a refusal or its answer: each is a path to the acknowledgement too).
COMMAND_ARGS: dict[str, tuple[str, str]] = {
    "schedule": ("12", JOHN),
    "runbook": ("aggregate-profit", JOHN),
    "swap": (f"<@{JILL}|jill> 2026-12-08", JAMES),
    "timeoff": ("2026-12-21 2026-12-22", JILL),
}


def commands() -> dict[str, Send]:
    sends: dict[str, Send] = {}
    for sub in [*HANDLERS, "no-such-sub-command"]:
        args, user = COMMAND_ARGS.get(sub, ("", JOHN))
        text = f"{sub} {args}".strip()
        sends[f"/oncall {text}"] = lambda h, text=text, user=user: h.command(text, user=user)
        if sub == "swap":  # without arguments: opens the form (views.open)
            sends["/oncall swap"] = lambda h: h.command("swap", user=JAMES)
    return sends


class Registered:
    """What bot/slack/listeners registers, recorded instead of registered: the inventory
    of buttons, modals, commands and events, whoever added them."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[str]] = {}

    def __getattr__(self, kind: str) -> Callable[..., Callable[[Any], Any]]:
        def registrar(constraint: Any, *_a: Any, **_k: Any) -> Callable[[Any], Any]:
            if isinstance(constraint, str):  # not the catch-alls' patterns
                self.kinds.setdefault(kind, []).append(constraint)
            return lambda listener: listener

        return registrar


def registered() -> dict[str, list[str]]:
    recorder = Registered()
    register_listeners(recorder)  # type: ignore[arg-type]
    return recorder.kinds


REGISTERED = registered()
BUTTONS = sorted(REGISTERED["action"])
MODALS = sorted(REGISTERED["view"])


def pending_request(h: SlackHarness, owner: str, colleague: str) -> tuple[int, str]:
    """A pending cover request of `owner`'s next week, its DM posted: (id, the DM's ts)."""
    week = next(s for s in h.service.schedule(first=1, count=8) if s.member == owner)
    request = h.service.request_swap(owner, colleague, week.week.index, None, cover=True)
    h.running.notifier.swap_requested(request)
    h.settle()
    where = h.service.swap_message(request.id)
    assert where is not None
    return request.id, where[1]


def clicks(h: SlackHarness) -> dict[str, Send]:
    """One click of every button, from where Slack shows it, with a value that takes the
    listener down its main path (a request to decide, a week to offer)."""
    accept_id, accept_ts = pending_request(h, "john", "davis")
    decline_id, decline_ts = pending_request(h, "james", "davis")
    cancel_id, _ = pending_request(h, "jill", "davis")
    candidate = json.dumps({"week": 2, "to": "davis", "back": None})

    def on_dm(action: str, value: str, user: str, ts: str) -> Send:
        channel = "D" + user
        return lambda h: h.click(action, value, user, channel_id=channel, message={"ts": ts})

    def on_home(action: str, value: str, user: str = JOHN) -> Send:
        view = {"id": "VHOME", "type": "home", "callback_id": "", "hash": "1"}
        return lambda h: h.click(action, value, user, view=view)

    known: dict[str, Send] = {
        ids.SWAP_ACCEPT: on_dm(ids.SWAP_ACCEPT, str(accept_id), DAVIS, accept_ts),
        ids.SWAP_DECLINE: on_dm(ids.SWAP_DECLINE, str(decline_id), DAVIS, decline_ts),
        ids.SWAP_CANCEL: on_home(ids.SWAP_CANCEL, str(cancel_id), JILL),
        ids.SWAP_CANDIDATE: on_home(ids.SWAP_CANDIDATE, candidate),
    }
    return {f"click {a}": known.get(a) or on_home(a, "2") for a in BUTTONS}


MODAL_VALUES: dict[str, tuple[dict[str, Any], str, str]] = {
    ids.SWAP_MODAL: (
        {
            ids.MY_WEEK: {
                ids.MY_WEEK: {"type": "static_select", "selected_option": {"value": "1"}}
            },
            ids.COUNTERPART: {
                ids.COUNTERPART: {"type": "static_select", "selected_option": {"value": "jill"}}
            },
            ids.THEIR_WEEK: {
                ids.THEIR_WEEK: {"type": "static_select", "selected_option": {"value": "cover"}}
            },
            ids.THEIR_DATE: {ids.THEIR_DATE: {"type": "datepicker", "selected_date": None}},
            ids.REASON: {ids.REASON: {"type": "plain_text_input", "value": "a wedding"}},
        },
        JAMES,
        "",
    ),
    ids.TIMEOFF_MODAL: (
        {
            ids.START: {ids.START: {"type": "datepicker", "selected_date": "2026-12-28"}},
            ids.END: {ids.END: {"type": "datepicker", "selected_date": "2026-12-29"}},
        },
        DAVIS,
        "",
    ),
    ids.HANDOVER_NOTE_MODAL: (
        {ids.HANDOVER_NOTE_BLOCK: {ids.HANDOVER_NOTE_INPUT: {"type": "plain_text_input"}}},
        JOHN,
        json.dumps({"week": 0}),
    ),
}


def submission(modal: str, n: int) -> Send:
    values, user, meta = MODAL_VALUES.get(modal, ({}, JOHN, ""))
    view_id = f"VACK{n}"
    return lambda h: h.submit(modal, values, user=user, private_metadata=meta, view_id=view_id)


def submissions() -> dict[str, Send]:
    return {f"submit {modal}": submission(modal, n) for n, modal in enumerate(MODALS)}


def home_open(h: SlackHarness) -> tuple[int, Any]:
    return h.event({"type": "app_home_opened", "user": JILL, "tab": "home", "channel": "DHOME"})


# --- the test ---------------------------------------------------------------------------------


def test_no_request_waits_on_slack_before_its_acknowledgement(
    h: SlackHarness, outgoing: Outgoing
) -> None:
    sends = {"app_home_opened": home_open, **commands(), **clicks(h), **submissions()}
    h.fake.clear()
    with outgoing._lock:
        outgoing.sent.clear()  # the requests set up above, sent from the test's thread
    h.fake.rtt = STALL
    took: dict[str, float] = {}
    answers: dict[str, tuple[int, Any]] = {}
    try:
        for name, send in sends.items():
            start = time.monotonic()
            answers[name] = send(h)
            took[name] = time.monotonic() - start
    finally:
        h.fake.rtt = 0.0  # what is queued behind the stalled calls goes at once
    h.settle(limit=3 * STALL + 5)

    assert {name: status for name, (status, _) in answers.items() if status != 200} == {}
    slow = {name: round(seconds, 2) for name, seconds in took.items() if seconds >= STALL}
    assert slow == {}, f"acknowledged only after a Slack round trip: {slow}"
    assert outgoing.on_ack_path == [], outgoing.on_ack_path
    # Proof the stall was felt: the requests did call Slack, after their acks.
    assert len(outgoing.sent) >= len(sends) // 2, (len(outgoing.sent), len(sends))
    where = {s.path.rsplit("/", 1)[-1] if "/api/" in s.path else "hooks" for s in outgoing.sent}
    assert {"chat.update", "views.open", "views.publish", "hooks"} <= where, where


def test_the_inventory_covers_every_listener_kind() -> None:
    """Every kind of listener the app registers is driven above: new buttons and modals
    (from the registrations, with a generic value), new sub-commands (from HANDLERS)."""
    assert set(REGISTERED) == {"command", "action", "view", "event"}, set(REGISTERED)
    assert REGISTERED["command"] == ["/oncall"] and REGISTERED["event"] == ["app_home_opened"]
    assert {ids.SWAP_ACCEPT, ids.SWAP_OPEN, ids.TIMEOFF_OPEN} <= set(BUTTONS)
    assert set(MODAL_VALUES) <= set(MODALS) and ids.SWAP_MODAL in MODALS
    assert set(COMMAND_ARGS) <= set(HANDLERS)
