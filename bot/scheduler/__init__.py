"""Timed jobs: the Monday handover, the Friday heads-up, swap reminders."""
