"""Buttons on an incident's post and on every runbook post: Call in backup, Call in the
other owner, Resolve (which opens the one-line form)."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.core.incidents import AlreadyCalled, CallTarget, pipeline_of
from bot.core.model import Pipeline
from bot.slack.blocks import incidents as blocks
from bot.slack.common import field, small_int
from bot.slack.errors import FAILED
from bot.slack.interaction import Interaction
from bot.slack.mrkdwn import md


def _value(i: Interaction) -> tuple[int | None, Pipeline] | None:
    """(the incident id, None for a runbook post; the pipeline) from the button's value."""
    try:
        data = json.loads(i.value)
    except ValueError:
        return None
    incident_id = small_int(field(data, "i"))
    pipeline_id = field(data, "p")
    pipeline = pipeline_of(i.team, pipeline_id) if isinstance(pipeline_id, str) else None
    if incident_id is None or incident_id < 0 or pipeline is None:
        return None
    return incident_id or None, pipeline


def _call_in(i: Interaction, target: CallTarget) -> None:
    read = _value(i)
    if read is None:
        i.tell(md(":warning: That button is broken (its pipeline is no longer configured?)."))
        return
    incident_id, pipeline = read
    notifier = i.notifier
    # A runbook post in a DM has no channel to call people into.
    channel = i.channel_id if i.channel_id and not i.channel_id.startswith("D") else None
    try:
        called = i.service.call_in(
            i.user_id, target, pipeline.id, incident_id=incident_id, channel_id=channel
        )
    except AlreadyCalled as e:
        i.tell(md(":information_source: {}", blocks.already_called(i.team, e.call)))
        return
    except Refusal as e:
        i.tell(md(":warning: {}", e.message))
        return
    except Exception:
        i.logger.exception("calling someone into an incident failed")
        i.tell(FAILED)
        return
    if notifier is not None:
        i.later(
            "call someone into an incident",
            lambda: notifier.called_in(called, pipeline, i.tell),
            on_failure=FAILED,
        )


def call_backup(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    _call_in(i, CallTarget.BACKUP)


def call_owner(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    _call_in(i, CallTarget.OTHER_OWNER)


def open_resolve(
    ack: Any, body: dict[str, Any], client: WebClient, respond: Any, context: Any, logger: Logger
) -> None:
    i = Interaction.acknowledge(ack, body, client, respond, context, logger)
    read = _value(i)
    if read is None or read[0] is None:
        i.tell(md(":warning: That button is broken."))
        return
    incident_id, pipeline = read
    try:
        incident = i.service.check_may_resolve(incident_id, i.user_id)
    except Refusal as e:
        i.tell(md(":warning: {}", e.message))
        return
    except Exception:
        logger.exception("opening the resolve form failed")
        i.tell(FAILED)
        return
    view = blocks.resolve_modal(incident, pipeline)
    i.later(
        "open the resolve form",
        lambda: i.client.views_open(trigger_id=i.trigger_id, view=view),
        on_failure=FAILED,
    )
