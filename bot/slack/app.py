"""Build the Bolt app: global middleware (bot/slack/middleware.py), an error handler
that never answers Slack with a 500 (bot/slack/errors.py), then the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.service import OnCallService
from bot.slack.client import PooledWebClient
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
    identity: SlackResponse | None = None,
) -> App:
    """`notifier` tells people what a change means; when not given, a new one with a new
    App Home publisher, which the caller stops (`notifier.homes.stop()`) when the app
    stops. `identity`: the token's auth.test answer, when the caller has it (the runner
    checks the token at start); without it Bolt asks on the first request."""
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

    if identity is not None:
        _know_identity(app, identity)
    # After Bolt's own (signature check, authorization), in this order.
    app.use(_Shared(client, notifier))
    app.use(InjectService(service, homes))
    app.use(WellFormed())
    app.use(SameWorkspace())
    app.use(RetryDeduplication())
    app.error(make_error_handler(signing_secret, verify=signing_secret is not None))
    register_listeners(app)
    return app


def _know_identity(app: App, identity: SlackResponse) -> None:
    """Give Bolt's single-workspace authorization the auth.test answer the runner already
    has. Without it Bolt calls auth.test on the first request, before that request is
    acknowledged: a Web API round trip on an acknowledgement path."""
    for middleware in app._middleware_list:
        if isinstance(middleware, SingleTeamAuthorization):
            middleware.auth_test_result = identity


class _Shared(Middleware):
    """Gives every listener (its `client`, `say`, `context.client`) the process's one
    client, a `respond` that posts to the request's response_url over that client's
    connections, and the notifier (NOTIFIER_KEY). Bolt builds a new WebClient per
    request and a new connection per reply, which would open a connection per call; the
    shared one keeps its connections alive (bot/slack/client.py). Sharing is safe: its
    token is fixed and nothing sets per-request state on it. A Middleware class, not a
    function: Bolt inspects a function middleware's arguments on every request."""

    def __init__(self, client: WebClient, notifier: Notifier) -> None:
        self.client = client
        self.notifier = notifier

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse | None:  # noqa: A002
        context = req.context
        context["client"] = self.client
        if isinstance(self.client, PooledWebClient):
            context["respond"] = self.client.responder(context.response_url)
        context[NOTIFIER_KEY] = self.notifier
        next()
        return resp
