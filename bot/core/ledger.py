"""The fairness ledger: per member, past and planned, what on-call has cost them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from bot.core.model import Assignment, SwapRequest, Team
from bot.core.rules import RuleResult
from bot.core.swaps import standing
from bot.core.weeks import week


@dataclass
class LedgerRow:
    member: str
    name: str
    weeks_past: int = 0
    weeks_planned: int = 0
    holiday_days_past: int = 0
    holiday_days_planned: int = 0
    weekend_days: int = 0
    covers_given: int = 0
    covers_received: int = 0
    swaps: int = 0
    adjusted_weeks: int = 0  # weeks off their target (round-robin, or the replaced plan)

    @property
    def weeks(self) -> int:
        return self.weeks_past + self.weeks_planned

    @property
    def holiday_days(self) -> int:
        return self.holiday_days_past + self.holiday_days_planned

    def as_dict(self) -> dict[str, int | str]:
        return {**asdict(self), "weeks": self.weeks, "holiday_days": self.holiday_days}


@dataclass(frozen=True)
class Ledger:
    rows: tuple[LedgerRow, ...]
    first_week: int
    current_week: int
    last_week: int
    # Per planner rule: what the stored plan achieves and the proven best (the planner's
    # record of its last plan); empty when there is none (no holidays: round-robin).
    rules: tuple[RuleResult, ...] = ()

    def spread(self, key: str) -> int:
        values = [int(r.as_dict()[key]) for r in self.rows]
        return max(values) - min(values) if values else 0


def build_ledger(
    team: Team,
    plan: Mapping[int, Assignment],
    holidays: Mapping[date, str],
    swaps: Sequence[SwapRequest],
    current_week: int,
    rules: Sequence[RuleResult] = (),
) -> Ledger:
    """Count each member's weeks, holiday and weekend days, covers and swaps.

    Weeks before `current_week` are past; the rest of `plan` is planned. Of `swaps`,
    the requests that still stand count (`bot.core.swaps.standing`). `rules` is the
    planner's record of the plan (`PlanResult.rules`), shown per rule as it is.
    """
    rows = {m.id: LedgerRow(m.id, m.name) for m in team.members}
    for index in sorted(plan):
        a = plan[index]
        row = rows.get(a.member)
        if row is None:  # a member since removed from the config
            continue
        days = week(team, index).days
        hol = sum(1 for d in days if d in holidays)
        if index < current_week:
            row.weeks_past += 1
            row.holiday_days_past += hol
        else:
            row.weeks_planned += 1
            row.holiday_days_planned += hol
        row.weekend_days += sum(1 for d in days if d.weekday() >= 5)
        if a.reason and not a.fixed:
            row.adjusted_weeks += 1
    for r in standing(swaps):  # a swap and its swap back cancel out
        if r.is_cover:
            if r.counterpart in rows:
                rows[r.counterpart].covers_given += 1
            if r.requester in rows:
                rows[r.requester].covers_received += 1
        else:
            for member in (r.requester, r.counterpart):
                if member in rows:
                    rows[member].swaps += 1
    ordered = tuple(rows[m] for m in team.order if m in rows) + tuple(
        r for m, r in rows.items() if m not in team.order
    )
    return Ledger(ordered, min(plan, default=0), current_week, max(plan, default=0), tuple(rules))


def rule_summary(rule: RuleResult) -> str:
    """A rule's line for people: what the plan achieves against the proven best, e.g.
    "rule 3 (holiday balance): kept (proven best)" or "rule 4 (major holidays): broken
    1 time (the proven best: no plan does better)"."""
    if rule.rule == 6:
        fewest = " (the fewest possible)" if rule.proven else ""
        return f"rule 6 (stability): {rule.achieved} week(s) moved{fewest}"
    if rule.achieved == 0:
        return f"rule {rule.rule} ({rule.name}): kept (proven best)"
    state = f"rule {rule.rule} ({rule.name}): broken by {rule.achieved}"
    if rule.proven:
        return f"{state} (the proven best: no plan does better)"
    return f"{state} (proven best {rule.best}: the time limit left a gap of {rule.gap})"
