"""Listener routing and parsing, tested directly as Slack's starter template does: the
plain listener functions called with a fake ack, respond, client and context, no HTTP.
The end-to-end tests (test_slack_*.py) then only need to show that the pieces meet."""

from __future__ import annotations

import inspect
import itertools
import json
import logging
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from bot.core.errors import Refusal
from bot.core.model import SwapStatus
from bot.service import OnCallService
from bot.slack import ids
from bot.slack.common import HOMES_KEY, SERVICE_KEY
from bot.slack.errors import FAILED, NOT_A_MEMBER
from bot.slack.listeners import actions, commands, events, fallback, register_listeners, views
from bot.slack.listeners.actions import handover as handover_actions
from bot.slack.listeners.actions import swaps as swap_actions
from bot.slack.listeners.actions import timeoff as timeoff_actions
from bot.slack.listeners.commands import info
from bot.slack.listeners.commands.oncall import HANDLERS, oncall_command, split_command
from bot.slack.listeners.commands.requests import SWAP_USAGE, parse_swap_args
from bot.slack.listeners.events.app_home import app_home_opened
from bot.slack.listeners.views import handover_note, swap_modal, timeoff_modal
from bot.slack.notifier import NOTIFIER_KEY, Notifier

JOHN, JAMES, JILL, DAVIS = (f"U000000000{i}" for i in range(1, 5))
STRANGER = "U0000000999"
CHANNEL = "C0000000000"
LOG = logging.getLogger("test.routing")
_tokens = itertools.count()


# --- fakes ------------------------------------------------------------------------------


class Recorder:
    """A fake ack or respond: records each call's keyword arguments."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


class FakeClient:
    """The Web API methods the listeners and the notifier use, recorded; answers like
    Slack's (DM channel `D<user>`, a fresh ts per post)."""

    base_url = "https://slack.invalid/api/"

    def __init__(self) -> None:
        self.token = f"xoxb-routing-{next(_tokens)}"  # DM channels are remembered per token
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, method: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((method, kwargs))

    def conversations_open(self, *, users: str) -> dict[str, Any]:
        self._record("conversations.open", {"users": users})
        return {"ok": True, "channel": {"id": "D" + users}}

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:  # noqa: N802
        self._record("chat.postMessage", kw)
        return {"ok": True, "channel": kw["channel"], "ts": f"{len(self.calls)}.000100"}

    def chat_postEphemeral(self, **kw: Any) -> dict[str, Any]:  # noqa: N802
        self._record("chat.postEphemeral", kw)
        return {"ok": True}

    def chat_update(self, **kw: Any) -> dict[str, Any]:
        self._record("chat.update", kw)
        return {"ok": True}

    def views_open(self, **kw: Any) -> dict[str, Any]:
        self._record("views.open", kw)
        return {"ok": True}

    def to(self, method: str) -> list[dict[str, Any]]:
        return [kw for m, kw in self.calls if m == method]


class FakeHomes:
    def __init__(self) -> None:
        self.refreshed: list[str] = []

    def refresh(self, *slack_ids: str, changed: bool = False) -> None:
        self.refreshed += slack_ids


class Slack:
    """What Bolt would hand a listener: ack, respond, client, context, logger."""

    def __init__(self, service: OnCallService) -> None:
        self.service = service
        self.ack = Recorder()
        self.respond = Recorder()
        self.client = FakeClient()
        self.homes = FakeHomes()
        notifier = Notifier(self.client, service, self.homes, LOG)  # type: ignore[arg-type]
        self.followups = notifier.followups
        self.context = {SERVICE_KEY: service, NOTIFIER_KEY: notifier}

    def settle(self) -> None:
        """Wait for the Web API work listeners hand to the follow-up threads."""
        assert self.followups.drain(5), "a listener's Web API work did not finish"

    def click(self, listener: Callable[..., None], body: dict[str, Any]) -> None:
        listener(self.ack, body, self.client, self.respond, self.context, LOG)
        self.settle()

    def command(self, text: str, user: str = JOHN) -> None:
        payload = {
            "command": "/oncall",
            "text": text,
            "user_id": user,
            "channel_id": CHANNEL,
            "trigger_id": "trigger",
            "response_url": "https://hooks.invalid/commands/1",
        }
        oncall_command(self.ack, payload, self.respond, self.client, self.context, LOG)
        self.settle()

    def submit(self, listener: Callable[..., None], body: dict[str, Any]) -> None:
        listener(self.ack, body, self.context, LOG)
        self.settle()


