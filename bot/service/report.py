"""The on-call report: hours, weekend and holiday days, covers and incidents per person."""

from __future__ import annotations

from bot.service.reads import Reads


class Reports(Reads):
    pass
