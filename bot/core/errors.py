"""The one error the core raises at a person: a refusal with a clear reason."""

from __future__ import annotations


class Refusal(Exception):
    """An operation a person asked for that the rules do not allow.

    `field` names the input at fault (for a modal's inline error), when there is one.
    Nothing has changed when a Refusal is raised.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