@pytest.fixture
def slack(service: OnCallService) -> Slack:
    return Slack(service)


def click_body(
    action_id: str,
    value: str,
    user: str,
    *,
    channel: str = CHANNEL,
    message_ts: str = "1.000100",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": "trigger",
        "response_url": "https://hooks.invalid/actions/1",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
        "actions": [{"action_id": action_id, "value": value}],
    }


def view_body(
    callback_id: str, values: dict[str, Any], user: str, metadata: str = ""
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": user},
        "view": {
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }


def view(views_open: dict[str, Any]) -> dict[str, Any]:
    """The view of a views.open call, as Slack receives it (a model or a dict)."""
    opened = views_open["view"]
    return opened.to_dict() if hasattr(opened, "to_dict") else opened


def selected(block_id: str, value: str) -> dict[str, Any]:
    return {block_id: {block_id: {"type": "static_select", "selected_option": {"value": value}}}}


def picked(block_id: str, day: str) -> dict[str, Any]:
    return {block_id: {block_id: {"type": "datepicker", "selected_date": day}}}


# --- registration: each folder's register(app) registers all of its listeners ------------


class RecordingApp:
    """An App as register() sees it: records (kind, id, listener name) in order."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, Any, str]] = []

    def __getattr__(self, kind: str) -> Callable[..., Callable[[Callable[..., Any]], Any]]:
        def registrar(matcher: Any) -> Callable[[Callable[..., Any]], Any]:
            def register(func: Callable[..., Any]) -> Callable[..., Any]:
                self.registered.append((kind, matcher, func.__name__))
                return func

            return register

        return registrar


FOLDERS: list[ModuleType] = [actions, commands, events, views]


def _listener_functions(package: ModuleType) -> set[str]:
    """The public functions of a listener folder's modules that Bolt can call (take ack
    or event)."""
    import pkgutil

    found = set()
    for info_ in pkgutil.iter_modules(package.__path__):
        module = __import__(f"{package.__name__}.{info_.name}", fromlist=["_"])
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = inspect.signature(func).parameters
            if "ack" in params or "event" in params:
                found.add(name)
    return found


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.__name__.rsplit(".", 1)[-1])
def test_a_folders_register_registers_every_listener_in_it(folder: ModuleType) -> None:
    app = RecordingApp()
    folder.register(app)  # type: ignore[attr-defined]
    registered = {name for _kind, _id, name in app.registered}
    assert _listener_functions(folder) == registered
    assert registered  # the scan found the folder's listeners


def test_only_the_folders_register() -> None:
    """No module inside a folder registers itself: the folder's register() is the one list."""
    import pkgutil

    for folder in FOLDERS:
        for info_ in pkgutil.iter_modules(folder.__path__):
            module = __import__(f"{folder.__name__}.{info_.name}", fromlist=["_"])
            assert not hasattr(module, "register"), module.__name__


def test_every_id_routes_to_its_listener_and_the_fallback_comes_last() -> None:
    app = RecordingApp()
    register_listeners(app)  # type: ignore[arg-type]
    routes = {(kind, matcher): name for kind, matcher, name in app.registered}
    assert routes[("action", ids.SWAP_ACCEPT)] == "accept"
    assert routes[("action", ids.SWAP_DECLINE)] == "decline"
    assert routes[("action", ids.SWAP_CANCEL)] == "cancel"
    assert routes[("action", ids.SWAP_OPEN)] == "open_swap"
    assert routes[("action", ids.SWAP_CANDIDATE)] == "candidate"
    assert routes[("action", ids.SWAP_BACK)] == "swap_back"
    assert routes[("action", ids.TIMEOFF_OPEN)] == "open_timeoff"
    assert routes[("action", ids.RUNBOOKS_LIST)] == "list_runbooks"
    assert routes[("action", ids.HANDOVER_NOTE_OPEN)] == "open_note"
    assert routes[("view", ids.SWAP_MODAL)] == "submit_swap_modal"
    assert routes[("view", ids.TIMEOFF_MODAL)] == "submit_timeoff_modal"
    assert routes[("view", ids.HANDOVER_NOTE_MODAL)] == "submit_note"
    assert routes[("command", "/oncall")] == "oncall_command"
    assert routes[("event", "app_home_opened")] == "app_home_opened"
    # Bolt takes the first match: the catch-alls are registered after everything else.
    first_fallback = next(i for i, (_k, m, _n) in enumerate(app.registered) if m is fallback.ANY)
    assert all(m is fallback.ANY for _k, m, _n in app.registered[first_fallback:])
    assert len(app.registered) - first_fallback == 6


