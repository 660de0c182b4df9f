"""Small Block Kit pieces every builder uses, within Slack's limits, taking only Mrkdwn.

A section, context or field takes `Mrkdwn` (see `bot.slack.mrkdwn`) and raises TypeError
for a plain `str`, so text that skipped the escaper cannot reach Slack. Lists go through
`sections`, which packs lines into as many sections as they need; `cap` keeps a message
(50 blocks) or a view (100) within Slack's limit and says what it left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import LiteralString

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.mrkdwn import ELLIPSIS, Mrkdwn, md, shorten

MAX_BLOCKS = 50  # per message
MAX_VIEW_BLOCKS = 100  # per modal or Home view
SECTION_LIMIT = 2900  # Slack allows 3000; the margin absorbs a note or a closing fence
CONTEXT_LIMIT = 2000  # context lines render small; keep them short
HEADER_LIMIT = 150
BUTTON_LIMIT = 75  # a button's or an option's text
MAX_FIELDS = 10


def _checked(text: object, where: str) -> Mrkdwn:
    if not isinstance(text, Mrkdwn):
        raise TypeError(
            f"{where} takes Mrkdwn (bot.slack.mrkdwn.escape / md), not {type(text).__name__}: "
            f"{str(text)[:60]!r}"
        )
    return text


def mrkdwn(text: Mrkdwn) -> MarkdownTextObject:
    return MarkdownTextObject(text=_checked(text, "a mrkdwn text object"))


def clip(text: str, limit: int) -> str:
    """Plain text (not mrkdwn) within `limit`, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def plain(text: str, limit: int = 3000) -> PlainTextObject:
    """Plain text: Slack shows it as typed, so it needs no escaping, only a length."""
    return PlainTextObject(text=clip(text, limit), emoji=True)


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text, HEADER_LIMIT))


def button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=plain(text, BUTTON_LIMIT), action_id=action_id, value=value, style=style
    )


def section(
    text: Mrkdwn, *, accessory: ButtonElement | None = None, block_id: str | None = None
) -> SectionBlock:
    """One section; text over the limit is shortened visibly (lists use `sections`)."""
    text = _checked(text, "section()")
    if len(text) > SECTION_LIMIT:
        kept = shorten(text, SECTION_LIMIT - 60)
        text = kept + md("\n_(shortened: {} more characters not shown)_", len(text) - len(kept))
    return SectionBlock(text=mrkdwn(text), accessory=accessory, block_id=block_id)


def context(*texts: Mrkdwn) -> ContextBlock:
    return ContextBlock(
        elements=[mrkdwn(shorten(_checked(t, "context()"), CONTEXT_LIMIT)) for t in texts[:10]]
    )


def fields(items: Sequence[Mrkdwn]) -> list[SectionBlock]:
    """Two-column fields, ten to a section (Slack's limit)."""
    checked = [shorten(_checked(t, "fields()"), 2000) for t in items]
    return [
        SectionBlock(fields=[mrkdwn(t) for t in checked[i : i + MAX_FIELDS]])
        for i in range(0, len(checked), MAX_FIELDS)
    ]


def _fit_line(line: Mrkdwn, limit: int) -> Mrkdwn:
    if len(line) <= limit:
        return line
    kept = shorten(line, limit - 60)
    return kept + md(" _(line shortened: {} characters not shown)_", len(line) - len(kept))


def pack(lines: Iterable[Mrkdwn], limit: int = SECTION_LIMIT) -> list[Mrkdwn]:
    """Lines packed into as few texts of at most `limit` characters as they need, split
    only between lines; a single longer line is shortened visibly."""
    out: list[Mrkdwn] = []
    current: Mrkdwn | None = None
    for line in lines:
        piece = _fit_line(_checked(line, "sections()"), limit)
        if current is None:
            current = piece
        elif len(current) + 1 + len(piece) <= limit:
            current = current + md("\n") + piece
        else:
            out.append(current)
            current = piece
    if current is not None and current.strip():
        out.append(current)
    return out


def sections(lines: Iterable[Mrkdwn], limit: int = SECTION_LIMIT) -> list[SectionBlock]:
    """Lines in as many sections as they need (see `pack`): nothing is cut mid-line."""
    return [section(text) for text in pack(lines, limit)]


def cap(
    blocks: list[Block],
    limit: int = MAX_BLOCKS,
    more: Mrkdwn | None = None,
    *,
    what: LiteralString = "blocks",
) -> list[Block]:
    """Keep a message within `limit` blocks, saying how much was left out and where to
    see it (`more`, e.g. "see `/oncall schedule`")."""
    if len(blocks) <= limit:
        return blocks
    left = len(blocks) - (limit - 1)
    where = md(": {}", more) if more else md("")
    note = md("_… {} more {} not shown{}._", left, what, where)
    return [*blocks[: limit - 1], context(note)]
