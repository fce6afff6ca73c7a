"""Domain errors. Views and the API turn them into clear 4xx responses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class RoostError(Exception):
    """Base of every domain error; carries a message a person can act on."""

    default_message = _("Something went wrong.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotFound(RoostError):
    """The thing does not exist, or the actor may not know that it does."""

    default_message = _("Not found.")


class PermissionDenied(RoostError):
    """The actor is known but their roles do not allow this."""

    default_message = _("Your role in this workspace does not allow that.")


class Conflict(RoostError):
    """The request clashes with the current state (already done, last owner, …)."""


class ValidationFailed(RoostError):
    """Input was rejected; `errors` maps each field to its messages. Nothing was saved."""

    default_message = _("Please correct the errors below.")

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        self.errors = {field: [str(m) for m in msgs] for field, msgs in errors.items()}
        super().__init__(message)
