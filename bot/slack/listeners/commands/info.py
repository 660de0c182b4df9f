"""Read-only sub-commands: now, schedule, me, owners, runbook, fairness, help.

Each handler parses its arguments, asks the service, and renders with a pure
builder from `bot.slack.blocks.status`. Answers are private (ephemeral) except a
found runbook, which is posted in the channel for everyone handling the issue.
"""

from __future__ import annotations

import re

from bot.core.errors import Refusal
from bot.core.model import Pipeline, Team
from bot.runbooks import load_runbook_of
from bot.slack.blocks import incidents as incident_blocks
from bot.slack.blocks import status
from bot.slack.blocks.fairness import fairness_blocks, fairness_text
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.mrkdwn import md

DEFAULT_WEEKS = status.DEFAULT_SCHEDULE_WEEKS


def now(req: CommandRequest) -> None:
    answer = req.service.who()
    team = req.service.team
    req.reply(status.now_text(team, answer), status.now_blocks(team, answer))


def parse_weeks(args: str) -> tuple[int, str | None]:
    """`[N]` -> (weeks to show, a note when N was capped); a bad N is a Refusal."""
    text = args.strip()
    if not text:
        return DEFAULT_WEEKS, None
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) < 1:
        raise Refusal(
            f"`{text[:20]}` is not a number of weeks. "
            f"Try `/oncall schedule 12` (1 to {status.MAX_SCHEDULE_WEEKS})."
        )
    weeks = int(text)
    if weeks > status.MAX_SCHEDULE_WEEKS:
        cap = status.MAX_SCHEDULE_WEEKS
        return cap, f"Showing {cap} weeks, the most one message holds."
    return weeks, None


def schedule(req: CommandRequest) -> None:
    count, note = parse_weeks(req.args)
    team = req.service.team
    weeks = req.service.schedule(count=count)
    highlight = req.member.id if req.member else None
    text = status.schedule_text(team, weeks)
    blocks = status.schedule_blocks(team, weeks, highlight, note=note)
    req.reply(f"{note} {text}" if note else text, blocks)


def me(req: CommandRequest) -> None:
    service, team = req.service, req.service.team
    if req.member is None:
        answer = service.who()
        req.reply(status.not_member_text(team, answer), status.not_member_blocks(team, answer))
        return
    member = req.member
    weeks = service.weeks_of(member.id)
    blocks = status.me_blocks(
        team, member, weeks, service.time_off_of(member.id), service.swaps_of(member.id)
    )
    req.reply(status.me_text(member, weeks), blocks)


def owners(req: CommandRequest) -> None:
    answer = req.service.who()
    team = req.service.team
    req.reply(status.owners_text(team, answer), status.owners_blocks(team, answer))


def pipeline_key(text: str) -> str:
    """How people type pipeline names: any case, with or without spaces, dashes, underscores."""
    return re.sub(r"[\s\-_]+", "", text).lower()


def find_pipeline(team: Team, query: str) -> tuple[Pipeline | None, list[Pipeline]]:
    """(the pipeline, []) on an exact or unambiguous-prefix match, else (None, candidates).

    Candidates are the pipelines an ambiguous prefix matched; empty when nothing matched.
    """
    key = pipeline_key(query)
    if not key:
        return None, []
    exact = [p for p in team.pipelines if key in (pipeline_key(p.id), pipeline_key(p.name))]
    if len(exact) == 1:
        return exact[0], []
    prefixed = [
        p
        for p in team.pipelines
        if pipeline_key(p.id).startswith(key) or pipeline_key(p.name).startswith(key)
    ]
    if len(prefixed) == 1:
        return prefixed[0], []
    return None, prefixed


def runbook(req: CommandRequest) -> None:
    team = req.service.team
    query = req.args.strip()
    pipeline, candidates = find_pipeline(team, query)
    if pipeline is None:
        # Only the caller sees a miss; the channel sees nothing.
        intro = status.pipelines_intro(query, candidates)
        req.reply(status.pipelines_text(team, intro), status.pipelines_blocks(team, intro))
        return
    book, problem = load_runbook_of(pipeline)
    answer = req.service.who()
    note = status.runbook_problem(pipeline) if problem else None
    # The one rendering an incident's channel shows too, with its Call-in buttons.
    text, message, extra = incident_blocks.runbook_post(team, pipeline, book, answer, problem=note)
    req.respond(response_type="in_channel", text=text, blocks=message)
    if extra is not None:
        req.respond(
            response_type="in_channel", text=incident_blocks.actions_text(pipeline), blocks=extra
        )
    if problem:
        # The channel still learns whom to call; the caller learns what to fix.
        req.logger.warning("runbook for %s: %s", pipeline.id, problem)
        req.reply(md(":warning: {} The owners were posted without it.", problem))


def fairness(req: CommandRequest) -> None:
    ledger = req.service.ledger()
    highlight = req.member.id if req.member else None
    req.reply(fairness_text(ledger), fairness_blocks(ledger, highlight))


def help_(req: CommandRequest) -> None:
    # req.args is the dispatcher's (already escaped) note for an unknown sub-command;
    # after a typed `help` it is just more user text, which is not shown.
    note = req.args if req.args and req.sub_command != "help" else None
    req.reply(status.help_text(note), status.help_blocks(req.service.team, note))
