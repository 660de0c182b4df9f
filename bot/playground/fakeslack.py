"""A local fake of the Slack Web API, so tests exercise the real slack_sdk HTTP stack.

It is also the playground's stand-in for Slack (bot/playground): the app under
`oncall playground` talks to it, and the page shows what it received. Tests import it
as ``fakeslack`` (tests/fakeslack.py is this very module).

Point a ``slack_sdk.WebClient(token=..., base_url=fake.url)`` (or a Bolt ``App`` built on
one) at a running :class:`FakeSlack`. Every request is recorded as a :class:`Call`, answered
with a plausible Slack response, and can be made to fail (HTTP 429/5xx, dropped connection,
or ``ok: false``) to test retry and error handling without touching the real Slack.

The fake is strict: a message or view that breaks Block Kit's documented limits is refused
as Slack refuses it (``invalid_blocks``, ``msg_too_long``, ``view_too_large``, ``no_text``;
see :func:`message_problems` and :func:`view_problems`), recorded with ``Call.refused`` set,
and kept in :attr:`FakeSlack.refusals`. One rule is stricter than Slack: blocks without a
plain ``text`` fallback are refused as ``missing_text_fallback`` (Slack only warns; the
team's rule is that every message has one). tests/conftest.py fails any test during which
the fake refused a call, unless the test is marked ``refusals_expected``.

Channels the app makes are kept as Slack keeps them (conversations.create, setTopic,
invite, join, pins.add; see :class:`Channel`): a taken name answers ``name_taken``, an
invite ``already_in_channel``, ``cant_invite`` (:meth:`FakeSlack.restrict_user`) or
``user_not_found``, a pin of an unknown message ``message_not_found``. Breaking Slack's
naming rules (lower case, at most 80 characters, no spaces or periods) or a topic over 250
characters is a refusal like a broken message. :meth:`FakeSlack.refuse` makes a method
answer what a workspace answers (``missing_scope`` with ``needed``, ``restricted_action``).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "Call",
    "Channel",
    "FakeSlack",
    "BOT_USER_ID",
    "BOT_ID",
    "TEAM_ID",
    "message_problems",
    "view_problems",
    "unacknowledged_refusals",
]

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0000000001"
APP_ID = "A0000000001"

#: Argument names Slack accepts as JSON-encoded strings in form bodies; decoded on receipt so
#: tests can assert on Python structures whichever encoding slack_sdk chose for the method.
JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "bookmarks",
        "dialog",
        "metadata",
        "option_groups",
        "options",
        "prefs",
        "profile",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)

#: Pseudo-method name under which posts to :meth:`FakeSlack.response_url` URLs are recorded.
RESPONSE_URL = "response_url"

Payload = Mapping[str, Any] | Callable[["Call"], Mapping[str, Any]]


@dataclass
class Call:
    """One request the fake received; what tests assert on instead of mocking the SDK.

    ``time`` is ``time.monotonic()`` (immune to time-machine), so gaps between calls measure
    real retry back-off. ``failed`` marks calls answered by an injected fault.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    failed: bool = False
    status: int | None = 200
    #: The error Slack would answer for a payload that breaks its rules (``invalid_blocks``,
    #: ``msg_too_long``, ...), with what broke them; None for an accepted call.
    refused: str | None = None
    problems: list[str] = field(default_factory=list)
    #: What the fake answered an accepted Web API call (the playground reads the ts and
    #: view ids Slack assigned from it); None for refused, failed and response_url calls.
    result: dict[str, Any] | None = None

    def __repr__(self) -> str:
        flag = " failed" if self.failed else ""
        if self.refused:
            flag += f" refused={self.refused} {self.problems}"
        return f"Call({self.method!r}{flag}, status={self.status}, args={self.args!r})"


@dataclass
class _Fault:
    """A queued injected failure for the next call(s) to one method."""

    remaining: int
    status: int | None
    retry_after: int | None
    body: Any
    drop: bool


@dataclass
class _Override:
    """A replacement JSON result for a method, used for ``remaining`` more calls."""

    payload: Payload
    remaining: int


