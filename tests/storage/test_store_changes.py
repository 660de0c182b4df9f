"""Week changes as stored: recorded with the change that moved them, claimed once by one
replica (SQLite and PostgreSQL), released on a failed DM, given up after a few."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from racing import race

from bot.clock import FixedClock
from bot.core.errors import Refusal
from bot.core.model import Team
from bot.service import OnCallService
from bot.service.changes import CHANGE_WINDOW, MAX_ATTEMPTS
from bot.storage.store import Store


def test_two_replicas_claiming_at_once_tell_each_member_once(
    any_db_url: str, team: Team, clock: FixedClock, make_service: Callable[..., OnCallService]
) -> None:
    first = make_service(team, url=any_db_url)
    second = OnCallService(team, Store(any_db_url), clock)
    request = first.request_swap("james", "jill", 1, 2)
    first.accept_swap("jill", request.id)
    clock.advance(CHANGE_WINDOW + timedelta(seconds=1))
    results = race([first.claim_due_changes, second.claim_due_changes] * 2)
    claimed = sorted(n.member for notices in results for n in notices)
    assert claimed == ["james", "jill"]
    assert first.claim_due_changes() == []


def test_a_change_is_recorded_in_the_transaction_of_what_moved_it(
    service: OnCallService, clock: FixedClock
) -> None:
    request = service.request_swap("james", "jill", 1, 2)
    service.accept_swap("jill", request.id)
    before = service.recent_changes("james", 10)
    assert {(c.week, c.role.value) for c in before} == {
        (1, "engineer"),
        (1, "backup"),
        (2, "engineer"),
    }
    # A refused accept (the second one) rolls back and records nothing more.
    with pytest.raises(Refusal):
        service.accept_swap("jill", request.id)
    assert service.recent_changes("james", 10) == before


def test_a_failed_dm_is_released_until_it_is_given_up(
    service: OnCallService, clock: FixedClock
) -> None:
    request = service.request_swap("james", "jill", 1, 2)
    service.accept_swap("jill", request.id)
    clock.advance(CHANGE_WINDOW + timedelta(seconds=1))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        notices = service.claim_due_changes()
        assert sorted(n.member for n in notices) == ["james", "jill"], attempt
        released = [service.release_changes(n) for n in notices]
        assert released == [attempt < MAX_ATTEMPTS] * 2
    assert service.claim_due_changes() == []


def test_a_member_who_left_is_not_told(
    service: OnCallService, clock: FixedClock, team: Team
) -> None:
    request = service.request_swap("james", "jill", 1, 2)
    service.accept_swap("jill", request.id)
    service.team = dataclasses.replace(
        team, members=tuple(m for m in team.members if m.id != "jill")
    )
    clock.advance(CHANGE_WINDOW + timedelta(seconds=1))
    assert [n.member for n in service.claim_due_changes()] == ["james"]
