"""Writes of the analytics app (see each module)."""
