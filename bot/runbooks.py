"""Runbooks: read the team's Markdown runbooks and turn them into Slack-sized mrkdwn.

Pure on purpose (no Slack imports), so the bot, the CLI and the tests share one
reading of a runbook, and a broken runbook is found by a test, not at 3 a.m.

A runbook is one Markdown file: the first `# Title` line names it, the text up to
the first `## Heading` is its intro, and each `## Heading` starts a section (one
per potential issue). Only ATX headings (`#` lines) count; `#` lines inside
fenced code blocks are code, not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_to_mrkdwn import SlackMarkdownConverter

__all__ = [
    "Runbook",
    "RunbookError",
    "Section",
    "chunk_text",
    "load_runbook",
    "parse_runbook",
    "to_mrkdwn",
]

_MIN_CHUNK_LIMIT = 20
"""Below this a piece could not hold a closing and a reopening fence plus some text."""

# An ATX heading: up to 3 spaces, 1-6 '#', then a space or the end of the line.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
# A fence opener: any indentation (fences inside list items are indented), 3+ ` or ~.
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]+>")
_BLOCKQUOTE_MARK = re.compile(r"^([ \t]*(?:>[ \t]?)+)")
# A line that reads as a heading: Markdown ATX, or a whole line in mrkdwn bold.
_HEADING_LIKE = re.compile(r"^(?: {0,3}#{1,6}[ \t].*|[ \t]*\*[^*\n]+\*:?[ \t]*)$")


@dataclass(frozen=True)
class Section:
    """One `## Heading` of a runbook; `body` is Markdown (H3 and deeper stay in it)."""

    title: str
    body: str


@dataclass(frozen=True)
class Runbook:
    """A parsed runbook: what the pipeline is (`intro`) and one section per issue."""

    title: str
    intro: str
    sections: tuple[Section, ...]


class RunbookError(Exception):
    """A runbook that cannot be used, with a message a person can act on.

    `path` is the file at fault when there is one; `reason` is the message without it.
    """

    def __init__(self, reason: str, path: Path | None = None) -> None:
        self.reason = reason
        self.path = path
        message = f"Cannot load runbook {path}: {reason}" if path else f"Invalid runbook: {reason}"
        super().__init__(message)
        self.message = message


# --- fences -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Fence:
    """An open code fence: what opened it, so it can be recognised, closed and reopened."""

    indent: str
    marker: str
    opener: str

    def is_closed_by(self, line: str) -> bool:
        """A closer is the same character, at least as long, with nothing after it."""
        stripped = line.strip()
        char = self.marker[0]
        return (
            len(stripped) >= len(self.marker)
            and stripped == char * len(stripped)
            and len(line) - len(line.lstrip()) <= len(self.indent) + 3
        )

    @property
    def closer(self) -> str:
        """The line that closes this fence where a piece has to end inside it."""
        return self.indent + self.marker


def _fence_opened_by(line: str) -> _Fence | None:
    """Return the fence `line` opens, if any (``` with a backtick after it is inline code)."""
    match = _FENCE_OPEN.match(line)
    if not match:
        return None
    marker = match["marker"]
    if marker[0] == "`" and "`" in match["info"]:
        return None
    return _Fence(indent=match["indent"], marker=marker, opener=line.rstrip())


def _fence_states(lines: list[str]) -> list[_Fence | None]:
    """For each line, the fence it is inside of (content or closer), else None.

    An opener line itself is outside (None); a fence never closed runs to the end,
    as in CommonMark.
    """
    states: list[_Fence | None] = []
    fence: _Fence | None = None
    for line in lines:
        if fence is None:
            states.append(None)
            fence = _fence_opened_by(line)
        else:
            states.append(fence)
            if fence.is_closed_by(line):
                fence = None
    return states


# --- parsing ----------------------------------------------------------------------


def _heading(line: str) -> tuple[int, str] | None:
    """Return (level, text) if `line` is an ATX heading, else None."""
    match = _HEADING.match(line)
    if not match:
        return None
    text = _CLOSING_HASHES.sub("", match[2] or "").strip()
    return len(match[1]), text


def _trim_blank_lines(lines: list[str]) -> str:
    """Join lines without leading/trailing blank lines, keeping the first line's indent."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(line.rstrip() for line in lines[start:end])


def parse_runbook(text: str) -> Runbook:
    """Parse runbook Markdown: first H1 is the title, text up to the first H2 the intro.

    Each H2 starts a section; H3 and deeper, and any later H1, stay in the body.
    Text before the H1 (e.g. a comment) is ignored. Raises RunbookError when the text
    is empty or has no H1, because a runbook without a title cannot be listed.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RunbookError("the runbook is empty")
    lines = text.split("\n")
    states = _fence_states(lines)

    title: str | None = None
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line, fence in zip(lines, states, strict=True):
        heading = _heading(line) if fence is None else None
        if title is None:
            if heading and heading[0] == 1:
                if not heading[1]:
                    raise RunbookError("the H1 title line ('# ...') has no text")
                title = heading[1]
            continue
        if heading and heading[0] == 2:
            sections.append((heading[1], []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)

    if title is None:
        raise RunbookError(
            "no H1 title found; the first heading must be a line like '# Aggregate Profit'"
        )
    return Runbook(
        title=title,
        intro=_trim_blank_lines(intro),
        sections=tuple(Section(title=t, body=_trim_blank_lines(body)) for t, body in sections),
    )


def load_runbook(path: Path) -> Runbook:
    """Read and parse a runbook file; every failure is a RunbookError naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RunbookError("file not found", path) from None
    except IsADirectoryError:
        raise RunbookError("it is a directory, not a file", path) from None
    except PermissionError:
        raise RunbookError("permission denied (the file is not readable)", path) from None
    except OSError as exc:
        raise RunbookError(f"the file could not be read ({exc.strerror or exc})", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RunbookError(
            f"the file is not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8",
            path,
        ) from None
    try:
        return parse_runbook(text)
    except RunbookError as exc:
        raise RunbookError(exc.reason, path) from None


# --- Markdown to mrkdwn -----------------------------------------------------------


def _escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
        out.append(_escape(rest[pos : link.start()]))
        out.append(link[0].replace("&", "&amp;"))
        pos = link.end()
    out.append(_escape(rest[pos:]))
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
        codes.append("`" + _escape(match[2]) + "`")
        return f"\x00{len(codes) - 1}\x00"

    shielded = [_escape_prose_line(_INLINE_CODE.sub(shield, line)) for line in core]
    converted = SlackMarkdownConverter().convert("\n".join(shielded))
    converted = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m[1])], converted)
    return "\n" * lead + converted + "\n" * trail


def _dedent(line: str, indent: str) -> str:
    """Remove a list item's fence indentation, which Slack would show inside the code."""
    return line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t")


def to_mrkdwn(markdown: str) -> str:
    """Convert Markdown to Slack mrkdwn, because Slack does not render Markdown.

    Uses markdown_to_mrkdwn for prose (**bold** -> *bold*, headings -> bold lines,
    [text](url) -> <url|text>, lists kept), but handles fenced code itself: code is
    passed through unconverted, without the language tag Slack would show as text,
    and dedented when the fence sat inside a list. `&`, `<` and `>` are escaped as
    Slack requires, except in links.
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    states = _fence_states(lines)
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = _fence_opened_by(lines[i]) if states[i] is None else None
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
            code.append(_escape(_dedent(lines[i], fence.indent)))
            i += 1
        out.append("\n".join(["```", *code, "```"]))
    if prose:
        out.append(_convert_prose(prose))
    return "\n".join(out).strip("\n")


# --- chunking ---------------------------------------------------------------------


def _split_long_line(line: str, room: int) -> tuple[str, str]:
    """Split a line too long for a piece: after the last space that fits, else at `room`.

    The space stays with the first part, so no character is lost.
    """
    cut = line.rfind(" ", 0, room)
    if cut <= 0 or not line[:cut].strip():
        return line[:room], line[room:]
    return line[: cut + 1], line[cut + 1 :]


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
    states = _fence_states(lines)
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
