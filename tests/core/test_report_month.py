"""The on-call report of one month computed by hand, through the service and the database.

March 2027 for a Europe/Berlin team (DE-BE holidays), handover Monday 09:00, rotation
Ann, Bob, Cat, Dan from Mon 1 Feb 2027 (week 4 is Ann's, from Mon 1 Mar). In March:
- clocks go forward on Sun 28 Mar (02:00 -> 03:00): the month has 31 * 24 - 1 = 743 hours,
  week 7 (22-29 Mar) 167;
- public holidays: Women's Day Mon 8 Mar (a handover day: noon is after the 09:00
  handover), Good Friday 26 Mar, Easter Monday 29 Mar (a handover day);
- Bob swaps his week 5 (8 Mar) with Cat's week 6 (15 Mar);
- Ann (an admin) records time off for herself on Wed 3 Mar: the backup stands in;
- Cat takes over from Dan from Thu 25 Mar 12:00 to the end of his week (an accepted
  take-over request and its override, as the take-over feature stores them);
- incidents: #1 on 10 Mar calls Cat and Ann; #2 at 23:30 on 31 Mar calls Ann; #3 at 00:30
  on 1 Apr (next month) calls Ann; #4 failed to open (no channel) and called Dan.

The plan is stored round-robin by hand (not planned) so every number below is by hand.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_reads_never_write import contents

from bot.clock import FixedClock
from bot.core.errors import Refusal
from bot.core.model import Assignment, Override, SwapStatus, Team
from bot.core.report import Report
from bot.core.weeks import week
from bot.service import OnCallService
from bot.storage.tables import IncidentCallRow, IncidentRow

BERLIN = ZoneInfo("Europe/Berlin")
ORDER = ("ann", "bob", "cat", "dan")


def berlin_config(base: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(base)
    config["team"].update(
        timezone="Europe/Berlin", admins=["ann"], holidays={"country": "DE", "subdiv": "BE"}
    )
    config["rotation"].update(start="2027-02-01", handover="monday 09:00", order=list(ORDER))
    config["members"] = [
        {"id": m, "name": m.title(), "slack_id": f"U000000000{i}"}
        for i, m in enumerate(ORDER, start=1)
    ]
    for p in config["pipelines"]:
        p.update(primary="ann", secondary="bob")
    return config


def berlin(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def _incident(
    s: Any, iid: int, status: str, at: datetime, called: tuple[str, ...], channel: str | None
) -> None:
    s.add(
        IncidentRow(
            id=iid,
            pipeline="aggregate-profit",
            channel_id=channel,
            opened_by="ann",
            opened_at=at,
            status=status,
        )
    )
    for member in called:
        s.add(
            IncidentCallRow(incident_id=iid, member=member, role="engineer", called_by="ann", at=at)
        )


@pytest.fixture
def march(
    make_team: Callable[..., Team],
    make_service: Callable[..., OnCallService],
    team_config: dict[str, Any],
) -> OnCallService:
    team = make_team(berlin_config(team_config))
    clock = FixedClock(datetime(2027, 1, 11, 10, 0, tzinfo=UTC))
    service = make_service(team, clock=clock, sync=False)
    now = clock.now()
    with service.store.write() as s:  # round-robin, stored by hand: no planner involved
        service.store.put_weeks(s, [Assignment(k, ORDER[k % 4]) for k in range(200)], now)
    swap = service.request_swap("bob", "cat", 5, 6)
    service.accept_swap("cat", swap.id)
    service.request_time_off("ann", "ann", date(2027, 3, 3), date(2027, 3, 3))
    start, end = berlin(25, 12), week(team, 8).start
    with service.store.write() as s:
        takeover = service.store.add_swap(
            s,
            "dan",
            "cat",
            7,
            None,
            start,
            now,
            starts_at=start,
            ends_at=end,
            status=SwapStatus.ACCEPTED,
        )
        service.store.add_override(
            s, Override("cat", "dan", start, end, created_by="cat"), now, request_id=takeover.id
        )
        _incident(s, 1, "resolved", berlin(10, 14), ("cat", "ann"), "C1")
        _incident(s, 2, "open", berlin(31, 23, 30), ("ann",), "C2")
        _incident(s, 3, "open", berlin(1, 0, 30, month=4), ("ann",), "C3")
        _incident(s, 4, "failed", berlin(12, 9), ("dan",), None)
    clock.set(datetime(2027, 4, 2, 10, 0, tzinfo=UTC))
    return service


def rows(report: Report) -> dict[str, dict[str, Any]]:
    return {r.member: r.as_dict() for r in report.rows}


def test_march_2027_by_hand(march: OnCallService) -> None:
    report = march.report(date(2027, 3, 1), date(2027, 3, 31))
    got = rows(report)
    assert list(got) == list(ORDER)
    # On call (h):
    #   Mon 1 Mar 00:00-09:00: Dan (week 3)                               9
    #   week 4 (Ann), 168 h, but Wed 3 Mar (24 h) Ann is away: Cat stands in
    #     (the next week's engineer, Cat since the swap)                  Ann 144, Cat 24
    #   week 5 (Cat since the swap)                                       Cat 168
    #   week 6 (Bob since the swap)                                       Bob 168
    #   week 7 (Dan), 167 h (DST): Mon 22 09:00 CET - Thu 25 12:00 CET    Dan 75
    #     Cat from Thu 25 12:00 CET (11:00 UTC) to Mon 29 09:00 CEST       Cat 92
    #   week 8 (Ann): Mon 29 Mar 09:00 - Thu 1 Apr 00:00                  Ann 63
    assert {m: got[m]["on_call_hours"] for m in ORDER} == {
        "ann": 144 + 63,
        "bob": 168,
        "cat": 24 + 168 + 92,
        "dan": 9 + 75,
    }
    assert sum(r.on_call_hours for r in report.rows) == 31 * 24 - 1 == 743
    # Backup (the next week's engineer, or the next free one): week 3's Ann 9; week 4's
    # Cat 144, on 3 Mar Dan (Ann away, Cat standing in) 24; week 5's Bob 168; week 6's
    # Dan 168; week 7's Ann 167 (the take-over keeps her); week 8's Bob 63.
    assert {m: got[m]["backup_hours"] for m in ORDER} == {
        "ann": 9 + 167,
        "bob": 168 + 63,
        "cat": 144,
        "dan": 24 + 168,
    }
    # Weekends at local noon: 6-7 Ann, 13-14 Cat (swapped in), 20-21 Bob, 27-28 Cat
    # (the take-over; the 28th is the DST day).
    assert {m: got[m]["weekend_days"] for m in ORDER} == {"ann": 2, "bob": 2, "cat": 4, "dan": 0}
    # Holidays: 8 Mar Cat (handover 09:00, noon is Cat's), 26 Mar Cat (take-over),
    # 29 Mar Ann (handover day, noon is week 8's).
    assert {m: got[m]["holiday_days"] for m in ORDER} == {"ann": 1, "bob": 0, "cat": 2, "dan": 0}
    assert set(report.holidays) == {date(2027, 3, 8), date(2027, 3, 26), date(2027, 3, 29)}
    # The take-over counts once (its request and its override are one cover).
    assert {m: (got[m]["covers_given"], got[m]["covers_received"]) for m in ORDER} == {
        "ann": (0, 0),
        "bob": (0, 0),
        "cat": (1, 0),
        "dan": (0, 1),
    }
    assert {m: got[m]["swaps"] for m in ORDER} == {"ann": 0, "bob": 1, "cat": 1, "dan": 0}
    # #1 and #2 (23:30 on the 31st) for Ann, #1 for Cat; #3 is April's; #4 failed.
    assert {m: got[m]["incidents"] for m in ORDER} == {"ann": 2, "bob": 0, "cat": 1, "dan": 0}
    assert report.uncovered_hours == 0


def test_the_weeks_of_march_add_up_to_the_month(march: OnCallService) -> None:
    """Splitting the range changes no total: hours, days, covers, incidents add up."""
    whole = rows(march.report(date(2027, 3, 1), date(2027, 3, 31)))
    parts = [
        rows(march.report(a, b))
        for a, b in (
            (date(2027, 3, 1), date(2027, 3, 7)),
            (date(2027, 3, 8), date(2027, 3, 27)),
            (date(2027, 3, 28), date(2027, 3, 28)),  # the 23-hour day
            (date(2027, 3, 29), date(2027, 3, 31)),
        )
    ]
    assert parts[2]["cat"]["on_call_hours"] == 23
    for m in ORDER:
        for key, value in whole[m].items():
            if key not in ("member", "name"):
                assert sum(p[m][key] for p in parts) == pytest.approx(value), (m, key)


def test_agrees_with_the_fairness_ledger_on_the_overlap(march: OnCallService) -> None:
    """Over the ledger's whole span the report counts the same holiday and weekend days,
    covers and swaps, except where someone other than the planned engineer was on call:
    the take-over gave Good Friday and the weekend of 27-28 Mar to Cat (the ledger counts
    the week's planned engineer, Dan). Ann's time off (a Wednesday) moves no such day."""
    ledger = march.ledger()
    last_day = week(march.team, ledger.last_week).days[-1]
    report = rows(march.report(march.team.start, last_day))
    moved = {"dan": (-1, -2), "cat": (1, 2)}  # (holiday days, weekend days)
    for r in ledger.rows:
        holiday, weekend = moved.get(r.member, (0, 0))
        mine = report[r.member]
        assert mine["holiday_days"] == r.holiday_days + holiday, r.member
        assert mine["weekend_days"] == r.weekend_days + weekend, r.member
        assert (mine["covers_given"], mine["covers_received"], mine["swaps"]) == (
            r.covers_given,
            r.covers_received,
            r.swaps,
        ), r.member
    assert sum(r.holiday_days for r in ledger.rows) == sum(
        m["holiday_days"] for m in report.values()
    )


def test_before_the_rotation_starts_there_is_nothing(march: OnCallService) -> None:
    report = march.report(date(2027, 1, 1), date(2027, 1, 31))
    assert report.rows == () and not report.started
    # The range that ends on the first handover day has its hours from 09:00.
    first = rows(march.report(date(2027, 1, 25), date(2027, 2, 1)))
    assert first["ann"]["on_call_hours"] == 15 and first["ann"]["backup_hours"] == 0
    assert first["bob"]["backup_hours"] == 15


def test_a_report_is_a_read(march: OnCallService) -> None:
    url = str(march.store.engine.url)
    before = contents(url)
    march.report(date(2027, 3, 1), date(2027, 3, 31))
    march.report(date(2026, 12, 1), date(2029, 12, 31))
    assert contents(url) == before


def test_bad_ranges_are_refused(march: OnCallService) -> None:
    with pytest.raises(Refusal, match="before it starts"):
        march.report(date(2027, 3, 31), date(2027, 3, 1))
    with pytest.raises(Refusal, match="beyond the week of"):
        march.report(date(2027, 3, 1), date(2040, 1, 1))
    assert march.report(date(2027, 3, 1), date(2027, 3, 1)).rows  # one day is a range
