"""RFC 5545 calendars of on-call time (the `icalendar` package): the one writer.

`write_calendar` writes events; `shift_events` makes them: who is on call over an interval
(`bot.core.shifts`), for the live feeds (`GET /calendar/<token>.ics`) and `oncall ical`
(a file of the same events): a personal calendar (my time as engineer and as backup,
partial take-overs included) or the team's. Its body depends on the data only, never on
the time of the request, so its hash can be the feed's ETag.

Instants are written in UTC: calendar apps show them in each reader's zone, and a DST
change needs no VTIMEZONE to be right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from bot.core.model import Team
from bot.core.shifts import Shift
from bot.core.weeks import local_date
from bot.service.calendar import Feed

ENGINEER = "oncall"
BACKUP = "backup"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable for the same stretch of on-call time, so an app updates, not duplicates
    start: datetime
    end: datetime
    summary: str
    description: str
    stamp: datetime  # DTSTAMP


def write_calendar(
    team: Team, title: str, events: Iterable[CalendarEvent], *, refresh: timedelta | None = None
) -> bytes:
    """The calendar `title` of `events`; `refresh`: how often a subscribed app should
    fetch it again (REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook and Apple)."""
    cal = Calendar()
    cal.add("prodid", "-//oncall-bot//on-call rotation//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", team.timezone.key)
    if refresh is not None:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        # An X- property is text to the library: written as the RFC 5545 duration.
        cal.add("x-published-ttl", vDuration(refresh).to_ical().decode("ascii"))
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", e.stamp)
        event.add("dtstart", e.start)
        event.add("dtend", e.end)
        event.add("summary", e.summary)
        event.add("description", e.description)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def _uid(team: Team, key: str) -> str:
    return f"{key}-{team.start.isoformat()}@{team.channel}.oncall-bot"


def calendar_title(team: Team, member: str | None) -> str:
    return f"{team.name} on-call" + (f": {team.name_of(member)}" if member else "")


# --- shifts (the live feeds and oncall ical) ------------------------------------------------


def _runs(shifts: Sequence[Shift], key: Callable[[Shift], str | None]) -> list[list[Shift]]:
    """Stretches of adjacent shifts in one week with the same `key` (None: left out)."""
    runs: list[list[Shift]] = []
    for s in shifts:
        k = key(s)
        if k is None:
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and last.end == s.start and last.week == s.week and key(last) == k:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _event(
    team: Team,
    run: Sequence[Shift],
    key: str,
    summary: str,
    other: str,
    others: Iterable[str | None],
    holidays: Mapping[date, str],
) -> CalendarEvent:
    start, end = run[0].start, run[-1].end
    names = _distinct(team.name_of(m) if m else "nobody free" for m in others)
    lines = [f"{other}: {', then '.join(names)}"]
    scheduled = _distinct(s.scheduled for s in run if s.scheduled != s.on_call)
    lines += [f"Scheduled: {team.name_of(m)}" for m in scheduled]
    lines += _distinct(r for s in run for r in s.reasons)
    first, last = local_date(team, start), local_date(team, end - timedelta(microseconds=1))
    lines += [f"Holiday: {n} ({d.isoformat()})" for d, n in holidays.items() if first <= d <= last]
    return CalendarEvent(
        uid=_uid(team, key),
        start=start,
        end=end,
        summary=summary,
        description="\n".join(lines),
        # Required; the event's own start rather than the request's time, so that the
        # same data always gives the same bytes (the ETag).
        stamp=start,
    )


def shift_events(
    team: Team,
    shifts: Sequence[Shift],
    member: str | None,
    holidays: Mapping[date, str] = {},  # noqa: B006 (read only)
) -> list[CalendarEvent]:
    """Events for `member`'s feed (their time on call, then as backup), or for the team's
    (`member` None: who is on call, each stretch). The n-th stretch of a week keeps its
    UID while it is the n-th: a swap updates the week's event instead of adding one."""
    events: list[CalendarEvent] = []
    seen: dict[tuple[str, int], int] = {}

    def key(role: str, run: Sequence[Shift]) -> str:
        n = seen[(role, run[0].week)] = seen.get((role, run[0].week), -1) + 1
        return f"{member or 'team'}-{role}-w{run[0].week}-{n}"

    if member is None:
        for run in _runs(shifts, lambda s: s.on_call or ""):
            who = team.name_of(run[0].on_call) if run[0].on_call else "nobody free"
            backups = [s.backup for s in run]
            summary = f"On call: {who}"
            events.append(
                _event(team, run, key(ENGINEER, run), summary, "Backup", backups, holidays)
            )
        return events
    name = team.name_of(member)
    for run in _runs(shifts, lambda s: ENGINEER if s.on_call == member else None):
        backups = [s.backup for s in run]
        summary = f"On call: {name}"
        events.append(_event(team, run, key(ENGINEER, run), summary, "Backup", backups, holidays))
    for run in _runs(shifts, lambda s: BACKUP if s.backup == member else None):
        engineers = [s.on_call for s in run]
        summary = f"Backup: {name}"
        events.append(_event(team, run, key(BACKUP, run), summary, "On call", engineers, holidays))
    events.sort(key=lambda e: (e.start, e.uid))
    return events


def feed_calendar(team: Team, feed: Feed, refresh: timedelta | None = None) -> bytes:
    """The body of a live feed: the same bytes for the same data."""
    events = shift_events(team, feed.shifts, feed.member, feed.holidays)
    return write_calendar(team, calendar_title(team, feed.member), events, refresh=refresh)
