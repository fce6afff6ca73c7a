"""Paid media imports: the largest CSV export an import takes (docs/paid-import.md)."""

from roost.settings.env import env_int

ROOST_PAID_IMPORT_MAX_MB = env_int("ROOST_PAID_IMPORT_MAX_MB", 100)
