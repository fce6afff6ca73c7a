"""Numbers and dates as the exports write them: "1,234.56", "1 234,56", "€12.30",
"2026-11-03", "11/3/2026", "03.11.2026", "Nov 3, 2026"."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")
# What may surround a figure: currency symbols and codes; inside it, spaces of every width
# and apostrophes as thousands separators.
_AROUND = re.compile(r"^[^\d\-(]{0,4}|[^\d)]{0,4}$")
_INSIDE = re.compile(r"[\s']")
_FIGURE = re.compile(r"^-?\(?[\d.,]+\)?$")
_EMPTY = frozenset(["", "-", "--", "—", "–", "n/a", "N/A"])
_MONTHS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")
# A figure at most this large fits the database's columns (14 digits, 2 after the point).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_COUNT = 10**15


class BadValue(ValueError):
    """A cell that is not what its column needs; the message says what was found."""


def _plain(text: str) -> str:
    """The figure with thousands separators removed and "." as the decimal point."""
    cleaned = _INSIDE.sub("", _AROUND.sub("", text.strip()))
    if not _FIGURE.match(cleaned):
        raise InvalidOperation(text)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    if "," in cleaned and "." in cleaned:
        # Whichever comes last is the decimal point.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        if cleaned.count(",") > 1 or len(tail) == 3:
            cleaned = cleaned.replace(",", "")  # 1,234 or 1,234,567: thousands
        else:
            cleaned = f"{head}.{tail}"  # 12,5 or 1234,56: a decimal comma
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")  # 1.234.567: thousands
    return f"-{cleaned}" if negative else cleaned


def amount(text: str) -> Decimal:
    """Money or a fractional count, to cents; empty cells are 0."""
    text = text.strip()
    if text in _EMPTY:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        try:
            value = Decimal(_plain(text))
        except InvalidOperation:
            raise BadValue(text) from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise BadValue(text)
    return value.quantize(CENTS)


def count(text: str) -> int:
    """A whole count ("12,345", "12 345"); empty cells are 0."""
    if len(text) <= 15 and text.isascii() and text.isdigit():
        return int(text)  # the common case, first: plain ASCII digits within MAX_COUNT
    text = text.strip()
    if text in _EMPTY:
        return 0
    if "," in text:  # "1,234,567": the common case, without the general parser
        head, *groups = text.split(",")
        if head.isdigit() and len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups):
            return int(head + "".join(groups))
    try:
        value = int(text)
    except ValueError:
        try:
            plain = _plain(text)
            head, dot, tail = plain.rpartition(".")
            if dot and len(tail) == 3 and "." not in head:
                plain = head + tail  # 1.234 impressions: a thousands point

            number = Decimal(plain)
        except InvalidOperation:
            raise BadValue(text) from None
        if number != number.to_integral_value():
            raise BadValue(text) from None
        value = int(number)
    if abs(value) > MAX_COUNT:
        raise BadValue(text)
    return value


def day(text: str) -> date:
    """A calendar day in one of the formats the exports use (a time part is ignored)."""
    text = text.strip()
    if "T" in text[10:11] or " " in text[10:11]:
        text = text[:10]  # "2026-11-03 00:00:00"
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for sep in ("/", ".", "-"):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            try:
                if len(parts[0]) == 4:
                    return date(a, b, c)  # 2026/11/03
                if sep == "/" and a <= 12:
                    return date(c, a, b)  # 11/3/2026: month first, as US exports write it
                return date(c, b, a)  # 03.11.2026, 13/11/2026: day first
            except ValueError:
                raise BadValue(text) from None
    for pattern in _MONTHS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadValue(text)
