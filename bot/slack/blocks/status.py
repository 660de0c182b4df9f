"""Pure builders for the read-only answers: now, schedule, me, owners, runbook, help.

Every builder returns `list[Block]` within Slack's limits (50 blocks per message,
3000 characters per section, 150 per header); the caller sends the matching
`*_text` fallback (mrkdwn too, so escaped) as the message's `text`, which
notifications and screen readers use. All text is `Mrkdwn` (bot.slack.mrkdwn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from slack_sdk.models.blocks import Block, DividerBlock

from bot.core.model import Member, Pipeline, SwapRequest, SwapStatus, Team, TimeOff
from bot.core.oncall import OnCall
from bot.core.ownership import Ownership
from bot.core.weeks import Week, local_instant, week
from bot.runbooks import Runbook
from bot.service import ScheduledWeek
from bot.service.results import OnCallNow
from bot.slack.blocks.kit import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    cap,
    clip,
    context,
    header,
    section,
    sections,
)
from bot.slack.blocks.requests import deadline
from bot.slack.blocks.requests import swap_summary as summary
from bot.slack.blocks.takeover import pending_takeover_line, takeover_note, until
from bot.slack.common import fmt_instant, fmt_short
from bot.slack.mrkdwn import (
    Mrkdwn,
    bold,
    code,
    escape,
    italic,
    join,
    md,
    plain_name,
)
from bot.slack.mrkdwn import at as _at
from bot.slack.mrkdwn import name as _name
from bot.slack.runbook_mrkdwn import chunk_mrkdwn, to_mrkdwn

__all__ = ["MAX_BLOCKS", "SECTION_LIMIT", "cap", "sections"]

DEFAULT_SCHEDULE_WEEKS = 8
MAX_SCHEDULE_WEEKS = 26
NOBODY = "nobody available"


# --- small pieces ------------------------------------------------------------------


def name(team: Team, member_id: str | None) -> Mrkdwn:
    """A member's display name, escaped; the id when not (or no longer) in the team."""
    return _name(team, member_id, NOBODY)


def at(team: Team, member_id: str | None) -> Mrkdwn:
    """A member as a Slack mention (`<@U…>`), which each reader sees as a name."""
    return _at(team, member_id, NOBODY)


def span(w: Week) -> str:
    return f"{fmt_short(w.first_day)} – {fmt_short(w.last_day)}"


def _days(first: date, last: date) -> str:
    return fmt_short(first) if first == last else f"{first:%a %d %b} – {last:%a %d %b}"


def _holidays(holidays: Mapping[date, str]) -> list[Mrkdwn]:
    return [md("{} ({})", n, fmt_short(d)) for d, n in holidays.items()]


def _time_off(team: Team, time_off: Sequence[TimeOff]) -> list[Mrkdwn]:
    return [md("{} off {}", name(team, t.member), _days(t.start, t.end)) for t in time_off]


def _first_handover(team: Team) -> str:
    return fmt_instant(team, local_instant(team.start, team.handover_time, team.timezone))


def _handover_rule(team: Team) -> Mrkdwn:
    when = local_instant(team.start, team.handover_time, team.timezone).astimezone(team.timezone)
    return md(
        "Weeks run from handover to handover: {}s at {} ({}).",
        f"{when:%A}",
        f"{when:%H:%M}",
        team.timezone.key,
    )


# --- now ----------------------------------------------------------------------------


def _ownership_line(team: Team, o: Ownership) -> Mrkdwn:
    line = md("• {} ({}): {}", bold(o.pipeline.name), o.pipeline.audience, at(team, o.owner))
    return line + (md(" — {}", italic(o.reason)) if o.reason else md(""))


