"""Store methods for incidents (`incident`, `incident_call` rows): part of `Store`."""

from __future__ import annotations


class IncidentStore:
    pass
