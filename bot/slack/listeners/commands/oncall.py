"""`/oncall <sub-command> ...`: route to one handler.

Questions (now, schedule, me, owners, fairness, help) are answered in the
acknowledgement: a read of indexed rows, well inside Slack's 3 seconds, and the
answer reaches the person with no second request. Everything else is acknowledged
first, then handled on the follow-up threads (bot/slack/followup.py) and answered
through response_url.
"""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.core.errors import Refusal
from bot.slack.common import member_of, service_from, text_field
from bot.slack.errors import FAILED
from bot.slack.listeners.commands import calendar, incidents, info, report, requests, takeover
from bot.slack.listeners.commands.context import CommandRequest, split_command
from bot.slack.mrkdwn import code, md
from bot.slack.notifier import notifier_from
from bot.slack.safely import safely

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
    "requests": requests.list_requests,
    "timeoff": requests.timeoff,
    "cover": takeover.cover,
    "calendar": calendar.calendar,
    "incident": incidents.incident,
    "resolve": incidents.resolve,
    "report": report.report,
}
# Read-only and quick: answered in the acknowledgement.
ANSWERED_IN_ACK = frozenset(
    {info.now, info.schedule, info.me, info.owners, info.fairness, info.help_}
    | {requests.list_requests}
)


def oncall_command(
    ack: Any,
    command: dict[str, Any],
    respond: Any,
    client: WebClient,
    context: Any,
    logger: Logger,
) -> None:
    service = service_from(context)
    sub, args = split_command(text_field(command, "text"))
    user_id = text_field(command, "user_id")
    handler = HANDLERS.get(sub)
    if handler is None:
        args = md("Unknown sub-command {}.", code(sub[:40]))
        handler = info.help_
    member = member_of(service.team, user_id)
    request = CommandRequest(
        service, command, args, user_id, member, respond, client, logger, notifier_from(context)
    )
    if handler in ANSWERED_IN_ACK:
        request.ack = ack
        answer(handler, request, sub)
        return
    ack()
    # The rest calls Slack (views.open, response_url, DMs): on the follow-up threads, so
    # a slow Slack never delays the next request's acknowledgement.
    request.notifier.later(
        f"answer /oncall {sub[:40]}", lambda: answer(handler, request, sub), logger=logger
    )


def answer(handler: Handler, request: CommandRequest, sub: str) -> None:
    """Run a sub-command; a Refusal or a failure is told to the caller alone."""
    logger = request.logger
    try:
        handler(request)
    except Refusal as e:
        refusal = md(":warning: {}", e.message)  # a refusal is plain text: escaped here
        safely(logger, "answer /oncall", lambda: request.reply(refusal))
    except Exception:
        logger.exception("/oncall %s failed", sub[:40])
        safely(logger, "answer /oncall", lambda: request.reply(FAILED))
    finally:
        request.acknowledge()
