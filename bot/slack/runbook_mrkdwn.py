"""Runbook Markdown as Slack mrkdwn, in pieces a section block holds.

Slack does not render Markdown: prose goes through markdown_to_mrkdwn, fenced code is
kept as code, and every piece of text is escaped (bot.slack.mrkdwn.escape) as it is
converted, so the result is `Mrkdwn`. A runbook's own links stay links; one that would
show other text than its address (`<https://…|click>`) is text.
"""

from __future__ import annotations

import re

from markdown_to_mrkdwn import SlackMarkdownConverter

from bot.runbooks import fence_opened_by, fence_states
from bot.slack.mrkdwn import Mrkdwn, escape, trusted

__all__ = ["chunk_mrkdwn", "chunk_text", "to_mrkdwn"]

_MIN_CHUNK_LIMIT = 20
"""Below this a piece could not hold a closing and a reopening fence plus some text."""

_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# An autolink shows its own address; with a `|` Slack would show other text (a disguised
# link), so that is not an autolink but text, escaped.
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>|]+>")
_BLOCKQUOTE_MARK = re.compile(r"^([ \t]*(?:>[ \t]?)+)")
# A line that reads as a heading: Markdown ATX, or a whole line in mrkdwn bold.
_HEADING_LIKE = re.compile(r"^(?: {0,3}#{1,6}[ \t].*|[ \t]*\*[^*\n]+\*:?[ \t]*)$")


# --- Markdown to mrkdwn -----------------------------------------------------------


def _escape_prose_line(line: str) -> str:
    """Escape a prose line but keep a leading blockquote marker and <https://...> autolinks.

    Without this, a placeholder like `<dashboard link>` would be read by Slack as a link.
    """
    quote = _BLOCKQUOTE_MARK.match(line)
    prefix = quote[1] if quote else ""
    rest = line[len(prefix) :]
    out: list[str] = []
    pos = 0
    for link in _AUTOLINK.finditer(rest):
        out.append(escape(rest[pos : link.start()]))
        out.append(link[0].replace("&", "&amp;"))
        pos = link.end()
    out.append(escape(rest[pos:]))
    return prefix + "".join(out)


def _convert_prose(lines: list[str]) -> str:
    """Convert prose (no fences) with markdown_to_mrkdwn, shielding inline code.

    The converter's emphasis rules would otherwise rewrite `count(*)` or `__init__`.
    Blank lines at the edges are kept, since the converter strips them and they
    mark paragraph breaks that `chunk_text` splits on.
    """
    lead = 0
    while lead < len(lines) and not lines[lead].strip():
        lead += 1
    if lead == len(lines):
        return "\n".join("" for _ in lines)
    trail = 0
    while not lines[-1 - trail].strip():
        trail += 1
    core = lines[lead : len(lines) - trail]

    codes: list[str] = []

    def shield(match: re.Match[str]) -> str:
        codes.append("`" + escape(match[2]) + "`")
        return f"\x00{len(codes) - 1}\x00"

    shielded = [_escape_prose_line(_INLINE_CODE.sub(shield, line)) for line in core]
    converted = SlackMarkdownConverter().convert("\n".join(shielded))
    converted = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m[1])], converted)
    return "\n" * lead + converted + "\n" * trail


def _dedent(line: str, indent: str) -> str:
    """Remove a list item's fence indentation, which Slack would show inside the code."""
    return line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t")