# --- /oncall: the sub-command and its arguments ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "")),
        ("   ", ("", "")),
        ("Schedule 12", ("schedule", "12")),
        ("  ME  ", ("me", "")),
        (
            "swap <@U0000000003|jill> 2026-12-14  cover  ",
            ("swap", "<@U0000000003|jill> 2026-12-14  cover"),
        ),
    ],
)
def test_split_command(text: str, expected: tuple[str, str]) -> None:
    assert split_command(text) == expected


def test_every_sub_command_has_a_handler() -> None:
    assert set(HANDLERS) == {
        "",
        "now",
        "schedule",
        "me",
        "owners",
        "runbook",
        "fairness",
        "help",
        "swap",
        "requests",
        "timeoff",
        "cover",
        "calendar",
        "incident",
        "resolve",
        "report",
    }
    assert HANDLERS[""] is HANDLERS["now"] is info.now


def test_a_question_is_answered_in_the_acknowledgement(slack: Slack) -> None:
    slack.command("schedule 3")
    assert len(slack.ack.calls) == 1 and slack.respond.calls == []
    answer = slack.ack.calls[0]
    assert answer["response_type"] == "ephemeral" and answer["blocks"]


def test_an_unknown_sub_command_gets_help_naming_it_escaped(slack: Slack) -> None:
    slack.command("<!channel> now")
    (answer,) = slack.ack.calls
    assert "Unknown sub-command `&lt;!channel&gt;`" in str(answer)
    assert "<!channel>" not in str(answer)


def test_a_change_is_acknowledged_first_then_answered(slack: Slack) -> None:
    slack.command("swap", user=STRANGER)
    assert slack.ack.calls == [{}]
    assert slack.respond.calls == [
        {"text": NOT_A_MEMBER, "blocks": None, "response_type": "ephemeral"}
    ]


def test_a_refusal_is_told_only_to_the_caller_and_changes_nothing(slack: Slack) -> None:
    slack.command("swap <@U0000000003|jill> someday")
    assert slack.ack.calls == [{}]
    (told,) = slack.respond.calls
    assert told["text"].startswith(":warning: `someday` is not a date in your week")
    assert told["response_type"] == "ephemeral"
    assert slack.client.calls == [] and slack.service.pending_swaps() == []


def test_a_failing_handler_says_nothing_was_changed(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_req: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(HANDLERS, "timeoff", boom)
    slack.command("timeoff")
    assert slack.ack.calls == [{}]
    assert slack.respond.calls == [{"text": FAILED, "blocks": None, "response_type": "ephemeral"}]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", (info.DEFAULT_WEEKS, None)),
        (" 12 ", (12, None)),
        ("1", (1, None)),
    ],
)
def test_parse_weeks(args: str, expected: tuple[int, str | None]) -> None:
    assert info.parse_weeks(args) == expected


def test_parse_weeks_caps_with_a_note() -> None:
    weeks, note = info.parse_weeks("999999")
    assert weeks < 999999 and note and str(weeks) in note


@pytest.mark.parametrize("args", ["0", "-1", "abc", "١٢", "1e3", "1234567"])
def test_parse_weeks_refuses_what_is_not_a_count(args: str) -> None:
    with pytest.raises(Refusal, match="is not a number of weeks"):
        info.parse_weeks(args)


def test_find_pipeline_exact_prefix_and_ambiguous(service: OnCallService) -> None:
    team = service.team
    assert info.find_pipeline(team, "daily growth")[0].id == "daily-growth"  # type: ignore[union-attr]
    assert info.find_pipeline(team, "AGGREGATE_PROFIT")[0].id == "aggregate-profit"  # type: ignore[union-attr]
    assert info.find_pipeline(team, "unit")[0].id == "unit-level-profit"  # type: ignore[union-attr]
    found, candidates = info.find_pipeline(team, "aggregate")
    assert found is None and len(candidates) == 3
    assert info.find_pipeline(team, "nothing like it") == (None, [])
    assert info.find_pipeline(team, "  ") == (None, [])


