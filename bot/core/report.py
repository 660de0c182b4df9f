"""The on-call report: per person, over a range of local dates, what on-call cost them.

Plain data in, rows out. The numbers and what they mean (README, "The on-call report"):

- **On-call hours** and **backup hours**: the length of every `Shift` (bot.core.shifts,
  the resolver's answers over the range) in which the person is on call, resp. backup.
  The range runs from local midnight of its first date to local midnight after its last,
  so a day of a DST change counts 23 or 25 hours. Covers, take-overs and time off are in
  the shifts already. Hours nobody was free for are `uncovered_hours`.
- **Weekend days** and **holiday days**: a local date counts for whoever is on call at
  its *anchor*: local noon, or on a handover day the handover itself when that is later
  than noon. The anchor always lies in the week whose seven `Week.days` hold the date,
  so a date counts in the same week as in the fairness ledger (bot/core/ledger.py);
  holidays are the team calendar's (`team_holidays`), as the ledger's. The ledger counts
  the week's *planned* engineer (swaps and covers included), this report who *was* on
  call (time off and take-overs too): the two agree on every date where neither applies.
- **Covers given / received** and **swaps**, counted in the range where they take effect:
  a whole-week cover on the handover day of the week it covers; a swap, for both people,
  on the handover day of the earlier of its two weeks; a take-over on the local date its
  `override` starts (the instant it took effect: an accepted or admin-recorded take-over
  request has exactly one). So each accepted request counts once, as in the ledger; and
  as there, a request swapped back and its swap back count not at all (`standing`).
- **Incidents**: the incidents a person was in (an `incident_call` row: invited when it
  opened, called in later, or its opener) with that call within the range; each incident
  once per person; one that failed to open (no channel was made) is not loaded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta

from bot.core.errors import Refusal
from bot.core.model import Override, SwapRequest, Team
from bot.core.shifts import Shift
from bot.core.swaps import standing
from bot.core.weeks import local_date, local_instant, week, week_of_day

NOON = time(12, 0)


@dataclass(frozen=True)
class CalledIn:
    """`member` was called into incident `incident` at `at` (UTC)."""

    incident: int
    member: str
    at: datetime


@dataclass
class ReportRow:
    member: str
    name: str
    on_call_hours: float = 0.0
    backup_hours: float = 0.0
    weekend_days: int = 0
    holiday_days: int = 0
    covers_given: int = 0
    covers_received: int = 0
    swaps: int = 0
    incidents: int = 0

    @property
    def empty(self) -> bool:
        return not any(v for k, v in asdict(self).items() if k not in ("member", "name"))

    def as_dict(self) -> dict[str, str | int | float]:
        """The row with hours rounded to the minute's hundredth of an hour (2 decimals)."""
        d = asdict(self)
        d["on_call_hours"] = round(self.on_call_hours, 2)
        d["backup_hours"] = round(self.backup_hours, 2)
        return d


COLUMNS = tuple(f.name for f in fields(ReportRow))  # the CSV header, in order


@dataclass(frozen=True)
class Report:
    first: date  # local dates, inclusive
    last: date
    rows: tuple[ReportRow, ...]  # empty when the range ends before the rotation starts
    holidays: Mapping[date, str] = field(default_factory=dict)  # the team's, in the range
    uncovered_hours: float = 0.0  # hours in which nobody was free to be on call

    @property
    def started(self) -> bool:
        return bool(self.rows)


