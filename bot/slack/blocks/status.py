"""Pure builders for the read-only answers: now, schedule, me, owners, runbook, help.

Every builder returns `list[Block]` within Slack's limits (50 blocks per message,
3000 characters per section, 150 per header); the caller sends the matching
`*_text` fallback as the message's `text`, which notifications and screen
readers use. Anything a person typed (time-off notes, swap reasons) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.model import Member, Pipeline, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.oncall import OnCall
from bot.core.ownership import Ownership
from bot.core.weeks import Week, local_instant, week
from bot.runbooks import Runbook, chunk_text, to_mrkdwn
from bot.service import ScheduledWeek
from bot.slack.common import escape, fmt_instant, fmt_short

MAX_BLOCKS = 50  # per message
SECTION_LIMIT = 2900  # Slack allows 3000; the margin absorbs a "…" or a closing fence
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000  # keep context lines short; they render small
MAX_SCHEDULE_WEEKS = 26
NOBODY = "nobody available"

COMMANDS: tuple[tuple[str, str], ...] = (
    ("/oncall now", "who is on call now, the backup and today's pipeline owners"),
    ("/oncall schedule [N]", f"the next N weeks (default 8, at most {MAX_SCHEDULE_WEEKS})"),
    ("/oncall me", "your next weeks, your time off and your pending swap requests"),
    ("/oncall swap", "open the swap form"),
    (
        "/oncall swap @user <date in my week> [<date in their week>]",
        "ask @user to swap weeks with you; without the second date, to cover your week",
    ),
    ("/oncall timeoff", "record time off (at least two weeks ahead)"),
    ("/oncall runbook <pipeline>", "post a pipeline's runbook and its owners in this channel"),
    ("/oncall owners", "who answers for each pipeline today, and why"),
    ("/oncall fairness", "how evenly weeks and holidays are shared"),
    ("/oncall help", "this list"),
)


# --- small pieces ------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=_clip(text, HEADER_LIMIT), emoji=True))


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_clip(text, SECTION_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=_clip(text, CONTEXT_LIMIT))])


def sections(lines: Iterable[str], limit: int = SECTION_LIMIT) -> list[SectionBlock]:
    """Pack lines into as few sections as fit; an over-long line is split by chunk_text."""
    out: list[SectionBlock] = []
    current = ""
    for line in lines:
        for piece in chunk_text(line, limit) if len(line) > limit else [line]:
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
                continue
            out.append(_section(current))
            current = piece
    if current.strip():
        out.append(_section(current))
    return out


def cap(blocks: list[Block], limit: int = MAX_BLOCKS, what: str = "blocks") -> list[Block]:
    """Keep a message within `limit` blocks, saying that something was left out."""
    if len(blocks) <= limit:
        return blocks
    left = len(blocks) - (limit - 1)
    return [*blocks[: limit - 1], _context(f"_… {left} more {what} not shown._")]


def name(team: Team, member_id: str | None) -> str:
    """A member's display name for plain text; the id when not (or no longer) in the team."""
    if member_id is None:
        return NOBODY
    try:
        return escape(team.member(member_id).name)
    except KeyError:
        return escape(member_id)


def plain_name(team: Team, member_id: str | None) -> str:
    """A name for plain_text fields (headers, buttons), which Slack shows unescaped."""
    if member_id is None:
        return NOBODY
    try:
        return team.member(member_id).name
    except KeyError:
        return member_id


def at(team: Team, member_id: str | None) -> str:
    """A member as a Slack mention (`<@U…>`), which each reader sees as a name."""
    if member_id is None:
        return NOBODY
    try:
        return f"<@{team.member(member_id).slack_id}>"
    except KeyError:
        return escape(member_id)


def span(w: Week) -> str:
    return f"{fmt_short(w.first_day)} – {fmt_short(w.last_day)}"


def _days(first: date, last: date) -> str:
    return fmt_short(first) if first == last else f"{first:%a %d %b} – {last:%a %d %b}"


def _holidays(holidays: Mapping[date, str]) -> list[str]:
    return [f"{escape(n)} ({fmt_short(d)})" for d, n in holidays.items()]


def _time_off(team: Team, time_off: Sequence[TimeOff]) -> list[str]:
    return [f"{name(team, t.member)} off {_days(t.start, t.end)}" for t in time_off]


