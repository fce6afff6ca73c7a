"""Form fields shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from roost.core.validation import parse_id


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id. A value that is no database id is refused like any
    unknown choice, before the query (Django would pass 2**63 to the database: a 500)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


def check_custom_period(data: dict[str, Any], max_days: int) -> None:
    """A period form's "custom" choice needs a start and an end day, in order, at most
    `max_days` apart (inclusive); raises the ValidationError a person reads."""
    if data.get("range") != "custom":
        return
    start, end = data.get("start"), data.get("end")
    if start is None or end is None:
        raise ValidationError(_("A custom period needs both a start and an end day."))
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    if (end - start).days + 1 > max_days:
        raise ValidationError(_("A period can cover at most %(n)s days.") % {"n": max_days})
