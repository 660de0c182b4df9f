"""Persistent state (SQLModel over any SQLAlchemy database) and its translation to core data."""
