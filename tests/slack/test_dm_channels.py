"""The bot's DM channel with each person is opened once per client, and opened again
only when Slack says the remembered one is gone."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.dm import dm


class Client:
    """Records calls; conversations.open answers `D<user><n>` (n counts the opens)."""

    def __init__(self, failures: list[str] | None = None, token: str = "xoxb-1") -> None:
        self.base_url = "https://slack.test/api/"
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures = list(failures or [])
        self.opens = 0

    def conversations_open(self, *, users: str) -> dict[str, Any]:
        self.calls.append(("conversations.open", {"users": users}))
        self.opens += 1
        return {"ok": True, "channel": {"id": f"D{users}{self.opens}"}}

    def chat_postMessage(self, **kw: Any) -> dict[str, Any]:  # noqa: N802
        self.calls.append(("chat.postMessage", kw))
        if self.failures:
            error = self.failures.pop(0)
            raise SlackApiError(error, {"ok": False, "error": error})  # type: ignore[arg-type]
        return {"ok": True, "channel": kw["channel"], "ts": f"{len(self.calls)}.0"}

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]


def test_the_channel_is_opened_once_per_person() -> None:
    client = Client(token="xoxb-once")
    assert dm(client, "U1", "one")[0] == "DU11"  # type: ignore[arg-type]
    assert dm(client, "U1", "two")[0] == "DU11"  # type: ignore[arg-type]
    assert dm(client, "U2", "three")[0] == "DU22"  # type: ignore[arg-type]
    assert client.methods() == [
        "conversations.open",
        "chat.postMessage",
        "chat.postMessage",
        "conversations.open",
        "chat.postMessage",
    ]


def test_a_new_client_of_the_same_bot_remembers_another_bot_does_not() -> None:
    # Bolt makes a WebClient per request: what one learnt serves the next.
    first, same_bot = Client(token="xoxb-a"), Client(token="xoxb-a")
    other_bot = Client(token="xoxb-b")
    dm(first, "U1", "hi")  # type: ignore[arg-type]
    dm(same_bot, "U1", "hi")  # type: ignore[arg-type]
    dm(other_bot, "U1", "hi")  # type: ignore[arg-type]
    assert same_bot.methods() == ["chat.postMessage"]
    assert other_bot.methods() == ["conversations.open", "chat.postMessage"]


def test_a_channel_slack_no_longer_knows_is_opened_again() -> None:
    client = Client(token="xoxb-stale")
    dm(client, "U1", "hi")  # type: ignore[arg-type]
    client.failures = ["channel_not_found"]
    channel, _ts = dm(client, "U1", "again")  # type: ignore[arg-type]
    assert channel == "DU12"
    assert client.methods()[2:] == ["chat.postMessage", "conversations.open", "chat.postMessage"]
    assert client.calls[-1][1]["text"] == "again"


def test_other_errors_are_not_retried() -> None:
    client = Client(failures=["ratelimited"], token="xoxb-limited")
    with pytest.raises(SlackApiError):
        dm(client, "U1", "hi")  # type: ignore[arg-type]
    assert client.methods() == ["conversations.open", "chat.postMessage"]
