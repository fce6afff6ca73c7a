"""One pass over an export's rows: each cell checked, each row keyed by campaign and day,
valid rows handed on in batches. Messages name the row (the file's line) and column."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from roost.paid import currencies
from roost.paid.importers import values
from roost.paid.importers.sources import Matched

MAX_ERRORS = 20
PREVIEW_ROWS = 20
BATCH = 5000
NAME_MAX = 200
ZERO = Decimal("0.00")


class Row(NamedTuple):
    line: int
    key: str  # the campaign's id at the source, else its name
    name: str
    day: date
    spend: Decimal
    impressions: int
    reach: int | None
    clicks: int
    conversions: Decimal
    conversion_value: Decimal


Batch = list[Row]


@dataclass(frozen=True)
class Flight:
    """What the file is checked against for a campaign that already exists."""

    name: str
    starts_on: date | None
    ends_on: date | None


@dataclass
class ScanResult:
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    first_day: date | None = None
    last_day: date | None = None
    campaigns: dict[str, str] = field(default_factory=dict)  # key → name, in file order
    preview: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def summary(self) -> str:
        """The errors as one text: the first MAX_ERRORS, and how many more there were."""
        lines = list(self.errors)
        if self.error_count > len(self.errors):
            lines.append(_("… and %(n)d more errors.") % {"n": self.error_count - len(self.errors)})
        return "\n".join(lines)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def scan(
    lines: Iterable[tuple[int, list[str]]],
    matched: Matched,
    *,
    currency: str,
    known: dict[str, Flight],
    on_batch: Callable[[Batch], None] | None = None,
) -> ScanResult:
    """Check every (line, cells) of `lines` (columns as `matched` found them) for an account
    in `currency`; `known` holds the account's campaigns by key (and, for those without an
    id, by name). Valid rows go to `on_batch` while no error has been seen."""
    result = ScanResult()
    idx = matched.index
    names = matched.names
    i_id, i_name, i_day = idx.get("campaign_id"), idx.get("campaign"), idx["day"]
    i_spend, i_impr, i_clicks = idx["spend"], idx["impressions"], idx["clicks"]
    i_reach, i_conv = idx.get("reach"), idx.get("conversions")
    i_value, i_cur = idx.get("conversion_value"), idx.get("currency")
    width = max(idx.values()) + 1
    days: dict[str, date] = {}
    seen: dict[tuple[str, int], int] = {}
    batch: Batch = []

    def bad(line: int, key: str, message: str) -> None:
        result.error(
            _("Row %(line)d, column %(column)s: %(message)s")
            % {"line": line, "column": names[key], "message": message}
        )

    def whole(line: int, key: str, text: str) -> int:
        try:
            n = values.count(text)
        except values.BadValue as e:
            bad(line, key, _("“%(v)s” is not a whole number.") % {"v": e})
            return 0
        if n < 0:
            bad(line, key, _("%(v)s is negative.") % {"v": n})
        return n

    def amount(line: int, key: str, text: str) -> Decimal:
        try:
            return values.amount(text)
        except values.BadValue as e:
            what = _("an amount") if key == "spend" else _("a number")
            bad(line, key, _("“%(v)s” is not %(what)s.") % {"v": e, "what": what})
            return ZERO

    for line, cells in lines:
        if len(cells) < width:
            if any(c.strip().lower().startswith("total") for c in cells[:3]):
                continue  # a totals line under the rows (Google Ads)
            result.error(
                _("Row %(line)d: %(found)d columns, but the header has %(want)d.")
                % {"line": line, "found": len(cells), "want": width}
            )
            continue
        day_text = cells[i_day]
        day = days.get(day_text)
        if day is None:
            try:
                day = values.day(day_text)
            except values.BadValue:
                if any(c.strip().lower().startswith("total") for c in cells[:3]):
                    continue  # "Total: Account", "Total: Campaigns"
                bad(line, "day", _("“%(v)s” is not a date.") % {"v": day_text.strip()})
                continue
            days[day_text] = day
        ext = _cell(cells, i_id).strip()
        name = _cell(cells, i_name).strip() or ext
        key = ext or name
        before = result.error_count
        if not key:
            bad(line, "campaign" if i_name is not None else "campaign_id", _("empty."))
            continue
        if len(key) > NAME_MAX or len(name) > NAME_MAX:
            bad(line, "campaign", _("longer than %(n)d characters.") % {"n": NAME_MAX})
            continue
        spend = amount(line, "spend", cells[i_spend])
        if spend < 0:
            bad(line, "spend", _("%(v)s is negative; spend cannot be.") % {"v": spend})
        impressions = whole(line, "impressions", cells[i_impr])
        clicks = whole(line, "clicks", cells[i_clicks])
        # An empty reach is unknown, not zero.
        reach = (
            whole(line, "reach", cells[i_reach])
            if i_reach is not None and cells[i_reach].strip()
            else None
        )
        conversions = amount(line, "conversions", cells[i_conv]) if i_conv is not None else ZERO
        value = amount(line, "conversion_value", cells[i_value]) if i_value is not None else ZERO
        for k, n in (("conversions", conversions), ("conversion_value", value)):
            if n < 0:
                bad(line, k, _("%(v)s is negative.") % {"v": n})
        if i_cur is not None:
            raw = cells[i_cur].strip()
            code = currencies.normalize(raw)
            if raw and code is None:
                bad(line, "currency", _("“%(v)s” is not a currency code.") % {"v": raw})
            elif code and code != currency:
                bad(
                    line,
                    "currency",
                    _("%(code)s, but this account is in %(currency)s.")
                    % {"code": code, "currency": currency},
                )
        flight = known.get(key) or known.get(name)
        if flight is not None and (
            (flight.starts_on and day < flight.starts_on)
            or (flight.ends_on and day > flight.ends_on)
        ):
            bad(
                line,
                "day",
                _("%(day)s is outside the flight of campaign “%(name)s” (%(start)s to %(end)s).")
                % {
                    "day": day.isoformat(),
                    "name": flight.name,
                    "start": flight.starts_on.isoformat() if flight.starts_on else "…",
                    "end": flight.ends_on.isoformat() if flight.ends_on else "…",
                },
            )
        first = seen.setdefault((key, day.toordinal()), line)
        if first != line:
            result.error(
                _("Row %(line)d: campaign “%(name)s” on %(day)s already appears on row %(first)d.")
                % {"line": line, "name": name, "day": day.isoformat(), "first": first}
            )
        if result.error_count != before:
            continue
        row = Row(
            line,
            key,
            name,
            day,
            spend,
            impressions,
            reach,
            clicks,
            conversions,
            value,
        )
        result.rows += 1
        result.campaigns.setdefault(key, name)
        if result.first_day is None or day < result.first_day:
            result.first_day = day
        if result.last_day is None or day > result.last_day:
            result.last_day = day
        if len(result.preview) < PREVIEW_ROWS:
            result.preview.append(row)
        if on_batch is not None and result.ok:
            batch.append(row)
            if len(batch) >= BATCH:
                on_batch(batch)
                batch = []
    if on_batch is not None and result.ok and batch:
        on_batch(batch)
    return result