@dataclass
class _State:
    """Mutable server-side state shared by handler threads; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    overrides: dict[str, deque[_Override]] = field(default_factory=dict)
    standing: dict[str, Payload] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)  # seconds before answering
    rtt: float = 0.0  # seconds before answering every call: the network's round trip
    connections: int = 0  # TCP connections accepted
    ts_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    view_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    refusals: list[Call] = field(default_factory=list)
    channels: dict[str, Channel] = field(default_factory=dict)  # made or added, by id
    channel_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    restricted_users: dict[str, str] = field(default_factory=dict)  # user -> invite error


@dataclass
class Channel:
    """A channel as the fake keeps it: made by conversations.create or :meth:`add_channel`."""

    id: str
    name: str
    creator: str
    is_private: bool = False
    members: list[str] = field(default_factory=list)  # in the order they joined
    topic: str = ""
    messages: list[str] = field(default_factory=list)  # ts of the messages posted in it
    pins: list[str] = field(default_factory=list)  # ts of pinned messages

    def info(self) -> dict[str, Any]:
        """The conversation object Slack answers with."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": self.is_private,
            "is_archived": False,
            "is_member": BOT_USER_ID in self.members,
            "created": int(time.time()),
            "creator": self.creator,
            "topic": {"value": self.topic, "creator": self.creator, "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "num_members": len(self.members),
        }


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer with a deep accept backlog so bursts of concurrent clients don't
    hit the default backlog of 5 and stall for a 1 s SYN retransmit."""

    request_queue_size = 128
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        state: _State = self.fake_state  # type: ignore[attr-defined]
        with state.lock:
            state.connections += 1
        super().process_request(request, client_address)


class FakeSlack:
    """Threaded local HTTP server that impersonates ``https://slack.com/api/``.

    Use as ``with FakeSlack() as fake:`` or ``fake = FakeSlack().start(); ...; fake.stop()``.
    """

    def __init__(self, host: str = "127.0.0.1", *, rtt: float = 0.0) -> None:
        self._host = host
        self._state = _State()
        self._state.rtt = rtt
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Bind a random free port and serve in a daemon thread; returns self for chaining."""
        if self._server is not None:
            return self
        server = _Server((self._host, 0), _Handler)
        server.fake_state = self._state  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"FakeSlack:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and release the port; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        """TCP port the fake listens on (only valid once started)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """Web API base URL for ``WebClient(base_url=...)``; ends in ``/api/``."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` on this server, to put in slash-command/interaction payloads."""
        return f"{self.base}/hooks/{name}"

    def show_acknowledgement(self, response_url: str, body: Any) -> None:
        """What Slack does with a slash command's acknowledgement that carries a message:
        it shows the message to the person, as a post to the command's response_url
        would. Recorded as a ``response_url`` call on that url's path, with ``_ack``
        set, so a test reads every answer in one place. Anything else is ignored."""
        if not isinstance(body, dict) or not ("text" in body or "blocks" in body):
            return
        args = {**body, "_path": urlsplit(response_url).path, "_ack": True}
        call = Call(RESPONSE_URL, args, {}, time.monotonic())
        _judge(call)
        _record(self._state, call)

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """Snapshot (a new list) of every recorded call, oldest first."""
        with self._state.lock:
            return list(self._state.calls)

    def calls_to(self, method: str, *, include_failed: bool = True) -> list[Call]:
        """Recorded calls to one API method (or ``"response_url"``), oldest first."""
        return [c for c in self.calls if c.method == method and (include_failed or not c.failed)]

    @property
    def refusals(self) -> list[Call]:
        """Calls refused for breaking Slack's rules and not yet taken by
        :meth:`take_refusals`, oldest first; :meth:`clear` and :meth:`reset` keep them."""
        with self._state.lock:
            return list(self._state.refusals)

    def take_refusals(self) -> list[Call]:
        """Return the refused calls and forget them, for a test that provokes refusals."""
        with self._state.lock:
            taken, self._state.refusals[:] = list(self._state.refusals), []
        with _REFUSALS_LOCK:
            _UNTAKEN[:] = [c for c in _UNTAKEN if not any(c is t for t in taken)]
        return taken

    def clear(self) -> None:
        """Forget recorded calls (faults and overrides stay armed)."""
        with self._state.lock:
            self._state.calls.clear()

    def reset(self) -> None:
        """Forget recorded calls and disarm every pending fault and override."""
        with self._state.lock:
            self._state.calls.clear()
            self._state.faults.clear()
            self._state.overrides.clear()
            self._state.standing.clear()
            self._state.delays.clear()
            self._state.channels.clear()
            self._state.restricted_users.clear()

    def summary(self) -> str:
        """Human-readable list of recorded calls, for assertion messages."""
        calls = self.calls
        if not calls:
            return "  (no calls recorded)"
        return "\n".join(f"  {i}: {c!r}" for i, c in enumerate(calls))

    # ------------------------------------------------------------------ behaviour control

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int | None = 429,
        retry_after: int | None = 1,
        body: Any = None,
        *,
        drop: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``status`` is the HTTP status (429 adds ``Retry-After: retry_after`` whole seconds, as
        Slack sends and slack_sdk parses with ``int()``); ``body`` may be
        a dict (sent as JSON), str or bytes. ``status=None, drop=True`` closes the connection
        without any response, which clients see as a connection error.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if status is None and not drop:
            raise ValueError("status=None requires drop=True")
        fault = _Fault(times, None if drop else status, retry_after, body, drop)
        with self._state.lock:
            self._state.faults.setdefault(method, deque()).append(fault)

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every call to ``method`` (or ``RESPONSE_URL``) ``seconds`` late, as a slow
        Slack does (faults too); ``seconds=0`` or ``reset()`` makes it prompt again."""
        with self._state.lock:
            self._state.delays[method] = seconds

    @property
    def rtt(self) -> float:
        """Seconds every call (Web API and response_url) waits before it is answered, as
        the round trip to the real Slack does; 0 (the default) answers at once."""
        with self._state.lock:
            return self._state.rtt

    @rtt.setter
    def rtt(self, seconds: float) -> None:
        with self._state.lock:
            self._state.rtt = max(0.0, seconds)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (HTTP/1.1 keep-alive lets a client send many
        calls on one); :meth:`clear` and :meth:`reset` keep the count."""
        with self._state.lock:
            return self._state.connections

    def respond_with(self, method: str, payload: Payload, *, times: int | None = None) -> None:
        """Answer ``method`` with ``payload`` (HTTP 200) instead of the default result.

        ``payload`` may be a callable taking the :class:`Call` for per-request answers.
        ``times=None`` sets a standing answer (replacing any earlier standing one) kept until
        :meth:`reset`; ``times=N`` answers the next N calls first, then falls back.
        """
        with self._state.lock:
            if times is None:
                self._state.standing[method] = payload
                return
            if times < 1:
                raise ValueError("times must be >= 1 or None")
            self._state.overrides.setdefault(method, deque()).append(_Override(payload, times))

    def refuse(self, method: str, error: str, *, times: int | None = None, **fields: Any) -> None:
        """Answer ``method`` with ``{"ok": false, "error": error, **fields}``, as a workspace
        does: ``missing_scope`` (``needed``/``provided`` filled in unless given; Slack sends
        both), ``restricted_action``, ``cant_invite``... Standing unless ``times``; not a
        refusal of the app's payload, so tests need no ``refusals_expected`` for it."""
        body: dict[str, Any] = {"ok": False, "error": error}
        if error == "missing_scope":
            body.update(needed=_SCOPES.get(method, "unknown"), provided="chat:write,commands")
        body.update(fields)
        self.respond_with(method, body, times=times)

    def add_channel(
        self, name: str, members: tuple[str, ...] = (), *, is_private: bool = False
    ) -> str:
        """A channel that exists already (its name is then taken); returns its id."""
        with self._state.lock:
            channel = _new_channel(self._state, name, "U0000000000", is_private)
            channel.members.extend(m for m in members if m not in channel.members)
            return channel.id

    def channel(self, key: str) -> Channel | None:
        """A copy of a kept channel, by id or by name; None when the fake does not keep it."""
        with self._state.lock:
            found = self._state.channels.get(key) or next(
                (c for c in self._state.channels.values() if c.name == key), None
            )
            if found is None:
                return None
            return Channel(
                found.id,
                found.name,
                found.creator,
                found.is_private,
                list(found.members),
                found.topic,
                list(found.messages),
                list(found.pins),
            )

    def restrict_user(self, user: str, error: str = "cant_invite") -> None:
        """Make inviting ``user`` to any channel fail with ``error`` (a guest, a user of
        another workspace: ``cant_invite``; a deactivated one: ``user_not_found``...)."""
        with self._state.lock:
            self._state.restricted_users[user] = error

    # ------------------------------------------------------------------ waiting

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5.0) -> list[Call]:
        """Poll until ``predicate(calls)`` is truthy; for asserting on async/threaded work.

        Returns the snapshot that satisfied it. Raises AssertionError listing calls on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls
            if predicate(calls):
                return calls
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for predicate; recorded calls:\n"
                    + self.summary()
                )
            time.sleep(0.01)

    def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,
        where: Callable[[Call], Any] = lambda call: True,
    ) -> Call:
        """Wait for the first (oldest) successful call to ``method`` matching ``where``."""

        def matches(call: Call) -> bool:
            return call.method == method and not call.failed and bool(where(call))

        try:
            calls = self.wait_for(lambda cs: any(matches(c) for c in cs), timeout)
        except AssertionError as exc:
            raise AssertionError(f"no matching {method!r} call: {exc}") from None
        return next(c for c in calls if matches(c))


# ---------------------------------------------------------------------- request parsing


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON-string values of known structured fields into Python objects."""
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass
    return args


