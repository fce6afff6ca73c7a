"""URL path converters shared by every app."""

from __future__ import annotations

from roost.core.validation import MAX_ID, parse_id


class IdConverter:
    """`<id:name>`: a database id, 1 … 2**63-1. Anything else does not match the route, so
    an id the database could not even hold is a plain 404, never an overflow (a 500)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"not an id in 1…{MAX_ID}")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
