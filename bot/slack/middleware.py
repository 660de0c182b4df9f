"""Global middleware, run on every verified request before any listener.

In order (bot/slack/app.py registers them after Bolt's own signature check):

1. `InjectService`: hands every listener the service (`context[SERVICE_KEY]`), the
   App Home publisher (`context[HOMES_KEY]`) and when the request arrived
   (`context[RECEIVED_AT_KEY]`: a listener that starts too late to be acknowledged
   does nothing, see bot/slack/errors.py `never_raises`).
2. `WellFormed`: a payload without the fields Bolt routes on (a type, an action id,
   a callback id, an event type, a user) is answered 400 and goes no further, so no
   listener and no matcher ever sees a shape Slack does not send.
3. `SameWorkspace`: a request from another workspace than the bot token's is
   answered and stops: its users are not the team's, whatever their ids say.
4. `RetryDeduplication`: Slack delivers an event or an interaction again when it got
   no acknowledgement within 3 seconds; such a retry has no second effect. A modal
   submission has effect at most once, retried or replayed.

Which repeats are dropped: every delivery with an effect records its key (a slash
command, which Slack never retries, and a Home open, whose only effect is a fresh
Home, do not: see `delivery_key`). A delivery that carries Slack's `X-Slack-Retry-Num`
header whose key is already recorded is acknowledged and dropped. A *click* without
the header is always handled, even when its key was seen: an unmarked repeat is a
person clicking again, and the rules make that harmless ("this request was already
accepted"). A *modal submission* whose key (the view's id and hash, which change
whenever the view does, and what was typed) is recorded is dropped with or without
the header: a signed body replayed within Slack's five minutes must not file a
request again. A submission
answered with inline errors had no effect, so its key is forgotten (errors.py) and the
person can send the same form again (a corrected one has another key).

The record is a database write before the acknowledgement, so it waits at most
RECORD_WAIT_SECONDS for the write lock; when another writer holds it longer, the
request is answered "busy, nothing changed" (BUSY) and no listener runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.models.views import View

from bot.service import OnCallService
from bot.slack.blocks.kit import plain, section
from bot.slack.common import HOMES_KEY, SERVICE_KEY, field, text_field, user_id_of
from bot.slack.home import HomePublisher
from bot.slack.interaction import Interaction
from bot.slack.mrkdwn import Mrkdwn, md
from bot.slack.notifier import NOTIFIER_KEY
from bot.storage.store import Busy, Store

log = logging.getLogger("bot.slack")

KEEP_DELIVERIES = timedelta(days=1)  # Slack retries within minutes; a day is plenty
PRUNE_EVERY_SECONDS = 600.0
MAX_KEY = 200  # the stored delivery key's length
IDEMPOTENT_EVENTS = frozenset({"app_home_opened"})
RECORD_WAIT_SECONDS = 1.0  # for the write lock, before an acknowledgement due within 3 s
RECEIVED_AT_KEY = "oncall_received_at"  # time.monotonic() when the request arrived
DELIVERY_KEY = "oncall_delivery_key"  # the key recorded for this request, if new

Next = Callable[[], Any]

OTHER_WORKSPACE = md("This on-call bot serves only the workspace it is installed in.")
OTHER_APP = md("This form belongs to another app; nothing was done.")
BUSY = md(
    ":hourglass: The on-call bot is busy right now; nothing was changed. Try again in a moment."
)


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name) or [None]
    return values[0]


def notice_view(text: Mrkdwn, title: str = "On-call") -> dict[str, Any]:
    """A modal that only says `text`: what a view submission is answered with when the
    form cannot be handled (`response_action: update`)."""
    view = View(
        type="modal",
        title=plain(title, 24),
        close=plain("Close", 24),
        blocks=[section(text)],
    )
    return view.to_dict()


def json_response(payload: dict[str, Any], status: int = 200) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def answer_without_effect(body: dict[str, Any], text: Mrkdwn | None) -> BoltResponse:
    """The acknowledgement for a request that is stopped: a command and a modal show
    `text` (when given) to the person; anything else gets a plain 200."""
    if text and "command" in body and "type" not in body:
        return json_response({"response_type": "ephemeral", "text": text})
    if text and body.get("type") == "view_submission":
        return json_response({"response_action": "update", "view": notice_view(text)})
    return BoltResponse(status=200, body="")


# --- 1. the service -------------------------------------------------------------------


class InjectService(Middleware):
    def __init__(self, service: OnCallService, homes: HomePublisher) -> None:
        self.service = service
        self.homes = homes

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        req.context[RECEIVED_AT_KEY] = time.monotonic()
        req.context[SERVICE_KEY] = self.service
        req.context[HOMES_KEY] = self.homes
        next()
        return resp


# --- 2. the shape Bolt routes on ----------------------------------------------------------


_INTERACTIONS = (
    "block_actions",
    "interactive_message",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
)
_CALLBACK_TYPES = (
    "interactive_message",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "shortcut",
    "message_action",
    "workflow_step_edit",
)


def _id_holder(value: object) -> bool:
    """`team`, `user`, `channel`, `enterprise`: absent, an id, or an object whose id is text."""
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, dict) and isinstance(value.get("id", ""), str | None)


def shape_problem(body: object) -> str | None:
    """What keeps a payload from being routed, or None when Slack could have sent it.

    Bolt's routing and context reading index into these fields without checking them
    (an `event` that is not an object, an empty `actions`, a `view` without a
    `callback_id`), so a payload that fails here never reaches Bolt.
    """
    if not isinstance(body, dict):
        return "not an object"
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "a type that is not text"
    for name in ("team", "user", "channel", "enterprise"):
        if not _id_holder(body.get(name)):
            return f"a malformed {name}"
    authorizations = body.get("authorizations")
    if authorizations is not None and (
        not isinstance(authorizations, list)
        or not all(isinstance(a, dict) and _id_holder(a.get("team_id")) for a in authorizations)
    ):
        return "malformed authorizations"
    if "event" in body and not isinstance(body["event"], dict):
        return "an event that is not an object"
    if "response_url" in body and not isinstance(body["response_url"], str):
        return "a response_url that is not text"
    urls = body.get("response_urls")
    if urls is not None and (
        not isinstance(urls, list)
        or not all(isinstance(u, dict) and isinstance(u.get("response_url", ""), str) for u in urls)
    ):
        return "malformed response_urls"
    for name in ("message", "previous_message", "item", "assistant_thread", "function_data"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"a {name} that is not an object"
    if kind is None:
        if "command" in body and not text_field(body, "command").startswith("/"):
            return "a slash command without a command"
        return None
    if kind == "event_callback":
        if not isinstance(field(body, "event", "type"), str):
            return "an event without a type"
        return None
    if kind in _INTERACTIONS and not isinstance(field(body, "user", "id"), str):
        return f"a {kind[:40]} payload without a user"
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return f"{kind} without actions"
        for action in actions:
            if not isinstance(action, dict):
                return "an action that is not an object"
            if kind == "block_actions" and not isinstance(action.get("action_id"), str):
                return "an action without an action_id"
            for name in ("block_id", "value", "action_ts"):
                if not isinstance(action.get(name, ""), str):
                    return f"an action with a {name} that is not text"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"a {kind} without a view callback_id"
        if not isinstance(view.get("type"), str):
            return "a view without a type"
        if not isinstance(view.get("app_installed_team_id", ""), str | None):
            return "a view with a malformed app_installed_team_id"
    if kind in _CALLBACK_TYPES and not isinstance(body.get("callback_id"), str):
        return f"a {kind} without a callback_id"
    if kind == "block_suggestion" and not isinstance(body.get("action_id"), str):
        return "a block_suggestion without an action_id"
    return None


class WellFormed(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        problem = shape_problem(req.body)
        if problem is not None:
            log.warning("refused a malformed Slack payload: %s", problem)
            return BoltResponse(status=400, body="malformed Slack payload")
        next()
        return resp


# --- 3. one workspace ----------------------------------------------------------------------


class SameWorkspace(Middleware):
    """Refuses a request from another workspace than the bot token's (an org-wide
    Enterprise Grid install, same enterprise, passes), and a modal of another app."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        ours = req.context.authorize_result
        theirs = req.context.team_id
        same_org = bool(req.context.enterprise_id) and (
            ours is not None and req.context.enterprise_id == ours.enterprise_id
        )
        foreign = (
            ours is not None
            and bool(ours.team_id)
            and bool(theirs)
            and theirs != ours.team_id
            and not same_org
        )
        if foreign:
            log.warning(
                "ignored a request from workspace %s (the bot serves %s)",
                str(theirs)[:40],
                ours.team_id,
            )
            return answer_without_effect(req.body, OTHER_WORKSPACE)
        app_id, view_app = (
            text_field(req.body, "api_app_id"),
            text_field(req.body, "view", "app_id"),
        )
        if app_id and view_app and app_id != view_app:
            log.warning("ignored a view of another app (%s)", view_app[:40])
            return answer_without_effect(req.body, OTHER_APP)
        next()
        return resp


