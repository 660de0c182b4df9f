"""The fairness ledger as a message (pure): the same numbers as `oncall fairness`."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.core.ledger import Ledger, rule_summary
from bot.slack.blocks.kit import cap, context, header, sections
from bot.slack.mrkdwn import Mrkdwn, bold, join, md


def fairness_blocks(ledger: Ledger, highlight: str | None = None) -> list[Block]:
    lines = []
    for r in ledger.rows:
        mark = md(" :point_left: you") if r.member == highlight else md("")
        lines.append(
            md(
                "{}: {} weeks ({} past), {} holiday days, {} weekend days, "
                "covers {} given / {} received, {} swaps{}",
                bold(r.name),
                r.weeks,
                r.weeks_past,
                r.holiday_days,
                r.weekend_days,
                r.covers_given,
                r.covers_received,
                r.swaps,
                mark,
            )
        )
    spread = md(
        "Weeks {}–{} (now: week {}). Spread: {} week(s), {} holiday day(s).",
        ledger.first_week,
        ledger.last_week,
        ledger.current_week,
        ledger.spread("weeks"),
        ledger.spread("holiday_days"),
    )
    blocks: list[Block] = [header("On-call fairness"), *sections(lines), context(spread)]
    if ledger.rules:  # the plan's rules: what it achieves against the proven best
        blocks += sections(md("{}", rule_summary(r)) for r in ledger.rules)
    return cap(blocks)


def fairness_text(ledger: Ledger) -> Mrkdwn:
    return md(
        "On-call fairness: {}",
        join(
            "; ",
            (
                md("{} {} weeks, {} holiday days", r.name, r.weeks, r.holiday_days)
                for r in ledger.rows
            ),
        ),
    )
