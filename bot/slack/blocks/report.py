"""The on-call report as a private message (pure): the same numbers as `oncall report`."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.core.model import Team
from bot.core.report import Report, ReportRow
from bot.slack.blocks.kit import cap, context, header, sections
from bot.slack.common import fmt_day, fmt_short
from bot.slack.mrkdwn import Mrkdwn, bold, code, join, md


def hours(value: float) -> str:
    """Hours as people read them: 168, 92.5, 0.25."""
    return f"{round(value, 2):g}"


def _line(r: ReportRow) -> Mrkdwn:
    return md(
        "{}: {} h on call, {} h backup · {} weekend day(s), {} holiday day(s) · "
        "covers {} given / {} received, {} swap(s) · {} incident(s)",
        bold(r.name),
        hours(r.on_call_hours),
        hours(r.backup_hours),
        r.weekend_days,
        r.holiday_days,
        r.covers_given,
        r.covers_received,
        r.swaps,
        r.incidents,
    )


def _span(team: Team, report: Report) -> Mrkdwn:
    return md(
        "{} – {} ({})",
        fmt_day(report.first),
        fmt_day(report.last),
        team.timezone.key,
    )


def report_blocks(team: Team, report: Report, title: str) -> list[Block]:
    blocks: list[Block] = [header(f"On-call report: {title}")]
    if not report.started:
        blocks.append(
            context(
                md(
                    "{}: the rotation starts {}; nothing to report.",
                    _span(team, report),
                    fmt_day(team.start),
                )
            )
        )
        return blocks
    blocks += sections(_line(r) for r in report.rows)
    notes = [_span(team, report)]
    if report.holidays:
        notes.append(
            md(
                "Public holidays: {}",
                join(
                    ", ",
                    (md("{} ({})", n, fmt_short(d)) for d, n in sorted(report.holidays.items())),
                ),
            )
        )
    if report.uncovered_hours:
        notes.append(md("Nobody was free to be on call for {} h.", hours(report.uncovered_hours)))
    notes.append(
        md(
            "A day counts for whoever is on call at its local noon (on a handover day, at the "
            "handover if later). CSV: {}",
            code(
                f"oncall report --from {report.first.isoformat()} "
                f"--to {report.last.isoformat()} --csv"
            ),
        )
    )
    blocks.append(context(*notes))
    return cap(blocks)


def report_text(team: Team, report: Report, title: str) -> Mrkdwn:
    if not report.started:
        return md("On-call report {}: the rotation has not started; nothing to report.", title)
    return md(
        "On-call report {}: {}",
        title,
        join(
            "; ",
            (md("{} {} h on call", r.name, hours(r.on_call_hours)) for r in report.rows),
        ),
    )