def _first_handover(team: Team) -> str:
    return fmt_instant(team, local_instant(team.start, team.handover_time, team.timezone))


def _handover_rule(team: Team) -> str:
    when = local_instant(team.start, team.handover_time, team.timezone).astimezone(team.timezone)
    return f"Weeks run from handover to handover: {when:%A}s at {when:%H:%M} ({team.timezone.key})."


# --- now ----------------------------------------------------------------------------


def _ownership_line(team: Team, o: Ownership) -> str:
    line = f"• *{escape(o.pipeline.name)}* ({escape(o.pipeline.audience)}): {at(team, o.owner)}"
    return line + (f" — _{escape(o.reason)}_" if o.reason else "")


def now_blocks(team: Team, answer: OnCall) -> list[Block]:
    if not answer.started or answer.week is None:
        return [
            _header("On call"),
            _section(
                ":hourglass_flowing_sand: The rotation has not started yet. "
                f"The first handover is *{_first_handover(team)}*."
            ),
        ]
    w = answer.week
    blocks: list[Block] = [
        _header(f"On call now: {plain_name(team, answer.on_call)}"),
        _section(
            f":rotating_light: *On call:* {at(team, answer.on_call)}\n"
            f":busts_in_silhouette: *Backup:* {at(team, answer.backup)}\n"
            f":clock9: *Until:* {fmt_instant(team, w.end)} (week {w.index}, {span(w)})"
        ),
    ]
    if answer.reasons:
        blocks.append(_context(" · ".join(f"_{escape(r)}_" for r in answer.reasons)))
    holidays = "; ".join(_holidays(answer.holidays)) or "none"
    time_off = "; ".join(_time_off(team, answer.time_off)) or "none"
    extras = [
        f":calendar: Public holidays this week: {holidays}",
        f":palm_tree: Time off this week: {time_off}",
    ]
    blocks.append(_context("\n".join(extras)))
    if answer.owners:
        blocks.append(DividerBlock())
        lines = ["*Pipeline owners today*", *(_ownership_line(team, o) for o in answer.owners)]
        blocks += sections(lines)
    return cap(blocks)


def now_text(team: Team, answer: OnCall) -> str:
    if not answer.started or answer.week is None:
        return f"The rotation has not started yet: the first handover is {_first_handover(team)}."
    return (
        f"On call: {name(team, answer.on_call)} (backup {name(team, answer.backup)}) "
        f"until {fmt_instant(team, answer.week.end)}."
    )


# --- schedule -------------------------------------------------------------------------


def _week_notes(team: Team, w: ScheduledWeek) -> list[str]:
    notes: list[str] = []
    if w.reason:
        reason = w.reason if w.fixed else f"adjusted: {w.reason.removeprefix('adjusted: ')}"
        notes.append(escape(reason))
    notes += [f":calendar: {h}" for h in _holidays(w.holidays)]
    notes += [f":palm_tree: {t}" for t in _time_off(team, w.time_off)]
    if w.cover_needed:
        notes.append(":warning: needs cover: the backup stands in")
    return notes


def schedule_line(
    team: Team, w: ScheduledWeek, highlight_member: str | None = None, *, show_member: bool = True
) -> str:
    mine = highlight_member is not None and w.member == highlight_member
    who = f" · {at(team, w.member)}" if show_member else ""
    line = f"`{w.week.index:>3}` *{span(w.week)}*{who} · backup {at(team, w.backup)}"
    if mine:
        line += "  :point_right: *you*"
    notes = _week_notes(team, w)
    return line + ("\n        " + " · ".join(notes) if notes else "")


def schedule_blocks(
    team: Team,
    weeks: list[ScheduledWeek],
    highlight_member: str | None = None,
    *,
    note: str | None = None,
) -> list[Block]:
    """One line per week, packed several to a section; `highlight_member` is a member id.

    `note` (trusted mrkdwn, e.g. "capped at 26 weeks") goes first.
    """
    blocks: list[Block] = [_section(f":information_source: {note}")] if note else []
    if not weeks:
        return [*blocks, _section("No weeks are planned yet.")]
    first, last = weeks[0].week.first_day, weeks[-1].week.last_day
    title = f"On-call schedule: {len(weeks)} week(s), {fmt_short(first)} – {fmt_short(last)}"
    blocks += [_header(title), _context(_handover_rule(team))]
    blocks += sections(schedule_line(team, w, highlight_member) for w in weeks)
    return cap(blocks, what="parts of the schedule")


