"""Issue 15: one Web API client per process, its connections kept alive and shared by
every thread; slack_sdk's retries keep working through it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fakeslack import RESPONSE_URL, FakeSlack
from slack_sdk.errors import SlackApiError

from bot.slack.client import PooledWebClient, make_client

CALLS_PER_THREAD, THREADS = 10, 6


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def test_calls_from_many_threads_share_a_handful_of_connections(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        start.wait()
        try:
            for i in range(CALLS_PER_THREAD):
                client.chat_postMessage(channel="C1", text=f"{n}-{i}")
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    calls = fake.calls_to("chat.postMessage")
    assert len(calls) == CALLS_PER_THREAD * THREADS
    texts = {c.args["text"] for c in calls}
    assert len(texts) == CALLS_PER_THREAD * THREADS  # each sent once, none lost
    # At most one connection per thread that ever ran at once (urllib opened 60).
    assert fake.connections <= THREADS, fake.connections
    assert client.pool.opened == fake.connections


def test_a_plain_web_client_opens_a_connection_per_call(fake: FakeSlack) -> None:
    """The baseline the test above improves on (and proof that the fake counts)."""
    from slack_sdk import WebClient

    client = WebClient(token="xoxb-test", base_url=fake.url)
    for i in range(5):
        client.chat_postMessage(channel="C1", text=str(i))
    assert fake.connections == 5


def test_rate_limits_and_server_errors_are_still_retried(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url)
    client.chat_postMessage(channel="C1", text="warm")  # a kept-alive connection exists
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    fake.fail_next("chat.postMessage", status=503)
    fake.fail_next("chat.postMessage", status=None, drop=True)
    response = client.chat_postMessage(channel="C1", text="after faults")
    assert response["ok"]
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [200, 429, 503, None, 200]
    assert [c.failed for c in calls] == [False, True, True, True, False]


def test_retries_give_up_with_slacks_error(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url, retries=1)
    fake.fail_next("chat.postMessage", times=2, status=500)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 500
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_an_api_error_is_answered_as_before(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url)
    fake.respond_with("chat.postMessage", {"ok": False, "error": "channel_not_found"}, times=1)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="y")["ok"]
    assert fake.connections == 1


def test_a_dropped_connection_is_replaced_not_reused(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url)
    client.chat_postMessage(channel="C1", text="one")
    fake.fail_next("chat.postMessage", status=None, drop=True)  # closes that connection
    client.chat_postMessage(channel="C1", text="two")  # retried on a new one
    client.chat_postMessage(channel="C1", text="three")
    assert fake.connections == 2
    assert [c.args["text"] for c in fake.calls_to("chat.postMessage", include_failed=False)] == [
        "one",
        "two",
        "three",
    ]


def test_a_refused_connection_is_retried_then_raised() -> None:
    with FakeSlack() as gone:
        url = gone.url
    client = make_client("xoxb-test", url, retries=1)
    with pytest.raises(OSError):
        client.auth_test()
    assert isinstance(client, PooledWebClient)


# --- response_url replies (Bolt's `respond`) ------------------------------------------------


def test_replies_to_response_urls_share_the_pool(fake: FakeSlack) -> None:
    client = make_client("xoxb-test", fake.url)
    client.chat_postMessage(channel="C1", text="warm")  # the Web API's connection, reused
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def reply(n: int) -> None:
        start.wait()
        try:
            for i in range(CALLS_PER_THREAD):
                respond = client.responder(fake.response_url(f"r{n}-{i}"))
                assert respond(text=f"{n}-{i}", response_type="ephemeral").status_code == 200
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=reply, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    replies = fake.calls_to(RESPONSE_URL)
    assert sorted(c.args["text"] for c in replies) == sorted(
        f"{n}-{i}" for n in range(THREADS) for i in range(CALLS_PER_THREAD)
    )
    assert all(c.args["response_type"] == "ephemeral" for c in replies)
    # 61 posts; Bolt's own respond opened one connection per reply (the test below).
    assert fake.connections <= THREADS, fake.connections


def test_bolts_own_respond_opens_a_connection_per_reply(fake: FakeSlack) -> None:
    """The baseline the pooled responder improves on."""
    from slack_bolt.context.respond import Respond

    for i in range(4):
        Respond(response_url=fake.response_url(f"r{i}"))(text=str(i))
    assert fake.connections == 4


def test_a_reply_is_answered_as_bolts_respond_answers_it(fake: FakeSlack) -> None:
    """Same arguments (a whole message as a dict, too), same WebhookResponse; a reply
    Slack refuses comes back as its status, not raised, as with Bolt's."""
    respond = make_client("xoxb-test", fake.url).responder(fake.response_url("r1"))
    answer = respond({"text": "whole", "replace_original": True})
    assert (answer.status_code, answer.body) == (200, "ok")
    (call,) = fake.calls_to(RESPONSE_URL)
    assert call.args["replace_original"] is True and call.args["_path"] == "/hooks/r1"
    refused = respond(text="x" * 50_000)  # longer than Slack shows
    assert refused.status_code == 400
    fake.take_refusals()
    with pytest.raises(ValueError):
        make_client("xoxb-test", fake.url).responder(None)(text="nowhere")


def test_replies_are_retried_like_web_api_calls(fake: FakeSlack) -> None:
    respond = make_client("xoxb-test", fake.url).responder(fake.response_url("r1"))
    respond(text="warm")
    fake.fail_next(RESPONSE_URL, status=429, retry_after=0)
    fake.fail_next(RESPONSE_URL, status=503)
    fake.fail_next(RESPONSE_URL, status=None, drop=True)
    assert respond(text="after faults").status_code == 200
    calls = fake.calls_to(RESPONSE_URL)
    assert [c.status for c in calls] == [200, 429, 503, None, 200]
    assert [c.args["text"] for c in calls if not c.failed] == ["warm", "after faults"]
    assert fake.connections == 2  # the dropped one replaced, the others kept
