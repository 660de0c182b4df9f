"""Calendar feeds: personal and team subscribe links, and the iCalendar they serve."""

from __future__ import annotations

from bot.service.reads import Reads


class CalendarFeeds(Reads):
    pass