def schedule_text(team: Team, weeks: Sequence[ScheduledWeek]) -> str:
    if not weeks:
        return "No weeks are planned yet."
    first = weeks[0]
    return (
        f"On-call schedule, {len(weeks)} week(s) from {fmt_short(first.week.first_day)}: "
        f"{name(team, first.member)} first."
    )


# --- me ----------------------------------------------------------------------------------


def swap_line(team: Team, s: SwapRequest, member_id: str) -> str:
    """One pending request as the member sees it: what they give and what they get."""
    mine = week(team, s.requester_week)
    if s.requester == member_id:
        if s.counterpart_week is None:
            line = f"You asked {at(team, s.counterpart)} to cover your week {span(mine)}"
        else:
            theirs = week(team, s.counterpart_week)
            line = (
                f"You offered {at(team, s.counterpart)} your week {span(mine)} "
                f"for theirs, {span(theirs)}"
            )
    elif s.counterpart_week is None:
        line = f"{at(team, s.requester)} asks you to cover their week {span(mine)}"
    else:
        theirs = week(team, s.counterpart_week)
        line = (
            f"{at(team, s.requester)} offers you their week {span(mine)} for yours, {span(theirs)}"
        )
    line += f" (expires {fmt_instant(team, s.expires_at)})"
    if s.reason:
        line += f"\n        _“{escape(_clip(s.reason, 300))}”_"
    return line


def time_off_line(t: TimeOff) -> str:
    line = f"• {_days(t.start, t.end)}"
    return line + (f" — _{escape(_clip(t.note, 300))}_" if t.note else "")


def me_blocks(
    team: Team,
    member: Member,
    weeks: Sequence[ScheduledWeek],
    time_off: Sequence[TimeOff],
    swaps: Sequence[SwapRequest],
) -> list[Block]:
    pending = [s for s in swaps if s.status is SwapStatus.PENDING]
    blocks: list[Block] = [_header(f"Your on-call, {member.name}")]
    week_lines = [schedule_line(team, w, show_member=False) for w in weeks] or [
        "No weeks for you in the plan."
    ]
    blocks += sections(["*Your next weeks*", *week_lines])
    off_lines = [time_off_line(t) for t in time_off] or ["None recorded."]
    blocks += sections(["*Your time off*", *off_lines])
    swap_lines = [f"• {swap_line(team, s, member.id)}" for s in pending] or ["None pending."]
    blocks += sections(["*Your swap requests*", *swap_lines])
    blocks.append(
        _context("Change them with `/oncall swap` or `/oncall timeoff`, or from the Home tab.")
    )
    return cap(blocks)


def me_text(member: Member, weeks: Sequence[ScheduledWeek]) -> str:
    if not weeks:
        return f"{escape(member.name)}: no on-call weeks for you in the plan."
    first = fmt_short(weeks[0].week.first_day)
    return f"{escape(member.name)}: your next on-call week starts {first}."


def not_member_blocks(team: Team, answer: OnCall) -> list[Block]:
    """For someone outside the roster: they cannot have weeks, but can see who is on call."""
    note = _section(
        f":information_source: You are not in the *{escape(team.name)}* on-call team, "
        "so you have no weeks, time off or swaps here."
    )
    return cap([note, *now_blocks(team, answer)])


def not_member_text(team: Team, answer: OnCall) -> str:
    return f"You are not in the {escape(team.name)} on-call team. {now_text(team, answer)}"


# --- owners ----------------------------------------------------------------------------------


def _ownership(answer: OnCall, pipeline: Pipeline) -> Ownership:
    """Today's ownership; before the rotation starts, the configured primary."""
    for o in answer.owners:
        if o.pipeline.id == pipeline.id:
            return o
    return Ownership(pipeline, pipeline.primary, None)


def owners_blocks(team: Team, answer: OnCall) -> list[Block]:
    lines: list[str] = []
    for p in team.pipelines:
        o = _ownership(answer, p)
        line = (
            f"• *{escape(p.name)}* ({escape(p.audience)}): {at(team, o.owner)}"
            f"  _primary {name(team, p.primary)}, secondary {name(team, p.secondary)}_"
        )
        if o.reason:
            line += f"\n        :arrows_counterclockwise: {escape(o.reason)}"
        lines.append(line)
    on_call = (
        f"On call now: {at(team, answer.on_call)}."
        if answer.started
        else f"The rotation starts {_first_handover(team)}."
    )
    blocks: list[Block] = [_header("Pipeline owners today"), _context(on_call)]
    blocks += sections(lines or ["No pipelines are configured."])
    return cap(blocks)


