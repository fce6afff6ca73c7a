"""Writes for the inbox: ingestion, triage (assign, tag, complete), tasks and webhooks,
replies."""
