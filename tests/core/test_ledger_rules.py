"""The ledger carries the planner's record per rule: achieved against the proven best."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.ledger import build_ledger, rule_summary
from bot.core.model import Assignment, Member, Team
from bot.core.rules import RuleResult, decode_rules, encode_rules

TEAM = Team(
    name="t",
    timezone=ZoneInfo("UTC"),
    channel="C0",
    members=(Member("a", "Ann", "U1"), Member("b", "Bob", "U2")),
    order=("a", "b"),
    start=date(2026, 11, 30),
    handover_weekday=0,
    handover_time=datetime.min.time(),
)


def test_the_ledger_shows_each_rule_as_achieved_against_the_proven_best() -> None:
    rules = (
        RuleResult(1, 0, 0, True),
        RuleResult(3, 2, 2, True),
        RuleResult(4, 3, 1, False),
        RuleResult(6, 5, 0, False),
    )
    plan = {k: Assignment(k, "ab"[k % 2]) for k in range(4)}
    ledger = build_ledger(TEAM, plan, {}, (), 0, rules)
    assert ledger.rules == rules
    lines = [rule_summary(r) for r in ledger.rules]
    assert lines == [
        "rule 1 (availability): kept (proven best)",
        "rule 3 (holiday balance): broken by 2 (the proven best: no plan does better)",
        "rule 4 (major holidays): broken by 3 (proven best 1: the time limit left a gap of 2)",
        "rule 6 (stability): 5 week(s) moved",
    ]
    assert build_ledger(TEAM, plan, {}, (), 0).rules == ()


def test_rules_round_trip_for_storage() -> None:
    rules = (RuleResult(2, 1, 0, False), RuleResult(6, 0, 0, True))
    assert decode_rules(encode_rules(rules)) == rules
    assert decode_rules(None) == decode_rules("") == ()
