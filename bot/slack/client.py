"""The Slack Web API client, with slack_sdk's retry handlers on every call."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

DEFAULT_API_URL = "https://slack.com/api/"


def make_client(token: str, api_url: str | None = None, *, retries: int = 3) -> WebClient:
    """429 (honouring Retry-After), 5xx and connection errors are retried with backoff."""
    return WebClient(
        token=token,
        base_url=api_url or DEFAULT_API_URL,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
