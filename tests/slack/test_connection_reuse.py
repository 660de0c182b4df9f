"""Issue 15: one Web API client per process, its connections kept alive and shared by
every thread; slack_sdk's retries keep working through it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fakeslack import FakeSlack
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
