"""Incidents end to end (issue 17.1): signed `/oncall incident`, button clicks and the
resolve form in, Web API calls out to the strict fake Slack, which keeps channels as
Slack does (names taken, members, topic, pins) and answers its refusals.

tests/data/team.yml at Tue 2026-12-01 10:00 New York: week 0, John on call. Aggregate
Profit's owners are James (primary) and Jill; it has a runbook.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fakeslack import Call, message_problems
from harness import DAVIS, JAMES, JILL, JOHN, STRANGER, SlackHarness
from sqlalchemy import text

from bot.core.incidents import Status
from bot.runbooks import Runbook, Section
from bot.slack import ids
from bot.slack.blocks.incidents import runbook_post

TEAM_CHANNEL = "C0000000000"
WHERE = "C0000000001"  # where the commands are typed
NAME = "inc-20261201-aggregate-profit"


def dm_channel(slack_id: str) -> str:
    return "D" + slack_id


def has_text(call: Call, needle: str) -> bool:
    return needle in json.dumps(call.args)


def answers(h: SlackHarness) -> str:
    """Everything the person who typed a command or clicked was told privately."""
    private = ("response_url", "chat.postEphemeral")
    return json.dumps([c.args for c in h.fake.calls if c.method in private])


def posts_to(h: SlackHarness, channel: str) -> list[Call]:
    return [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def audit_actions(h: SlackHarness) -> list[str]:
    with h.service.store.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT action FROM audit_log ORDER BY id"))]


def open_incident(
    h: SlackHarness,
    args: str = "aggregate-profit loads failing since 9:00",
    user: str = JAMES,
    name: str = NAME,
) -> Any:
    status, _ = h.command(f"incident {args}", user=user, channel=WHERE)
    assert status == 200
    h.settle()
    found = h.fake.channel(name)
    assert found is not None, h.fake.summary()
    incident = h.service.incident_in_channel(found.id)
    assert incident is not None
    return found, incident


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def click(h: SlackHarness, action: str, value: str, user: str, channel: str) -> None:
    status, _ = h.click(action, value, user=user, channel_id=channel, message={"ts": "1.0"})
    assert status == 200
    h.settle()


# --- opening --------------------------------------------------------------------------


def test_incident_makes_a_channel_with_topic_invites_pinned_runbook_and_team_line(
    h: SlackHarness,
) -> None:
    channel, incident = open_incident(h)
    # The channel: its readable name, the topic, who is in it.
    assert channel.topic.startswith("Incident on Aggregate Profit: loads failing since 9:00")
    assert "opened by James" in channel.topic
    # On call (John), the owner (James, who also opened it): once each, plus the bot.
    assert set(channel.members) == {"UBOT", JOHN, JAMES}
    invites = h.fake.calls_to("conversations.invite")
    assert [c.args["users"] for c in invites] == [JOHN, JAMES]
    # The runbook post, the same rendering as /oncall runbook, with its buttons, pinned.
    posts = posts_to(h, channel.id)
    runbook = next(p for p in posts if ids.INCIDENT_CALL_BACKUP in json.dumps(p.args))
    assert "Aggregate Profit runbook" in json.dumps(runbook.args["blocks"])
    assert set(buttons(runbook.args["blocks"])) == {
        ids.INCIDENT_CALL_BACKUP,
        ids.INCIDENT_CALL_OWNER,
        ids.INCIDENT_RESOLVE,
    }
    assert channel.pins == [runbook.result["ts"]]  # type: ignore[index]
    assert incident.post_ts == runbook.result["ts"]  # type: ignore[index]
    # One line in the team's channel, linking to the incident's.
    [line] = posts_to(h, TEAM_CHANNEL)
    assert f"<#{channel.id}>" in line.args["text"]
    # The opener is told where it is and who is in it.
    assert f"<#{channel.id}>" in answers(h) and "is open" in answers(h)
    # Stored, with its audit rows and who is in it.
    assert incident.status is Status.OPEN and incident.pipeline == "aggregate-profit"
    assert incident.summary == "loads failing since 9:00" and incident.opened_by == "james"
    assert {(c.member, c.role.value) for c in incident.calls} == {
        ("john", "engineer"),
        ("james", "owner"),
    }
    assert audit_actions(h)[-3:] == ["incident_open", "incident_channel", "incident_invited"]


def test_a_taken_name_gets_the_next_suffix(h: SlackHarness) -> None:
    h.fake.add_channel(NAME)
    h.fake.add_channel(NAME + "-2")
    h.command("incident aggregate-profit", user=JAMES, channel=WHERE)
    h.settle()
    names = [c.args["name"] for c in h.fake.calls_to("conversations.create")]
    assert names == [NAME, NAME + "-2", NAME + "-3"]
    made = h.fake.channel(NAME + "-3")
    assert made is not None and JOHN in made.members
    incident = h.service.incident_in_channel(made.id)
    assert incident is not None and incident.channel_name == NAME + "-3"


def test_missing_scope_is_told_and_the_incident_recorded_failed(h: SlackHarness) -> None:
    h.fake.refuse("conversations.create", "missing_scope")
    h.command("incident aggregate-profit db down", user=JAMES, channel=WHERE)
    h.settle()
    told = answers(h)
    assert "channels:manage" in told and "reinstall" in told
    # Nothing else was posted, nobody invited, and no incident is left open.
    assert posts_to(h, TEAM_CHANNEL) == []
    assert h.fake.calls_to("conversations.invite") == []
    assert h.service.open_incidents_of("james") == []
    with h.service.store.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM incident")).all() == [("failed",)]
    assert audit_actions(h)[-2:] == ["incident_open", "incident_failed"]


def test_restricted_workspace_is_told(h: SlackHarness) -> None:
    h.fake.refuse("conversations.create", "restricted_action")
    h.command("incident aggregate-profit", user=JAMES, channel=WHERE)
    h.settle()
    assert "workspace setting" in answers(h) and "failed" in answers(h)


def test_someone_who_cannot_be_invited_is_named_and_the_rest_goes_on(h: SlackHarness) -> None:
    h.fake.restrict_user(JOHN, "cant_invite")
    channel, incident = open_incident(h)
    told = answers(h)
    assert f"Could not invite <@{JOHN}>" in told and "cannot be invited" in told
    assert JOHN not in channel.members and JAMES in channel.members
    assert channel.pins  # the runbook was still posted and pinned
    assert [c.member for c in incident.calls] == ["james"]


def test_already_in_channel_counts_as_in(h: SlackHarness) -> None:
    h.fake.refuse("conversations.invite", "already_in_channel", times=1)
    _channel, incident = open_incident(h)
    assert "Could not invite" not in answers(h)
    assert {c.member for c in incident.calls} == {"john", "james"}


def test_away_owner_brings_the_other_owner_and_an_outsider_opener_is_invited(
    h: SlackHarness,
) -> None:
    h.service.request_time_off("john", "james", h.service.today(), h.service.today())
    h.fake.reset()
    h.command("incident Aggregate Profit nightly load", user=STRANGER, channel=WHERE)
    h.settle()
    channel = h.fake.channel(NAME)
    assert channel is not None
    # Jill owns it today (James is away); James, the primary, is in the channel too.
    assert set(channel.members) == {"UBOT", JOHN, JILL, JAMES, STRANGER}
    incident = h.service.incident_in_channel(channel.id)
    assert incident is not None and incident.summary == "nightly load"
    roles = {c.member: c.role.value for c in incident.calls}
    assert roles == {
        "john": "engineer",
        "jill": "owner",
        "james": "other owner",
        STRANGER: "opener",
    }


def test_unknown_pipeline_lists_them_and_changes_nothing(h: SlackHarness) -> None:
    before = h.snapshot()
    h.command("incident nosuch thing broke", user=JAMES, channel=WHERE)
    h.settle()
    assert "aggregate-profit" in answers(h) and "Usage" in answers(h)
    assert h.fake.calls_to("conversations.create") == []
    assert h.snapshot() == before


# --- calling in ----------------------------------------------------------------------


GROWTH = "inc-20261201-aggregate-growth"  # owned by Jill and Davis: James is not in it


def test_call_in_backup_dms_invites_and_notes_once(h: SlackHarness) -> None:
    channel, incident = open_incident(h, "aggregate-growth loads failing", JOHN, GROWTH)
    backup = h.service.who().backup
    assert backup == "james"
    backup_slack = JAMES
    h.fake.clear()
    value = json.dumps({"i": incident.id, "p": "aggregate-growth"})
    click(h, ids.INCIDENT_CALL_BACKUP, value, JOHN, channel.id)
    dm = posts_to(h, dm_channel(backup_slack))
    assert len(dm) == 1 and "Aggregate Growth" in dm[0].args["text"]
    assert f"<#{channel.id}>" in dm[0].args["text"] and "loads failing" in dm[0].args["text"]
    assert backup_slack in h.fake.channel(channel.id).members  # type: ignore[union-attr]
    [note] = posts_to(h, channel.id)
    assert f"<@{JOHN}> called in <@{JAMES}> (backup)" in note.args["text"]
    # A second click (anyone's) calls no one twice.
    h.fake.clear()
    click(h, ids.INCIDENT_CALL_BACKUP, value, DAVIS, channel.id)
    assert posts_to(h, dm_channel(backup_slack)) == []
    assert h.fake.calls_to("conversations.invite") == []
    assert "so nobody was called" in answers(h)
    stored = h.service.incident(incident.id)
    assert stored is not None
    assert [c.member for c in stored.calls].count(backup) == 1
    assert audit_actions(h).count("incident_call") == 1


def test_call_in_the_other_owner(h: SlackHarness) -> None:
    channel, incident = open_incident(h)
    h.fake.clear()
    value = json.dumps({"i": incident.id, "p": "aggregate-profit"})
    click(h, ids.INCIDENT_CALL_OWNER, value, JOHN, channel.id)
    assert len(posts_to(h, dm_channel(JILL))) == 1  # Jill: the owner who is not James
    assert JILL in h.fake.channel(channel.id).members  # type: ignore[union-attr]
    click(h, ids.INCIDENT_CALL_OWNER, value, JOHN, channel.id)
    assert len(posts_to(h, dm_channel(JILL))) == 1


def test_a_stranger_cannot_call_people_in(h: SlackHarness) -> None:
    channel, incident = open_incident(h)
    h.fake.clear()
    value = json.dumps({"i": incident.id, "p": "aggregate-profit"})
    click(h, ids.INCIDENT_CALL_OWNER, value, STRANGER, channel.id)
    assert "Only members" in answers(h)
    assert h.fake.calls_to("conversations.invite") == []


def test_runbook_post_has_the_buttons_and_a_click_calls_once(h: SlackHarness) -> None:
    h.command("runbook aggregate-profit", user=JOHN, channel=WHERE)
    h.settle()
    post = next(
        c for c in h.fake.calls_to("response_url") if c.args.get("response_type") == "in_channel"
    )
    found = buttons(post.args["blocks"])
    assert set(found) == {ids.INCIDENT_CALL_BACKUP, ids.INCIDENT_CALL_OWNER}
    value = found[ids.INCIDENT_CALL_OWNER]["value"]
    h.fake.clear()
    click(h, ids.INCIDENT_CALL_OWNER, value, JOHN, WHERE)
    # Jill (the other owner) DMed with the channel's link, a note where the runbook is.
    [dm] = posts_to(h, dm_channel(JILL))
    assert f"<#{WHERE}>" in dm.args["text"]
    note = posts_to(h, WHERE)[0].args["text"]
    assert f"<@{JOHN}> called in <@{JILL}> (other owner)" in note
    assert "link by DM" in note and "now an open incident here" in note
    assert h.fake.calls_to("conversations.invite") == []  # not a channel the bot made
    click(h, ids.INCIDENT_CALL_OWNER, value, JAMES, WHERE)
    assert len(posts_to(h, dm_channel(JILL))) == 1
    assert "so nobody was called" in answers(h)


# --- resolving -----------------------------------------------------------------------


def test_resolve_by_command_posts_the_summary(h: SlackHarness) -> None:
    channel, incident = open_incident(h, "aggregate-growth", JOHN, GROWTH)
    value = json.dumps({"i": incident.id, "p": "aggregate-growth"})
    click(h, ids.INCIDENT_CALL_BACKUP, value, JOHN, channel.id)
    h.clock.set(h.clock.now() + timedelta(hours=2, minutes=5))
    h.fake.clear()
    h.command("resolve reran the load after the upstream fix", user=JOHN, channel=channel.id)
    h.settle()
    [summary] = posts_to(h, channel.id)
    shown = json.dumps(summary.args)
    assert "resolved" in shown and "2 h 05 min" in shown
    assert "reran the load after the upstream fix" in shown
    assert "Opened Tue 01 Dec 10:00" in shown and "(backup" in shown and "(on call" in shown
    assert "resolved after 2 h 05 min" in posts_to(h, TEAM_CHANNEL)[0].args["text"]
    # The pinned runbook keeps the runbook and loses its buttons.
    [update] = h.fake.calls_to("chat.update")
    assert update.args["ts"] == incident.post_ts and update.args["channel"] == channel.id
    assert buttons(update.args["blocks"]) == {}
    assert "Aggregate Growth runbook" in json.dumps(update.args["blocks"])
    stored = h.service.incident(incident.id)
    assert stored is not None and stored.status is Status.RESOLVED
    assert stored.resolved_by == "john" and stored.duration == timedelta(hours=2, minutes=5)
    assert audit_actions(h)[-1] == "incident_resolve"
    # Resolved: a second resolve is refused, and the buttons call nobody.
    h.fake.clear()
    h.command("resolve again", user=JOHN, channel=channel.id)
    click(h, ids.INCIDENT_CALL_OWNER, value, JOHN, channel.id)
    assert "no open incident" in answers(h) and "resolved: nobody was called" in answers(h)
    assert posts_to(h, dm_channel(DAVIS)) == []


def note(value: str) -> dict[str, Any]:
    """The resolve form's state.values as Slack sends them."""
    field = {"type": "plain_text_input", "value": value}
    return {ids.INCIDENT_RESOLUTION: {ids.INCIDENT_RESOLUTION: field}}


