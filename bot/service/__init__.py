"""The application layer: each method is one core operation in one transaction.

Edges (Slack listeners, the scheduler, the CLI) translate their input, call one
method here and render the result. Rules live in `bot.core`; this package loads
the state they need, calls them with the injected clock's "now", and stores what
they decide, through `bot.storage.store.Store` only.

One module per section of the service, composed by `OnCallService`:
`plan` (the plan's lifecycle), `reads`, `time_off`, `swaps`, `takeover`,
`calendar`, `incidents`, `report`, `changes` (what a change moved, to tell people);
`results` holds what they return.
"""

from __future__ import annotations

from bot.service.calendar import CalendarFeeds
from bot.service.changes import ChangeTracking
from bot.service.incidents import Incidents
from bot.service.plan import plan_fingerprint
from bot.service.report import Reports
from bot.service.results import (
    ClosedRequest,
    Handover,
    ScheduledWeek,
    SwapOutcome,
    TimeOffResult,
)
from bot.service.swaps import SwapRequests
from bot.service.takeover import Takeovers
from bot.service.time_off import TimeOffRequests

__all__ = [
    "ClosedRequest",
    "Handover",
    "OnCallService",
    "ScheduledWeek",
    "SwapOutcome",
    "TimeOffResult",
    "plan_fingerprint",
]


class OnCallService(
    TimeOffRequests,
    SwapRequests,
    Takeovers,
    CalendarFeeds,
    Incidents,
    Reports,
    ChangeTracking,
):
    """The whole service: plan lifecycle, reads, time off, swaps, take-overs, calendar
    feeds, incidents, reports and change tracking (see the modules)."""
