"""The pure rules of incidents: channel names, who is in one, whom a button calls."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.errors import Refusal
from bot.core.incidents import (
    MAX_CHANNEL_NAME,
    AlreadyCalled,
    CallTarget,
    Incident,
    IncidentCall,
    Role,
    Status,
    call_target,
    channel_name,
    check_resolution,
    describe_duration,
    invitees,
    summary_line,
)
from bot.core.model import Pipeline
from bot.core.ownership import Ownership

DAY = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 15, tzinfo=UTC)
PIPE = Pipeline("aggregate-profit", "Aggregate Profit", "investors", "james", "jill")
SLACK_NAME = re.compile(r"[a-z0-9_-]{1,80}")


def incident(*calls: tuple[str, Role], status: Status = Status.OPEN) -> Incident:
    made = tuple(IncidentCall(m, r, "john", AT) for m, r in calls)
    return Incident(1, PIPE.id, "", "C1", "inc", "john", AT, status, calls=made)


def test_channel_name_is_readable_and_suffixed_when_taken() -> None:
    assert channel_name(DAY, "aggregate-profit") == "inc-20261203-aggregate-profit"
    assert channel_name(DAY, "aggregate-profit", 2) == "inc-20261203-aggregate-profit-2"
    assert channel_name(DAY, "aggregate-profit", 13).endswith("-13")


@pytest.mark.parametrize(
    "pipeline", ["Aggregate Profit", "a.b c/d", "ÜBER-pipe", "x" * 200, "---", "a__b--"]
)
def test_channel_name_keeps_slack_rules(pipeline: str) -> None:
    for attempt in (1, 2, 20):
        name = channel_name(DAY, pipeline, attempt)
        assert SLACK_NAME.fullmatch(name), name
        assert len(name) <= MAX_CHANNEL_NAME
        assert name.startswith("inc-20261203-")


def test_invitees_engineer_owner_opener_once_each() -> None:
    owner = Ownership(PIPE, "james", None)
    assert invitees(owner, "john", "james") == (("john", Role.ENGINEER), ("james", Role.OWNER))
    assert invitees(owner, "john", "U999") == (
        ("john", Role.ENGINEER),
        ("james", Role.OWNER),
        ("U999", Role.OPENER),
    )


def test_invitees_bring_the_other_owner_when_the_primary_is_away() -> None:
    away = Ownership(PIPE, "jill", "James away (time off)")
    assert invitees(away, "john", "john") == (
        ("john", Role.ENGINEER),
        ("jill", Role.OWNER),
        ("james", Role.OTHER_OWNER),
    )
    both_away = Ownership(PIPE, "john", "both owners away")
    assert [p for p, _ in invitees(both_away, "john", "davis")] == [
        "john",
        "james",
        "jill",
        "davis",
    ]


def test_call_target_calls_each_person_once() -> None:
    owner = Ownership(PIPE, "james", None)
    assert call_target(incident(), CallTarget.BACKUP, owner, "davis") == ("davis", Role.BACKUP)
    assert call_target(incident(), CallTarget.OTHER_OWNER, owner, None) == (
        "jill",
        Role.OTHER_OWNER,
    )
    with pytest.raises(AlreadyCalled) as e:
        call_target(incident(("davis", Role.BACKUP)), CallTarget.BACKUP, owner, "davis")
    assert e.value.call.member == "davis"
    with pytest.raises(Refusal, match="no backup"):
        call_target(incident(), CallTarget.BACKUP, owner, None)
    with pytest.raises(Refusal, match="resolved"):
        call_target(incident(status=Status.RESOLVED), CallTarget.BACKUP, owner, "davis")


def test_resolution_is_one_line_on_an_open_incident() -> None:
    assert check_resolution(incident(), "  reran\n the load ") == "reran the load"
    with pytest.raises(Refusal):
        check_resolution(incident(), "   ")
    with pytest.raises(Refusal):
        check_resolution(incident(), "x" * 301)
    with pytest.raises(Refusal, match="already"):
        check_resolution(incident(status=Status.RESOLVED), "done")
    with pytest.raises(Refusal):
        check_resolution(incident(status=Status.FAILED), "done")
    with pytest.raises(Refusal):
        summary_line("y" * 201)


def test_durations_read_as_people_say_them() -> None:
    assert describe_duration(timedelta(minutes=45, seconds=59)) == "45 min"
    assert describe_duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert describe_duration(timedelta(days=3, hours=4, minutes=1)) == "3 d 4 h"