def test_parse_swap_args_mention_dates_cover_and_reason(service: OnCallService) -> None:
    team = service.team
    parsed = parse_swap_args(team, "<@U0000000003|jill> 2026-12-07 cover family visit")
    assert parsed.counterpart.id == "jill"
    assert parsed.my_day == date(2026, 12, 7) and parsed.their_day is None
    assert parsed.cover and parsed.reason == "family visit"
    parsed = parse_swap_args(team, "@Davis 2026-12-07 2026-12-21")
    assert parsed.counterpart.id == "davis" and parsed.their_day == date(2026, 12, 21)
    assert not parsed.cover and parsed.reason == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("", SWAP_USAGE),
        ("<@U0000000003|jill>", SWAP_USAGE),
        ("<@U0000000999|eve> 2026-12-07", "only swap with a member"),
        ("nobody 2026-12-07", "only swap with a member"),
        ("jill 07/12/2026", "is not a date in your week"),
        ("jill 2026-02-30", "is not a date in your week"),
    ],
)
def test_parse_swap_args_refuses(service: OnCallService, args: str, message: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_swap_args(service.team, args)
    assert message in refused.value.message


# --- buttons -----------------------------------------------------------------------------------


def test_parse_candidate() -> None:
    value = json.dumps({"week": 2, "to": "davis", "back": None})
    assert swap_actions.parse_candidate(value) == (2, "davis", None)
    assert swap_actions.parse_candidate('{"week": 2, "to": "davis", "back": 5}') == (2, "davis", 5)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[]",
        '{"week": "2", "to": "davis"}',
        '{"week": true, "to": "davis"}',
        '{"week": 2}',
        '{"week": 2, "to": 7}',
        '{"week": 2, "to": "davis", "back": "3"}',
    ],
)
def test_parse_candidate_refuses_a_broken_value(value: str) -> None:
    with pytest.raises(Refusal, match="out of date"):
        swap_actions.parse_candidate(value)


def test_a_stranger_clicking_accept_is_told_and_nothing_changes(slack: Slack) -> None:
    request = slack.service.request_swap("jill", "davis", 2, 3)
    slack.click(swap_actions.accept, click_body(ids.SWAP_ACCEPT, str(request.id), STRANGER))
    assert slack.ack.calls == [{}]
    (told,) = slack.client.to("chat.postEphemeral")
    assert told["text"] == NOT_A_MEMBER and told["user"] == STRANGER
    assert slack.service.swap(request.id).status is SwapStatus.PENDING  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["", "abc", "1e3", "١", "9" * 40])
def test_a_button_not_naming_a_request_is_refused(slack: Slack, value: str) -> None:
    slack.click(swap_actions.decline, click_body(ids.SWAP_DECLINE, value, DAVIS))
    (told,) = slack.client.to("chat.postEphemeral")
    assert told["text"] == ":warning: That button does not name a swap request."


def test_accept_from_the_request_dm_tells_everyone_once(slack: Slack) -> None:
    service, client = slack.service, slack.client
    request = service.request_swap("jill", "davis", 2, 3)
    notifier: Notifier = slack.context[NOTIFIER_KEY]  # type: ignore[assignment]
    assert notifier.swap_requested(request)
    where = service.swap_message(request.id)
    assert where is not None and where[0] == "D" + DAVIS
    client.calls.clear()
    slack.homes.refreshed.clear()

    body = click_body(
        ids.SWAP_ACCEPT, str(request.id), DAVIS, channel=where[0], message_ts=where[1]
    )
    slack.click(swap_actions.accept, body)

    assert service.swap(request.id).status is SwapStatus.ACCEPTED  # type: ignore[union-attr]
    (updated,) = client.to("chat.update")
    assert (updated["channel"], updated["ts"]) == where
    posts = client.to("chat.postMessage")
    assert sorted(p["channel"] for p in posts) == sorted([CHANNEL, "D" + JILL, "D" + DAVIS])
    assert slack.respond.calls == []  # the clicked message is the request DM, updated above
    assert sorted(slack.homes.refreshed) == sorted([JILL, DAVIS])


