"""Writes for publishing, split by concern: compose, scheduling, media, delivery."""
