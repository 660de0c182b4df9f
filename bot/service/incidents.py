"""Incidents: open one for a pipeline, call people in, resolve it."""

from __future__ import annotations

from bot.service.reads import Reads


class Incidents(Reads):
    pass
