"""Build the Bolt app: global middleware (bot/slack/middleware.py), an error handler
that never answers Slack with a 500 (bot/slack/errors.py), then the listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.service import OnCallService
from bot.slack.errors import make_error_handler
from bot.slack.home import HomePublisher
from bot.slack.listeners import register_listeners
from bot.slack.middleware import InjectService, RetryDeduplication, SameWorkspace, WellFormed
from bot.slack.notifier import NOTIFIER_KEY, Notifier

LISTENER_THREADS = 16


def build_app(
    service: OnCallService,
    client: WebClient,
    *,
    signing_secret: str | None,
    notifier: Notifier | None = None,
    logger: logging.Logger | None = None,
) -> App:
    """`notifier` tells people what a change means; when not given, a new one with a new
    App Home publisher, which the caller stops (`notifier.homes.stop()`) when the app
    stops."""
    if notifier is None:
        notifier = Notifier(client, service, HomePublisher(client, service))
    homes = notifier.homes or HomePublisher(client, service)
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
    app.use(_share(client))
    app.use(InjectService(service, homes))
    app.use(_provide(notifier))
    app.use(WellFormed())
    app.use(SameWorkspace())
    app.use(RetryDeduplication())
    app.error(make_error_handler(signing_secret, verify=signing_secret is not None))
    register_listeners(app)
    return app


def _share(client: WebClient) -> Callable[..., None]:
    """A middleware that gives every listener (its `client`, `say`, `context.client`) the
    process's one client. Bolt builds a new WebClient per request, which would open a new
    connection per call; the shared one keeps its connections alive (bot/slack/client.py).
    Sharing is safe: its token is fixed and nothing sets per-request state on it."""

    def share_client(context: Any, next: Callable[[], None]) -> None:  # noqa: A002
        context["client"] = client
        next()

    return share_client


def _provide(notifier: Notifier) -> Callable[..., None]:
    """A middleware that puts the notifier in every request's context (NOTIFIER_KEY)."""

    def provide_notifier(context: Any, next: Callable[[], None]) -> None:  # noqa: A002
        context[NOTIFIER_KEY] = notifier
        next()

    return provide_notifier
