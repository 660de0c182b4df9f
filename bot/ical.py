"""An RFC 5545 calendar of on-call weeks (the `icalendar` package), to import or subscribe to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event

from bot.core.model import Team
from bot.service import ScheduledWeek


def oncall_calendar(
    team: Team, weeks: Sequence[ScheduledWeek], now: datetime, member: str | None = None
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//oncall-bot//on-call rotation//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add(
        "x-wr-calname", f"{team.name} on-call" + (f": {team.name_of(member)}" if member else "")
    )
    cal.add("x-wr-timezone", team.timezone.key)
    for w in weeks:
        if member is not None and w.member != member:
            continue
        name = team.name_of(w.member)
        backup = team.name_of(w.backup) if w.backup else "none"
        lines = [f"On call: {name}", f"Backup: {backup}"]
        lines += [f"Holiday: {n} ({d.isoformat()})" for d, n in w.holidays.items()]
        lines += [
            f"Time off: {team.name_of(t.member)} {t.start.isoformat()} to {t.end.isoformat()}"
            for t in w.time_off
        ]
        if w.reason:
            lines.append(f"Note: {w.reason}")
        event = Event()
        # A stable UID per team and week: a re-import updates the event instead of duplicating it.
        event.add("uid", f"week-{w.week.index}-{team.start.isoformat()}@{team.channel}.oncall-bot")
        event.add("dtstamp", now)
        event.add("dtstart", w.week.start)
        event.add("dtend", w.week.end)
        event.add("summary", f"On call: {name}")
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
