"""Build the Bolt app: one middleware that hands listeners the service, then listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.common import SERVICE_KEY
from bot.slack.listeners import register_listeners


def build_app(
    service: OnCallService,
    client: WebClient,
    *,
    signing_secret: str | None,
    logger: logging.Logger | None = None,
) -> App:
    app = App(
        client=client,
        signing_secret=signing_secret or "socket-mode-does-not-sign",
        # Socket Mode has no HTTP signature; HTTP mode must verify every request.
        request_verification_enabled=signing_secret is not None,
        # The token was checked once at start by the runner (auth.test), with a clear message.
        token_verification_enabled=False,
        # ack() first, then the slow work continues after Slack has its answer.
        process_before_response=False,
        logger=logger or logging.getLogger("bot.slack"),
    )

    def inject_service(context: Any, next: Any) -> None:
        context[SERVICE_KEY] = service
        next()

    app.use(inject_service)
    register_listeners(app)
    return app