def now_blocks(team: Team, answer: OnCall) -> list[Block]:
    if not answer.started or answer.week is None:
        return [
            header("On call"),
            section(
                md(
                    ":hourglass_flowing_sand: The rotation has not started yet. "
                    "The first handover is *{}*.",
                    _first_handover(team),
                )
            ),
        ]
    w = answer.week
    blocks: list[Block] = [
        header(f"On call now: {plain_name(team, answer.on_call, NOBODY)}"),
        section(
            md(
                ":rotating_light: *On call:* {}{}\n:busts_in_silhouette: *Backup:* {}\n"
                ":clock9: *Until:* {} (week {}, {})",
                at(team, answer.on_call),
                _taking_over(team, answer),
                at(team, answer.backup),
                fmt_instant(team, w.end),
                w.index,
                span(w),
            )
        ),
    ]
    if answer.reasons:
        blocks.append(context(join(" · ", (italic(r) for r in answer.reasons))))
    holidays = join("; ", _holidays(answer.holidays)) or md("none")
    time_off = join("; ", _time_off(team, answer.time_off)) or md("none")
    blocks.append(
        context(
            md(
                ":calendar: Public holidays this week: {}\n:palm_tree: Time off this week: {}",
                holidays,
                time_off,
            )
        )
    )
    if answer.owners:
        blocks.append(DividerBlock())
        owner_lines = [md("*Pipeline owners today*")]
        owner_lines += [_ownership_line(team, o) for o in answer.owners]
        blocks += sections(owner_lines)
    return cap(blocks, more=md("see {}", code("/oncall owners")))


def _taking_over(team: Team, answer: OnCall) -> Mrkdwn:
    """` (taking over from Davis until Fri 04 Dec 00:00 EST)` when a take-over holds."""
    o = answer.takeover if isinstance(answer, OnCallNow) else None
    if o is None:
        return md("")
    return md(" (taking over from {} until {})", name(team, o.replaces), until(team, o.end))


def now_text(team: Team, answer: OnCall) -> Mrkdwn:
    if not answer.started or answer.week is None:
        return md(
            "The rotation has not started yet: the first handover is {}.", _first_handover(team)
        )
    return md(
        "On call: {}{} (backup {}) until {}.",
        name(team, answer.on_call),
        _taking_over(team, answer),
        name(team, answer.backup),
        fmt_instant(team, answer.week.end),
    )


# --- schedule -------------------------------------------------------------------------


def _week_notes(team: Team, w: ScheduledWeek) -> list[Mrkdwn]:
    notes: list[Mrkdwn] = []
    if w.reason:
        reason = w.reason if w.fixed else f"adjusted: {w.reason.removeprefix('adjusted: ')}"
        notes.append(escape(reason))
    notes += [md(":calendar: {}", h) for h in _holidays(w.holidays)]
    notes += [md(":palm_tree: {}", t) for t in _time_off(team, w.time_off)]
    if w.cover_needed:
        notes.append(md(":warning: needs cover: the backup stands in"))
    notes += [md(":sos: {}", takeover_note(team, o)) for o in w.takeovers]
    return notes


def schedule_line(
    team: Team, w: ScheduledWeek, highlight_member: str | None = None, *, show_member: bool = True
) -> Mrkdwn:
    mine = highlight_member is not None and w.member == highlight_member
    who = md(" · {}", at(team, w.member)) if show_member else md("")
    line = md("`{:>3}` *{}*{} · backup {}", w.week.index, span(w.week), who, at(team, w.backup))
    if mine:
        line += md("  :point_right: *you*")
    notes = _week_notes(team, w)
    return line + (md("\n        {}", join(" · ", notes)) if notes else md(""))


def schedule_blocks(
    team: Team,
    weeks: list[ScheduledWeek],
    highlight_member: str | None = None,
    *,
    note: Mrkdwn | None = None,
) -> list[Block]:
    """One line per week, packed several to a section; `highlight_member` is a member id.

    `note` (e.g. "capped at 26 weeks") goes first.
    """
    blocks: list[Block] = [section(md(":information_source: {}", note))] if note else []
    if not weeks:
        return [*blocks, section(md("No weeks are planned yet."))]
    first, last = weeks[0].week.first_day, weeks[-1].week.last_day
    title = f"On-call schedule: {len(weeks)} week(s), {fmt_short(first)} – {fmt_short(last)}"
    blocks += [header(title), context(_handover_rule(team))]
    blocks += sections(schedule_line(team, w, highlight_member) for w in weeks)
    more = md("ask for fewer weeks, e.g. {}", code("/oncall schedule 8"))
    return cap(blocks, more=more, what="parts of the schedule")


def schedule_text(team: Team, weeks: Sequence[ScheduledWeek]) -> Mrkdwn:
    if not weeks:
        return md("No weeks are planned yet.")
    first = weeks[0]
    return md(
        "On-call schedule, {} week(s) from {}: {} first.",
        len(weeks),
        fmt_short(first.week.first_day),
        name(team, first.member),
    )


