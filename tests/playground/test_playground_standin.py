"""The stand-in for Slack without a browser: what each person sees, how clicks,
submissions and response_url replies are delivered, the signing check, and the page's
server (local files only, a strict Content-Security-Policy)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness import DAVIS, JAMES, JOHN, TEAM_FILE, TrackingExecutor
from slack_sdk import WebClient

from bot.cli import build_parser
from bot.playground.interactions import Person
from bot.playground.main import Playground, act, start_playground
from bot.playground.screenshots import SHOTS
from bot.playground.web import STATIC
from bot.playground.workspace import INCIDENT_ID, Hook

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CHANNEL = "C0000000000"


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    running = start_playground(TEAM_FILE, at=START)
    # Bolt's listeners on a pool that remembers them: settle() waits for all of them.
    app = running.running
    followups = getattr(app.notifier, "followups", None)  # the Web API work after acks
    app.app._listener_runner.listener_executor = TrackingExecutor(app.homes, followups)
    yield running
    running.stop()


def settle(playground: Playground) -> None:
    """A barrier: every listener and App Home refresh the app started has finished."""
    playground.running.app._listener_runner.listener_executor.drain(5)


def seen(playground: Playground, user: str) -> dict[str, Any]:
    settle(playground)
    return playground.workspace.seen_by(user)


def texts(state: dict[str, Any], channel: str) -> list[str]:
    return [m["text"] for m in state["messages"].get(channel, [])]


def test_a_command_answer_is_only_visible_to_its_person(playground: Playground) -> None:
    reply = act(playground, {"op": "command", "as": JOHN, "channel": CHANNEL, "text": "/oncall"})
    assert reply.status == 200
    mine = texts(seen(playground, JOHN), CHANNEL)
    assert "/oncall" in mine and any(t.startswith("On call: John") for t in mine)
    assert not any(t.startswith("On call: John") for t in texts(seen(playground, DAVIS), CHANNEL))


def test_a_plain_message_is_posted_for_everyone(playground: Playground) -> None:
    act(playground, {"op": "command", "as": JAMES, "channel": INCIDENT_ID, "text": "pipeline down"})
    assert "pipeline down" in texts(seen(playground, DAVIS), INCIDENT_ID)


def test_response_url_replies_replace_and_delete_the_original(playground: Playground) -> None:
    client = WebClient(token="xoxb-test", base_url=playground.fake.url)
    ts = client.chat_postMessage(channel=INCIDENT_ID, text="original")["ts"]
    url = playground.workspace.new_hook(Hook(DAVIS, INCIDENT_ID, ts))
    post(url, {"replace_original": True, "text": "replaced"})
    assert "replaced" in texts(seen(playground, JOHN), INCIDENT_ID)
    assert "original" not in texts(seen(playground, JOHN), INCIDENT_ID)
    post(url, {"text": "just for Davis"})
    assert "just for Davis" in texts(seen(playground, DAVIS), INCIDENT_ID)
    assert "just for Davis" not in texts(seen(playground, JOHN), INCIDENT_ID)
    post(url, {"delete_original": True})
    assert "replaced" not in texts(seen(playground, DAVIS), INCIDENT_ID)


def post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def test_a_submission_error_is_kept_under_its_field(playground: Playground) -> None:
    home = open_home(playground, DAVIS)
    button = find_element(home["blocks"], "timeoff_open")
    reply = act(playground, {"op": "action", "as": DAVIS, "view_id": home["id"], "action": button})
    assert reply.status == 200
    modal = wait_modal(playground, DAVIS)
    state = {
        "start": {"start": {"type": "datepicker", "selected_date": "2026-12-03"}},
        "end": {"end": {"type": "datepicker", "selected_date": "2026-12-04"}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }
    act(playground, {"op": "submit", "as": DAVIS, "view_id": modal["id"], "state": state})
    after = seen(playground, DAVIS)["modal"]
    assert after["id"] == modal["id"] and "notice" in after["_errors"]["start"]
    act(playground, {"op": "close", "as": DAVIS, "view_id": modal["id"]})
    assert seen(playground, DAVIS)["modal"] is None


def open_home(playground: Playground, user: str) -> dict[str, Any]:
    act(playground, {"op": "home", "as": user})
    home = seen(playground, user)["home"]
    assert home is not None and home["blocks"]
    return dict(home)


def wait_modal(playground: Playground, user: str) -> dict[str, Any]:
    modal = seen(playground, user)["modal"]
    assert modal is not None
    return dict(modal)


def find_element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in [block.get("accessory"), *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no {action_id} element")


@pytest.mark.refusals_expected
def test_a_refused_call_is_shown_as_slacks_error_not_rendered(playground: Playground) -> None:
    client = WebClient(token="xoxb-test", base_url=playground.fake.url)
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    with pytest.raises(Exception, match="invalid_blocks"):
        client.chat_postMessage(channel=INCIDENT_ID, text="a long header", blocks=[header])
    state = seen(playground, JOHN)
    refused = [m for m in state["messages"][INCIDENT_ID] if m.get("refused")]
    assert refused and refused[-1]["refused"]["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in refused[-1]["refused"]["problems"][0]
    assert refused[-1]["blocks"] == [] and "h" * 151 not in json.dumps(state)
    assert state["errors"][-1]["error"] == "invalid_blocks"
    assert playground.fake.take_refusals()


def test_the_calendar_links_work_in_the_playground(playground: Playground) -> None:
    """`/oncall calendar` gives links to the app's own server, which serves the feeds."""
    act(playground, {"op": "command", "as": JAMES, "channel": CHANNEL, "text": "/oncall calendar"})
    found = re.findall(
        r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]+\.ics",
        "\n".join(texts(seen(playground, JAMES), CHANNEL)),
    )
    assert found, texts(seen(playground, JAMES), CHANNEL)
    with urllib.request.urlopen(found[-1], timeout=5) as response:
        assert response.status == 200
        assert b"SUMMARY:On call: James" in response.read()


