"""Store methods for calendar feed tokens (`calendar_token` rows): part of `Store`, the one door."""

from __future__ import annotations


class CalendarStore:
    pass
