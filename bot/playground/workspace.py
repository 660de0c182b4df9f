"""What the stand-in for Slack shows each person, built from the calls the app made.

The app talks to the strict fake Web API (fakeslack.py) as it talks to Slack. The
workspace reads the fake's call log in order and keeps what Slack would show: messages in
channels and DMs (ephemeral ones only to their person), each person's App Home and open
modals, and the user group. A call the fake refused is shown as Slack's error instead.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.core.model import Team
from bot.playground.fakeslack import BOT_USER_ID, RESPONSE_URL, Call, FakeSlack

#: Someone in the workspace but not in the team file.
GUEST_ID, GUEST_NAME = "U0PLAYGUEST", "Guest (not in the team)"
INCIDENT_ID, INCIDENT_NAME = "C0INCIDENT1", "incident-pipeline-down"
BOT_NAME = "oncall-bot"


@dataclass
class Hook:
    """Where a response_url's messages go: who acted, in which conversation, on what."""

    user: str
    channel: str
    source_ts: str | None = None


@dataclass
class Workspace:
    fake: FakeSlack
    team: Team
    lock: threading.RLock = field(default_factory=threading.RLock)
    people: dict[str, str] = field(default_factory=dict)  # slack id -> display name
    channels: dict[str, str] = field(default_factory=dict)  # channel id -> name
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    modals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    usergroup: list[str] = field(default_factory=list)
    triggers: dict[str, str] = field(default_factory=dict)  # trigger id -> slack id
    hooks: dict[str, Hook] = field(default_factory=dict)  # response_url path -> Hook
    version: int = 0
    _seen: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        for member in self.team.members:
            self.people[member.slack_id] = member.name
        self.people[GUEST_ID] = GUEST_NAME
        self.people[BOT_USER_ID] = BOT_NAME
        self.channels[self.team.channel] = "on-call"
        self.channels[INCIDENT_ID] = INCIDENT_NAME
        for channel in self.channels:
            self.messages.setdefault(channel, [])
        # Slack answers users.info with the person's profile: here, the team's names.
        self.fake.respond_with("users.info", self._user_info)

    # ------------------------------------------------------------------ ids

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def new_trigger(self, user: str) -> str:
        trigger = self.new_id("trigger.")
        with self.lock:
            self.triggers[trigger] = user
        return trigger

    def new_hook(self, hook: Hook) -> str:
        """A response_url on the fake that delivers to `hook`."""
        name = self.new_id("pg")
        with self.lock:
            self.hooks[f"/hooks/{name}"] = hook  # the path the fake records it under
        return self.fake.response_url(name)

    def dm_of(self, user: str) -> str:
        return "D" + user

    # ------------------------------------------------------------------ reading the calls

    def sync(self) -> int:
        """Apply the calls the app made since the last sync; returns the version."""
        with self.lock:
            calls = self.fake.calls
            for call in calls[self._seen :]:
                self._apply(call)
            if len(calls) != self._seen:
                self._seen = len(calls)
                self.version += 1
            return self.version

    def _apply(self, call: Call) -> None:
        if call.failed:
            return
        if call.refused:
            self._refused(call)
            return
        args, result = call.args, call.result or {}
        method = call.method
        if method == "chat.postMessage":
            channel = self._conversation(str(args.get("channel", "")))
            message = self._message(args, str(result.get("ts", "")), channel)
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            self._add(channel, message)
        elif method == "chat.postEphemeral":
            channel = self._conversation(str(args.get("channel", "")))
            message = self._message(args, str(result.get("message_ts", "")), channel)
            message["only_for"] = str(args.get("user", ""))
            self._add(channel, message)
        elif method == "chat.update":
            channel = self._conversation(str(args.get("channel", "")))
            self._replace(channel, str(args.get("ts", "")), args)
        elif method == "chat.delete":
            channel = self._conversation(str(args.get("channel", "")))
            self._delete(channel, str(args.get("ts", "")))
        elif method == "conversations.create" and isinstance(result.get("channel"), dict):
            made = result["channel"]  # an incident's channel: shown under its name
            self.channels[str(made.get("id", ""))] = str(made.get("name", ""))
            self.messages.setdefault(str(made.get("id", "")), [])
        elif method == "views.publish":
            self.homes[str(args.get("user_id", ""))] = dict(result.get("view") or {})
        elif method in ("views.open", "views.push"):
            user = self.triggers.get(str(args.get("trigger_id", "")))
            if user is not None:
                stack = self.modals.setdefault(user, [])
                if method == "views.open":
                    stack.clear()
                stack.append(dict(result.get("view") or {}))
        elif method == "views.update":
            self._update_view(args, dict(result.get("view") or {}))
        elif method == "usergroups.users.update":
            users = args.get("users") or ""
            listed = users if isinstance(users, list) else str(users).split(",")
            self.usergroup = [str(u).strip() for u in listed if str(u).strip()]
        elif method == RESPONSE_URL:
            self._respond(args)

    def _refused(self, call: Call) -> None:
        """Shown as Slack shows an app's refused call: its error, nothing rendered."""
        error = {
            "method": call.method,
            "error": call.refused,
            "problems": list(call.problems),
            "id": self.new_id("err"),
        }
        self.errors.append(error)
        channel = call.args.get("channel")
        hook = self.hooks.get(str(call.args.get("_path", "")))
        if hook is not None:
            channel = hook.channel
        if isinstance(channel, str) and channel:
            channel = self._conversation(channel)
            ts = self.new_id("err.")
            self._add(
                channel,
                {
                    "ts": ts,
                    "user": BOT_USER_ID,
                    "refused": error,
                    "text": "",
                    "blocks": [],
                    **({"only_for": hook.user} if hook is not None else {}),
                },
            )

    def _respond(self, args: dict[str, Any]) -> None:
        hook = self.hooks.get(str(args.get("_path", "")))
        if hook is None:
            return
        if args.get("delete_original"):
            if hook.source_ts:
                self._delete(hook.channel, hook.source_ts)
            return
        if args.get("replace_original") and hook.source_ts:
            self._replace(hook.channel, hook.source_ts, args)
            return
        message = self._message(args, self.new_id("r."), hook.channel)
        if args.get("response_type") != "in_channel":
            message["only_for"] = hook.user
        self._add(hook.channel, message)

    # ------------------------------------------------------------------ conversations

    def _conversation(self, channel: str) -> str:
        """Posting to a person's id is a DM to them, as in Slack."""
        if channel.startswith(("U", "W")):
            channel = self.dm_of(channel)
        self.messages.setdefault(channel, [])
        return channel

    def _message(self, args: dict[str, Any], ts: str, channel: str) -> dict[str, Any]:
        return {
            "ts": ts,
            "channel": channel,
            "user": BOT_USER_ID,
            "text": str(args.get("text") or ""),
            "blocks": list(args.get("blocks") or []),
        }

    def _add(self, channel: str, message: dict[str, Any]) -> None:
        message.setdefault("channel", channel)
        self.messages.setdefault(channel, []).append(message)

    def add_person_message(self, channel: str, user: str, text: str, *, only_me: bool) -> None:
        with self.lock:
            message = {"ts": self.new_id("u."), "user": user, "text": text, "blocks": []}
            if only_me:
                message["only_for"] = user
                message["command"] = True
            self._add(channel, message)
            self.version += 1

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return self._find(channel, ts)

    def _replace(self, channel: str, ts: str, args: dict[str, Any]) -> None:
        found = self._find(channel, ts)
        if found is not None:
            found["text"] = str(args.get("text") or "")
            found["blocks"] = list(args.get("blocks") or [])
            found["edited"] = True

    def _delete(self, channel: str, ts: str) -> None:
        if channel in self.messages:
            self.messages[channel] = [m for m in self.messages[channel] if m["ts"] != ts]

    # ------------------------------------------------------------------ views

    def _update_view(self, args: dict[str, Any], view: dict[str, Any]) -> None:
        view_id = args.get("view_id")
        external = args.get("external_id")
        for stack in self.modals.values():
            for i, old in enumerate(stack):
                if old.get("id") == view_id or (external and old.get("external_id") == external):
                    view["id"] = old.get("id")
                    stack[i] = view
                    return
        for user, home in self.homes.items():
            if home.get("id") == view_id:
                self.homes[user] = view

    def view(self, user: str, view_id: str) -> dict[str, Any] | None:
        with self.lock:
            for view in self.modals.get(user, []):
                if view.get("id") == view_id:
                    return view
            home = self.homes.get(user)
            return home if home is not None and home.get("id") == view_id else None

    def set_modal_errors(self, user: str, view_id: str, errors: dict[str, str]) -> None:
        with self.lock:
            for view in self.modals.get(user, []):
                if view.get("id") == view_id:
                    view["_errors"] = dict(errors)
            self.version += 1

    def close_modal(self, user: str, *, everything: bool = False) -> None:
        with self.lock:
            stack = self.modals.get(user, [])
            if everything:
                stack.clear()
            elif stack:
                stack.pop()
            self.version += 1

    def replace_modal(self, user: str, view: dict[str, Any], *, push: bool) -> None:
        with self.lock:
            stack = self.modals.setdefault(user, [])
            if not push and stack:
                view.setdefault("id", stack[-1].get("id"))
                stack[-1] = view
            else:
                view.setdefault("id", self.new_id("VPG"))
                stack.append(view)
            self.version += 1

    def add_error(self, error: dict[str, Any]) -> None:
        with self.lock:
            self.errors.append({"id": self.new_id("err"), **error})
            self.version += 1

    # ------------------------------------------------------------------ one person's view

    def seen_by(self, user: str) -> dict[str, Any]:
        """Everything `user` can see, as JSON for the page."""
        with self.lock:
            self.sync()
            conversations = [
                {"id": cid, "name": name, "kind": "channel"} for cid, name in self.channels.items()
            ]
            dm = self.dm_of(user)
            conversations.append({"id": dm, "name": BOT_NAME, "kind": "dm"})
            visible = {
                cid: [m for m in self.messages.get(cid, []) if m.get("only_for") in (None, user)]
                for cid in [c["id"] for c in conversations]
            }
            stack = self.modals.get(user, [])
            return {
                "version": self.version,
                "me": user,
                "people": [{"id": k, "name": v} for k, v in self.people.items()],
                "members": [m.slack_id for m in self.team.members],
                "conversations": conversations,
                "messages": visible,
                "home": self.homes.get(user),
                "modal": stack[-1] if stack else None,
                "modal_depth": len(stack),
                "errors": list(self.errors),
                "usergroup": list(self.usergroup),
            }

    def _user_info(self, call: Call) -> dict[str, Any]:
        user = str(call.args.get("user", ""))
        name = self.people.get(user, user)
        profile = {"real_name": name, "display_name": name}
        return {
            "ok": True,
            "user": {"id": user, "name": name, "real_name": name, "profile": profile},
        }
