"""The one place where team data and typed text become Slack mrkdwn.

`Mrkdwn` is a `str` that is known to be safe to send as mrkdwn: no `<!channel>`, no
mention and no link that did not come from this module. Only the functions here make
one: `escape` (data), `md` (a literal template whose arguments are escaped), the markup
wrappers (`bold`, `italic`, `code`, `mention`, `date_token`, `join`, `lines`) and
`trusted` (the output of a converter that escapes as it goes, i.e. runbooks). Anything
else, an f-string or `+` with a plain `str`, gives a plain `str`, and the block helpers
in `bot.slack.blocks.kit` refuse a plain `str` with a TypeError: a forgotten escape fails
the first test that renders it.

Plain-text fallbacks (the `text` of a message) are mrkdwn too, so they are `Mrkdwn` as
well.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable
from datetime import datetime
from typing import Any, LiteralString

from bot.core.model import Member, Team

ELLIPSIS = "…"


class Mrkdwn(str):
    """Text that is safe to send as mrkdwn (made only by this module's functions)."""

    __slots__ = ()

    def __add__(self, other: str) -> str:
        if isinstance(other, Mrkdwn):
            return Mrkdwn(str.__add__(self, other))
        return str.__add__(self, other)  # a plain str: the result is not trusted


def escape(text: str) -> Mrkdwn:
    """Make data inert in mrkdwn: no pings (<!channel>), no links, no mentions.

    Slack's rule: escape &, < and >; with those escaped no `<...>` control sequence
    survives. `@channel` typed as plain text does not ping from an app's message.
    Already-safe `Mrkdwn` is returned unchanged, so nothing is escaped twice.
    """
    if isinstance(text, Mrkdwn):
        return text
    if not isinstance(text, str):
        raise TypeError(f"escape() takes a str, not {type(text).__name__}")
    return Mrkdwn(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def _token_as_typed(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target[:1] in ("@", "#"):  # <@U123|jill>, <#C123|general>: as the person saw it
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # <!channel>, <!subteam^S1|@oncall>, <!date^…|fallback>
        return label or "@" + target[1:].split("^")[0]
    return f"{label} ({target})" if label and label != target else target  # a link


def typed_text(slack_text: str) -> str:
    """What a person typed into a slash command, as they saw it: Slack sends mentions,
    channels and links as `<…>` tokens and escapes &, < and >. Free text (a reason, an
    incident's summary, a note) is stored as this plain text and escaped where it becomes
    mrkdwn, so a typed `@channel` or `@jill` is shown, never pings, and `a < b` reads as
    typed rather than as `&lt;`."""
    plain = _SLACK_TOKEN.sub(_token_as_typed, slack_text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Mrkdwn) and not format_spec:
            return value
        return escape(format(value, format_spec))


_FORMATTER = _EscapingFormatter()


def md(template: LiteralString, /, *args: object, **kwargs: object) -> Mrkdwn:
    """`template` (literal, trusted markup) with every argument escaped unless it is Mrkdwn.

    `md("*{}* asks you to swap", name)`: the name is data, the asterisks are markup.
    """
    if _only_plain_fields(template) and not kwargs:
        # The common case, filled by str.format once each argument is escaped: the same
        # result as the escaping formatter, at a fraction of its cost on every answer.
        return Mrkdwn(template.format(*(_escaped(a) for a in args)))
    return Mrkdwn(_FORMATTER.format(template, *args, **kwargs))


def _escaped(value: object) -> str:
    return value if isinstance(value, Mrkdwn) else escape(format(value, ""))


@functools.lru_cache(maxsize=2048)
def _only_plain_fields(template: str) -> bool:
    """Check a template once: no < or > in its literal text (ValueError), and whether every
    field is a bare `{}` (no name, conversion or format spec)."""
    parsed = list(_FORMATTER.parse(template))
    literal = "".join(text for text, *_ in parsed)
    if "<" in literal or ">" in literal:
        # Slack reads <...> as a link, mention or ping: only this module's functions make one.
        raise ValueError(f"a template cannot contain < or >: {template[:60]!r}")
    return all(
        field is None or (field == "" and not spec and conversion is None)
        for _, field, spec, conversion in parsed
    )


def join(separator: LiteralString, parts: Iterable[str]) -> Mrkdwn:
    """Parts (escaped unless already Mrkdwn) joined by a literal separator."""
    if "<" in separator or ">" in separator:
        raise ValueError(f"a separator cannot contain < or >: {separator!r}")
    return Mrkdwn(separator.join(escape(p) for p in parts))


def lines(parts: Iterable[str]) -> Mrkdwn:
    return join("\n", parts)


def bold(text: str) -> Mrkdwn:
    return Mrkdwn(f"*{escape(text)}*")


def italic(text: str) -> Mrkdwn:
    return Mrkdwn(f"_{escape(text)}_")


def code(text: str) -> Mrkdwn:
    """Inline code; a backtick in the text would end it, so it becomes a prime."""
    return Mrkdwn(f"`{escape(text).replace('`', 'ʹ')}`")


_SLACK_ID = re.compile(r"^[UWB][A-Z0-9]{1,20}$")


def mention_id(slack_id: str) -> Mrkdwn:
    """`<@U…>`, which each reader sees as a name; anything not a Slack user id is escaped."""
    if _SLACK_ID.match(slack_id):
        return Mrkdwn(f"<@{slack_id}>")
    return escape(slack_id)


_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{1,20}$")


def channel_link(channel_id: str) -> Mrkdwn:
    """`<#C…>`, which each reader sees as the channel's name; anything else is escaped."""
    if _CHANNEL_ID.match(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return escape(channel_id)


def mention(member: Member | None, nobody: LiteralString = "nobody") -> Mrkdwn:
    return mention_id(member.slack_id) if member else Mrkdwn(nobody)


def plain_name(team: Team, member_id: str | None, nobody: str = "nobody") -> str:
    """A member's name as data (for plain_text, or to pass to `md`); the id when the
    member is no longer in the team."""
    if member_id is None:
        return nobody
    try:
        return team.member(member_id).name
    except KeyError:  # someone since removed from the config
        return member_id


def name(team: Team, member_id: str | None, nobody: LiteralString = "nobody") -> Mrkdwn:
    """A member's name, escaped: for fallbacks and for lines nobody should be pinged by."""
    return escape(plain_name(team, member_id, nobody))


def at(team: Team, member_id: str | None, nobody: LiteralString = "nobody") -> Mrkdwn:
    """A member as a mention (`<@U…>`); an unknown id escaped; `nobody` for None."""
    if member_id is None:
        return Mrkdwn(nobody)
    try:
        return mention(team.member(member_id))
    except KeyError:
        return escape(member_id)


def date_token(at: datetime, fallback: str) -> Mrkdwn:
    """A Slack date token, shown in each reader's own time zone."""
    safe = escape(fallback).replace("|", "¦")
    return Mrkdwn(f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{safe}>")


def trusted(text: str) -> Mrkdwn:
    """Text from a converter that escapes data as it builds markup (bot.slack.runbook_mrkdwn).

    Not for anything else: tests/test_mrkdwn.py checks who calls it.
    """
    return Mrkdwn(text)


_ENTITY_OR_TOKEN = re.compile(r"&[a-z]+;|<[^<>\n]*>")


def shorten(text: Mrkdwn, limit: int) -> Mrkdwn:
    """`text` within `limit` characters, ending in "…" when cut; never cut inside an
    escaped character (`&amp;`) or a `<...>` token, which would break what Slack shows."""
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    for m in _ENTITY_OR_TOKEN.finditer(text, max(0, cut - 200), cut + 200):
        if m.start() < cut < m.end():
            cut = m.start()
            break
    return Mrkdwn(text[:cut] + ELLIPSIS)
