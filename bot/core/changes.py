"""What a change moved: each member's future weeks before and after, as `WeekChange`s.

A change (an accepted swap, time off, a re-plan) is told to the people whose weeks it
moved. The weeks are compared as the one resolver answers them (`resolve_week`) at
each week's handover, for the engineer and the backup; a week that has started is no
longer "future" and is left out (a take-over says so itself). Changes that cancel out
before they are told (A takes B's week, then gives it back) net out to nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.model import Assignment, Override, SwapRequest, Team, TimeOff
from bot.core.oncall import resolve_week
from bot.core.weeks import week, week_index_at, weeks_overlapping


class Role(enum.StrEnum):
    ENGINEER = "engineer"
    BACKUP = "backup"


@dataclass(frozen=True)
class Holders:
    """Who holds week `week` at its handover, and the plan's reasons for it."""

    week: int
    engineer: str | None
    backup: str | None
    reasons: tuple[str, ...] = ()

    def holder(self, role: Role) -> str | None:
        return self.engineer if role is Role.ENGINEER else self.backup


@dataclass(frozen=True)
class WeekChange:
    """Week `week`'s `role` passed from `before` to `after`; `member` is one of them."""

    member: str
    week: int
    role: Role
    before: str | None
    after: str | None
    why: str
    id: int | None = None  # the stored row, once stored
    at: datetime | None = None  # when it was recorded, once stored


def future_weeks(team: Team, now: datetime, last_planned: int | None) -> range:
    """The weeks a change is compared over: from the first not started at `now` to the
    last stored but one (the last one's backup is the next week's engineer, not stored
    yet: comparing it would report the plan growing as a change)."""
    first = max(0, week_index_at(team, now) + 1)
    return range(first, first if last_planned is None else max(first, last_planned))


@dataclass(frozen=True)
class WeekInputs:
    """All the resolver reads for a span of weeks: the plan (the span and the week after
    it), the time off and the take-overs that overlap them."""

    plan: Mapping[int, Assignment]
    time_off: tuple[TimeOff, ...]
    overrides: tuple[Override, ...]


def touched_weeks(team: Team, before: WeekInputs, after: WeekInputs, span: range) -> list[int]:
    """The weeks of `span` whose inputs differ: `resolve_week(k)` reads plan weeks k and
    k + 1, time off on k's handover day and take-overs at its handover, so only these can
    answer differently. Cheap where a change is small (a swap: four weeks, not a hundred)."""
    touched: set[int] = set()
    for k in range(span.start, span.stop + 1):
        if before.plan.get(k) != after.plan.get(k):
            touched.update((k - 1, k))
    for t in set(before.time_off) ^ set(after.time_off):
        touched.update(weeks_overlapping(team, t.start, t.end))
    for o in set(before.overrides) ^ set(after.overrides):
        touched.update(range(week_index_at(team, o.start), week_index_at(team, o.end) + 1))
    return sorted(k for k in touched if k in span)


def changes_between(
    team: Team,
    before: WeekInputs,
    after: WeekInputs,
    span: range,
    why: str,
    *,
    plan_first: bool = False,
) -> list[WeekChange]:
    """What moved in `span` from `before` to `after` (see `diff`), resolving only the weeks
    whose inputs differ."""
    weeks = touched_weeks(team, before, after, span)
    if not weeks:
        return []
    return diff(
        holders(team, before.plan, before.time_off, before.overrides, weeks),
        holders(team, after.plan, after.time_off, after.overrides, weeks),
        why,
        plan_first=plan_first,
    )


def holders(
    team: Team,
    plan: Mapping[int, Assignment],
    time_off: Sequence[TimeOff],
    overrides: Sequence[Override],
    indexes: Iterable[int],
) -> dict[int, Holders]:
    """Weeks `indexes` as `resolve_week` answers them at their handovers. `plan` holds each
    week and the one after it; `time_off` the ranges on their handover days."""
    out: dict[int, Holders] = {}
    for k in indexes:
        r = resolve_week(team, plan, time_off, k, week(team, k).start, overrides)
        out[k] = Holders(k, r.on_call, r.backup, r.reasons)
    return out


def diff(
    before: Mapping[int, Holders],
    after: Mapping[int, Holders],
    why: str,
    *,
    plan_first: bool = False,
) -> list[WeekChange]:
    """The changes from `before` to `after`, one for each member a week's role left or
    reached, over the weeks both know (a week only one side has moved nobody). Each says
    `why`; with `plan_first` (a re-plan) an engineer's change says the plan's new reasons
    for the week instead, when it has some."""
    changes: list[WeekChange] = []
    for k in sorted(before.keys() & after.keys()):
        b, a = before[k], after[k]
        for role in Role:
            old, new = b.holder(role), a.holder(role)
            if old == new:
                continue
            fresh = [r for r in a.reasons if r not in b.reasons] if role is Role.ENGINEER else []
            because = ("; ".join(fresh) if plan_first else "") or why
            for member in dict.fromkeys(m for m in (old, new) if m is not None):
                changes.append(WeekChange(member, k, role, old, new, because))
    return changes


def net(
    mine: Sequence[WeekChange], latest: Mapping[tuple[int, Role], WeekChange]
) -> list[WeekChange]:
    """One member's untold changes (oldest first) as one change per week and role: from
    the first `before` to the week's latest `after` (`latest`: the newest recorded change
    of each week and role, whoever it concerned). Nothing when it came back to where it
    was, or when the member is neither before nor after (moved in, then on)."""
    first: dict[tuple[int, Role], WeekChange] = {}
    last: dict[tuple[int, Role], WeekChange] = {}
    for c in mine:
        first.setdefault((c.week, c.role), c)
        last[(c.week, c.role)] = c
    out: list[WeekChange] = []
    for key, c in first.items():
        end = latest.get(key, last[key])
        after = end.after
        if after == c.before or c.member not in (c.before, after):
            continue
        out.append(replace(c, after=after, why=end.why, id=last[key].id, at=end.at))
    return sorted(out, key=lambda c: (c.week, c.role is Role.BACKUP))


def swap_why(team: Team, request: SwapRequest) -> str:
    """Why an accepted swap moved weeks, in words for both parties (and who recorded it,
    when an admin did it for them)."""
    a, b = team.name_of(request.requester), team.name_of(request.counterpart)
    if request.undoes is not None:
        why = f"{a} and {b} swapped back"
    elif request.is_takeover:
        why = f"{b} took over from {a}"
    elif request.is_cover:
        why = f"{b} covers {a}'s week"
    else:
        why = f"{a} and {b} swapped weeks"
    admin = request.recorded_by
    if admin and admin not in (request.requester, request.counterpart):
        why += f" (recorded by {team.name_of(admin)})"
    return why


def time_off_why(team: Team, t: TimeOff) -> str:
    """Why recording time off moved weeks."""
    days = f"{t.start:%a %d %b}" if t.start == t.end else f"{t.start:%a %d %b} to {t.end:%a %d %b}"
    return f"{team.name_of(t.member)} is away {days}"