def _flatten(query: dict[str, list[str]]) -> dict[str, Any]:
    """parse_qs output with single values unwrapped, as Slack reads form fields."""
    return {k: v[0] if len(v) == 1 else v for k, v in query.items()}


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse multipart/form-data (file uploads); file parts are kept as bytes."""
    raw = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    args: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is None:
            args[str(name)] = data.decode("utf-8", "replace")
        else:
            args[str(name)] = data
    return args


def _parse_args(body: bytes, content_type: str, query: str) -> dict[str, Any]:
    """Merge query-string and body arguments whatever the encoding slack_sdk used."""
    args = _flatten(parse_qs(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if body:
        if ctype == "application/json":
            parsed = json.loads(body.decode("utf-8"))
            if isinstance(parsed, dict):
                args.update(parsed)
            else:
                args["_json"] = parsed
        elif ctype == "multipart/form-data":
            args.update(_parse_multipart(body, content_type))
        else:
            text = body.decode("utf-8", "replace")
            args.update(_flatten(parse_qs(text, keep_blank_values=True)))
    return _decode_json_fields(args)


# ---------------------------------------------------------------------- Slack's rules
#
# Block Kit's documented limits (docs.slack.dev/reference/block-kit/...): a payload that
# breaks one is refused with the error Slack gives, and each problem is named with a JSON
# pointer as Slack names it in ``response_metadata.messages``.

MESSAGE_BLOCKS = 50  # blocks in a message
VIEW_BLOCKS = 100  # blocks in a modal or App Home
MESSAGE_TEXT = 40_000  # a message's top-level text: msg_too_long
VIEW_BYTES = 250_000  # a view's JSON: view_too_large
SECTION_TEXT = 3_000
SECTION_FIELDS = 10
FIELD_TEXT = 2_000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2_000
URL_LENGTH = 3_000
ID_LENGTH = 255  # action_id, block_id, callback_id
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
PLACEHOLDER_TEXT = 150
LABEL_TEXT = 2_000  # an input block's label and hint
VIEW_TITLE = 24  # a modal's title, submit and close
PRIVATE_METADATA = 3_000
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30
CHANNEL_NAME = 80  # conversations.create: invalid_name_maxlength
TOPIC_TEXT = 250  # conversations.setTopic: too_long
_CHANNEL_NAME = re.compile(r"[a-z0-9_-]+")

#: The bot scope each channel method needs for a public channel (docs.slack.dev), named
#: in a ``missing_scope`` answer's ``needed`` as Slack names it.
_SCOPES = {
    "conversations.create": "channels:manage",
    "conversations.setTopic": "channels:manage",
    "conversations.invite": "channels:manage",
    "conversations.join": "channels:join",
    "pins.add": "pins:write",
    "chat.postMessage": "chat:write",
}

#: Methods whose arguments are a message; the response_url pseudo-method is one as well.
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})

_REFUSALS_LOCK = threading.Lock()
#: Every refused call of every fake in this process not yet taken by a test: what
#: tests/conftest.py checks after each test (a listener's refused post has no other witness).
_UNTAKEN: list[Call] = []


def unacknowledged_refusals() -> list[Call]:
    """Refused calls of any fake in this process that no test has taken."""
    with _REFUSALS_LOCK:
        return list(_UNTAKEN)


def _record(state: _State, call: Call) -> None:
    with state.lock:
        state.calls.append(call)
        if call.refused:
            state.refusals.append(call)
    if call.refused:
        with _REFUSALS_LOCK:
            _UNTAKEN.append(call)


def _judge(call: Call) -> bool:
    """Set ``call.refused``/``problems`` when Slack would refuse it; True when refused."""
    if call.method in MESSAGE_METHODS or call.method == RESPONSE_URL:
        verdict = message_problems(call.args)
    elif call.method in VIEW_METHODS:
        verdict = view_problems(call.args.get("view"))
    elif call.method == "conversations.create":
        verdict = channel_name_problems(call.args.get("name"))
    elif call.method == "conversations.setTopic":
        topic = str(call.args.get("topic", ""))
        verdict = (
            ("too_long", [f"topic is {len(topic)} characters, over {TOPIC_TEXT}"])
            if len(topic) > TOPIC_TEXT
            else None
        )
    else:
        return False
    if verdict is None:
        return False
    call.refused, call.problems = verdict
    return True


def channel_name_problems(name: Any) -> tuple[str, list[str]] | None:
    """The error conversations.create answers for a name that breaks Slack's rules:
    lower-case letters, digits, hyphens and underscores, at most 80 characters."""
    if not isinstance(name, str) or not name:
        return "invalid_name_required", ["a channel needs a name [/name]"]
    if len(name) > CHANNEL_NAME:
        return "invalid_name_maxlength", [f"name is {len(name)} characters, over {CHANNEL_NAME}"]
    if not _CHANNEL_NAME.fullmatch(name):
        return "invalid_name_specials", [f"{name!r} has upper case, spaces, periods or symbols"]
    if not any(ch.isalnum() for ch in name):
        return "invalid_name_punctuation", [f"{name!r} is only punctuation"]
    return None


def message_problems(args: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """The error Slack answers for a message (chat.* arguments or a response_url body),
    and why, or None when it is accepted."""
    if args.get("delete_original") and "text" not in args and "blocks" not in args:
        return None  # a response_url post that only deletes the message
    text = args.get("text")
    blocks = args.get("blocks")
    has_blocks = isinstance(blocks, list) and len(blocks) > 0
    has_text = isinstance(text, str) and text.strip() != ""
    if not has_text and not has_blocks and not args.get("attachments"):
        return "no_text", ["a message needs text or blocks [json-pointer:/text]"]
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return "msg_too_long", [f"text is {len(text)} characters, over {MESSAGE_TEXT}"]
    if blocks is not None:
        problems = _blocks_problems(blocks, MESSAGE_BLOCKS, "/blocks")
        if problems:
            return "invalid_blocks", problems
    if has_blocks and not has_text:
        # Stricter than Slack, which only logs a warning: the team's rule is that every
        # message has a plain text fallback (notifications, screen readers, search).
        return "missing_text_fallback", ["blocks sent without a text fallback [/text]"]
    return None


def view_problems(view: Any) -> tuple[str, list[str]] | None:
    """The error Slack answers for a views.* ``view``, and why, or None when accepted."""
    if not isinstance(view, dict):
        return "invalid_arguments", ["view is not an object [json-pointer:/view]"]
    size = len(json.dumps(view, ensure_ascii=False).encode("utf-8"))
    if size > VIEW_BYTES:
        return "view_too_large", [f"view is {size} bytes, over {VIEW_BYTES}"]
    problems = _blocks_problems(view.get("blocks", []), VIEW_BLOCKS, "/view/blocks")
    for key in ("title", "submit", "close"):
        if key in view:
            _text(view[key], f"/view/{key}", VIEW_TITLE, problems, plain=True)
    _length(view.get("private_metadata"), "/view/private_metadata", PRIVATE_METADATA, problems)
    _length(view.get("callback_id"), "/view/callback_id", ID_LENGTH, problems)
    return ("invalid_blocks", problems) if problems else None


def _length(value: Any, where: str, limit: int, problems: list[str]) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(f"must be at most {limit} characters [json-pointer:{where}]")


def _text(obj: Any, where: str, limit: int, problems: list[str], *, plain: bool = False) -> None:
    """A text object: a dict with a non-empty ``text`` of at most ``limit`` characters."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        problems.append(f"must be a text object [json-pointer:{where}]")
        return
    if plain and obj.get("type") != "plain_text":
        problems.append(f"must be plain_text [json-pointer:{where}/type]")
    if obj["text"] == "":
        problems.append(f"must be more than 0 characters [json-pointer:{where}/text]")
    _length(obj["text"], f"{where}/text", limit, problems)


