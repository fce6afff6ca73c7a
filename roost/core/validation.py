"""What Roost accepts as input at all, whatever the field: ids the database can hold, text
without null characters, valid UTF-8, and dates in a window that makes sense for planning
social media. Forms, the API and the edge middleware all ask here, so the answer is the
same everywhere and no bad value reaches the database (where it would be a 500)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import ValidationFailed

# Primary keys are 64-bit signed integers on every supported database.
MAX_ID = 2**63 - 1
_MAX_ID_DIGITS = len(str(MAX_ID))

# The window for any date a person gives Roost: posts, ranges, deadlines, due dates.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=3653)  # ten years ahead

NULL = "\x00"
REPLACEMENT = "\ufffd"


# --- ids --------------------------------------------------------------------------------


def parse_id(value: Any) -> int | None:
    """`value` as a database id (1 … 2**63-1), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    text = str(value).strip()
    # ASCII digits only: int() also accepts "١٢", "1_000" and " +7 ".
    if not text or len(text) > _MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: list[Any]) -> list[int]:
    """The values that are database ids, in order; the others are dropped."""
    return [i for i in (parse_id(v) for v in values) if i is not None]


# --- text -------------------------------------------------------------------------------


def null_paths(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where in a JSON value (keys included) a string holds a null character."""
    if isinstance(data, str):
        if NULL in data:
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and NULL in key:
                yield (*path, key)
            yield from null_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from null_paths(value, (*path, index))


def null_message(field: str) -> str:
    return _("“%(field)s” contains a null character, which Roost cannot store.") % {"field": field}


def not_utf8_message(field: str) -> str:
    return _("“%(field)s” is not valid UTF-8 text.") % {"field": field}


@dataclass(frozen=True)
class TextProblem:
    """A field that cannot be accepted: `kind` is "null_character" or "not_utf8"."""

    field: str
    kind: str
    message: str


def _null(field: str) -> TextProblem:
    shown = field.replace(NULL, "\\0")
    return TextProblem(shown, "null_character", null_message(shown))


def _not_utf8(field: str) -> TextProblem:
    return TextProblem(field, "not_utf8", not_utf8_message(field))


def too_big_message() -> str:
    return _("The request is too large: Roost accepts at most %(size)s.") % {
        "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }


def urlencoded_problem(raw: bytes | str, encoding: str = "utf-8") -> TextProblem | None:
    """The first field of an `a=1&b=2` string that is not valid text.

    Django decodes such input leniently (bad bytes become U+FFFD); here it is decoded
    strictly, so garbage is refused instead of stored."""
    if isinstance(raw, str):
        raw = raw.encode("latin-1", errors="replace")  # WSGI hands bytes over as latin-1
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _eq, value_raw = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name_raw.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(value_raw.replace(b"+", b" "))
        try:
            name = name_bytes.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return _not_utf8(name_bytes.decode("utf-8", errors="replace"))
        try:
            value = value_bytes.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return _not_utf8(name)
        if NULL in name or NULL in value:
            return _null(name)
    return None


def text_problem(name: str, value: str) -> TextProblem | None:
    """Why an already decoded form field cannot be accepted, or None."""
    if NULL in name or NULL in value:
        return _null(name)
    # Multipart fields are decoded leniently by Django: U+FFFD is what invalid bytes became.
    if REPLACEMENT in value or REPLACEMENT in name:
        return _not_utf8(name)
    return None


# --- dates ------------------------------------------------------------------------------


def latest(now: datetime | None = None) -> datetime:
    return (now or clock.now()) + HORIZON


def moment_problem(value: datetime | date, now: datetime | None = None) -> str | None:
    """Why `value` is outside the dates Roost accepts (2000 to ten years ahead), or None.

    Safe for any datetime, even year 1 or 9999 with an offset: nothing here converts it."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        # A wall-clock time; the zone moves it by hours, which this window does not feel.
        value = value.replace(tzinfo=UTC)
    last = latest(now)
    if EARLIEST <= value <= last:
        return None
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST.date(), "DATE_FORMAT"),
        "last": date_format(last.date(), "DATE_FORMAT"),
    }


def check_moment(value: datetime | date | None, field: str) -> None:
    """Raise ValidationFailed on `field` when `value` is outside the accepted window."""
    if value is None:
        return
    problem = moment_problem(value)
    if problem:
        raise ValidationFailed({field: [problem]})
