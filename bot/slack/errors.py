"""The app's last line of defence: an exception no listener caught.

Bolt's default answers such a request with HTTP 500 (Slack then shows the person a
red error, and redelivers events), and says nothing to the person. Here instead:

- Slack always gets a 200 for a verified request, with an answer that shows the
  person a clear message when Slack lets the acknowledgement carry one (a slash
  command's ephemeral text, a modal replaced by a notice);
- when the acknowledgement cannot carry it (a button, or the listener had already
  acknowledged), the person is told through the usual channels (response_url, an
  ephemeral message, a DM), never with a traceback or an exception's name;
- the log gets the whole traceback (through the redacting handler of `oncall run`);
- an unverified request still gets 401, and no message goes anywhere for it.

`never_raises` also keeps a listener that starts too late from doing anything: Bolt
waits 3 seconds for ack() and then tries the next matching listener (the catch-all),
so a listener whose request waited LATE_SECONDS for a thread answers "busy, nothing
changed" (while Slack may still take it) and applies nothing: a request that was not
acknowledged is not applied, and nobody is told both "done" and "out of date".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.slack.common import SERVICE_KEY, text_field
from bot.slack.interaction import Interaction
from bot.slack.middleware import (
    DELIVERY_KEY,
    RECEIVED_AT_KEY,
    answer_busy,
    answer_without_effect,
    notice_view,
)
from bot.slack.mrkdwn import md
from bot.slack.notifier import NOTIFIER_KEY

log = logging.getLogger("bot.slack")

FAILED = md(":x: Something went wrong on our side; nothing was changed. Try again.")
NOT_A_MEMBER = "Only members of the on-call team can do that."

# Nothing had been acknowledged: our listeners acknowledge before any change, or
# right after a change that could not then fail, so nothing was changed.
BEFORE_ACK = FAILED
# The listener had acknowledged, and may have changed something before it failed.
AFTER_ACK = md(
    ":x: Something went wrong on our side while doing that. Check `/oncall me` to see "
    "what was done before you try again."
)
# Bolt gives up on an acknowledgement after 3 s. A listener that starts later than this
# (all listener threads were busy) does nothing: a view submission still validates and
# stores before its ack, within the database's bounded wait (middleware.py).
LATE_SECONDS = 1.5
_LATE_ANSWERED = "oncall_late_answered"


def signature_ok(secret: str | None, raw_body: str | bytes, headers: Mapping[str, Any]) -> bool:
    """Slack's v0 signature check, over the raw bytes (any encoding), that never raises:
    a missing or non-numeric timestamp, or one over five minutes off, is just invalid."""
    if not secret:
        return False

    def one(name: str) -> str | None:
        value = headers.get(name)
        if isinstance(value, Sequence) and not isinstance(value, str):
            value = value[0] if value else None
        return value if isinstance(value, str) else None

    timestamp = one("x-slack-request-timestamp")
    signature = one("x-slack-signature")
    if not timestamp or not signature:
        return False
    timestamp = timestamp.strip()
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(time.time() - int(timestamp)) > 5 * 60:
        return False
    body = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _kind(body: dict[str, Any]) -> str:
    if "command" in body and "type" not in body:
        return "command"
    return text_field(body, "type") or "unknown"


_TOLD_BESIDE = ("block_actions", "interactive_message", "view_submission")


def tell(request: BoltRequest, text: str) -> None:
    """Tell the person behind a verified request `text`; never raises."""
    body = request.body if isinstance(request.body, dict) else {}
    context = request.context
    service = context.get(SERVICE_KEY)
    kind = _kind(body)
    try:
        if kind == "command" and context.response_url:
            context.respond(text=text, response_type="ephemeral")
        elif kind in _TOLD_BESIDE and service is not None:
            # A click: beside the message clicked. A form (closed by now): in a DM.
            notifier = context.get(NOTIFIER_KEY)
            Interaction(body, context.client, context.respond, log, service, notifier).tell(text)
        # Events and the rest: nobody asked, so nobody is told; the log has it.
    except Exception:
        log.exception("could not tell the person about an error")


def never_raises(func: Callable[..., Any]) -> Callable[..., None]:
    """`func` as a Bolt listener that lets no exception escape.

    Bolt's runner, when a listener raises right after ack(), can overwrite that ack
    with a 500 or lose it (a race with the thread waiting for it), and tells nobody.
    Here the exception is logged and the person answered: in the acknowledgement if
    there was none yet, else through the usual channels.
    """
    names = get_arg_names_of_callable(func)

    def listener(request: BoltRequest) -> None:
        if _too_late(request):
            return
        logger = request.context.logger or log
        kwargs = build_required_kwargs(
            logger=logger,
            required_arg_names=list(names),
            request=request,
            response=None,
            next_keys_required=False,
        )
        try:
            func(**kwargs)
        except Exception as error:
            log.error(
                "%s failed",
                getattr(func, "__name__", "a listener"),
                exc_info=(type(error), error, error.__traceback__),
            )
            answer_failure(request)
        _forget_if_refused(request)

    listener.__name__ = getattr(func, "__name__", "listener")
    listener.__qualname__ = getattr(func, "__qualname__", listener.__name__)
    listener.__doc__ = func.__doc__
    return listener


def _too_late(request: BoltRequest) -> bool:
    """True (and the request answered "busy", once) when it waited too long for a
    listener thread to be handled: see LATE_SECONDS."""
    received = request.context.get(RECEIVED_AT_KEY)
    if received is None or time.monotonic() - received <= LATE_SECONDS:
        return False
    ack = request.context.ack
    if ack.response is None:
        # Bolt's own runner sets ack.response this way; a listener's ack() would too.
        first = not request.context.get(_LATE_ANSWERED)
        request.context[_LATE_ANSWERED] = True
        ack.response = answer_busy(request) if first else BoltResponse(status=200, body="")
        log.warning(
            "a Slack %s waited %.1f s for a listener thread; answered 'busy', nothing done",
            _kind(request.body if isinstance(request.body, dict) else {})[:40],
            time.monotonic() - received,
        )
        _forget_delivery(request)
    return True


def _forget_if_refused(request: BoltRequest) -> None:
    """A modal answered with inline errors changed nothing: forget its delivery key, so
    the person can send it again (see middleware.py, RetryDeduplication)."""
    response = request.context.ack.response
    if response is None or not isinstance(response.body, str):
        return
    try:
        refused = json.loads(response.body or "{}").get("response_action") == "errors"
    except (ValueError, AttributeError):
        return
    if refused:
        _forget_delivery(request)


def _forget_delivery(request: BoltRequest) -> None:
    """Forget the delivery key this request recorded: it had no effect."""
    key = request.context.get(DELIVERY_KEY)
    service = request.context.get(SERVICE_KEY)
    if key is None or service is None:
        return
    try:
        service.store.forget_delivery(key)
    except Exception as e:
        log.warning("could not forget a delivery without effect (%s)", type(e).__name__)


def answer_failure(request: BoltRequest) -> None:
    """After a listener failed: acknowledge if it had not, and tell the person."""
    body = request.body if isinstance(request.body, dict) else {}
    ack = request.context.ack
    if ack.response is not None:
        tell(request, AFTER_ACK)
        return
    kind = _kind(body)
    _forget_delivery(request)  # nothing was changed: the same request may come again
    try:
        if kind == "command":
            ack(text=BEFORE_ACK, response_type="ephemeral")
        elif kind == "view_submission":
            ack(response_action="update", view=notice_view(BEFORE_ACK))
        else:
            ack()
            tell(request, BEFORE_ACK)
    except Exception:
        log.exception("could not answer after a failure")


def make_error_handler(
    signing_secret: str | None, verify: bool = True
) -> Callable[..., BoltResponse | None]:
    def handle_error(
        error: Exception, request: BoltRequest, response: BoltResponse | None
    ) -> BoltResponse | None:
        body = request.body if isinstance(request.body, dict) else {}
        kind = _kind(body)
        log.error(
            "unhandled error while handling a Slack %s request",
            kind[:40],
            exc_info=(type(error), error, error.__traceback__),
        )
        verified = (
            not verify
            or SERVICE_KEY in request.context
            or signature_ok(signing_secret, request.raw_body, request.headers)
        )
        if not verified:
            return BoltResponse(status=401, body="") if response is not None else None
        ack = request.context.get("ack")
        acked = response is None or (ack is not None and ack.response is not None)
        if acked:
            # Slack has its answer: the person hears it the usual ways.
            tell(request, AFTER_ACK)
            return None
        if kind in ("command", "view_submission"):
            return answer_without_effect(body, BEFORE_ACK)
        if kind in ("block_actions", "interactive_message"):
            # The acknowledgement of a click carries no text: say it beside, after it.
            threading.Thread(
                target=tell, args=(request, BEFORE_ACK), name="tell-error", daemon=True
            ).start()
        return BoltResponse(status=200, body="")

    return handle_error