def test_candidate_button_requests_a_swap(slack: Slack) -> None:
    value = json.dumps({"week": 2, "to": "davis", "back": None})
    slack.click(swap_actions.candidate, click_body(ids.SWAP_CANDIDATE, value, JILL))
    (pending,) = slack.service.pending_swaps()
    assert (pending.requester, pending.counterpart, pending.requester_week) == ("jill", "davis", 2)
    assert pending.counterpart_week is None
    assert [p["channel"] for p in slack.client.to("chat.postMessage")] == ["D" + DAVIS]
    (told,) = slack.client.to("chat.postEphemeral")
    assert told["user"] == JILL


def test_open_buttons_open_their_modals(slack: Slack) -> None:
    slack.click(swap_actions.open_swap, click_body(ids.SWAP_OPEN, "2", JILL))
    slack.click(timeoff_actions.open_timeoff, click_body(ids.TIMEOFF_OPEN, "home", JILL))
    opened = [view(v)["callback_id"] for v in slack.client.to("views.open")]
    assert opened == [ids.SWAP_MODAL, ids.TIMEOFF_MODAL]


@pytest.mark.parametrize(
    ("value", "user", "message"),
    [
        ("x", JOHN, "no previous engineer"),
        ("0", JOHN, "no previous engineer"),
        ("1", STRANGER, "Only members of the on-call team"),
        ("1", JILL, "Only John"),
        ("100000", JOHN, "too far ahead"),
    ],
)
def test_the_note_button_refuses_before_opening(
    slack: Slack, value: str, user: str, message: str
) -> None:
    slack.click(handover_actions.open_note, click_body(ids.HANDOVER_NOTE_OPEN, value, user))
    (told,) = slack.client.to("chat.postEphemeral")
    assert message in told["text"]
    assert slack.client.to("views.open") == []


def test_the_outgoing_engineer_gets_the_note_modal_for_that_week(slack: Slack) -> None:
    slack.click(handover_actions.open_note, click_body(ids.HANDOVER_NOTE_OPEN, "1", JOHN))
    (opened,) = slack.client.to("views.open")
    assert view(opened)["callback_id"] == ids.HANDOVER_NOTE_MODAL
    assert json.loads(view(opened)["private_metadata"]) == {"week": 1}


# --- view submissions ------------------------------------------------------------------------


def test_parse_swap_form_reports_every_missing_choice(service: OnCallService) -> None:
    errors = swap_modal.parse_swap_form(service, {})
    assert set(errors) == {ids.MY_WEEK, ids.COUNTERPART}  # type: ignore[arg-type]


def test_parse_swap_form_cover_with_a_date_is_an_error(service: OnCallService) -> None:
    values = {
        **selected(ids.MY_WEEK, "2"),
        **selected(ids.COUNTERPART, "davis"),
        **selected(ids.THEIR_WEEK, ids.COVER_ONLY),
        **picked(ids.THEIR_DATE, "2026-12-21"),
    }
    errors = swap_modal.parse_swap_form(service, values)
    assert isinstance(errors, dict) and ids.THEIR_DATE in errors


def test_parse_swap_form_reads_a_dated_swap(service: OnCallService) -> None:
    values = {
        **selected(ids.MY_WEEK, "2"),
        **selected(ids.COUNTERPART, "davis"),
        **picked(ids.THEIR_DATE, "2026-12-22"),
        ids.REASON: {ids.REASON: {"type": "plain_text_input", "value": "x" * 900}},
    }
    form = swap_modal.parse_swap_form(service, values)
    assert isinstance(form, swap_modal.SwapForm)
    assert (form.my_week, form.counterpart, form.their_week) == (2, "davis", 3)
    assert form.dated and not form.cover and 0 < len(form.reason) < 900


@pytest.mark.parametrize("day", ["2026-13-01", "2099-01-05"])
def test_parse_swap_form_refuses_a_bad_or_far_date(service: OnCallService, day: str) -> None:
    values = {
        **selected(ids.MY_WEEK, "2"),
        **selected(ids.COUNTERPART, "davis"),
        **picked(ids.THEIR_DATE, day),
    }
    errors = swap_modal.parse_swap_form(service, values)
    assert isinstance(errors, dict) and list(errors) == [ids.THEIR_DATE]