def test_resolve_button_opens_the_form_and_its_submission_resolves(h: SlackHarness) -> None:
    channel, incident = open_incident(h)
    value = json.dumps({"i": incident.id, "p": "aggregate-profit"})
    click(h, ids.INCIDENT_RESOLVE, value, JOHN, channel.id)
    view = h.fake.wait_for_call("views.open").args["view"]
    assert view["callback_id"] == ids.INCIDENT_RESOLVE_MODAL
    # An empty note is refused on the form; nothing changes.
    status, body = h.submit(
        ids.INCIDENT_RESOLVE_MODAL,
        note(" "),
        user=JOHN,
        private_metadata=view["private_metadata"],
    )
    assert status == 200 and body["response_action"] == "errors"
    assert h.service.incident(incident.id).is_open  # type: ignore[union-attr]
    status, body = h.submit(
        ids.INCIDENT_RESOLVE_MODAL,
        note("fixed"),
        user=JOHN,
        private_metadata=view["private_metadata"],
    )
    assert status == 200 and not body
    h.settle()
    assert "fixed" in json.dumps(posts_to(h, channel.id)[-1].args)
    assert h.service.incident(incident.id).status is Status.RESOLVED  # type: ignore[union-attr]


def test_resolve_outside_an_incident_channel_is_refused(h: SlackHarness) -> None:
    h.command("resolve done", user=JOHN, channel=WHERE)
    h.settle()
    assert "no open incident in this channel" in answers(h)


