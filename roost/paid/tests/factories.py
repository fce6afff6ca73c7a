"""Small helpers for the paid tests: an ad account made through the service, uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from roost.paid.models import AdAccount
from roost.paid.services.accounts import AccountInput, ad_account_create

DATA = Path(__file__).parent / "data"


def account(world: Any, source: str = "meta", currency: str = "EUR", name: str = "") -> AdAccount:
    """An ad account of workspace A, made by its paid media specialist."""
    return ad_account_create(
        actor=world.members["paid_media"],
        data=AccountInput(name=name or f"{source} ads", source=source, currency=currency),
    )


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    """A sample export from tests/data (or `content` under that name)."""
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())
