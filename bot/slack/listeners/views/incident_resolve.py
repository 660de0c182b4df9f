"""The resolve form: a one-line note; checked and recorded before the ack, so a refusal
shows on the form, then the summary goes out on the follow-up threads."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from bot.core.errors import Refusal
from bot.core.incidents import shown_pipeline
from bot.slack import ids
from bot.slack.common import field, service_from, small_int, text_field, user_id_of
from bot.slack.dm import dm
from bot.slack.errors import FAILED
from bot.slack.notifier import notifier_from


def submit_resolve(ack: Any, body: dict[str, Any], context: Any, logger: Logger) -> None:
    service = service_from(context)
    user = user_id_of(body)
    try:
        meta = json.loads(text_field(body, "view", "private_metadata") or "{}")
    except ValueError:
        meta = None
    incident_id = small_int(field(meta, "i"))
    note = field(
        body, "view", "state", "values", ids.INCIDENT_RESOLUTION, ids.INCIDENT_RESOLUTION, "value"
    )
    if incident_id is None or not isinstance(note, str | None):
        ack(response_action="errors", errors={ids.INCIDENT_RESOLUTION: "This form is broken."})
        return
    try:
        resolved = service.resolve_incident(incident_id, user, note or "")
    except Refusal as e:
        ack(response_action="errors", errors={ids.INCIDENT_RESOLUTION: e.message})
        return
    except Exception:
        logger.exception("resolving an incident failed")
        ack(response_action="errors", errors={ids.INCIDENT_RESOLUTION: FAILED})
        return
    ack()
    notifier = notifier_from(context)
    pipeline = shown_pipeline(service.team, resolved.pipeline)
    client = notifier.client
    notifier.later(
        "post an incident's resolution",
        lambda: notifier.incident_resolved(resolved, pipeline, lambda text: dm(client, user, text)),
        logger=logger,
    )