# --- the App Home ----------------------------------------------------------------------


def test_home_shows_the_open_incident_to_those_in_it(h: SlackHarness) -> None:
    channel, incident = open_incident(h)
    h.fake.clear()
    h.event({"type": "app_home_opened", "user": JOHN, "tab": "home", "channel": "D1"})
    h.settle()
    home = h.fake.wait_for_call("views.publish", where=lambda c: c.args["user_id"] == JOHN)
    shown = json.dumps(home.args["view"])
    assert "Open incidents" in shown and f"<#{channel.id}>" in shown
    h.fake.clear()
    h.event({"type": "app_home_opened", "user": DAVIS, "tab": "home", "channel": "D1"})
    h.settle()
    home = h.fake.wait_for_call("views.publish", where=lambda c: c.args["user_id"] == DAVIS)
    assert "Open incidents" not in json.dumps(home.args["view"])


@pytest.mark.refusals_expected
def test_the_fake_refuses_a_channel_name_slack_would(h: SlackHarness) -> None:
    client = h.running.notifier.client
    for name in ("Inc Upper", "a" * 81, "with.period", ""):
        with pytest.raises(Exception) as e:
            client.conversations_create(name=name)
        assert "invalid_name" in str(e.value)
    assert len(h.fake.take_refusals()) == 4


