"""The `oncall` command line: one sub-command, one service call, one rendering.

Errors a person can cause (bad config, bad dates, refusals) print one clear line
and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dateutil.parser import isoparse

from bot.cli_admin import open_store
from bot.cli_admin import register as register_admin
from bot.cli_errors import FileError, UsageError
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, load_config
from bot.core.errors import Refusal
from bot.core.ledger import Ledger, rule_summary
from bot.core.model import Member, Team
from bot.core.oncall import OnCall
from bot.core.report import COLUMNS as REPORT_COLUMNS
from bot.core.report import Report
from bot.core.weeks import local_instant
from bot.service import Handover, OnCallService, ScheduledWeek
from bot.settings import DEFAULT_CONFIG_PATH
from bot.storage.store import StorageError


def _member_json(m: Member | None) -> dict[str, str] | None:
    if m is None:
        return None
    return {"id": m.id, "name": m.name, "slack_id": m.slack_id}


def _member(team: Team, member_id: str | None) -> Member | None:
    return team.member(member_id) if member_id else None


def _parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: '{text}' is not a date like 2026-12-07") from None


def _parse_at(team: Team, text: str) -> datetime:
    """A local wall time in the team's zone: '2026-12-07 09:30', '2026-12-07T09:30' or a date."""
    try:
        local = isoparse(text.strip())
    except (ValueError, OverflowError):
        raise UsageError(f"--at: '{text}' is not like '2026-12-07 09:30'") from None
    try:
        if local.tzinfo is not None:
            return local.astimezone(UTC)
        return local_instant(local.date(), local.time(), team.timezone)
    except OverflowError:  # e.g. 0001-01-01 00:00 in a zone east of UTC
        raise UsageError(f"--at: '{text}' is out of the range of dates this can show") from None


def schedule_json(team: Team, weeks: Sequence[ScheduledWeek]) -> list[dict[str, Any]]:
    return [
        {
            "week": w.week.index,
            "start": w.week.first_day.isoformat(),
            "end": w.week.last_day.isoformat(),
            "handover": w.week.start.isoformat(),
            "on_call": _member_json(team.member(w.member)),
            "backup": _member_json(_member(team, w.backup)),
            "holidays": {d.isoformat(): n for d, n in w.holidays.items()},
            "time_off": [
                {"member": t.member, "start": t.start.isoformat(), "end": t.end.isoformat()}
                for t in w.time_off
            ],
            "adjusted": w.reason,
            "fixed": w.fixed,
            "cover_needed": w.cover_needed,
        }
        for w in weeks
    ]


def schedule_table(team: Team, weeks: Sequence[ScheduledWeek]) -> str:
    rows = [("Week", "Dates", "On call", "Backup", "Notes")]
    for w in weeks:
        notes = []
        if w.reason:
            notes.append(
                w.reason if w.fixed else f"adjusted: {w.reason.removeprefix('adjusted: ')}"
            )
        notes += [f"{n} ({d:%a %d %b})" for d, n in w.holidays.items()]
        notes += [f"{team.name_of(t.member)} off {t.start:%d %b}-{t.end:%d %b}" for t in w.time_off]
        if w.cover_needed:
            notes.append("needs cover: the backup stands in")
        rows.append(
            (
                str(w.week.index),
                f"{w.week.first_day:%a %d %b %Y} - {w.week.last_day:%a %d %b}",
                team.name_of(w.member),
                team.name_of(w.backup) if w.backup else "-",
                "; ".join(notes),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:4])) + "  " + r[4] for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def who_json(team: Team, answer: OnCall) -> dict[str, Any]:
    return {
        "at": answer.at.isoformat(),
        "started": answer.started,
        "on_call": _member_json(_member(team, answer.on_call)),
        "scheduled": _member_json(_member(team, answer.scheduled)),
        "backup": _member_json(_member(team, answer.backup)),
        "week": answer.week.index if answer.week else None,
        "week_start": answer.week.start.isoformat() if answer.week else None,
        "week_end": answer.week.end.isoformat() if answer.week else None,
        "reasons": list(answer.reasons),
        "holidays": {d.isoformat(): n for d, n in answer.holidays.items()},
        "time_off": [
            {"member": t.member, "start": t.start.isoformat(), "end": t.end.isoformat()}
            for t in answer.time_off
        ],
        "owners": [
            {
                "pipeline": o.pipeline.id,
                "name": o.pipeline.name,
                "owner": _member_json(_member(team, o.owner)),
                "reason": o.reason,
            }
            for o in answer.owners
        ],
    }