def test_the_app_checks_the_playgrounds_signature(playground: Playground) -> None:
    forger = Person(playground.workspace, playground.app_url, "not-the-secret", JOHN)
    assert forger.open_home().status == 401
    assert playground.person(JOHN).open_home().status == 200


def test_the_page_is_local_files_under_a_strict_policy(playground: Playground) -> None:
    for name in ["", *(f"static/{n}" for n in STATIC)]:
        with urllib.request.urlopen(playground.url + name, timeout=5) as response:
            assert response.status == 200 and response.read()
            policy = response.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy and "script-src 'self'" in policy
    page = urllib.request.urlopen(playground.url, timeout=5).read().decode()
    assert "http://" not in page and "https://" not in page  # nothing from outside


def test_the_page_refuses_what_it_does_not_know(playground: Playground) -> None:
    with pytest.raises(urllib.error.HTTPError) as nobody:
        urllib.request.urlopen(playground.url + "pg/state?as=UNOBODY", timeout=5)
    assert nobody.value.code == 404
    form = urllib.request.Request(playground.url + "pg/do", b"op=clock", method="POST")
    with pytest.raises(urllib.error.HTTPError) as not_json:
        urllib.request.urlopen(form, timeout=5)
    assert not_json.value.code == 400  # a form from another site cannot act
    rebound = urllib.request.Request(playground.url, headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as elsewhere:
        urllib.request.urlopen(rebound, timeout=5)
    assert elsewhere.value.code == 421
    assert playground.url.startswith("http://127.0.0.1:")


def test_the_readmes_pictures_are_the_scripts() -> None:
    """docs/screenshots holds what `python -m bot.playground.screenshots` writes."""
    folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    assert sorted(p.name for p in folder.iterdir()) == sorted(SHOTS)
    assert all((folder / name).read_bytes().startswith(b"\x89PNG") for name in SHOTS)


def test_oncall_playground_is_a_command() -> None:
    args = build_parser().parse_args(["playground", "--port", "8099"])
    assert args.port == 8099 and args.handler.__name__ == "cmd_playground"
