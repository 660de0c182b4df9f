"""Build and send signed requests exactly as Slack delivers them to the app's endpoint.

Pure helpers (the only app import is the playground's `sign`) so tests drive the real
HTTP adapter, request verification and Bolt routing: slash commands (form fields),
interactions (``payload=<json>`` form) and Events API envelopes (JSON), each signed
with the v0 signing-secret scheme.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from bot.playground.interactions import sign  # Slack's v0 request signing, one definition

__all__ = [
    "API_APP_ID",
    "FORM",
    "JSON",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "app_home_opened_event",
    "block_actions_body",
    "event_body",
    "post",
    "post_command",
    "post_event",
    "post_interaction",
    "sign",
    "slash_command_body",
    "view_submission_body",
]

TEAM_ID = "T0000000001"
TEAM_DOMAIN = "oncall-test"
API_APP_ID = "A0000000001"
#: Legacy verification token Slack still includes; apps must not rely on it.
VERIFICATION_TOKEN = "legacy-verification-token"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0000000001/1/abc"
DEFAULT_TRIGGER_ID = "123.456.abc"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# ---------------------------------------------------------------------- signing


# ---------------------------------------------------------------------- bodies


def _action_ts() -> str:
    return f"{time.time():.6f}"


def slash_command_body(
    command: str = "/oncall",
    text: str = "",
    user_id: str = "U0000000001",
    user_name: str = "john",
    channel_id: str = "C0000000001",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = DEFAULT_TRIGGER_ID,
) -> bytes:
    """Form-encoded slash-command body with every field Slack documents (non-Grid)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields).encode()


def _payload_form(payload: Mapping[str, Any]) -> bytes:
    """Interactions arrive as a form with one ``payload`` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def block_actions_body(
    action_id: str,
    value: str | None,
    user_id: str,
    *,
    block_id: str = "b",
    container: Mapping[str, Any] | None = None,
    channel_id: str | None = None,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    user_name: str = "john",
    team_id: str = TEAM_ID,
    action_type: str = "button",
    action_fields: Mapping[str, Any] | None = None,
    state_values: Mapping[str, Any] | None = None,
) -> bytes:
    """A ``block_actions`` interaction for one clicked element (a button by default).

    ``container`` defaults to the view (when ``view`` is given) or to the message in
    ``channel_id``. ``action_fields`` merges extra keys into the action (e.g.
    ``selected_option`` for a static_select, with ``value=None``).
    """
    if container is None:
        if view is not None:
            container = {"type": "view", "view_id": view.get("id", "V1")}
        else:
            container = {
                "type": "message",
                "message_ts": (message or {}).get("ts", "1700000000.000100"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": _action_ts(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    action.update(action_fields or {})

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": dict(container),
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": "general"}
    if message is not None:
        payload["message"] = dict(message)
    if view is not None:
        payload["view"] = dict(view)
    if state_values is not None:
        payload["state"] = {"values": dict(state_values)}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return _payload_form(payload)


def view_submission_body(
    callback_id: str,
    state_values: Mapping[str, Any],
    user_id: str,
    *,
    private_metadata: str = "",
    view_id: str = "V1",
    hash: str = "h1",  # noqa: A002 - Slack's field name
    user_name: str = "john",
    team_id: str = TEAM_ID,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    response_urls: list[dict[str, str]] | None = None,
) -> bytes:
    """A ``view_submission`` interaction for a modal with the given ``state.values``.

    ``state_values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}`` as Slack
    sends it.
    """
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": dict(state_values)},
        "hash": hash,
        "title": {"type": "plain_text", "text": "On-call", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "BBOT",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": list(response_urls or []),
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_form(payload)


def event_body(
    event: Mapping[str, Any],
    *,
    team_id: str = TEAM_ID,
    event_id: str = "Ev1",
    bot_user_id: str = "UBOT",
) -> bytes:
    """JSON ``event_callback`` envelope (Events API) wrapping ``event``."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }
    return json.dumps(envelope).encode()


def app_home_opened_event(user_id: str, tab: str = "home") -> dict[str, Any]:
    """The inner ``app_home_opened`` event (wrap with :func:`event_body`)."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id,
        "tab": tab,
        "event_ts": _action_ts(),
    }


# ---------------------------------------------------------------------- sending


def post(
    url: str,
    body: bytes,
    secret: str,
    content_type: str,
    *,
    timestamp: int | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """POST a signed body; returns (status, headers, body) without raising on 4xx/5xx.

    ``headers`` are applied last, so tests can override or corrupt the signature.
    """
    all_headers = {"Content-Type": content_type, **sign(secret, body, timestamp)}
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers.items()), err.read()


def _events_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/slack/events"


def post_command(base_url: str, secret: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
    """Send a slash command; ``kw`` goes to :func:`slash_command_body`."""
    return post(_events_url(base_url), slash_command_body(**kw), secret, FORM)


def post_interaction(base_url: str, secret: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a body from :func:`block_actions_body` / :func:`view_submission_body`."""
    return post(_events_url(base_url), body, secret, FORM)


def post_event(base_url: str, secret: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a body from :func:`event_body`."""
    return post(_events_url(base_url), body, secret, JSON)