def test_parse_timeoff_form(service: OnCallService) -> None:
    jill = service.team.member("jill")
    assert set(timeoff_modal.parse_timeoff_form({}, jill)) == {ids.START, ids.END}  # type: ignore[arg-type]
    values = {**picked(ids.START, "2027-01-04"), **picked(ids.END, "2027-01-08")}
    form = timeoff_modal.parse_timeoff_form(values, jill)
    assert form == timeoff_modal.TimeOffForm("jill", date(2027, 1, 4), date(2027, 1, 8), "")
    # only an admin's modal has the member picker
    form = timeoff_modal.parse_timeoff_form({**values, **selected(ids.MEMBER, "davis")}, jill)
    assert isinstance(form, timeoff_modal.TimeOffForm) and form.member == "davis"


def test_a_time_off_submission_closes_the_modal_then_tells(slack: Slack) -> None:
    values = {**picked(ids.START, "2027-01-04"), **picked(ids.END, "2027-01-05")}
    slack.submit(timeoff_modal.submit_timeoff_modal, view_body(ids.TIMEOFF_MODAL, values, JILL))
    assert slack.ack.calls == [{}]
    assert [t.member for t in slack.service.time_off_of("jill")] == ["jill"]
    assert "D" + JILL in [p["channel"] for p in slack.client.to("chat.postMessage")]
    assert JILL in slack.homes.refreshed


def test_a_stranger_submitting_time_off_gets_an_inline_error(slack: Slack) -> None:
    values = {**picked(ids.START, "2027-01-04"), **picked(ids.END, "2027-01-05")}
    slack.submit(timeoff_modal.submit_timeoff_modal, view_body(ids.TIMEOFF_MODAL, values, STRANGER))
    assert slack.ack.calls == [{"response_action": "errors", "errors": {ids.START: NOT_A_MEMBER}}]
    assert slack.client.calls == []


def test_a_swap_submission_stores_dms_and_confirms(slack: Slack) -> None:
    values = {**selected(ids.MY_WEEK, "2"), **selected(ids.COUNTERPART, "davis")}
    slack.submit(swap_modal.submit_swap_modal, view_body(ids.SWAP_MODAL, values, JILL))
    assert slack.ack.calls == [{}]
    (pending,) = slack.service.pending_swaps()
    assert pending.counterpart_week == 3  # their next week after mine
    channels = [p["channel"] for p in slack.client.to("chat.postMessage")]
    assert channels == ["D" + DAVIS, "D" + JILL]  # the request, then the confirmation


@pytest.mark.parametrize(
    ("metadata", "note", "user", "error"),
    [
        ("not json", "hi", JOHN, "This form is broken"),
        ('{"week": "one"}', "hi", JOHN, "This form is broken"),
        ('{"week": 1}', "   ", JOHN, "Write a note first."),
        ('{"week": 1}', "hi", JILL, "Only John"),
        ('{"week": 1}', "hi", JOHN, "was not announced here"),
    ],
)
def test_a_handover_note_submission_is_checked_before_the_ack(
    slack: Slack, metadata: str, note: str, user: str, error: str
) -> None:
    values = {
        ids.HANDOVER_NOTE_BLOCK: {
            ids.HANDOVER_NOTE_INPUT: {"type": "plain_text_input", "value": note}
        }
    }
    body = view_body(ids.HANDOVER_NOTE_MODAL, values, user, metadata)
    slack.submit(handover_note.submit_note, body)
    (ack,) = slack.ack.calls
    assert ack["response_action"] == "errors"
    assert error in ack["errors"][ids.HANDOVER_NOTE_BLOCK]
    assert slack.client.calls == []


# --- events ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("tab", "refreshed"), [("home", [JILL]), ("messages", []), ("", [])])
def test_app_home_opened_refreshes_only_the_home_tab(
    slack: Slack, tab: str, refreshed: list[str]
) -> None:
    context = {HOMES_KEY: slack.homes}
    app_home_opened({"type": "app_home_opened", "user": JILL, "tab": tab}, context)
    assert slack.homes.refreshed == refreshed
