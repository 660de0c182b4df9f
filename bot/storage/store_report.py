"""Store reads for the on-call report: part of `Store`, the one door."""

from __future__ import annotations


class ReportStore:
    pass