# --- the buttons never cut a runbook --------------------------------------------------------


def test_a_runbook_that_fills_a_message_gets_its_buttons_in_a_second_one(
    h: SlackHarness,
) -> None:
    pipeline = next(p for p in h.team.pipelines if p.id == "aggregate-profit")
    answer = h.service.who()
    long_book = Runbook("Big", "intro", tuple(Section(f"Issue {n}", "fix it") for n in range(80)))
    text, message, extra = runbook_post(h.team, pipeline, long_book, answer)
    assert extra is not None and ids.INCIDENT_CALL_BACKUP in json.dumps(
        [b.to_dict() for b in extra]
    )
    assert ids.INCIDENT_CALL_BACKUP not in json.dumps([b.to_dict() for b in message])
    for blocks in (message, extra):
        assert message_problems({"text": text, "blocks": [b.to_dict() for b in blocks]}) is None
    short = Runbook("Small", "intro", (Section("Issue", "fix it"),))
    _text, message, extra = runbook_post(h.team, pipeline, short, answer)
    assert extra is None and ids.INCIDENT_CALL_BACKUP in json.dumps([b.to_dict() for b in message])


def test_a_pin_refused_is_said_and_the_incident_stays_open(h: SlackHarness) -> None:
    h.fake.refuse("pins.add", "missing_scope")
    channel, incident = open_incident(h)
    told = answers(h)
    assert "Pin the runbook" in told and "pins:write" in told
    assert channel.pins == [] and incident.is_open and incident.post_ts


