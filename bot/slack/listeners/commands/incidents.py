"""`/oncall incident <pipeline> [summary]`, `/oncall resolve [note]`.

Both run on the follow-up threads (oncall.py acknowledges first): opening makes a channel
and fills it (bot/slack/notify_incidents.py) on that same thread, step by step, and tells
the person who typed it what Slack refused.
"""

from __future__ import annotations

from bot.core.errors import Refusal
from bot.core.incidents import shown_pipeline
from bot.core.model import Pipeline, Team
from bot.runbooks import load_runbook_of
from bot.slack.blocks import status
from bot.slack.blocks.incidents import resolve_modal
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.listeners.commands.info import find_pipeline, pipeline_key
from bot.slack.mrkdwn import md, typed_text

USAGE = (
    "`/oncall incident <pipeline> [summary]`, e.g. `/oncall incident aggregate-profit load failed`"
)


def parse_incident(team: Team, text: str) -> tuple[Pipeline | None, list[Pipeline], str, str]:
    """(the pipeline, candidates when not found, the summary, what was taken as the
    pipeline). The pipeline is the longest run of leading words (up to four) that names
    one exactly, so `Aggregate Profit db down` works as `aggregate-profit db down`;
    else the first word, as `/oncall runbook` reads it (a unique prefix)."""
    words = text.split()
    for n in range(min(4, len(words)), 0, -1):
        query = " ".join(words[:n])
        pipeline, _ = find_pipeline(team, query)
        key = pipeline_key(query)
        if pipeline is not None and key in (pipeline_key(pipeline.id), pipeline_key(pipeline.name)):
            return pipeline, [], " ".join(words[n:]), query
    first = words[0] if words else ""
    pipeline, candidates = find_pipeline(team, first)
    return pipeline, candidates, " ".join(words[1:]), first


def incident(req: CommandRequest) -> None:
    team = req.service.team
    pipeline, candidates, summary, query = parse_incident(team, req.args)
    if pipeline is None:
        intro = status.pipelines_intro(query, candidates)
        usage = md("{}\nUsage: {}", intro, USAGE)
        req.reply(status.pipelines_text(team, usage), status.pipelines_blocks(team, usage))
        return
    opened = req.service.open_incident(req.user_id, pipeline.id, typed_text(summary))
    book, problem = load_runbook_of(pipeline)
    if problem:
        req.logger.warning("runbook for %s: %s", pipeline.id, problem)
    note = status.runbook_problem(pipeline) if problem else None
    req.notifier.incident_opened(opened, pipeline, book, note, req.reply)


def resolve(req: CommandRequest) -> None:
    service = req.service
    found = service.incident_in_channel(req.channel_id) if req.channel_id else None
    if found is None or not found.is_open:
        raise Refusal(
            "There is no open incident in this channel: type `/oncall resolve` in the "
            "incident's channel (or use its Resolve button)."
        )
    pipeline = shown_pipeline(service.team, found.pipeline)
    note = typed_text(req.args).strip()
    if not note:
        # The modal asks for the one-line note; a Refusal there shows on the form.
        service.check_may_resolve(found.id, req.user_id)
        req.client.views_open(trigger_id=req.trigger_id, view=resolve_modal(found, pipeline))
        return
    resolved = service.resolve_incident(found.id, req.user_id, note)
    req.notifier.incident_resolved(resolved, pipeline, req.reply)
    req.reply(md(":white_check_mark: Resolved. The summary is in the channel."))
