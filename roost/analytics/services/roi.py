"""ROI, written: the workspace's assumptions, campaigns' production cost, and conversions
imported by CSV or the API (Perm.MANAGE_ANALYTICS, audited). An import is all or nothing:
every row is checked first, and one bad row stores none."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from roost.analytics.models import (
    CampaignCost,
    Conversion,
    ConversionSource,
    RoiSettings,
)
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.publishing.models import Campaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

MAX_MONEY = Decimal("1000000000000")  # 10^12 in any currency
MAX_COUNT = 1_000_000_000
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 20  # reported at once; more means the file is of another kind
CURRENCIES = ("EUR", "USD", "GBP", "PLN", "CHF", "SEK", "NOK", "DKK", "CZK", "JPY", "CAD", "AUD")


def money(value: object, *, places: int = 2) -> Decimal | None:
    """A non-negative amount from a number or text ("12.5", "12,50", "1 200.00"), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")  # a decimal comma
        elif "," in text and "." in text:
            text = text.replace(",", "")  # thousands separators
    else:
        return None
    if not text or len(text) > 30:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        return None
    return amount.quantize(Decimal(1).scaleb(-places))


@transaction.atomic
def roi_settings_save(
    *,
    actor: Membership,
    value_per_lead: object,
    value_per_click: object,
    currency: str,
    shorten_links: bool,
) -> RoiSettings:
    require(actor, Perm.MANAGE_ANALYTICS)
    errors: dict[str, list[str]] = {}
    lead = money(value_per_lead)
    click = money(value_per_click, places=4)
    if lead is None:
        errors["value_per_lead"] = [_("Enter an amount of 0 or more, such as 25.00.")]
    if click is None:
        errors["value_per_click"] = [_("Enter an amount of 0 or more, such as 0.10.")]
    if currency not in CURRENCIES:
        errors["currency"] = [_("Choose a currency from the list.")]
    if errors:
        raise ValidationFailed(errors)
    assert lead is not None and click is not None
    found, _created = RoiSettings.objects.update_or_create(
        workspace=actor.workspace,
        defaults={
            "value_per_lead": lead,
            "value_per_click": click,
            "currency": currency,
            "shorten_links": bool(shorten_links),
            "updated_at": clock.now(),
        },
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="roi.settings_saved",
        value_per_lead=str(lead),
        value_per_click=str(click),
        currency=currency,
        shorten_links=bool(shorten_links),
    )
    return found


@transaction.atomic
def campaign_cost_save(*, actor: Membership, campaign_id: object, cost: object) -> CampaignCost:
    require(actor, Perm.MANAGE_ANALYTICS)
    errors: dict[str, list[str]] = {}
    campaign = None
    if isinstance(campaign_id, int) and not isinstance(campaign_id, bool):
        campaign = Campaign.objects.filter(workspace=actor.workspace, pk=campaign_id).first()
    if campaign is None:
        errors["campaign"] = [_("Choose a campaign of this workspace.")]
    amount = money(cost)
    if amount is None:
        errors["production_cost"] = [_("Enter an amount of 0 or more, such as 300.00.")]
    if errors:
        raise ValidationFailed(errors)
    assert campaign is not None and amount is not None
    found, _created = CampaignCost.objects.update_or_create(
        campaign=campaign,
        defaults={
            "workspace": actor.workspace,
            "production_cost": amount,
            "updated_at": clock.now(),
        },
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="roi.cost_saved",
        target=campaign,
        name=campaign.name,
        cost=str(amount),
    )
    return found


@dataclass(frozen=True)
class ConversionRow:
    day: date
    count: int
    value: Decimal
    campaign_id: int | None
    external_id: str


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    updated: int


