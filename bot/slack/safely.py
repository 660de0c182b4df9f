"""Sending after a change is stored: a failed notification is logged, never raised."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any


def safely(logger: Logger, what: str, call: Callable[[], Any]) -> Any:
    """Run one notification; a failure is logged, never raised (the change is stored).
    Returns what `call` returned, or None when it failed."""
    try:
        return call()
    except Exception:
        logger.exception("could not %s", what)
        return None
