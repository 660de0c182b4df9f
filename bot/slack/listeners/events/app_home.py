"""`app_home_opened`: publish a fresh Home tab each time someone opens it."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.common import service_from, text_field
from bot.slack.home import publish_home


def app_home_opened(event: dict[str, Any], client: WebClient, context: Any, logger: Logger) -> None:
    # The same event fires for the Messages and About tabs; only Home has a view to publish.
    if text_field(event, "tab") != "home":
        return
    user_id = text_field(event, "user")
    if not user_id:
        return
    try:
        publish_home(client, service_from(context), user_id)
    except SlackApiError as e:
        # Nothing to show the user on failure: the tab keeps its last view; the log says why.
        logger.warning("views.publish for %s failed: %s", user_id, e.response.get("error"))
    except Exception:
        logger.exception("publishing the App Home for %s failed", user_id)
