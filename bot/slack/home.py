"""Publishing the App Home: called when it opens and after any change that shows on it."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.service import OnCallService


def publish_home(client: WebClient, service: OnCallService, user_id: str) -> None:
    """Render and publish the App Home for one Slack user (views.publish)."""
    return None
