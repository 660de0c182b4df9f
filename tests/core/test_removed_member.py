"""Removing a member from the team file breaks nothing: history keeps the people it
names, by their stored name, and their pending requests are closed (issue 12, item 4)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeslack import FakeSlack

from bot.cli import main
from bot.clock import FixedClock
from bot.config import load_config
from bot.core import swaps as rules
from bot.core.errors import Refusal
from bot.core.model import Assignment, Member, SwapStatus
from bot.scheduler.announcer import Announcer
from bot.scheduler.jobs import run_handover
from bot.service import OnCallService
from bot.slack.client import make_client
from bot.slack.notifier import Notifier
from bot.storage.store import Store

BEFORE = FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC))  # Tuesday of week 0: John's
MONDAY = datetime(2026, 12, 7, 14, 0, 30, tzinfo=UTC)  # week 1's handover, 09:00 EST


def without_john(config: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(config)
    config["members"] = [m for m in config["members"] if m["id"] != "john"]
    config["rotation"]["order"] = [m for m in config["rotation"]["order"] if m != "john"]
    config["team"]["admins"] = ["james"]
    for p in config["pipelines"]:
        for role, other in (("primary", "secondary"), ("secondary", "primary")):
            if p[role] == "john":
                p[role] = "jill" if p[other] != "jill" else "davis"
    return config


@pytest.fixture
def env(tmp_path: Path, team_config: dict[str, Any]) -> dict[str, str]:
    """A database the full team used in week 0 (John on call, a pending request of his,
    time off of his), then a team file without John."""
    path = tmp_path / "oncall.yml"
    path.write_text(yaml.safe_dump(team_config))
    url = f"sqlite:///{tmp_path}/oncall.db"
    store = Store(url)
    store.create_all()
    service = OnCallService(load_config(path), store, BEFORE)
    service.sync_plan()
    service.request_swap("john", "james", 4)  # pending when John leaves
    service.request_swap("jill", "john", 6, cover=True)
    service.request_time_off("john", "john", date(2026, 12, 22), date(2026, 12, 23))
    path.write_text(yaml.safe_dump(without_john(team_config)))
    return {"ONCALL_CONFIG": str(path), "DATABASE_URL": url}


def run(argv: list[str], env: dict[str, str], capsys, at: datetime = MONDAY) -> str:
    code = main(argv, clock=FixedClock(at), env=env)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    return out


def test_the_read_commands_show_a_removed_member_by_the_stored_name(env, capsys) -> None:
    out = run(["schedule", "--from", "2026-11-30", "--weeks", "2"], env, capsys)
    assert "John" in out and "john" not in out
    weeks = yaml.safe_load(run(["schedule", "--from", "2026-11-30", "--json"], env, capsys))
    assert weeks[0]["on_call"] == {"id": "john", "name": "John", "slack_id": "U0000000001"}
    out = run(["who", "--at", "2026-12-01 10:00"], env, capsys)
    assert out.startswith("On call: John\n")
    answer = yaml.safe_load(run(["who", "--at", "2026-12-01 10:00", "--json"], env, capsys))
    assert answer["on_call"]["name"] == "John"
    out = run(["announce", "--dry-run", "--week", "2026-12-07"], env, capsys)
    assert "taking over from John" in out
    out = run(["announce", "--dry-run", "--week", "2026-11-30"], env, capsys)
    assert "John" in out and "john" not in out
    out = run(["ical", "--weeks", "1"], env, capsys, at=BEFORE.now())
    assert "SUMMARY:On call: John\r\n" in out and "john" not in out.replace("-john-", "")


@pytest.mark.parametrize("when", ["monday job", "catch-up"])
def test_the_handover_after_a_removed_member_is_posted(env, when) -> None:
    at = MONDAY if when == "monday job" else datetime(2026, 12, 7, 20, tzinfo=UTC)
    store = Store(env["DATABASE_URL"])
    store.create_all()
    service = OnCallService(load_config(Path(env["ONCALL_CONFIG"])), store, FixedClock(at))
    service.sync_plan()
    with FakeSlack() as fake:
        announcer = Announcer(service, Notifier(make_client("xoxb-test", fake.url), service))
        if when == "monday job":
            run_handover(announcer)
        else:
            assert announcer.catch_up()
        posts = [
            c
            for c in fake.calls_to("chat.postMessage", include_failed=False)
            if c.args.get("channel") == "C0000000000"
        ]
    assert len(posts) == 1
    assert "John" in posts[0].args["text"] and "john" not in posts[0].args["text"]
    announced = store.get_announcement("handover", 1)
    assert announced is not None and announced.status == "sent"


def test_pending_requests_of_a_removed_member_are_closed_at_start(env) -> None:
    store = Store(env["DATABASE_URL"])
    store.create_all()
    service = OnCallService(load_config(Path(env["ONCALL_CONFIG"])), store, FixedClock(MONDAY))
    service.sync_plan()
    assert len(service.pending_swaps()) == 2  # a CLI command's start closes nothing
    closed = service.close_requests_of_former_members()
    assert [(c.request.requester, c.request.counterpart) for c in closed] == [
        ("john", "james"),
        ("jill", "john"),
    ]
    assert {c.gone for c in closed} == {"john"}
    assert all(c.request.status is SwapStatus.CANCELLED for c in closed)
    assert closed[0].reason == "John is no longer in the on-call team"
    assert service.pending_swaps() == []
    assert service.close_requests_of_former_members() == ()  # closed once
    with store.read() as s:
        assert {a.action for a in store.audit_log(s)} >= {"swap_closed"}


def test_a_refusal_names_a_removed_member_by_name(make_team) -> None:
    team = make_team()
    gone = team.member("davis")
    team = team.__class__(
        **{
            **{f: getattr(team, f) for f in team.__dataclass_fields__},
            "members": tuple(m for m in team.members if m.id != "davis"),
            "former": (Member(gone.id, "Davis Doe", gone.slack_id),),
        }
    )
    plan = {4: Assignment(4, "john"), 5: Assignment(5, "davis")}
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    with pytest.raises(Refusal) as refused:
        rules.check_swap(team, plan, [], rules.SwapWeeks("davis", "james", 4, None), now)
    assert "not Davis Doe's on-call week any more (it is John's)" in str(refused.value)
    assert "davis" not in str(refused.value)
    assert team.name_of("davis") == "Davis Doe" and not team.is_member("davis")
    assert team.name_of("nobody") == "nobody"


def test_both_parties_are_told_when_their_request_is_closed(env) -> None:
    """`oncall run` closes a removed member's requests where it can tell people: the
    request DM loses its buttons and both parties get a DM saying why."""
    store = Store(env["DATABASE_URL"])
    service = OnCallService(load_config(Path(env["ONCALL_CONFIG"])), store, FixedClock(MONDAY))
    service.sync_plan()
    with FakeSlack() as fake:
        notifier = Notifier(make_client("xoxb-test", fake.url), service)
        first = service.pending_swaps()[0]
        service.set_swap_message(first.id, "D0000000002", "1.1")  # James's request DM
        for closed in service.close_requests_of_former_members():
            notifier.swap_closed(closed)
        updates = fake.calls_to("chat.update", include_failed=False)
        posts = fake.calls_to("chat.postMessage", include_failed=False)
    assert [(u.args["channel"], u.args["ts"]) for u in updates] == [("D0000000002", "1.1")]
    assert "closed: John is no longer in the on-call team" in updates[0].args["text"]
    assert "blocks" in updates[0].args and "button" not in str(updates[0].args["blocks"])
    told = sorted(p.args["text"] for p in posts)
    assert len(told) == 4  # two requests, two parties each
    assert all("John is no longer in the on-call team" in t for t in told)