def owners_text(team: Team, answer: OnCall) -> str:
    parts = [f"{escape(p.name)}: {name(team, _ownership(answer, p).owner)}" for p in team.pipelines]
    return "Pipeline owners today: " + ("; ".join(parts) if parts else "none configured") + "."


# --- runbook ----------------------------------------------------------------------------------


def _owner_context(team: Team, pipeline: Pipeline, answer: OnCall) -> str:
    o = _ownership(answer, pipeline)
    others = [m for m in (pipeline.primary, pipeline.secondary) if m != o.owner]
    parts = [
        f"Audience: *{escape(pipeline.audience)}*",
        f"On call now: {at(team, answer.on_call)}",
        f"Owner today: {at(team, o.owner)}" + (f" ({escape(o.reason)})" if o.reason else ""),
    ]
    if others:  # both, when both are away and the on-call engineer covers
        label = "Other owners" if len(others) > 1 else "Other owner"
        parts.append(f"{label}: " + ", ".join(at(team, m) for m in others))
    return " · ".join(parts)


def _runbook_body(runbook: Runbook) -> list[Block]:
    blocks: list[Block] = []
    if runbook.intro.strip():
        blocks += [_section(c) for c in chunk_text(to_mrkdwn(runbook.intro), SECTION_LIMIT)]
    for s in runbook.sections:
        text = f"*{escape(s.title)}*" + (f"\n{to_mrkdwn(s.body)}" if s.body.strip() else "")
        blocks.append(DividerBlock())
        blocks += [_section(c) for c in chunk_text(text, SECTION_LIMIT)]
    return blocks


def runbook_blocks(
    team: Team,
    pipeline: Pipeline,
    runbook: Runbook | None,
    answer: OnCall,
    *,
    problem: str | None = None,
) -> list[Block]:
    """The runbook with who to call on top; without one, say so and still name the owners.

    `problem` replaces the "no runbook" line when a runbook exists but cannot be read.
    """
    blocks: list[Block] = [
        _header(f":book: {pipeline.name} runbook"),
        _context(_owner_context(team, pipeline, answer)),
    ]
    if runbook is None:
        missing = problem or f"No runbook is recorded for *{escape(pipeline.name)}*."
        blocks.append(_section(f":warning: {missing} Ask the owner above."))
        return blocks
    blocks += _runbook_body(runbook)
    return cap(blocks, what="parts of the runbook")


def runbook_text(team: Team, pipeline: Pipeline, runbook: Runbook | None, answer: OnCall) -> str:
    o = _ownership(answer, pipeline)
    what = "runbook" if runbook is not None else "(no runbook)"
    return (
        f"{escape(pipeline.name)} {what}: owner today {name(team, o.owner)}, "
        f"on call {name(team, answer.on_call)}."
    )


def pipelines_blocks(team: Team, intro: str) -> list[Block]:
    """The valid pipeline names, for a runbook query that matched none or several."""
    lines = [
        f"• `{escape(p.id)}` — {escape(p.name)}" + ("" if p.runbook else " _(no runbook)_")
        for p in team.pipelines
    ] or ["No pipelines are configured."]
    return cap([_section(intro), *sections(lines), _context("Usage: `/oncall runbook <pipeline>`")])


# --- help ---------------------------------------------------------------------------------


def help_blocks(note: str | None = None) -> list[Block]:
    """Every sub-command with its usage; `note` is trusted mrkdwn (already escaped)."""
    blocks: list[Block] = []
    if note:
        blocks.append(_section(f":warning: {note}"))
    blocks.append(_header("/oncall commands"))
    blocks += sections(f"• `{usage}` — {what}" for usage, what in COMMANDS)
    blocks.append(_context("People outside the team can use now, schedule, owners and runbook."))
    return blocks


def help_text(note: str | None = None) -> str:
    usage = "/oncall now | schedule [N] | me | swap | timeoff | runbook <pipeline> | owners | help"
    return f"{note} {usage}" if note else usage