def who_text(team: Team, answer: OnCall) -> str:
    if not answer.started or answer.week is None:
        return f"The rotation has not started: the first handover is {first_handover(team)}."
    zone = team.timezone
    name = team.name_of
    lines = [
        f"On call: {name(answer.on_call) if answer.on_call else 'nobody available'}",
        f"Backup:  {name(answer.backup) if answer.backup else 'nobody available'}",
        f"Week {answer.week.index}: {answer.week.start.astimezone(zone):%a %d %b %H:%M %Z} - "
        f"{answer.week.end.astimezone(zone):%a %d %b %H:%M %Z}",
    ]
    lines += [f"  ({r})" for r in answer.reasons]
    for d, n in answer.holidays.items():
        lines.append(f"Holiday: {n} ({d:%a %d %b})")
    for t in answer.time_off:
        lines.append(f"Time off: {name(t.member)} {t.start:%d %b} - {t.end:%d %b}")
    lines.append("Pipelines:")
    lines += owner_lines(team, answer)
    return "\n".join(lines)


def owner_lines(team: Team, answer: OnCall) -> list[str]:
    """One indented line per pipeline: its effective owner, and why when not the usual one."""
    lines = []
    for o in answer.owners:
        owner = team.name_of(o.owner) if o.owner else "nobody"
        lines.append(f"  {o.pipeline.name}: {owner}" + (f" ({o.reason})" if o.reason else ""))
    return lines


def config_path(env: dict[str, str]) -> Path:
    return Path(env.get("ONCALL_CONFIG") or DEFAULT_CONFIG_PATH)


def load_team(path: Path, *, given: bool = False) -> Team:
    """The team file at `path`. A path that names no readable file is one plain line naming
    it as given; `given` says it came from the command line (else from ONCALL_CONFIG or the
    default, which the message then points to)."""
    hint = "" if given else " (set ONCALL_CONFIG)"
    if path.is_dir():
        raise FileError(f"{path}: is a directory, not a team file (like oncall.yml){hint}")
    if not path.exists():
        raise FileError(f"{path}: the file does not exist{hint}")
    if not os.access(path, os.R_OK):
        raise FileError(f"{path}: cannot be read (permission denied)")
    return load_config(path)


def first_handover(team: Team) -> str:
    start = local_instant(team.start, team.handover_time, team.timezone)
    return f"{start.astimezone(team.timezone):%a %d %b %Y %H:%M %Z}"


def open_service(env: dict[str, str], clock: Clock, team: Team | None = None) -> OnCallService:
    """The service on DATABASE_URL; `team` when the command has loaded it already (to check
    its arguments before the database is opened, or created)."""
    team = team or load_team(config_path(env))
    store = open_store(env)
    if store.created:  # the quick start's first command: said, so a lost file is noticed
        print(f"oncall: creating a new database at {store.path}", file=sys.stderr)
    store.create_all()
    service = OnCallService(team, store, clock)
    for note in service.sync_plan():
        if note.startswith("planner: "):  # a rule the new weeks could not keep: say so
            print(f"oncall: {note}", file=sys.stderr)
    return service


