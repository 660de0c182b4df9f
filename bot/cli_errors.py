"""The CLI's own errors, shared by bot.cli and bot.cli_admin (which bot.cli registers)."""

from __future__ import annotations


class UsageError(Exception):
    """A bad argument; the message says which and why."""


class FileError(Exception):
    """A file the command needs is missing, a directory or unreadable; the message names
    it as it was given."""
