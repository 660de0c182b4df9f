"""Incidents in Block Kit: the channel's runbook post with its buttons, the call-in DM and
note, the resolve form and summary, the opener's report, the App Home's open incidents.

The runbook itself is `status.runbook_blocks`, the one rendering `/oncall runbook` posts
too; this module only adds the buttons (in the same message when it has room, else in a
short one right after it: nothing of the runbook is cut for them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.core.incidents import (
    MAX_RESOLUTION,
    Incident,
    IncidentCall,
    Role,
    describe_duration,
    shown_pipeline,
)
from bot.core.model import Pipeline, Team
from bot.core.oncall import OnCall
from bot.runbooks import Runbook
from bot.slack import ids
from bot.slack.blocks import status
from bot.slack.blocks.kit import (
    MAX_BLOCKS,
    button,
    clip,
    context,
    header,
    plain,
    section,
    sections,
)
from bot.slack.common import fmt_instant
from bot.slack.mrkdwn import (
    Mrkdwn,
    bold,
    channel_link,
    italic,
    join,
    md,
    mention_id,
    plain_name,
)

TOPIC_LIMIT = 250  # Slack's limit on a channel topic
MAX_HOME_INCIDENTS = 10


def person(team: Team, who: str) -> Mrkdwn:
    """A member as a mention; the Slack user id of someone outside the team as one too."""
    member = team.member(who) if team.is_member(who) else None
    return mention_id(member.slack_id if member else who)


def role_label(role: Role) -> str:
    return {
        Role.ENGINEER: "on call",
        Role.OWNER: "owner",
        Role.OTHER_OWNER: "other owner",
        Role.BACKUP: "backup",
        Role.OPENER: "opened it",
    }[role]


# --- the buttons ------------------------------------------------------------------------


def button_value(incident_id: int | None, pipeline_id: str) -> str:
    return json.dumps({"i": incident_id or 0, "p": pipeline_id}, separators=(",", ":"))


def call_actions(pipeline: Pipeline, incident: Incident | None) -> ActionsBlock | None:
    """Call in backup / the other owner (and Resolve, on an open incident's post); none
    on a closed incident's post."""
    if incident is not None and not incident.is_open:
        return None
    value = button_value(incident.id if incident else None, pipeline.id)
    elements = [
        button("Call in backup", ids.INCIDENT_CALL_BACKUP, value),
        button("Call in the other owner", ids.INCIDENT_CALL_OWNER, value),
    ]
    if incident is not None:
        elements.append(button("Resolve", ids.INCIDENT_RESOLVE, value, style="primary"))
    block_id = f"{ids.INCIDENT_ACTIONS_PREFIX}{incident.id if incident else pipeline.id}"
    return ActionsBlock(block_id=block_id[:255], elements=elements)


def with_actions(
    blocks: list[Block], actions: ActionsBlock, pipeline: Pipeline
) -> tuple[list[Block], list[Block] | None]:
    """(the message, None) when the buttons fit in it; else (the runbook as it is, a short
    message holding the buttons), so that nothing of the runbook is left out for them."""
    if len(blocks) < MAX_BLOCKS:
        return [*blocks, actions], None
    return blocks, [section(md("Need help with {}?", bold(pipeline.name))), actions]


def actions_text(pipeline: Pipeline) -> Mrkdwn:
    return md("Call in help for {}", pipeline.name)


def runbook_post(
    team: Team,
    pipeline: Pipeline,
    book: Runbook | None,
    answer: OnCall,
    incident: Incident | None = None,
    *,
    problem: Mrkdwn | None = None,
) -> tuple[Mrkdwn, list[Block], list[Block] | None]:
    """(fallback text, the runbook message with its buttons, a second message with the
    buttons when the runbook fills the first) for `/oncall runbook` and an incident."""
    blocks = status.runbook_blocks(team, pipeline, book, answer, problem=problem)
    text = status.runbook_text(team, pipeline, book, answer)
    actions = call_actions(pipeline, incident)
    if actions is None:
        return text, blocks, None
    message, extra = with_actions(blocks, actions, pipeline)
    return text, message, extra


# --- opening ---------------------------------------------------------------------------


def topic(team: Team, pipeline: Pipeline, summary: str, opener: str) -> str:
    """Plain text (Slack shows a topic unformatted), within Slack's 250 characters."""
    what = f": {summary}" if summary else ""
    return clip(
        f"Incident on {pipeline.name}{what} · opened by {plain_name(team, opener)}", TOPIC_LIMIT
    )


def team_line(team: Team, incident: Incident, pipeline: Pipeline) -> Mrkdwn:
    """The one line in the team's channel that links to the incident channel."""
    line = md(
        ":rotating_light: Incident on {} opened by {}: {}",
        bold(pipeline.name),
        person(team, incident.opened_by),
        channel_link(incident.channel_id or ""),
    )
    return line + (md(" · {}", incident.summary) if incident.summary else md(""))


def intro(team: Team, incident: Incident, pipeline: Pipeline) -> Mrkdwn:
    """What the incident post says above the runbook (a separate first line)."""
    what = md(" · {}", incident.summary) if incident.summary else md("")
    return (
        md(
            ":rotating_light: {} incident opened by {} at {}",
            bold(pipeline.name),
            person(team, incident.opened_by),
            fmt_instant(team, incident.opened_at),
        )
        + what
    )


def opened_reply(
    team: Team,
    incident: Incident,
    invited: Sequence[tuple[str, Role]],
    problems: Sequence[Mrkdwn],
) -> Mrkdwn:
    """What the opener is told: the channel, who is in it, and everything that failed."""
    where = channel_link(incident.channel_id or "")
    lines = [md(":white_check_mark: Incident channel {} is open.", where)]
    if invited:
        names = join(", ", (md("{} ({})", person(team, p), role_label(r)) for p, r in invited))
        lines.append(md("In it: {}.", names))
    lines += [md(":warning: {}", p) for p in problems]
    return join("\n", lines)


def failed_reply(pipeline: Pipeline, why: Mrkdwn) -> Mrkdwn:
    return md(
        ":x: No incident channel for {} was made: {} The incident is recorded as failed; "
        "nothing else was posted.",
        bold(pipeline.name),
        why,
    )


def slack_refusal(what: str, error: str, needed: str | None = None) -> Mrkdwn:
    """Slack's refusal of one step, said so the person who typed the command can act."""
    if error == "missing_scope":
        return md(
            "{}: the app lacks Slack's {} permission. A workspace admin must reinstall the "
            "app from manifest.yml to grant it.",
            what,
            f"`{needed}`" if needed else "needed",
        )
    reasons = {
        "restricted_action": "this workspace only lets some people or apps do that "
        "(a workspace setting)",
        "cant_invite": "they cannot be invited (a guest, or from another workspace)",
        "user_not_found": "Slack does not know them (deactivated?)",
        "user_is_restricted": "the workspace restricts it",
        "not_in_channel": "the bot is not in that channel",
        "is_archived": "the channel is archived",
        "channel_not_found": "the channel is gone",
        "ratelimited": "Slack asked to slow down; try again in a minute",
    }
    why = reasons.get(error, f"Slack answered `{error}`")
    return md("{}: {}.", what, why)


# --- calling in ------------------------------------------------------------------------


def call_dm(team: Team, pipeline: Pipeline, incident: Incident, call: IncidentCall) -> Mrkdwn:
    """The DM to the person called in: the pipeline, the summary, the channel."""
    summary = md("\n{}", italic(incident.summary)) if incident.summary else md("")
    return (
        md(
            ":rotating_light: {} calls you in ({}) on the {} incident: {}",
            person(team, call.called_by),
            role_label(call.role),
            bold(pipeline.name),
            channel_link(incident.channel_id or ""),
        )
        + summary
    )


def call_note(team: Team, call: IncidentCall, invited: bool) -> Mrkdwn:
    """The note in the incident channel: who called whom, and when."""
    note = md(
        ":telephone_receiver: {} called in {} ({}) at {}.",
        person(team, call.called_by),
        person(team, call.member),
        role_label(call.role),
        fmt_instant(team, call.at),
    )
    return note if invited else note + md(" They have the link by DM.")


def already_called(team: Team, call: IncidentCall) -> Mrkdwn:
    return md(
        "{} is in this incident already ({}, since {}), so nobody was called.",
        person(team, call.member),
        role_label(call.role),
        fmt_instant(team, call.at),
    )


# --- resolving -------------------------------------------------------------------------


def resolve_modal(incident: Incident, pipeline: Pipeline) -> View:
    return View(
        type="modal",
        callback_id=ids.INCIDENT_RESOLVE_MODAL,
        private_metadata=json.dumps({"i": incident.id}),
        title=plain("Resolve incident", 24),
        submit=plain("Resolve"),
        close=plain("Cancel"),
        blocks=[
            section(md("Resolve the {} incident.", bold(pipeline.name))),
            InputBlock(
                block_id=ids.INCIDENT_RESOLUTION,
                label=plain("How was it resolved? (one line)"),
                element=PlainTextInputElement(
                    action_id=ids.INCIDENT_RESOLUTION, max_length=MAX_RESOLUTION
                ),
            ),
        ],
    )


def resolved_text(team: Team, incident: Incident, pipeline: Pipeline) -> Mrkdwn:
    span = incident.duration
    return md(
        "{} incident resolved after {}",
        pipeline.name,
        describe_duration(span) if span is not None else "?",
    )


def resolved_blocks(team: Team, incident: Incident, pipeline: Pipeline) -> list[Block]:
    """The summary posted in the channel: opened, who was called, resolved after how long."""
    span = incident.duration
    called = [
        md("{} ({}, {})", person(team, c.member), role_label(c.role), fmt_instant(team, c.at))
        for c in incident.calls
    ]
    lines = [
        md(
            ":white_check_mark: {} incident resolved by {} after {}.",
            bold(pipeline.name),
            person(team, incident.resolved_by or ""),
            describe_duration(span) if span is not None else "?",
        ),
        md("Note: {}", italic(incident.resolution)),
        md(
            "Opened {} by {}.",
            fmt_instant(team, incident.opened_at),
            person(team, incident.opened_by),
        ),
        md("In it: {}.", join("; ", called) if called else md("nobody")),
    ]
    return sections(lines)


# --- the App Home ----------------------------------------------------------------------


def home_blocks(team: Team, incidents: Sequence[Incident]) -> list[Block]:
    """Open incidents the person is in; nothing when there are none."""
    if not incidents:
        return []
    lines = []
    for i in incidents[:MAX_HOME_INCIDENTS]:
        where = channel_link(i.channel_id) if i.channel_id else md("(no channel)")
        what = md(" · {}", i.summary) if i.summary else md("")
        lines.append(
            md(
                ":rotating_light: {} {} since {}",
                bold(shown_pipeline(team, i.pipeline).name),
                where,
                fmt_instant(team, i.opened_at),
            )
            + what
        )
    blocks: list[Block] = [header("Open incidents"), *sections(lines)]
    if len(incidents) > MAX_HOME_INCIDENTS:
        left = len(incidents) - MAX_HOME_INCIDENTS
        blocks.append(context(md("_… and {} more open incidents._", left)))
    return blocks
