"""Form fields shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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
