"""Build the Bolt app: global middleware (bot/slack/middleware.py), an error handler
that never answers Slack with a 500 (bot/slack/errors.py), then the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.errors import make_error_handler
from bot.slack.home import HomePublisher
from bot.slack.listeners import register_listeners
from bot.slack.middleware import InjectService, RetryDeduplication, SameWorkspace, WellFormed

LISTENER_THREADS = 16


def build_app(
    service: OnCallService,
    client: WebClient,
    *,
    signing_secret: str | None,
    homes: HomePublisher | None = None,
    logger: logging.Logger | None = None,
) -> App:
    """`homes` publishes App Homes in the background (a new one when not given); the
    caller stops it when the app stops."""
    app = App(
        client=client,
        signing_secret=signing_secret or "socket-mode-does-not-sign",
        # Socket Mode has no HTTP signature; HTTP mode must verify every request.
        request_verification_enabled=signing_secret is not None,
        # The token was checked once at start by the runner (auth.test), with a clear message.
        token_verification_enabled=False,
        # ack() first, then the slow work continues after Slack has its answer.
        process_before_response=False,
        # Listeners mostly wait on the Web API (0.1-0.3 s a call in production, six calls
        # for an accepted swap). With Bolt's default of 5 threads, the sixth click at once
        # would wait for one of them before it is even acknowledged.
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
        logger=logger or logging.getLogger("bot.slack"),
    )

    # After Bolt's own (signature check, authorization), in this order.
    app.use(InjectService(service, homes or HomePublisher(client, service)))
    app.use(WellFormed())
    app.use(SameWorkspace())
    app.use(RetryDeduplication())
    app.error(make_error_handler(signing_secret, verify=signing_secret is not None))
    register_listeners(app)
    return app