def test_a_runbook_post_in_a_dm_calls_nobody(h: SlackHarness) -> None:
    value = json.dumps({"i": 0, "p": "aggregate-profit"})
    click(h, ids.INCIDENT_CALL_BACKUP, value, JOHN, dm_channel(JOHN))
    assert "from a channel" in answers(h)
    assert h.fake.calls_to("chat.postMessage") == [] or all(
        c.args["channel"] == dm_channel(JOHN) for c in h.fake.calls_to("chat.postMessage")
    )
    assert h.service.open_incidents_of("john") == []


def test_a_hostile_summary_reaches_slack_escaped(h: SlackHarness) -> None:
    # As Slack sends typed text: mentions, links and specials as <…> tokens, & < > escaped.
    channel, incident = open_incident(
        h, "aggregate-profit <!channel> <@U0000000002|James> <https://x|y> &amp; a &lt; b"
    )
    assert incident.summary == "@channel @James y (https://x) & a < b"  # as the person saw it
    sent = json.dumps([c.args for c in h.fake.calls if c.method != "conversations.setTopic"])
    for token in ("<!channel>", "<@U0000000002|James>", "<https://x|y>"):
        assert token not in sent, [c for c in h.fake.calls if token in json.dumps(c.args)]
    assert "@channel @James y (https://x) &amp; a &lt; b" in sent  # escaped once, no double