# --- 4. Slack's retries -----------------------------------------------------------------------


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery across Slack's retries; None when nothing does.

    Events: `event_id`. Buttons: the user, the action and its `action_ts` (unique per
    click). Modals: the user, the view id, its hash (a view's version) and a digest of
    the whole view as submitted (the values typed). Shortcuts:
    `trigger_id`. Not recorded, which keeps a database write off their
    acknowledgement: slash commands, which Slack does not retry (a command that times
    out shows the person an error instead), and events whose only effect is a fresh
    view (IDEMPOTENT_EVENTS: a retried Home open asks for one more refresh, which the
    Home publisher coalesces with the first).
    """
    kind = text_field(body, "type")
    user = user_id_of(body)
    if kind == "event_callback" and text_field(body, "event", "type") in IDEMPOTENT_EVENTS:
        return None
    if kind == "event_callback":
        parts = ["event", text_field(body, "event_id")]
    elif kind in ("block_actions", "interactive_message"):
        action = field(body, "actions", 0)
        parts = [
            "action",
            user,
            text_field(action, "action_id") or text_field(body, "callback_id"),
            text_field(action, "action_ts") or text_field(body, "action_ts"),
        ]
    elif kind in ("view_submission", "view_closed"):
        # And the rest of the view (what was typed, its metadata): the same view may be
        # sent again with other values after inline errors, which is a new submission;
        # a replayed body is the same one.
        view = json.dumps(field(body, "view"), sort_keys=True, default=str)
        digest = hashlib.sha256(view.encode()).hexdigest()[:16]
        view_id, version = text_field(body, "view", "id"), text_field(body, "view", "hash")
        parts = [kind, user, view_id, version, digest if view_id and version else ""]
    elif "command" in body and not kind:
        return None
    elif kind in ("shortcut", "message_action"):
        parts = [kind, text_field(body, "trigger_id")]
    else:
        return None  # options requests answer with data; url checks have no effect
    if not parts[-1]:
        return None
    key = ":".join(parts)
    if len(key) > MAX_KEY:
        key = f"{parts[0]}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


class RetryDeduplication(Middleware):
    def __init__(self, keep: timedelta = KEEP_DELIVERIES) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        key = delivery_key(req.body)
        service: OnCallService | None = req.context.get(SERVICE_KEY)
        if key is None or service is None:
            next()
            return resp
        try:
            first = self.record(service.store, key, service)
        except Busy as e:
            log.warning("answered a Slack %s 'busy': %s", key.split(":", 1)[0], e)
            return answer_busy(req)
        retry = _header(req, "x-slack-retry-num")
        submission = text_field(req.body, "type") == "view_submission"
        if first is False and (retry is not None or submission):
            what = f"Slack's retry {retry[:8]}" if retry is not None else "a repeat"
            log.info("ignored %s of %s: already handled", what, key.split(":", 1)[0])
            return BoltResponse(status=200, body="")
        if first:
            req.context[DELIVERY_KEY] = key
        next()
        return resp

    def record(self, store: Store, key: str, service: OnCallService) -> bool | None:
        """True when `key` is new (now recorded), False when it was seen, None when the
        database could not tell (the delivery is then handled: better twice than never).
        Raises Busy when the write lock stayed held for RECORD_WAIT_SECONDS."""
        now = service.now()
        try:
            prune_before = now - self.keep if self._prune_due() else None
            return store.record_delivery(key, now, prune_before, wait=RECORD_WAIT_SECONDS)
        except Busy:
            raise
        except Exception as e:
            log.warning(
                "could not record a Slack delivery (%s); handling it anyway", type(e).__name__
            )
            return None

    def _prune_due(self) -> bool:
        """At most once every PRUNE_EVERY_SECONDS per process: old keys are only clutter."""
        with self._lock:
            now = time.monotonic()
            if now < self._next_prune:
                return False
            self._next_prune = now + PRUNE_EVERY_SECONDS
            return True


def answer_busy(req: BoltRequest) -> BoltResponse:
    """The acknowledgement of a request that was not handled because the bot is busy:
    a command and a modal say so in it; a clicker is told beside the message (later,
    on the follow-up threads). Nothing was changed."""
    body = req.body if isinstance(req.body, dict) else {}
    service = req.context.get(SERVICE_KEY)
    notifier = req.context.get(NOTIFIER_KEY)
    if text_field(body, "type") in ("block_actions", "interactive_message") and service:
        client, respond = req.context.client, req.context.respond
        Interaction(body, client, respond, log, service, notifier).tell(BUSY)
    return answer_without_effect(body, BUSY)