def _blocks_problems(blocks: Any, most: int, where: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"must be a list [json-pointer:{where}]"]
    problems: list[str] = []
    if len(blocks) > most:
        problems.append(f"no more than {most} items allowed [json-pointer:{where}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        here = f"{where}/{i}"
        if not isinstance(block, dict):
            problems.append(f"must be an object [json-pointer:{here}]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                problems.append(f"duplicate block_id {block_id!r} [json-pointer:{here}]")
            block_ids.add(block_id)
            _length(block_id, f"{here}/block_id", ID_LENGTH, problems)
        _block_problems(block, here, problems)
    return problems


def _block_problems(block: dict[str, Any], here: str, problems: list[str]) -> None:
    kind = block.get("type")
    if kind == "section":
        if "text" not in block and not block.get("fields"):
            problems.append(f"a section needs text or fields [json-pointer:{here}]")
        if "text" in block:
            _text(block["text"], f"{here}/text", SECTION_TEXT, problems)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            problems.append(f"no more than {SECTION_FIELDS} fields [json-pointer:{here}/fields]")
        for j, item in enumerate(fields):
            _text(item, f"{here}/fields/{j}", FIELD_TEXT, problems)
        if isinstance(block.get("accessory"), dict):
            _element_problems(block["accessory"], f"{here}/accessory", problems)
    elif kind == "header":
        _text(block.get("text"), f"{here}/text", HEADER_TEXT, problems, plain=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            problems.append(
                f"no more than {CONTEXT_ELEMENTS} items allowed [json-pointer:{here}/elements]"
            )
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                _text(element, f"{here}/elements/{j}", SECTION_TEXT, problems)
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            problems.append(
                f"no more than {ACTIONS_ELEMENTS} items allowed [json-pointer:{here}/elements]"
            )
        action_ids: set[str] = set()
        for j, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            action_id = element.get("action_id")
            if isinstance(action_id, str):
                if action_id in action_ids:
                    problems.append(
                        f"duplicate action_id {action_id!r} [json-pointer:{here}/elements/{j}]"
                    )
                action_ids.add(action_id)
            _element_problems(element, f"{here}/elements/{j}", problems)
    elif kind == "input":
        _text(block.get("label"), f"{here}/label", LABEL_TEXT, problems, plain=True)
        if "hint" in block:
            _text(block["hint"], f"{here}/hint", LABEL_TEXT, problems, plain=True)
        if isinstance(block.get("element"), dict):
            _element_problems(block["element"], f"{here}/element", problems)


def _element_problems(element: dict[str, Any], here: str, problems: list[str]) -> None:
    _length(element.get("action_id"), f"{here}/action_id", ID_LENGTH, problems)
    kind = element.get("type")
    if kind == "button":
        _text(element.get("text"), f"{here}/text", BUTTON_TEXT, problems, plain=True)
        _length(element.get("value"), f"{here}/value", BUTTON_VALUE, problems)
        _length(element.get("url"), f"{here}/url", URL_LENGTH, problems)
    if "placeholder" in element:
        _text(element["placeholder"], f"{here}/placeholder", PLACEHOLDER_TEXT, problems)
    options = element.get("options")
    if isinstance(options, list):
        if len(options) > SELECT_OPTIONS:
            problems.append(
                f"no more than {SELECT_OPTIONS} items allowed [json-pointer:{here}/options]"
            )
        for j, option in enumerate(options):
            _option_problems(option, f"{here}/options/{j}", problems)
    if isinstance(element.get("initial_option"), dict):
        _option_problems(element["initial_option"], f"{here}/initial_option", problems)
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        _text(confirm.get("title"), f"{here}/confirm/title", CONFIRM_TITLE, problems)
        _text(confirm.get("text"), f"{here}/confirm/text", CONFIRM_TEXT, problems)
        for key in ("confirm", "deny"):
            if key in confirm:
                _text(confirm[key], f"{here}/confirm/{key}", CONFIRM_BUTTON, problems)


def _option_problems(option: Any, here: str, problems: list[str]) -> None:
    if not isinstance(option, dict):
        problems.append(f"must be an object [json-pointer:{here}]")
        return
    _text(option.get("text"), f"{here}/text", OPTION_TEXT, problems)
    _length(option.get("value"), f"{here}/value", OPTION_VALUE, problems)


# ---------------------------------------------------------------------- default responses


def _next_ts(state: _State) -> str:
    """Unique, increasing message ts like Slack's ("1700000000.000100", ".000200", ...)."""
    micros = 1_700_000_000_000_000 + 100 * next(state.ts_counter)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _first_user(users: Any) -> str:
    """First id from a users arg sent as "U1,U2" or as a JSON list."""
    if isinstance(users, list):
        return str(users[0]) if users else ""
    return str(users or "").split(",")[0].strip()


def _user_list(users: Any) -> list[str]:
    if isinstance(users, list):
        return [str(u) for u in users]
    return [u.strip() for u in str(users or "").split(",") if u.strip()]


def _view_result(state: _State, method: str, args: dict[str, Any]) -> dict[str, Any]:
    """A views.* result: the submitted view echoed back with server-assigned fields."""
    submitted = args.get("view")
    view: dict[str, Any] = dict(submitted) if isinstance(submitted, dict) else {}
    view_id = args.get("view_id") if method == "views.update" else None
    n = next(state.view_counter)
    view_id = view_id or f"V{n:010d}"
    view.update(
        {
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{n:08d}",
            "root_view_id": view_id,
            "previous_view_id": None,
        }
    )
    view.setdefault("type", "home" if method == "views.publish" else "modal")
    view.setdefault("blocks", [])
    view.setdefault("private_metadata", "")
    view.setdefault("callback_id", "")
    view.setdefault("external_id", args.get("external_id", ""))
    return {"ok": True, "view": view}


def _default_result(state: _State, method: str, args: dict[str, Any]) -> dict[str, Any]:
    """Plausible successful Slack result for ``method``."""
    if method == "auth.test":
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "oncall-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }
    if method in _CHANNEL_METHODS:
        with state.lock:
            return _CHANNEL_METHODS[method](state, args)
    if method == "chat.postMessage":
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = _next_ts(state)
        with state.lock:
            kept = state.channels.get(str(channel))
            if kept is not None:
                kept.messages.append(ts)
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "ts": ts,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return {"ok": True, "channel": channel, "ts": ts, "message": message}
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": _next_ts(state)}
    if method == "chat.update":
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": args.get("ts"),
            "text": args.get("text", ""),
            "message": {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
            },
        }
    if method == "chat.delete":
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
    if method in ("views.open", "views.update", "views.push", "views.publish"):
        return _view_result(state, method, args)
    if method == "conversations.open":
        channel_id = args.get("channel") or "D" + _first_user(args.get("users"))
        return {"ok": True, "channel": {"id": channel_id}}
    if method == "usergroups.users.update":
        users = _user_list(args.get("users"))
        return {
            "ok": True,
            "usergroup": {
                "id": args.get("usergroup"),
                "team_id": TEAM_ID,
                "is_usergroup": True,
                "users": users,
                "user_count": len(users),
            },
        }
    if method == "users.info":
        user_id = str(args.get("user", ""))
        name = f"user_{user_id.lower()}"
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": False,
                "tz": "America/New_York",
                "tz_label": "Eastern Standard Time",
                "tz_offset": -18000,
                "profile": {"real_name": name, "display_name": name},
            },
        }
    return {"ok": True}