# --- me ----------------------------------------------------------------------------------


def swap_line(team: Team, s: SwapRequest, member_id: str) -> Mrkdwn:
    """One pending request as the member sees it: what they give and what they get."""
    if s.is_takeover:
        return pending_takeover_line(team, s, member_id) + _quoted(s.reason)
    mine = span(week(team, s.requester_week))
    theirs = span(week(team, s.counterpart_week)) if s.counterpart_week is not None else None
    if s.requester == member_id:
        if theirs is None:
            line = md("You asked {} to cover your week {}", at(team, s.counterpart), mine)
        else:
            line = md(
                "You offered {} your week {} for theirs, {}", at(team, s.counterpart), mine, theirs
            )
    elif theirs is None:
        line = md("{} asks you to cover their week {}", at(team, s.requester), mine)
    else:
        line = md("{} offers you their week {} for yours, {}", at(team, s.requester), mine, theirs)
    if s.undoes is not None:  # a swap back gives each week back: said the one way
        if s.requester == member_id:
            line = md("You asked {}: {}", at(team, s.counterpart), summary(team, s))
        else:
            line = md("{} asks you: {}", at(team, s.requester), summary(team, s))
    line += md(" (expires {})", deadline(team, s.expires_at))
    return line + _quoted(s.reason)


def _quoted(reason: str) -> Mrkdwn:
    return md("\n        _“{}”_", clip(reason, 300)) if reason else md("")


def time_off_line(t: TimeOff) -> Mrkdwn:
    line = md("• {}", _days(t.start, t.end))
    return line + (md(" — _{}_", clip(t.note, 300)) if t.note else md(""))


def me_blocks(
    team: Team,
    member: Member,
    weeks: Sequence[ScheduledWeek],
    time_off: Sequence[TimeOff],
    swaps: Sequence[SwapRequest],
) -> list[Block]:
    pending = [s for s in swaps if s.status is SwapStatus.PENDING]
    blocks: list[Block] = [header(f"Your on-call, {member.name}")]
    week_lines = [schedule_line(team, w, show_member=False) for w in weeks] or [
        md("No weeks for you in the plan.")
    ]
    blocks += sections([md("*Your next weeks*"), *week_lines])
    off_lines = [time_off_line(t) for t in time_off] or [md("None recorded.")]
    blocks += sections([md("*Your time off*"), *off_lines])
    swap_lines = [md("• {}", swap_line(team, s, member.id)) for s in pending] or [
        md("None pending.")
    ]
    blocks += sections([md("*Your swap requests*"), *swap_lines])
    blocks.append(
        context(md("Change them with `/oncall swap` or `/oncall timeoff`, or from the Home tab."))
    )
    return cap(blocks)


def me_text(member: Member, weeks: Sequence[ScheduledWeek]) -> Mrkdwn:
    if not weeks:
        return md("{}: no on-call weeks for you in the plan.", member.name)
    return md(
        "{}: your next on-call week starts {}.", member.name, fmt_short(weeks[0].week.first_day)
    )


def not_member_blocks(team: Team, answer: OnCall) -> list[Block]:
    """For someone outside the roster: they cannot have weeks, but can see who is on call."""
    note = section(
        md(
            ":information_source: You are not in the *{}* on-call team, "
            "so you have no weeks, time off or swaps here.",
            team.name,
        )
    )
    return cap([note, *now_blocks(team, answer)])


def not_member_text(team: Team, answer: OnCall) -> Mrkdwn:
    return md("You are not in the {} on-call team. {}", team.name, now_text(team, answer))


# --- owners ----------------------------------------------------------------------------------


def _ownership(answer: OnCall, pipeline: Pipeline) -> Ownership:
    """Today's ownership; before the rotation starts, the configured primary."""
    for o in answer.owners:
        if o.pipeline.id == pipeline.id:
            return o
    return Ownership(pipeline, pipeline.primary, None)


