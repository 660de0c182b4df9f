"""Runbooks: read the team's Markdown runbooks (bot.slack.runbook_mrkdwn renders them).

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

from bot.core.model import Pipeline

__all__ = [
    "Fence",
    "Runbook",
    "RunbookError",
    "Section",
    "fence_opened_by",
    "fence_states",
    "load_runbook",
    "load_runbook_of",
    "parse_runbook",
]

# An ATX heading: up to 3 spaces, 1-6 '#', then a space or the end of the line.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
# A fence opener: any indentation (fences inside list items are indented), 3+ ` or ~.
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")


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
class Fence:
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


def fence_opened_by(line: str) -> Fence | None:
    """Return the fence `line` opens, if any (``` with a backtick after it is inline code)."""
    match = _FENCE_OPEN.match(line)
    if not match:
        return None
    marker = match["marker"]
    if marker[0] == "`" and "`" in match["info"]:
        return None
    return Fence(indent=match["indent"], marker=marker, opener=line.rstrip())


def fence_states(lines: list[str]) -> list[Fence | None]:
    """For each line, the fence it is inside of (content or closer), else None.

    An opener line itself is outside (None); a fence never closed runs to the end,
    as in CommonMark.
    """
    states: list[Fence | None] = []
    fence: Fence | None = None
    for line in lines:
        if fence is None:
            states.append(None)
            fence = fence_opened_by(line)
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
    states = fence_states(lines)

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


def load_runbook_of(pipeline: Pipeline) -> tuple[Runbook | None, str | None]:
    """A pipeline's runbook (None when it has none), plus the problem when its configured
    file cannot be read: `/oncall runbook` and an incident's post show the same."""
    if pipeline.runbook is None:
        return None, None
    try:
        return load_runbook(pipeline.runbook), None
    except RunbookError as e:
        return None, e.message
