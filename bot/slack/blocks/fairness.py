"""The fairness ledger as a message (pure): the same numbers as `oncall fairness`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.ledger import Ledger


def fairness_blocks(ledger: Ledger, highlight: str | None = None) -> list[Block]:
    lines = []
    for r in ledger.rows:
        mark = " :point_left: you" if r.member == highlight else ""
        lines.append(
            f"*{r.name}*: {r.weeks} weeks ({r.weeks_past} past), {r.holiday_days} holiday days, "
            f"{r.weekend_days} weekend days, covers {r.covers_given} given / "
            f"{r.covers_received} received, {r.swaps} swaps{mark}"
        )
    spread = (
        f"Weeks {ledger.first_week}–{ledger.last_week} (now: week {ledger.current_week}). "
        f"Spread: {ledger.spread('weeks')} week(s), {ledger.spread('holiday_days')} holiday day(s)."
    )
    return [
        HeaderBlock(text=PlainTextObject(text="On-call fairness")),
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:3000])),
        ContextBlock(elements=[MarkdownTextObject(text=spread)]),
    ]


def fairness_text(ledger: Ledger) -> str:
    return "On-call fairness: " + "; ".join(
        f"{r.name} {r.weeks} weeks, {r.holiday_days} holiday days" for r in ledger.rows
    )