def owners_blocks(team: Team, answer: OnCall) -> list[Block]:
    owner_lines: list[Mrkdwn] = []
    for p in team.pipelines:
        o = _ownership(answer, p)
        line = md(
            "• {} ({}): {}  _primary {}, secondary {}_",
            bold(p.name),
            p.audience,
            at(team, o.owner),
            name(team, p.primary),
            name(team, p.secondary),
        )
        if o.reason:
            line += md("\n        :arrows_counterclockwise: {}", o.reason)
        owner_lines.append(line)
    on_call = (
        md("On call now: {}.", at(team, answer.on_call))
        if answer.started
        else md("The rotation starts {}.", _first_handover(team))
    )
    blocks: list[Block] = [header("Pipeline owners today"), context(on_call)]
    blocks += sections(owner_lines or [md("No pipelines are configured.")])
    return cap(blocks)


def owners_text(team: Team, answer: OnCall) -> Mrkdwn:
    parts = [md("{}: {}", p.name, name(team, _ownership(answer, p).owner)) for p in team.pipelines]
    return md("Pipeline owners today: {}.", join("; ", parts) if parts else md("none configured"))


# --- runbook ----------------------------------------------------------------------------------


def _owner_context(team: Team, pipeline: Pipeline, answer: OnCall) -> Mrkdwn:
    o = _ownership(answer, pipeline)
    others = [m for m in (pipeline.primary, pipeline.secondary) if m != o.owner]
    parts = [
        md("Audience: {}", bold(pipeline.audience)),
        md("On call now: {}", at(team, answer.on_call)),
        md("Owner today: {}", at(team, o.owner)) + (md(" ({})", o.reason) if o.reason else md("")),
    ]
    if others:  # both, when both are away and the on-call engineer covers
        label = md("Other owners") if len(others) > 1 else md("Other owner")
        parts.append(md("{}: {}", label, join(", ", (at(team, m) for m in others))))
    return join(" · ", parts)


def _runbook_body(runbook: Runbook) -> list[Block]:
    blocks: list[Block] = []
    if runbook.intro.strip():
        blocks += [section(c) for c in chunk_mrkdwn(to_mrkdwn(runbook.intro), SECTION_LIMIT)]
    for s in runbook.sections:
        text = bold(s.title) + (md("\n{}", to_mrkdwn(s.body)) if s.body.strip() else md(""))
        blocks.append(DividerBlock())
        blocks += [section(c) for c in chunk_mrkdwn(text, SECTION_LIMIT)]
    return blocks


def runbook_blocks(
    team: Team,
    pipeline: Pipeline,
    runbook: Runbook | None,
    answer: OnCall,
    *,
    problem: Mrkdwn | None = None,
) -> list[Block]:
    """The runbook with who to call on top; without one, say so and still name the owners.

    `problem` replaces the "no runbook" line when a runbook exists but cannot be read.
    """
    blocks: list[Block] = [
        header(f":book: {pipeline.name} runbook"),
        context(_owner_context(team, pipeline, answer)),
    ]
    if runbook is None:
        missing = problem or md("No runbook is recorded for {}.", bold(pipeline.name))
        blocks.append(section(md(":warning: {} Ask the owner above.", missing)))
        return blocks
    blocks += _runbook_body(runbook)
    more = md("the whole file is {}", code(str(pipeline.runbook or "")))
    return cap(blocks, more=more if pipeline.runbook else None, what="parts of the runbook")


def runbook_problem(pipeline: Pipeline) -> Mrkdwn:
    return md("The runbook for {} could not be loaded.", bold(pipeline.name))


def runbook_text(team: Team, pipeline: Pipeline, runbook: Runbook | None, answer: OnCall) -> Mrkdwn:
    o = _ownership(answer, pipeline)
    what = "runbook" if runbook is not None else "(no runbook)"
    return md(
        "{} {}: owner today {}, on call {}.",
        pipeline.name,
        what,
        name(team, o.owner),
        name(team, answer.on_call),
    )


def pipelines_intro(query: str, candidates: Sequence[Pipeline]) -> Mrkdwn:
    """Why the valid pipelines are listed: nothing asked, several matches, or none."""
    if not query:
        return md("Which pipeline? Give one of these:")
    shown = code(query[:60])
    if candidates:
        names = join(", ", (p.name for p in candidates))
        return md("{} matches several pipelines ({}). Be more specific:", shown, names)
    return md("No pipeline matches {}. The pipelines are:", shown)