def cmd_check(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    path = config_path(env) if args.config is None else Path(args.config)
    team = load_team(path, given=args.config is not None)
    print(
        f"{path}: OK ({len(team.members)} members, {len(team.pipelines)} pipelines, "
        f"handover {team.handover_time:%H:%M} {team.timezone.key})"
    )
    return 0


def cmd_schedule(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    if not 1 <= args.weeks <= 520:
        raise UsageError("--weeks: give a number from 1 to 520")
    day = _parse_date(args.start, "--from") if args.start else None
    service = open_service(env, clock)
    first = None
    if day is not None:
        first = service.week_for_date(day)
        if first < 0:
            # Said on standard error, so `--json` output stays a document.
            print(
                f"oncall: --from {day} is before the rotation starts; showing from its first "
                f"week, {service.team.start:%a %d %b %Y}",
                file=sys.stderr,
            )
            first = 0
    with blaming(f"--from {day}" if day else None):
        weeks = service.schedule(first, args.weeks)
    if args.json:
        print(json.dumps(schedule_json(service.team, weeks), indent=2))
    else:
        if service.current_index() < 0:
            print(who_text(service.team, service.who()))
        print(schedule_table(service.team, weeks))
    return 0


def cmd_who(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    team = load_team(config_path(env))
    at = _parse_at(team, args.at) if args.at else None
    service = open_service(env, clock, team)
    with blaming(f"--at {args.at}" if args.at else None):
        answer = service.who(at)
    if args.json:
        print(json.dumps(who_json(service.team, answer), indent=2))
    else:
        print(who_text(service.team, answer))
    return 0


Handler = Callable[[argparse.Namespace, dict[str, str], Clock], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, as argparse does, no usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="oncall", description="Run a team's weekly on-call rotation.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("check", help="validate the team config")
    p.add_argument("config", nargs="?", help="config file (default: ONCALL_CONFIG or oncall.yml)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("schedule", help="show the coming weeks")
    p.add_argument("--weeks", type=int, default=8, help="how many weeks (default 8)")
    p.add_argument("--from", dest="start", help="a date in the first week to show")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser("who", help="who is on call now, or at --at")
    p.add_argument("--at", help="local time in the team zone, 'YYYY-MM-DD HH:MM'")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(handler=cmd_who)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


def cmd_run(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.runner import run

    # The settings read the token from `env`. Bolt's App would read it again from the
    # process environment and, as the app also gets our client (which carries it), log
    # "As you gave `client` as well, `token` will be unused" at every start.
    os.environ.pop("SLACK_BOT_TOKEN", None)
    return run(clock, env, create_db=args.create_db)


def _add_run(sub: Any) -> None:
    p = sub.add_parser("run", help="start the Slack app (HTTP or Socket Mode)")
    p.add_argument(
        "--create-db",
        action="store_true",
        help="create the SQLite database if it does not exist (else that is an error)",
    )
    p.set_defaults(handler=cmd_run)


def handover_plain(team: Team, h: Handover) -> str:
    """The handover as plain text for a terminal: names as they are in the team file, none
    of Slack's escaping or markup (the channel post is built by bot.slack.blocks.handover)."""
    name = team.name_of
    zone = team.timezone
    first = f"On call this week: {name(h.incoming)}"
    if h.outgoing:
        first += f" (taking over from {name(h.outgoing)})"
    first += f"; backup {name(h.backup) if h.backup else 'nobody available'}."
    start, end = h.week.start.astimezone(zone), h.week.end.astimezone(zone)
    lines = [first, f"Week {h.week.index}: {start:%a %d %b %H:%M %Z} → {end:%a %d %b %H:%M %Z}"]
    holidays = ", ".join(f"{n} ({d:%a %d %b})" for d, n in h.answer.holidays.items())
    lines.append(f"Public holidays: {holidays or 'none'}")
    if h.answer.time_off:
        off = ", ".join(
            f"{name(t.member)} {t.start:%a %d %b}–{t.end:%a %d %b}" for t in h.answer.time_off
        )
        lines.append(f"Time off: {off}")
    lines += [f"({reason})" for reason in h.answer.reasons]
    if h.answer.owners:
        lines.append("Pipelines (effective owner):")
    lines += owner_lines(team, h.answer)
    return "\n".join(lines)


def week_to_announce(service: OnCallService, day: date | None, dry_run: bool) -> int:
    """The week `announce` means: --week's, or the one running now; a week with no
    handover (before the rotation, beyond the plan) is a usage error saying which."""
    team = service.team
    if day is None:
        index = service.current_index()
        if index < 0:
            then = f"preview it with --week {team.start}" if dry_run else "it is posted then"
            raise UsageError(
                f"the rotation has not started: its first handover is {first_handover(team)}; "
                + then
            )
        return index
    index = service.week_for_date(day)
    if index < 0:
        raise UsageError(
            f"--week {day} is before the rotation starts: its first week begins "
            f"{team.start:%a %d %b %Y}"
        )
    return index


@contextmanager
def blaming(argument: str | None) -> Iterator[None]:
    """The service's refusal of a read (e.g. too far ahead) names the argument that asked."""
    try:
        yield
    except Refusal as e:
        if argument is None:
            raise
        raise Refusal(f"{argument}: {e}") from None


def cmd_announce(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.scheduler.announcer import Announcer

    day = _parse_date(args.week, "--week") if args.week else None
    if args.dry_run:
        service = open_service(env, clock)
        index = week_to_announce(service, day, dry_run=True)
        with blaming(f"--week {day}" if day else None):
            h = service.handover(index)
        print(handover_plain(service.team, h))
        print(f"(dry run: nothing posted to {service.team.channel})")
        return 0

    from bot.runner import StartupError
    from bot.runner import open_service as open_for_slack
    from bot.settings import SettingsError, load_settings
    from bot.slack.client import make_client
    from bot.slack.notifier import Notifier

    try:
        # Posting needs the bot token only: not the signing secret (HTTP mode's, for
        # requests from Slack) nor the app-level token (Socket Mode's).
        settings = load_settings(env, require_slack=False)
    except SettingsError as e:
        raise UsageError(str(e)) from None
    if not settings.bot_token:
        raise UsageError(
            "SLACK_BOT_TOKEN is not set: `oncall announce` posts with the bot token "
            "(see README, section Configuration); --dry-run prints the handover instead"
        )
    try:
        service = open_for_slack(settings, clock)
    except StartupError as e:
        raise UsageError(str(e)) from None
    team = service.team
    index = week_to_announce(service, day, dry_run=False)
    client = make_client(settings.bot_token, settings.api_url)
    try:
        posted = Announcer(service, Notifier(client, service)).announce(index, force=args.force)
    except Refusal as e:
        raise Refusal(f"{e} (--dry-run prints it without posting)") from None
    if posted:
        print(f"posted the handover for week {index} to {team.channel}")
        return 0
    print(f"week {index} was already announced (use --force to post again)", file=sys.stderr)
    return 1


def _add_announce(sub: Any) -> None:
    p = sub.add_parser("announce", help="post (or print) a week's handover announcement")
    p.add_argument("--dry-run", action="store_true", help="print it; post nothing")
    p.add_argument("--week", help="a date in the week to announce (default: this week)")
    p.add_argument("--force", action="store_true", help="post even if already announced")
    p.set_defaults(handler=cmd_announce)


LEDGER_COLUMNS = (
    ("weeks", "Weeks"),
    ("weeks_past", "past"),
    ("holiday_days", "Holiday days"),
    ("weekend_days", "Weekend days"),
    ("covers_given", "Covers given"),
    ("covers_received", "received"),
    ("swaps", "Swaps"),
    ("adjusted_weeks", "Adjusted"),
)


def ledger_table(ledger: Ledger) -> str:
    header = ["Member"] + [title for _key, title in LEDGER_COLUMNS]
    rows = [header] + [
        [r.name] + [str(r.as_dict()[key]) for key, _t in LEDGER_COLUMNS] for r in ledger.rows
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(row))
        for row in rows
    ]
    lines.append(
        f"Weeks {ledger.first_week}-{ledger.last_week} (week {ledger.current_week} is now); "
        f"spread: weeks {ledger.spread('weeks')}, holiday days {ledger.spread('holiday_days')}"
    )
    lines += [rule_summary(r) for r in ledger.rules]  # achieved vs the proven best
    return "\n".join(lines)


def cmd_fairness(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    service = open_service(env, clock)
    ledger = service.ledger()
    if args.json:
        print(
            json.dumps(
                {
                    "first_week": ledger.first_week,
                    "current_week": ledger.current_week,
                    "last_week": ledger.last_week,
                    "members": [r.as_dict() for r in ledger.rows],
                    "spread": {
                        k: ledger.spread(k) for k in ("weeks", "holiday_days", "weekend_days")
                    },
                    "rules": [{**asdict(r), "name": r.name} for r in ledger.rules],
                },
                indent=2,
            )
        )
    else:
        print(ledger_table(ledger))
    return 0


def report_json(team: Team, report: Report) -> dict[str, Any]:
    return {
        "from": report.first.isoformat(),
        "to": report.last.isoformat(),
        "timezone": team.timezone.key,
        "started": report.started,
        "members": [r.as_dict() for r in report.rows],
        "holidays": {d.isoformat(): n for d, n in sorted(report.holidays.items())},
        "uncovered_hours": round(report.uncovered_hours, 2),
    }


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(r.as_dict() for r in report.rows)
    return out.getvalue()


REPORT_TITLES = (
    ("on_call_hours", "On-call h"),
    ("backup_hours", "Backup h"),
    ("weekend_days", "Weekend days"),
    ("holiday_days", "Holiday days"),
    ("covers_given", "Covers given"),
    ("covers_received", "received"),
    ("swaps", "Swaps"),
    ("incidents", "Incidents"),
)


def report_table(team: Team, report: Report) -> str:
    span = f"{report.first:%a %d %b %Y} - {report.last:%a %d %b %Y} ({team.timezone.key})"
    if not report.started:
        return f"{span}: the rotation starts {first_handover(team)}; nothing to report."
    header = ["Member"] + [title for _key, title in REPORT_TITLES]
    rows = [header] + [
        [r.name] + [f"{r.as_dict()[key]:g}" for key, _t in REPORT_TITLES] for r in report.rows
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(row))
        for row in rows
    ]
    lines.append(span)
    holidays = ", ".join(f"{n} ({d:%a %d %b})" for d, n in sorted(report.holidays.items()))
    lines.append(f"Public holidays: {holidays or 'none'}")
    if report.uncovered_hours:
        lines.append(f"Nobody was free to be on call for {report.uncovered_hours:g} h.")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    first = _parse_date(args.start, "--from")
    last = _parse_date(args.end, "--to")
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}: give the range in order")
    service = open_service(env, clock)
    try:
        report = service.report(first, last)
    except Refusal as e:  # beyond the readable horizon: the range asked for too much
        raise UsageError(f"--to {last}: {e}") from None
    if args.json:
        print(json.dumps(report_json(service.team, report), indent=2))
    elif args.csv:
        sys.stdout.write(report_csv(report))
    else:
        print(report_table(service.team, report))
    return 0


def cmd_ical(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.ical import feed_calendar

    team = load_team(config_path(env))
    if args.member and args.member not in {m.id for m in team.members}:
        raise UsageError(f"--member: '{args.member}' is not a member id")
    if not 1 <= args.weeks <= 520:
        raise UsageError("--weeks: give a number from 1 to 520")
    service = open_service(env, clock, team)
    # The events of the live feeds (take-overs, time off), not the plan's whole weeks.
    data = feed_calendar(service.team, service.schedule_feed(args.member, args.weeks))
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _add_reports(sub: Any) -> None:
    p = sub.add_parser("fairness", help="the fairness ledger: weeks, holidays, covers, swaps")
    p.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(handler=cmd_fairness)
    p = sub.add_parser(
        "report", help="per person: on-call hours, weekend and holiday days, covers, incidents"
    )
    p.add_argument("--from", dest="start", required=True, help="first local date, YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="last local date (included)")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true", help="CSV for spreadsheets")
    form.add_argument("--json", action="store_true", help="JSON for scripts")
    p.set_defaults(handler=cmd_report)
    p = sub.add_parser("ical", help="an iCalendar file of who is on call, as the feeds show")
    p.add_argument("--member", help="only this member's time on call and as backup")
    p.add_argument("--weeks", type=int, default=52, help="how many weeks ahead (default 52)")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(handler=cmd_ical)


def cmd_playground(args: argparse.Namespace, env: dict[str, str], clock: Clock) -> int:
    from bot.playground.main import run_playground

    return run_playground(config_path(env), port=args.port)


def _add_playground(sub: Any) -> None:
    p = sub.add_parser("playground", help="try the app in a browser: no Slack, no tokens")
    p.add_argument("--port", type=int, default=0, help="the page's port (default: any free)")
    p.set_defaults(handler=cmd_playground)


_EXTRA_COMMANDS: list[Callable[[Any], None]] = [
    _add_run,
    _add_playground,
    _add_announce,
    _add_reports,
    register_admin,
]


def main(
    argv: Sequence[str] | None = None, clock: Clock | None = None, env: dict[str, str] | None = None
) -> int:
    env = dict(os.environ) if env is None else env
    clock = clock or SystemClock()
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args, env, clock))
    except ConfigError as e:
        print(f"oncall: {e}", file=sys.stderr)
        return 1
    except (UsageError, Refusal, StorageError, FileError) as e:
        print(f"oncall: {e}", file=sys.stderr)
        return 2 if isinstance(e, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `oncall schedule | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