def _store(actor: Membership, rows: Sequence[ConversionRow], source: str) -> ImportResult:
    """Write checked rows: a row whose external id is known updates that conversion."""
    workspace = actor.workspace
    now = clock.now()
    ids = [r.external_id for r in rows]
    known = {
        c.external_id: c
        for c in Conversion.objects.filter(workspace=workspace, external_id__in=ids)
    }
    fresh, changed = [], []
    for r in rows:
        c = known.get(r.external_id)
        if c is None:
            fresh.append(
                Conversion(
                    workspace=workspace,
                    campaign_id=r.campaign_id,
                    day=r.day,
                    count=r.count,
                    value=r.value,
                    source=source,
                    external_id=r.external_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            c.campaign_id, c.day, c.count, c.value = r.campaign_id, r.day, r.count, r.value
            c.source, c.updated_at = source, now
            changed.append(c)
    Conversion.objects.bulk_create(fresh, batch_size=500)
    Conversion.objects.bulk_update(
        changed, ["campaign_id", "day", "count", "value", "source", "updated_at"], batch_size=500
    )
    audit_record(
        workspace=workspace,
        actor=actor.user,
        action="conversions.imported",
        rows=len(rows),
        added=len(fresh),
        source=source,
    )
    return ImportResult(rows=len(rows), added=len(fresh), updated=len(changed))


@dataclass(frozen=True)
class ConversionInput:
    """One conversion as the API takes it (validated by conversions_record)."""

    day: date
    value: object
    external_id: str
    count: int = 1
    campaign_id: int | None = None


@transaction.atomic
def conversions_record(
    *, actor: Membership, items: Sequence[ConversionInput], source: str = ConversionSource.API
) -> ImportResult:
    """Store conversions sent by the API; one bad item stores none (errors name the item)."""
    require(actor, Perm.MANAGE_ANALYTICS)
    campaigns = set(Campaign.objects.filter(workspace=actor.workspace).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    rows: list[ConversionRow] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"items.{n}"
        value = money(item.value)
        ext = (item.external_id or "").strip()
        problems = []
        if value is None:
            problems.append(_("value: enter an amount of 0 or more."))
        if not ext or len(ext) > 100:
            problems.append(_("external_id: give 1 to 100 characters."))
        elif ext in seen:
            problems.append(_("external_id: this id appears twice in the request."))
        if not 0 <= item.count <= MAX_COUNT:
            problems.append(_("count: enter a whole number from 0 to 1,000,000,000."))
        if item.campaign_id is not None and item.campaign_id not in campaigns:
            problems.append(_("campaign_id: choose a campaign of this workspace."))
        if problems:
            errors[where] = problems
            continue
        assert value is not None
        seen.add(ext)
        rows.append(ConversionRow(item.day, item.count, value, item.campaign_id, ext))
    if errors:
        raise ValidationFailed(errors)
    return _store(actor, rows, source)


# == CSV ==

COLUMNS = {
    "day": ("day", "date", "datum", "tag", "dzień"),
    "count": ("count", "conversions", "quantity", "qty", "number"),
    "value": ("value", "revenue", "amount", "total"),
    "campaign": ("campaign", "campaign name", "utm_campaign"),
    "id": ("id", "external_id", "external id", "order", "order id", "order_id", "reference"),
}
DEFAULT_ORDER = ("day", "count", "value", "campaign", "id")  # a file without a header row


def _decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), UTF-16 with BOM, else
    Windows-1252 (what spreadsheet programs on Windows write)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _day(text: str) -> date | None:
    text = text.strip()
    for parse in (date.fromisoformat, _dmy):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _dmy(text: str) -> date:
    """31.12.2026 or 31/12/2026 (day first, as most of Europe writes it)."""
    for sep in (".", "/"):
        bits = text.split(sep)
        if len(bits) == 3 and len(bits[2]) == 4:
            return date(int(bits[2]), int(bits[1]), int(bits[0]))
    raise ValueError(text)


def _header(cells: Sequence[str]) -> dict[str, int] | None:
    """Column positions when `cells` is a header row naming at least the day and value."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = cell.strip().lower()
        for key, aliases in COLUMNS.items():
            if name in aliases and key not in found:
                found[key] = i
    if "day" in found and "value" in found:
        return found
    return None


def parse_csv(actor: Membership, data: bytes) -> list[ConversionRow]:
    """Checked rows of a conversions CSV, or ValidationFailed naming each bad row and column
    (the row numbers are the file's line numbers, the header being row 1)."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed(
            {"file": [_("The file is larger than 2 MB; split it into smaller files.")]}
        )
    text = _decode(data).replace("\x00", "")
    if not text.strip():
        raise ValidationFailed({"file": [_("The file is empty.")]})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ValidationFailed(
            {"file": [_("The file is not a readable CSV file (%(e)s).") % {"e": exc}]}
        ) from exc
    lines = [(n, row) for n, row in lines if any(c.strip() for c in row)]
    if not lines:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    columns = _header(lines[0][1])
    if columns is not None:
        lines = lines[1:]
    elif _day(lines[0][1][0] if lines[0][1] else "") is not None:
        columns = {key: i for i, key in enumerate(DEFAULT_ORDER)}
    else:
        raise ValidationFailed(
            {
                "file": [
                    _(
                        "Row 1 names no known columns. Start with a header row such as "
                        "“day,count,value,campaign,id” (day and value are required)."
                    )
                ]
            }
        )
    if len(lines) > MAX_ROWS:
        raise ValidationFailed(
            {"file": [_("The file has more than %(n)s rows; split it.") % {"n": f"{MAX_ROWS:,}"}]}
        )
    campaigns = {
        c.name.strip().lower(): c.pk for c in Campaign.objects.filter(workspace=actor.workspace)
    }
    errors: list[str] = []
    rows: list[ConversionRow] = []
    occurrences: Counter[tuple[object, ...]] = Counter()
    seen_ids: dict[str, int] = {}

    def cell(row: Sequence[str], key: str) -> str:
        i = columns.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def problem(n: int, column: str, message: str) -> None:
        errors.append(
            _("Row %(row)s, column “%(column)s”: %(message)s")
            % {"row": n, "column": column, "message": message}
        )

    for n, row in lines:
        before = len(errors)
        day = _day(cell(row, "day"))
        if day is None:
            problem(
                n,
                "day",
                _("“%(v)s” is not a date (use 2026-12-31).") % {"v": cell(row, "day")[:40]},
            )
        value = money(cell(row, "value"))
        if value is None:
            problem(
                n,
                "value",
                _("“%(v)s” is not an amount of 0 or more.") % {"v": cell(row, "value")[:40]},
            )
        count_text = cell(row, "count")
        count = 1
        if count_text:
            if count_text.isdigit() and int(count_text) <= MAX_COUNT:
                count = int(count_text)
            else:
                problem(
                    n,
                    "count",
                    _("“%(v)s” is not a whole number of 0 or more.") % {"v": count_text[:40]},
                )
        campaign_name = cell(row, "campaign")
        campaign_id = None
        if campaign_name:
            campaign_id = campaigns.get(campaign_name.lower())
            if campaign_id is None:
                problem(
                    n,
                    "campaign",
                    _("there is no campaign called “%(v)s”.") % {"v": campaign_name[:100]},
                )
        ext = cell(row, "id")
        if len(ext) > 100:
            problem(n, "id", _("an id can have at most 100 characters."))
        elif ext and ext in seen_ids:
            problem(
                n,
                "id",
                _("the id “%(v)s” is also on row %(other)s.") % {"v": ext, "other": seen_ids[ext]},
            )
        if len(errors) >= MAX_ERRORS:
            errors.append(_("… and perhaps more: fix these first."))
            break
        if len(errors) > before:
            continue
        assert day is not None and value is not None
        if ext:
            seen_ids[ext] = n
            external_id = ext  # the same order id from the API or a file: one conversion
        else:
            # No id column: the same row in a re-imported file is the same conversion;
            # identical rows within one file are told apart by their occurrence.
            key = (day.isoformat(), count, str(value), campaign_id)
            occurrences[key] += 1
            digest = hashlib.sha256(repr((key, occurrences[key])).encode()).hexdigest()[:40]
            external_id = "csv-row:" + digest
        rows.append(ConversionRow(day, count, value, campaign_id, external_id))
    if errors:
        raise ValidationFailed({"file": errors})
    if not rows:
        raise ValidationFailed({"file": [_("The file has a header row but no conversions.")]})
    return rows


@transaction.atomic
def conversions_import_csv(*, actor: Membership, data: bytes) -> ImportResult:
    """Import a conversions CSV (see parse_csv): all rows or, on any error, none."""
    require(actor, Perm.MANAGE_ANALYTICS)
    return _store(actor, parse_csv(actor, data), ConversionSource.CSV)