def pipelines_blocks(team: Team, intro: Mrkdwn) -> list[Block]:
    """The valid pipeline names, for a runbook query that matched none or several."""
    pipeline_lines = [
        md("• {} — {}", code(p.id), p.name) + (md("") if p.runbook else md(" _(no runbook)_"))
        for p in team.pipelines
    ] or [md("No pipelines are configured.")]
    return cap(
        [
            section(intro),
            *sections(pipeline_lines),
            context(md("Usage: {}", code("/oncall runbook <pipeline>"))),
        ]
    )


def pipelines_text(team: Team, intro: Mrkdwn) -> Mrkdwn:
    return md("{} {}", intro, join(", ", (p.id for p in team.pipelines)))


# --- help ---------------------------------------------------------------------------------


def commands(team: Team) -> tuple[tuple[str, Mrkdwn], ...]:
    """Every sub-command and what it does; the facts come from the team's rules."""
    notice = team.time_off_notice_days
    return (
        ("/oncall now", md("who is on call now, the backup and today's pipeline owners")),
        (
            "/oncall schedule [N]",
            md(
                "the next N weeks (default {}, at most {})",
                DEFAULT_SCHEDULE_WEEKS,
                MAX_SCHEDULE_WEEKS,
            ),
        ),
        ("/oncall me", md("your next weeks, your time off and your pending swap requests")),
        ("/oncall swap", md("open the swap form")),
        (
            "/oncall swap @user <date in my week> [<date in their week> | cover]",
            md(
                "ask @user to swap weeks with you; without their date they give back their "
                "next week after yours; with `cover` they cover your week and get none back"
            ),
        ),
        (
            "/oncall swap back <request number>",
            md("ask the other party of an accepted swap or cover to swap it back"),
        ),
        (
            "/oncall swap @a @b <date in a's week> [<date in b's week> | cover] [reason]",
            md("admins: record a swap or cover between two members, in effect at once"),
        ),
        ("/oncall requests", md("pending swap requests, with the buttons you may use")),
        (
            "/oncall cover @user [until YYYY-MM-DD]",
            md(
                "on call and can't go on? ask @user to take over from when they accept until "
                "this week's handover (or the end of that day); `/oncall cover` opens a form; "
                "admins: `/oncall cover @user for @engineer` records it at once"
            ),
        ),
        (
            "/oncall timeoff",
            md("record time off (at least {} day{} ahead)", notice, "" if notice == 1 else "s"),
        ),
        (
            "/oncall runbook <pipeline>",
            md("post a pipeline's runbook and its owners in this channel"),
        ),
        (
            "/oncall incident <pipeline> [summary]",
            md(
                "open an incident: a channel with the on-call engineer and the owners, the "
                "runbook pinned"
            ),
        ),
        (
            "/oncall resolve [note]",
            md("in an incident's channel: resolve it with a one-line note"),
        ),
        ("/oncall owners", md("who answers for each pipeline today, and why")),
        ("/oncall fairness", md("how evenly weeks and holidays are shared")),
        (
            "/oncall calendar",
            md("your private links to follow your weeks (and the team's) in your calendar app"),
        ),
        (
            "/oncall report [month]",
            md(
                "admins: a month's on-call hours, weekend and holiday days, covers and "
                "incidents per person (e.g. `2026-12`; default this month)"
            ),
        ),
        ("/oncall help", md("this list")),
    )


def help_blocks(team: Team, note: Mrkdwn | None = None) -> list[Block]:
    """Every sub-command with its usage; `note` (e.g. an unknown sub-command) goes first."""
    blocks: list[Block] = []
    if note:
        blocks.append(section(md(":warning: {}", note)))
    blocks.append(header("/oncall commands"))
    blocks += sections(md("• {} — {}", code(usage), what) for usage, what in commands(team))
    blocks.append(
        context(md("People outside the team can use now, schedule, owners, runbook and incident."))
    )
    return blocks


def help_text(note: Mrkdwn | None = None) -> Mrkdwn:
    usage = escape(
        "/oncall now | schedule [N] | me | swap | requests | cover | timeoff | runbook <pipeline>"
        " | incident <pipeline> | resolve | owners | fairness | calendar | report | help"
    )
    return md("{} {}", note, usage) if note else usage
