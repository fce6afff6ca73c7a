"""Small helpers shared by every app's forms."""

from __future__ import annotations

from django import forms

from roost.core.exceptions import RoostError, ValidationFailed


def apply_error(form: forms.Form, exc: RoostError) -> None:
    """Show a domain error on the form: per field where it names fields, else on top."""
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(None, exc.message)
