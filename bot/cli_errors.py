"""The CLI's own error, shared by bot.cli and bot.cli_admin (which bot.cli registers)."""

from __future__ import annotations


class UsageError(Exception):
    """A bad argument; the message says which and why."""
