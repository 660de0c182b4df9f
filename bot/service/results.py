"""What the service's operations return to the edges: plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core.model import Assignment, Override, SwapRequest, TimeOff
from bot.core.oncall import OnCall
from bot.core.weeks import Week


@dataclass(frozen=True)
class ScheduledWeek:
    """A week as the schedule shows it: the plan resolved by `resolve_week`, the same
    answer `who()` gives, so /oncall now and /oncall schedule never disagree."""

    week: Week
    member: str  # whom the plan puts on call
    backup: str | None
    reason: str | None
    fixed: bool
    holidays: dict[date, str]
    time_off: tuple[TimeOff, ...]
    cover_needed: bool  # the engineer has time off in the week and no swap yet
    on_call: str | None = None  # who is actually on call (the backup stands in for time off)
    reasons: tuple[str, ...] = ()  # why on_call is who it is, when not plain rotation
    takeovers: tuple[Override, ...] = ()  # take-overs for part of the week


@dataclass(frozen=True)
class OnCallNow(OnCall):
    """`who()` as the service answers it: with the take-over that makes `on_call` who it
    is, when one does (to say "taking over from Davis until Fri 09:00")."""

    takeover: Override | None = None


@dataclass(frozen=True)
class TimeOffResult:
    time_off: TimeOff
    merged_with: tuple[TimeOff, ...]
    weeks_needing_cover: tuple[int, ...]
    candidates: dict[int, list[tuple[str, int | None]]] = field(default_factory=dict)


@dataclass(frozen=True)
class SwapOutcome:
    request: SwapRequest
    assignments: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class ClosedRequest:
    """A pending swap request closed because `gone` is no longer in the team file."""

    request: SwapRequest  # as stored after closing (status cancelled)
    gone: str  # the member who left
    reason: str  # for people: "<name> is no longer in the on-call team"


@dataclass(frozen=True)
class Handover:
    """What the Monday announcement says about week `week.index`."""

    week: Week
    incoming: str  # effective on-call at the handover instant
    outgoing: str | None  # last week's engineer; None for week 0
    backup: str | None
    answer: OnCall  # who() at the handover instant: owners, holidays, time off, reasons
    pending_swaps: tuple[SwapRequest, ...] = ()
    # Posted well after the handover instant (a catch-up at start, a CLI re-post): the
    # incoming engineer has been on call since week.start, not "from now".
    late: bool = False


@dataclass(frozen=True)
class TakeoverOutcome:
    """A take-over asked (`override` None: waiting for the colleague) or in effect."""

    request: SwapRequest  # requester: the engineer replaced; counterpart: the colleague
    override: Override | None = None
    # In effect: who is on call right after, as the handover would put it (for the user
    # group, which the notifier sets from a Handover).
    handover: Handover | None = None
