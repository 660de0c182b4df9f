"""The notifier's section for 'your weeks changed' DMs: part of `Notifier`."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.home import HomePublisher


class ChangeNotices:
    """Mixed into Notifier, whose attributes these are."""

    client: WebClient
    service: OnCallService
    homes: HomePublisher | None
    logger: Logger
    later: Callable[..., Any]
