"""The notifier's section for take-overs: part of `Notifier` (bot/slack/notifier.py)."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.home import HomePublisher


class TakeoverNotices:
    """Mixed into Notifier, whose attributes these are."""

    client: WebClient
    service: OnCallService
    homes: HomePublisher | None
    logger: Logger
    later: Callable[..., Any]
