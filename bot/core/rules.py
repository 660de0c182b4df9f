"""The planner's rules by number, and what a plan achieves on each: plain data, shared by
the planner, the ledger and `oncall fairness` (the planner itself loads the solver)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

# README "Holidays and fairness", in priority order; 6 is the last objective (stability:
# a re-plan's weeks moved from the plan it replaces; a first plan moves none).
RULES = {
    1: "availability",
    2: "fair share of weeks",
    3: "holiday balance",
    4: "major holidays",
    5: "no back-to-back",
    6: "weeks moved",
}


@dataclass(frozen=True)
class RuleResult:
    rule: int  # 1..5, plus 6 for the weeks moved from the previous plan (a first plan: 0)
    achieved: int  # severity of the plan (0: kept)
    best: int  # proven lower bound given the rules before it (== achieved when proven)
    proven: bool  # achieved is the optimum (this stage and every one before it solved)

    @property
    def gap(self) -> int:
        return self.achieved - self.best

    @property
    def name(self) -> str:
        return RULES[self.rule]


def encode_rules(rules: Sequence[RuleResult]) -> str:
    """For storing next to the plan (Store meta): `decode_rules` reads it back."""
    return json.dumps([asdict(r) for r in rules])


def decode_rules(text: str | None) -> tuple[RuleResult, ...]:
    if not text:
        return ()
    return tuple(RuleResult(**row) for row in json.loads(text))
