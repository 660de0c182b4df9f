"""`/oncall <sub-command> ...`: ack at once, then route to one handler."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.slack.common import escape, homes_from, member_of, service_from, text_field
from bot.slack.listeners.commands import info, requests
from bot.slack.listeners.commands.context import CommandRequest
from bot.slack.swap_messages import FAILED, safely

Handler = Callable[[CommandRequest], None]

HANDLERS: dict[str, Handler] = {
    "": info.now,
    "now": info.now,
    "schedule": info.schedule,
    "me": info.me,
    "owners": info.owners,
    "runbook": info.runbook,
    "fairness": info.fairness,
    "help": info.help_,
    "swap": requests.swap,
    "timeoff": requests.timeoff,
}


def split_command(text: str) -> tuple[str, str]:
    parts = (text or "").strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1] if len(parts) > 1 else ""


def oncall_command(
    ack: Any,
    command: dict[str, Any],
    respond: Any,
    client: WebClient,
    context: Any,
    logger: Logger,
) -> None:
    ack()
    service = service_from(context)
    sub, args = split_command(text_field(command, "text"))
    user_id = text_field(command, "user_id")
    handler = HANDLERS.get(sub)
    member = member_of(service.team, user_id)
    request = CommandRequest(
        service, command, args, user_id, member, respond, client, logger, homes_from(context)
    )
    if handler is None:
        request.args = f"Unknown sub-command `{escape(sub[:40])}`."
        handler = info.help_
    try:
        handler(request)
    except Refusal as e:
        refusal = f":warning: {e.message}"
        safely(logger, "answer /oncall", lambda: request.reply(refusal))
    except Exception:
        logger.exception("/oncall %s failed", sub[:40])
        safely(logger, "answer /oncall", lambda: request.reply(FAILED))