# ---------------------------------------------------------------------- channels
# What Slack answers the channel methods (docs.slack.dev/reference/methods/...), on the
# channels the fake keeps; a channel it does not keep (the team's channel, a DM) is
# answered ok, as before, since the fake cannot know its members. Called holding the lock.


def _new_channel(state: _State, name: str, creator: str, is_private: bool) -> Channel:
    channel_id = f"C9{next(state.channel_counter):09d}"
    channel = Channel(channel_id, name, creator, is_private, members=[creator])
    state.channels[channel_id] = channel
    return channel


def _create(state: _State, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", ""))
    if any(c.name == name for c in state.channels.values()):
        return {"ok": False, "error": "name_taken"}
    private = str(args.get("is_private", "")).lower() in ("1", "true")
    return {"ok": True, "channel": _new_channel(state, name, BOT_USER_ID, private).info()}


def _kept(state: _State, args: dict[str, Any]) -> tuple[Channel | None, dict[str, Any] | None]:
    """(the kept channel, None), or (None, the error when the bot may not act in it)."""
    channel = state.channels.get(str(args.get("channel", "")))
    if channel is not None and BOT_USER_ID not in channel.members:
        return None, {"ok": False, "error": "not_in_channel"}
    return channel, None


def _set_topic(state: _State, args: dict[str, Any]) -> dict[str, Any]:
    channel, error = _kept(state, args)
    if error:
        return error
    if channel is None:
        return {"ok": True, "channel": {"id": args.get("channel")}}
    channel.topic = str(args.get("topic", ""))
    return {"ok": True, "channel": channel.info()}


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def _invite(state: _State, args: dict[str, Any]) -> dict[str, Any]:
    channel, error = _kept(state, args)
    if error:
        return error
    users = _user_list(args.get("users"))
    if not users:
        return {"ok": False, "error": "no_user"}
    force = str(args.get("force", "")).lower() in ("1", "true")
    errors: list[dict[str, Any]] = []
    for user in users:
        problem: str | None
        if user == BOT_USER_ID:
            problem = "cant_invite_self"
        elif not _USER_ID.fullmatch(user):
            problem = "user_not_found"
        else:
            problem = state.restricted_users.get(user)
            if problem is None and channel is not None and user in channel.members:
                problem = "already_in_channel"
        if problem:
            errors.append({"user": user, "ok": False, "error": problem})
    if errors and not force:  # nobody is invited when one invite fails
        return {"ok": False, "error": errors[0]["error"], "errors": errors}
    failed = {e["user"] for e in errors}
    if channel is None:
        return {"ok": True, "channel": {"id": args.get("channel")}}
    channel.members.extend(u for u in users if u not in failed and u not in channel.members)
    result: dict[str, Any] = {"ok": True, "channel": channel.info()}
    if errors:
        result["errors"] = errors
    return result


def _join(state: _State, args: dict[str, Any]) -> dict[str, Any]:
    channel = state.channels.get(str(args.get("channel", "")))
    if channel is None:
        return {"ok": True, "channel": {"id": args.get("channel")}}
    if channel.is_private and BOT_USER_ID not in channel.members:
        return {"ok": False, "error": "method_not_supported_for_channel_type"}
    if BOT_USER_ID not in channel.members:
        channel.members.append(BOT_USER_ID)
    return {"ok": True, "channel": channel.info()}


def _pin(state: _State, args: dict[str, Any]) -> dict[str, Any]:
    channel, error = _kept(state, args)
    if error:
        return error
    ts = str(args.get("timestamp", ""))
    if not ts:
        return {"ok": False, "error": "no_item_specified"}
    if channel is None:
        return {"ok": True}
    if ts not in channel.messages:
        return {"ok": False, "error": "message_not_found"}
    if ts in channel.pins:
        return {"ok": False, "error": "already_pinned"}
    channel.pins.append(ts)
    return {"ok": True}


_CHANNEL_METHODS: dict[str, Callable[[_State, dict[str, Any]], dict[str, Any]]] = {
    "conversations.create": _create,
    "conversations.setTopic": _set_topic,
    "conversations.invite": _invite,
    "conversations.join": _join,
    "pins.add": _pin,
}


# ---------------------------------------------------------------------- HTTP handler


class _Handler(BaseHTTPRequestHandler):
    """Routes /api/<method> and /hooks/<name>; all state lives on ``server.fake_state``."""

    server_version = "FakeSlack/1.0"
    # Keep-alive, as Slack allows: a client may send many calls on one connection (every
    # answer has a Content-Length; a client that says "Connection: close" gets it closed).
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> _State:
        return self.server.fake_state  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence per-request stderr logging; tests assert on recorded calls instead."""

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        content_type = self.headers.get("Content-Type", "")

        if split.path.startswith("/api/"):
            method = split.path[len("/api/") :]
            try:
                args = _parse_args(body, content_type, split.query)
            except ValueError as exc:
                args = {"_raw": body.decode("utf-8", "replace"), "_parse_error": str(exc)}
            self._api(method, args, headers)
        elif split.path.startswith("/hooks/"):
            try:
                parsed = json.loads(body.decode("utf-8")) if body else {}
            except ValueError:
                parsed = {"_raw": body.decode("utf-8", "replace")}
            args = dict(parsed) if isinstance(parsed, dict) else {"_json": parsed}
            args["_path"] = split.path
            self._response_url(args, headers)
        else:
            self._send(404, b"not found", "text/plain")

    # -- routes

    def _api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> None:
        self._pause(method)
        call = Call(method, args, headers, time.monotonic())
        if self._apply_fault(call):
            return
        if not self._authed(args):
            self._record(call)
            self._send_json({"ok": False, "error": "not_authed"})
            return
        if _judge(call):
            self._record(call)
            self._send_json(
                {
                    "ok": False,
                    "error": call.refused,
                    "errors": call.problems,
                    "response_metadata": {"messages": call.problems},
                }
            )
            return
        override = self._take_override(method)
        if override is not None:
            payload = override(call) if callable(override) else override
            result = dict(payload)
        else:
            result = _default_result(self.state, method, args)
        call.result = result
        self._record(call)
        self._send_json(result)

    def _response_url(self, args: dict[str, Any], headers: dict[str, str]) -> None:
        self._pause(RESPONSE_URL)
        call = Call(RESPONSE_URL, args, headers, time.monotonic())
        if self._apply_fault(call):
            return
        _judge(call)
        self._record(call)
        if call.refused:  # what Slack answers a response_url post it cannot show
            self._send(400, str(call.refused).encode(), "text/plain")
            return
        self._send(200, b"ok", "text/html")

    # -- helpers

    def _authed(self, args: dict[str, Any]) -> bool:
        auth = self.headers.get("Authorization", "")
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() in ("bearer", "basic") and credential.strip():
            return True
        return bool(args.get("token"))

    def _record(self, call: Call) -> None:
        _record(self.state, call)

    def _pause(self, method: str) -> None:
        with self.state.lock:
            seconds = self.state.delays.get(method, 0.0) + self.state.rtt
        if seconds > 0:
            time.sleep(seconds)  # the slow Slack being simulated, not a test's wait

    def _take_fault(self, method: str) -> _Fault | None:
        with self.state.lock:
            queue = self.state.faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    def _take_override(self, method: str) -> Payload | None:
        with self.state.lock:
            queue = self.state.overrides.get(method)
            if not queue:
                return self.state.standing.get(method)
            override = queue[0]
            override.remaining -= 1
            if override.remaining <= 0:
                queue.popleft()
            return override.payload

    def _apply_fault(self, call: Call) -> bool:
        """Answer with an injected failure if one is queued; True when handled."""
        fault = self._take_fault(call.method)
        if fault is None:
            return False
        call.failed = True
        call.status = fault.status
        self._record(call)
        if fault.drop:
            # Body already read: closing now gives the client a clean "no response" EOF.
            self.close_connection = True
            return True
        status = int(fault.status or 500)
        extra: dict[str, str] = {}
        if status == 429 and fault.retry_after is not None:
            extra["Retry-After"] = str(int(fault.retry_after))
        body = fault.body
        if body is None:
            error = "ratelimited" if status == 429 else "fatal_error"
            body = {"ok": False, "error": error}
        if isinstance(body, Mapping):
            self._send(status, json.dumps(body).encode(), "application/json", extra)
        else:
            raw = body.encode() if isinstance(body, str) else bytes(body)
            self._send(status, raw, "text/plain", extra)
        return True

    def _send_json(self, payload: Mapping[str, Any]) -> None:
        self._send(200, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
