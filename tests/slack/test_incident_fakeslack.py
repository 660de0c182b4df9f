"""The fake Slack keeps incident channels as Slack does and answers Slack's refusals
(docs.slack.dev: conversations.create, setTopic, invite, join, pins.add), so the incident
tests built on it mean something."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakeslack import BOT_USER_ID, FakeSlack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

U1, U2, U3 = "U0000000001", "U0000000002", "U0000000003"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=fake.url)


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as e:
        call()  # type: ignore[operator]
    return str(e.value.response["error"])


def test_create_keeps_the_channel_and_refuses_a_taken_name(
    fake: FakeSlack, client: WebClient
) -> None:
    made = client.conversations_create(name="inc-20261201-x")["channel"]
    assert made["name"] == "inc-20261201-x" and made["is_member"] is True
    assert error_of(lambda: client.conversations_create(name="inc-20261201-x")) == "name_taken"
    fake.add_channel("taken-already")
    assert error_of(lambda: client.conversations_create(name="taken-already")) == "name_taken"
    kept = fake.channel(made["id"])
    assert kept is not None and kept.members == [BOT_USER_ID]
    fake.reset()
    assert fake.channel(made["id"]) is None
    assert client.conversations_create(name="inc-20261201-x")["ok"]
    assert fake.refusals == []  # answers, not refusals of the app's payload


@pytest.mark.refusals_expected
@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("Upper", "invalid_name_specials"),
        ("has space", "invalid_name_specials"),
        ("has.period", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("--", "invalid_name_punctuation"),
    ],
)
def test_names_slack_refuses(fake: FakeSlack, client: WebClient, name: str, error: str) -> None:
    assert error_of(lambda: client.conversations_create(name=name)) == error
    assert [c.refused for c in fake.take_refusals()] == [error]


def test_invite_answers_each_refusal(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_create(name="inc-a")["channel"]["id"]
    fake.restrict_user(U3)
    assert client.conversations_invite(channel=channel, users=U1)["ok"]
    invite = client.conversations_invite
    assert error_of(lambda: invite(channel=channel, users=U1)) == "already_in_channel"
    assert error_of(lambda: invite(channel=channel, users=U3)) == "cant_invite"
    assert error_of(lambda: invite(channel=channel, users="nobody")) == "user_not_found"
    assert error_of(lambda: invite(channel=channel, users=BOT_USER_ID)) == "cant_invite_self"
    # One refusal in a list invites nobody, unless forced.
    assert error_of(lambda: invite(channel=channel, users=f"{U2},{U3}")) == "cant_invite"
    assert fake.channel(channel).members == [BOT_USER_ID, U1]  # type: ignore[union-attr]
    forced = invite(channel=channel, users=f"{U2},{U3}", force=True)
    assert forced["errors"][0]["user"] == U3
    assert fake.channel(channel).members == [BOT_USER_ID, U1, U2]  # type: ignore[union-attr]


def test_a_channel_the_bot_is_not_in(fake: FakeSlack, client: WebClient) -> None:
    other = fake.add_channel("someone-elses", (U1,))
    assert error_of(lambda: client.conversations_invite(channel=other, users=U2)) == (
        "not_in_channel"
    )
    assert error_of(lambda: client.conversations_setTopic(channel=other, topic="t")) == (
        "not_in_channel"
    )
    client.conversations_join(channel=other)
    assert client.conversations_invite(channel=other, users=U2)["ok"]


def test_topic_and_pins(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_create(name="inc-b")["channel"]["id"]
    client.conversations_setTopic(channel=channel, topic="Incident on X")
    ts = client.chat_postMessage(channel=channel, text="runbook")["ts"]
    client.pins_add(channel=channel, timestamp=ts)
    assert error_of(lambda: client.pins_add(channel=channel, timestamp=ts)) == "already_pinned"
    assert error_of(lambda: client.pins_add(channel=channel, timestamp="1.2")) == (
        "message_not_found"
    )
    kept = fake.channel("inc-b")
    assert kept is not None and kept.topic == "Incident on X" and kept.pins == [ts]


@pytest.mark.refusals_expected
def test_a_topic_over_250_characters_is_refused(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_create(name="inc-c")["channel"]["id"]
    assert error_of(lambda: client.conversations_setTopic(channel=channel, topic="t" * 251)) == (
        "too_long"
    )
    assert [c.refused for c in fake.take_refusals()] == ["too_long"]


def test_refuse_injects_what_a_workspace_answers(fake: FakeSlack, client: WebClient) -> None:
    fake.refuse("conversations.create", "missing_scope")
    with pytest.raises(SlackApiError) as e:
        client.conversations_create(name="inc-d")
    assert e.value.response["needed"] == "channels:manage"
    fake.refuse("pins.add", "restricted_action", times=1)
    assert error_of(lambda: client.pins_add(channel="C1", timestamp="1.0")) == ("restricted_action")
    assert client.pins_add(channel="C1", timestamp="1.0")["ok"]  # once only
