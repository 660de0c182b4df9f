"""Store methods for week changes (`week_change` rows): part of `Store`, the one door."""

from __future__ import annotations


class ChangeStore:
    pass
