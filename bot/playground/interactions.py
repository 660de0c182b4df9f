"""What a person does in the playground, delivered to the app as Slack delivers it.

A slash command (form fields), a click (`block_actions`), a modal submission
(`view_submission`) or opening the App Home (`app_home_opened`) is built from what the
workspace shows, signed with the playground's signing secret (Slack's v0 scheme) and
posted to the app's /slack/events. What the app answers is then handled as Slack
handles it: a command's acknowledgement is shown to its person, a submission's
`response_action` errors appear under the modal's fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.playground.fakeslack import APP_ID, BOT_USER_ID, TEAM_ID, view_problems
from bot.playground.workspace import Hook, Workspace

TEAM = {"id": TEAM_ID, "domain": "playground"}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request-signing headers: HMAC-SHA256 of `v0:<ts>:<body>`. The timestamp
    is the real time: Bolt refuses a request signed more than five minutes ago. Over raw
    bytes (slack_sdk's generate_signature decodes them as UTF-8 first), so the tests can
    sign the bodies Slack never sends."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest.hexdigest()}"}


_MENTION = re.compile(r"(?<![\w<|])([@#])([\w.-]*\w)")


def escape_mentions(text: str, people: dict[str, str], channels: dict[str, str]) -> str:
    """A command's text as Slack sends it with `should_escape` (the manifest's setting):
    `@name` of someone in the workspace becomes `<@U…|name>`, `#name` of a channel
    `<#C…|name>`; anything else stays as typed."""
    users = {name.lower(): uid for uid, name in people.items()}
    rooms = {name.lower(): cid for cid, name in channels.items()}

    def one(m: re.Match[str]) -> str:
        sigil, name = m.group(1), m.group(2)
        found = (users if sigil == "@" else rooms).get(name.lower())
        return f"<{sigil}{found}|{name}>" if found else m.group(0)

    return _MENTION.sub(one, text)


@dataclass
class Reply:
    status: int
    body: Any


@dataclass
class Person:
    """Acts as one person: their id and name are what Slack would put in each payload."""

    workspace: Workspace
    app_url: str  # the app's /slack/events
    secret: str
    user: str

    @property
    def name(self) -> str:
        return self.workspace.people.get(self.user, self.user)

    def _user(self) -> dict[str, str]:
        return {"id": self.user, "username": self.name, "name": self.name, "team_id": TEAM_ID}

    def _post(self, body: bytes, content_type: str) -> Reply:
        headers = {"Content-Type": content_type, **sign(self.secret, body)}
        request = urllib.request.Request(self.app_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as err:
            with err:
                raw, status = err.read(), err.code
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return Reply(status, parsed)

    def _interaction(self, payload: dict[str, Any]) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._post(body, "application/x-www-form-urlencoded")

    # ------------------------------------------------------------------ slash command

    def command(self, channel: str, text: str, command: str = "/oncall") -> Reply:
        ws = self.workspace
        ws.add_person_message(channel, self.user, f"{command} {text}".strip(), only_me=True)
        response_url = ws.new_hook(Hook(self.user, channel))
        fields = {
            "token": "playground",
            "team_id": TEAM_ID,
            "team_domain": TEAM["domain"],
            "channel_id": channel,
            "channel_name": ws.channels.get(channel, "directmessage"),
            "user_id": self.user,
            "user_name": self.name,
            "command": command,
            "text": escape_mentions(text, ws.people, ws.channels),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": ws.new_trigger(self.user),
        }
        reply = self._post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
        if reply.status == 200:
            # Slack shows an acknowledgement that carries a message to its person.
            ws.fake.show_acknowledgement(response_url, reply.body)
        else:
            self._failed(f'{command} failed with the error "dispatch_failed"', reply, channel)
        return reply

    # ------------------------------------------------------------------ clicks

    def click_in_message(
        self, channel: str, ts: str, action: dict[str, Any], state: dict[str, Any]
    ) -> Reply:
        ws = self.workspace
        message = ws.message(channel, ts)
        if message is None:
            return Reply(404, "that message is gone")
        ephemeral = message.get("only_for") is not None
        payload = self._block_actions(action)
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        payload["channel"] = {"id": channel, "name": ws.channels.get(channel, "directmessage")}
        if not ephemeral:
            payload["message"] = {
                "type": "message",
                "user": message.get("user", BOT_USER_ID),
                "ts": ts,
                "text": message.get("text", ""),
                "blocks": message.get("blocks", []),
            }
        payload["response_url"] = ws.new_hook(Hook(self.user, channel, ts))
        if state:
            payload["state"] = {"values": state}
        return self._report(self._interaction(payload), channel)

    def click_in_view(self, view_id: str, action: dict[str, Any], state: dict[str, Any]) -> Reply:
        view = self.workspace.view(self.user, view_id)
        if view is None:
            return Reply(404, "that view is gone")
        payload = self._block_actions(action)
        payload["container"] = {"type": "view", "view_id": view_id}
        payload["view"] = _with_state(view, state)
        return self._report(self._interaction(payload), None)

    def _block_actions(self, action: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": self._user(),
            "api_app_id": APP_ID,
            "token": "playground",
            "trigger_id": self.workspace.new_trigger(self.user),
            "team": TEAM,
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }

    # ------------------------------------------------------------------ modals

    def submit(self, view_id: str, state: dict[str, Any]) -> Reply:
        ws = self.workspace
        view = ws.view(self.user, view_id)
        if view is None:
            return Reply(404, "that view is gone")
        payload = {
            "type": "view_submission",
            "team": TEAM,
            "user": self._user(),
            "api_app_id": APP_ID,
            "token": "playground",
            "trigger_id": ws.new_trigger(self.user),
            "view": _with_state(view, state),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        reply = self._interaction(payload)
        if reply.status != 200:
            self._failed("the submission failed", reply, None)
            return reply
        answer = reply.body if isinstance(reply.body, dict) else {}
        action = answer.get("response_action")
        if action == "errors":
            ws.set_modal_errors(self.user, view_id, dict(answer.get("errors") or {}))
        elif action in ("update", "push"):
            new_view = dict(answer.get("view") or {})
            verdict = view_problems(new_view)
            if verdict is not None:
                ws.add_error(
                    {
                        "method": f"response_action {action}",
                        "error": verdict[0],
                        "problems": verdict[1],
                    }
                )
            else:
                ws.replace_modal(self.user, new_view, push=action == "push")
        else:
            ws.close_modal(self.user, everything=action == "clear")
        return reply

    def close(self, view_id: str) -> Reply:
        ws = self.workspace
        view = ws.view(self.user, view_id)
        ws.close_modal(self.user)
        if view is not None and view.get("notify_on_close"):
            payload = {
                "type": "view_closed",
                "team": TEAM,
                "user": self._user(),
                "api_app_id": APP_ID,
                "token": "playground",
                "view": view,
                "is_cleared": False,
            }
            return self._interaction(payload)
        return Reply(200, None)

    # ------------------------------------------------------------------ events

    def open_home(self) -> Reply:
        event_id = self.workspace.new_id("EvPG")
        envelope = {
            "token": "playground",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": {
                "type": "app_home_opened",
                "user": self.user,
                "channel": self.workspace.dm_of(self.user),
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        return self._post(json.dumps(envelope).encode(), "application/json")

    # ------------------------------------------------------------------ failures

    def _report(self, reply: Reply, channel: str | None) -> Reply:
        if reply.status != 200:
            self._failed("the app did not answer the click", reply, channel)
        return reply

    def _failed(self, what: str, reply: Reply, channel: str | None) -> None:
        """What Slack shows when the app's endpoint fails: an error, nothing else."""
        self.workspace.add_error(
            {"method": what, "error": f"HTTP {reply.status}", "problems": [str(reply.body)[:300]]}
        )


def _with_state(view: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack sends it back: with what the person entered in `state.values`."""
    sent = {k: v for k, v in view.items() if not k.startswith("_")}
    sent["state"] = {"values": state}
    return sent
