"""Take-overs: a colleague takes the rest of the current week (or some days) from now."""

from __future__ import annotations

from bot.service.reads import Reads


class Takeovers(Reads):
    pass