def to_mrkdwn(markdown: str) -> Mrkdwn:
    """Convert Markdown to Slack mrkdwn, because Slack does not render Markdown.

    Uses markdown_to_mrkdwn for prose (**bold** -> *bold*, headings -> bold lines,
    [text](url) -> <url|text>, lists kept), but handles fenced code itself: code is
    passed through unconverted, without the language tag Slack would show as text,
    and dedented when the fence sat inside a list. `&`, `<` and `>` are escaped as
    Slack requires, except in links.
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    states = fence_states(lines)
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = fence_opened_by(lines[i]) if states[i] is None else None
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        if prose:
            out.append(_convert_prose(prose))
            prose = []
        code: list[str] = []
        i += 1
        while i < len(lines) and states[i] is not None:
            if fence.is_closed_by(lines[i]):
                i += 1
                break
            code.append(escape(_dedent(lines[i], fence.indent)))
            i += 1
        out.append("\n".join(["```", *code, "```"]))
    if prose:
        out.append(_convert_prose(prose))
    # Every piece of data was escaped above; the rest is the converter's markup.
    return trusted("\n".join(out).strip("\n"))


# --- chunking ---------------------------------------------------------------------


def _split_long_line(line: str, room: int) -> tuple[str, str]:
    """Split a line too long for a piece: after the last space that fits, else at `room`.

    The space stays with the first part, so no character is lost.
    """
    cut = line.rfind(" ", 0, room)
    if cut <= 0 or not line[:cut].strip():
        amp = line.rfind("&", max(0, room - 5), room)
        if amp > 0 and ";" not in line[amp:room]:
            room = amp  # not inside an escaped character (`&amp;`)
        return line[:room], line[room:]
    return line[: cut + 1], line[cut + 1 :]


def chunk_mrkdwn(text: Mrkdwn, limit: int = 2900) -> list[Mrkdwn]:
    """`chunk_text` for Mrkdwn: pieces split between characters, with fences closed and
    reopened, so each is still safe mrkdwn."""
    if not isinstance(text, Mrkdwn):
        raise TypeError("chunk_mrkdwn takes Mrkdwn (bot.slack.mrkdwn)")
    return [trusted(piece) for piece in chunk_text(text, limit)]


def chunk_text(text: str, limit: int = 2900) -> list[str]:
    """Split mrkdwn into pieces of at most `limit` characters for Slack section blocks.

    Slack rejects a section whose text exceeds 3000 characters, so a long runbook
    section must go out as several blocks. Splits prefer a paragraph break, then a
    line break, and avoid code fences; a fence that is too long on its own is closed
    at the end of one piece and reopened at the start of the next, so every piece
    renders. A single line longer than a piece is split at a space if it can be.
    Blank lines at piece edges are dropped; no piece is empty.
    """
    if limit < _MIN_CHUNK_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_CHUNK_LIMIT} characters, got {limit}")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    states = fence_states(lines)
    pieces: list[str] = []
    start = 0
    n = len(lines)

    while start < n:
        if states[start] is None and not lines[start].strip():
            start += 1  # blank lines between pieces are the break itself
            continue
        fence_at_start = states[start]
        if fence_at_start is not None and fence_at_start.is_closed_by(lines[start]):
            start += 1  # the previous piece already closed this fence
            continue
        prefix = fence_at_start.opener + "\n" if fence_at_start else ""

        # Break class -> furthest end index that fits. Higher is better: 4 end of text,
        # 3 paragraph break, 2 line break, 1 right after a heading, 0 inside a fence.
        best: dict[int, int] = {}
        length = len(prefix) - 1  # minus the newline the first line does not need
        last_text = ""  # the last non-blank line so far: what the piece would end with
        for end in range(start + 1, n + 1):
            length += len(lines[end - 1]) + 1
            if lines[end - 1].strip():
                last_text = lines[end - 1]
            fence_after = states[end] if end < n else None
            suffix = "\n" + fence_after.closer if fence_after else ""
            if length + len(suffix) > limit:
                if length > limit:
                    break  # longer pieces only get longer
                continue
            if end == n:
                best[4] = end
            elif fence_after is None:
                paragraph = not lines[end].strip() or not lines[end - 1].strip()
                if _HEADING_LIKE.match(last_text):
                    best[1] = end  # a heading left at the end of a piece reads badly
                else:
                    best[3 if paragraph else 2] = end
            elif states[end - 1] is not None and not fence_after.is_closed_by(lines[end]):
                # Inside a fence, but not right after its opener (this piece would end
                # with an empty code block) nor right before its closer (the next would).
                best[0] = end

        if best:
            end = best[max(best)]
            fence_after = states[end] if end < n else None
            body = lines[start:end]
            if fence_after is None:
                while body and not body[-1].strip():
                    body.pop()
            piece = prefix + "\n".join(body)
            if fence_after is not None:
                piece += "\n" + fence_after.closer
            pieces.append(piece)
            start = end
            continue

        if (
            fence_at_start is None
            and start + 1 < n
            and states[start + 1] is not None
            and not states[start + 1].is_closed_by(lines[start + 1])
        ):
            # A fence opener followed by a line too long to fit: the opener becomes the
            # next piece's reopening prefix rather than a piece of its own.
            start += 1
            continue

        # Even one line does not fit: cut the line itself.
        line = lines[start]
        in_code = fence_at_start is not None
        suffix = "\n" + fence_at_start.closer if in_code else ""
        room = limit - len(prefix) - len(suffix)
        if room < 1:  # a pathologically long fence opener: give up on fence markers
            prefix, suffix, room = "", "", limit
        head, tail = _split_long_line(line, room)
        pieces.append(prefix + head + suffix)
        lines[start] = tail
        if not in_code:
            # The tail is plain text again, even if `line` opened a fence (pathological).
            states[start] = None

    return [piece for piece in pieces if piece.strip()]