def range_instants(team: Team, first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`) as UTC instants."""
    zone, after = team.timezone, last + timedelta(days=1)
    return local_instant(first, time(0), zone), local_instant(after, time(0), zone)


def day_anchor(team: Team, day: date) -> datetime:
    """The instant whose on-call engineer a local date counts for: local noon, or on a
    handover day the handover when it is later. Always inside the week holding `day`."""
    noon = local_instant(day, NOON, team.timezone)
    return max(noon, week(team, week_of_day(team, day)).start)


def _on_call_at(shifts: Sequence[Shift], starts: Sequence[datetime], at: datetime) -> str | None:
    i = bisect.bisect_right(starts, at) - 1
    if i >= 0 and shifts[i].start <= at < shifts[i].end:
        return shifts[i].on_call
    return None


def build_report(
    team: Team,
    first: date,
    last: date,
    shifts: Sequence[Shift],
    holidays: Mapping[date, str],
    swaps: Sequence[SwapRequest],
    overrides: Sequence[Override],
    calls: Sequence[CalledIn],
) -> Report:
    """The report for local dates `first`..`last` (inclusive).

    `shifts` are `shifts()` from local midnight of `first` to the midnight after `last`;
    `holidays` the team calendar's within the range; `swaps` the accepted requests (any
    range: those taking effect outside it are left out here); `overrides` the take-overs
    that overlap the range (at least); `calls` the incident calls (any instant: those
    outside the range are left out)."""
    start, end = range_instants(team, first, last)
    if end <= week(team, 0).start:
        return Report(first, last, (), {}, 0.0)
    rows = {m.id: ReportRow(m.id, m.name) for m in team.members}

    def row(member: str) -> ReportRow:
        if member not in rows:  # a former member whom history names
            rows[member] = ReportRow(member, team.name_of(member))
        return rows[member]

    uncovered = 0.0
    for s in shifts:
        if s.on_call is None:
            uncovered += s.hours
        else:
            row(s.on_call).on_call_hours += s.hours
        if s.backup is not None:
            row(s.backup).backup_hours += s.hours

    starts = [s.start for s in shifts]
    day = max(first, team.start)
    while day <= last:
        who = _on_call_at(shifts, starts, day_anchor(team, day))
        if who is not None:
            if day.weekday() >= 5:
                row(who).weekend_days += 1
            if day in holidays:
                row(who).holiday_days += 1
        day += timedelta(days=1)

    for r in standing(swaps):  # a swap and its swap back cancel out, as in the ledger
        if r.is_takeover:
            continue  # a take-over counts through its override, below
        if r.counterpart_week is None:
            if first <= week(team, r.requester_week).first_day <= last:
                row(r.counterpart).covers_given += 1
                row(r.requester).covers_received += 1
        else:
            earlier = min(r.requester_week, r.counterpart_week)
            if first <= week(team, earlier).first_day <= last:
                row(r.requester).swaps += 1
                row(r.counterpart).swaps += 1
    for o in overrides:
        if first <= local_date(team, o.start) <= last:
            row(o.member).covers_given += 1
            row(o.replaces).covers_received += 1

    called: dict[str, set[int]] = {}
    for c in calls:
        if start <= c.at < end:
            called.setdefault(c.member, set()).add(c.incident)
    for member, incidents in called.items():
        row(member).incidents = len(incidents)

    current = [rows.pop(m) for m in team.order if m in rows]
    current += [rows.pop(m.id) for m in team.members if m.id in rows]
    former = [r for r in rows.values() if not r.empty]
    in_range = {d: n for d, n in holidays.items() if first <= d <= last}
    return Report(first, last, tuple(current + former), in_range, uncovered)


# English, whatever the server's locale (calendar.month_name follows LC_TIME).
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_NAMED = re.compile(r"([a-z]+)\.?(?:\s+(\d{4}))?")


def month_range(text: str, today: date) -> tuple[date, date]:
    """The first and last local date of the month `text` names: empty for this month,
    `2026-12`, or a month's English name or its first three letters with an optional year
    (`december`, `Dec 2026`); a name without a year is the latest such month that has
    begun (in January, `december` is last December). Anything else is a Refusal."""
    words = " ".join(text.strip().lower().split())
    if not words:
        year, month = today.year, today.month
    elif m := _YEAR_MONTH.fullmatch(words):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise Refusal(f"`{text.strip()[:20]}` is not a month: try `2026-12` or `december`.")
    elif (m := _NAMED.fullmatch(words)) and (
        found := [i for i, name in enumerate(MONTHS, 1) if len(m[1]) >= 3 and name.startswith(m[1])]
    ):
        month = found[0]
        if m[2]:
            year = int(m[2])
        else:
            year = today.year if month <= today.month else today.year - 1
    else:
        raise Refusal(
            f"`{text.strip()[:20]}` is not a month: try `/oncall report 2026-12`, "
            "`/oncall report december`, or no month for this one."
        )
    if not 1 <= year <= 9998:
        raise Refusal(f"`{text.strip()[:20]}` is not a month: try `2026-12` or `december`.")
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)
