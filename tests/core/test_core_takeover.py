"""Take-over rules (bot.core.takeover): who may ask, until when, the override accepting writes,
and the resolver answering the colleague from the accept instant (DST included)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from teams import bare_team

from bot.core import takeover as rules
from bot.core.errors import Refusal
from bot.core.model import Assignment, SwapRequest, SwapStatus, TimeOff
from bot.core.oncall import who
from bot.core.shifts import shifts
from bot.core.weeks import week

TEAM = replace(bare_team(("a", "b", "c", "d")), admins=frozenset({"d"}))
# Week 0: Mon 30 Nov 2026 09:00 EST (14:00 UTC) -> Mon 7 Dec 14:00 UTC; "a" on call.
WED = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wed 10:00 New York
PLAN = {k: Assignment(k, TEAM.order[k % 4]) for k in range(0, 20)}


def ask(actor: str = "a", colleague: str = "c", **kw: object) -> rules.TakeoverAsk:
    kw.setdefault("now", WED)
    return rules.propose_takeover(TEAM, kw.pop("time_off", ()), "a", actor, colleague, **kw)  # type: ignore[arg-type]


def as_request(t: rules.TakeoverAsk, status: SwapStatus = SwapStatus.PENDING) -> SwapRequest:
    return SwapRequest(
        7, t.replaces, t.colleague, t.week, None, status, t.start, t.expires_at,
        starts_at=t.start, ends_at=t.end,
    )  # fmt: skip


def test_rest_of_the_week_by_default_answer_within_hours() -> None:
    t = ask()
    assert (t.replaces, t.colleague, t.week) == ("a", "c", 0)
    assert t.start == WED and t.end == week(TEAM, 0).end
    assert t.expires_at == WED + rules.ANSWER_WITHIN


def test_until_a_day_ends_at_local_midnight_and_the_handover_day_at_the_handover() -> None:
    assert ask(until=date(2026, 12, 3)).end == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
    assert ask(until=date(2026, 12, 7)).end == week(TEAM, 0).end  # Monday: the handover
    # Asked late: the deadline is the end of the range, not four hours later.
    late = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Wed 23:00 local
    assert ask(until=date(2026, 12, 2), now=late).expires_at == datetime(
        2026, 12, 3, 5, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"actor": "b"}, "Only the engineer on call now (A)"),
        ({"colleague": "a"}, "A is the one on call"),
        ({"colleague": "zed"}, "Only a member of the on-call team"),
        ({"until": date(2026, 12, 8)}, "at most until this week's handover"),
        ({"until": date(2026, 12, 1)}, "is already over"),
        ({"now": datetime(2026, 12, 7, 13, 45, tzinfo=UTC)}, "Nothing is left of the week"),
        ({"now": datetime(2026, 11, 1, 12, 0, tzinfo=UTC)}, "has not started"),
        ({"time_off": (TimeOff("c", date(2026, 12, 4), date(2026, 12, 5)),)}, "C has time off"),
        ({"replaces": "a", "actor": "b"}, "Only an admin"),
        ({"replaces": "b", "actor": "d"}, "B is not on call now"),
    ],
)
def test_refusals(kw: dict[str, object], needle: str) -> None:
    with pytest.raises(Refusal) as e:
        ask(**kw)  # type: ignore[arg-type]
    assert needle in e.value.message


def test_an_admin_not_on_call_is_told_how_to_record_it() -> None:
    with pytest.raises(Refusal) as e:
        ask(actor="d")
    assert "for @A" in e.value.message
    recorded = ask(actor="d", replaces="a")
    o = rules.takeover_override(TEAM, recorded, "d")
    assert (o.member, o.replaces, o.start, o.end, o.created_by) == (
        "c",
        "a",
        WED,
        recorded.end,
        "d",
    )


def test_time_off_after_the_range_does_not_refuse() -> None:
    off = (TimeOff("c", date(2026, 12, 5), date(2026, 12, 9)),)
    assert ask(until=date(2026, 12, 4), time_off=off).colleague == "c"


def test_one_pending_take_over_at_a_time() -> None:
    pending = as_request(ask())
    with pytest.raises(Refusal, match="already asked C"):
        ask(colleague="b", pending=[pending])


def test_accept_writes_an_override_from_the_accept_instant_and_who_answers_it() -> None:
    request = as_request(ask())
    later = WED + timedelta(hours=1)
    o = rules.accept_takeover(TEAM, (), request, "a", "c", later)
    assert (o.member, o.replaces, o.start, o.end) == ("c", "a", later, week(TEAM, 0).end)
    assert who(TEAM, PLAN, (), later - timedelta(seconds=1), (o,)).on_call == "a"
    now = who(TEAM, PLAN, (), later, (o,))
    assert now.on_call == "c" and now.backup not in ("c", None)
    assert who(TEAM, PLAN, (), week(TEAM, 1).start, (o,)).on_call == "b"  # next week: plan
    cut = shifts(TEAM, PLAN, (), (o,), week(TEAM, 0).start, week(TEAM, 1).start)
    assert [(s.on_call, s.start) for s in cut if s.start in (week(TEAM, 0).start, later)] == [
        ("a", week(TEAM, 0).start),
        ("c", later),
    ]


@pytest.mark.parametrize(
    ("actor", "on_call", "now", "status", "needle"),
    [
        ("b", "a", WED, SwapStatus.PENDING, "Only C can accept"),
        ("c", "a", WED, SwapStatus.DECLINED, "already declined"),
        ("c", "a", WED + timedelta(hours=5), SwapStatus.PENDING, "expired"),
        ("c", "b", WED, SwapStatus.PENDING, "A is no longer on call"),
    ],
)
def test_accept_refusals(
    actor: str, on_call: str, now: datetime, status: SwapStatus, needle: str
) -> None:
    request = as_request(ask(), status)
    with pytest.raises(Refusal) as e:
        rules.accept_takeover(TEAM, (), request, on_call, actor, now)
    assert needle in e.value.message


def test_a_dst_week_ends_at_the_wall_clock_handover_and_local_midnights() -> None:
    # Week 14: Mon 8 Mar 2027 09:00 EST (14:00 UTC) -> Mon 15 Mar 09:00 EDT (13:00 UTC);
    # clocks spring forward on Sun 14 Mar.
    thu = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)
    plan = {k: Assignment(k, TEAM.order[k % 4]) for k in range(13, 17)}
    on_call = who(TEAM, plan, (), thu).on_call
    assert on_call == "c"
    t = rules.propose_takeover(TEAM, (), on_call, "c", "b", thu)
    assert t.end == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
    sat = rules.propose_takeover(TEAM, (), on_call, "c", "b", thu, date(2027, 3, 13))
    assert sat.end == datetime(2027, 3, 14, 5, 0, tzinfo=UTC)  # Sun 00:00 EST
    sun = rules.propose_takeover(TEAM, (), on_call, "c", "b", thu, date(2027, 3, 14))
    assert sun.end == datetime(2027, 3, 15, 4, 0, tzinfo=UTC)  # Mon 00:00 EDT: a 23 h day
    o = rules.accept_takeover(TEAM, (), as_request(t), "c", "b", thu)
    assert who(TEAM, plan, (), datetime(2027, 3, 15, 12, 59, tzinfo=UTC), (o,)).on_call == "b"
    after = who(TEAM, plan, (), datetime(2027, 3, 15, 13, 0, tzinfo=UTC), (o,))
    assert after.week is not None and after.week.index == 15 and after.on_call == "d"
    hours = sum(s.hours for s in shifts(TEAM, plan, (), (o,), thu, t.end) if s.on_call == "b")
    assert (
        hours == pytest.approx((t.end - thu).total_seconds() / 3600) == 94
    )  # Thu 10:00 to Mon 09:00 wall clock is 95 h; one was skipped


def test_a_take_over_of_a_take_over_holds() -> None:
    """Jill takes over from Davis, then falls ill too: James takes over from Jill."""
    first = rules.accept_takeover(TEAM, (), as_request(ask()), "a", "c", WED)
    later = WED + timedelta(hours=3)
    assert who(TEAM, PLAN, (), later, (first,)).on_call == "c"
    second_ask = rules.propose_takeover(TEAM, (), "c", "c", "b", later)
    assert second_ask.replaces == "c"
    second = rules.accept_takeover(TEAM, (), as_request(second_ask), "c", "b", later)
    for given in ((first, second), (second, first)):  # whatever order they are read in
        now = who(TEAM, PLAN, (), later, given)
        assert now.on_call == "b"
        assert now.reasons == ("C took over from A", "B took over from C")
    assert who(TEAM, PLAN, (), later - timedelta(seconds=1), (first, second)).on_call == "c"
