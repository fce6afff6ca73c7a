"""The paid-media pages (the overview lives in roost/paid/pages.py)."""

from __future__ import annotations

from roost.paid.pages import overview

__all__ = ["overview"]
