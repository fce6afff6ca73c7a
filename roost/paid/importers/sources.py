"""Each source's export columns: the names its exports use for each figure Roost keeps.

Names are matched without regard to case and surrounding spaces. A field lists its names
in order of preference; the first present in the header is used. docs/paid-import.md
shows the same tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roost.paid.models import AdSource

# Roost's fields, in the order rows carry them.
FIELDS = (
    "campaign_id",
    "campaign",
    "day",
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversions",
    "conversion_value",
    "currency",
)
# Every mapping needs these (campaign_id may stand in for campaign).
REQUIRED = ("campaign", "day", "spend", "impressions", "clicks")

# Meta names the spend column after the account's currency: "Amount spent (EUR)".
META_SPEND = re.compile(r"^amount spent \(([a-z]{3})\)$")


@dataclass(frozen=True)
class Mapping:
    source: str
    label: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def names(self, key: str) -> tuple[str, ...]:
        """The export's names for Roost's field `key` (none when the source lacks it)."""
        return self.columns.get(key, ())


META = Mapping(
    AdSource.META,
    "Meta Ads Manager",
    {
        "campaign_id": ("Campaign ID",),
        "campaign": ("Campaign name",),
        "day": ("Day", "Reporting starts"),
        "spend": ("Amount spent (*)", "Amount spent"),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Link clicks", "Clicks (all)"),
        "conversions": ("Results", "Purchases"),
        "conversion_value": ("Purchases conversion value", "Website purchases conversion value"),
        "currency": ("Currency",),
    },
)
LINKEDIN = Mapping(
    AdSource.LINKEDIN,
    "LinkedIn Campaign Manager",
    {
        "campaign_id": ("Campaign ID",),
        "campaign": ("Campaign Name", "Campaign"),
        "day": ("Start Date (in UTC)", "Start Date"),
        "spend": ("Total Spent", "Amount Spent"),
        "impressions": ("Impressions",),
        "reach": ("Reach", "Approximate Member Reach"),
        "clicks": ("Clicks",),
        "conversions": ("Conversions",),
        "conversion_value": ("Total Conversion Value", "Conversion Value"),
        "currency": ("Currency",),
    },
)
GOOGLE = Mapping(
    AdSource.GOOGLE,
    "Google Ads",
    {
        "campaign_id": ("Campaign ID",),
        "campaign": ("Campaign",),
        "day": ("Day", "Date"),
        "spend": ("Cost",),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks",),
        "conversions": ("Conv.", "Conversions"),
        "conversion_value": ("Conv. value", "Conversion value"),
        "currency": ("Currency code", "Currency"),
    },
)
TIKTOK = Mapping(
    AdSource.TIKTOK,
    "TikTok Ads Manager",
    {
        "campaign_id": ("Campaign ID",),
        "campaign": ("Campaign name", "Campaign Name"),
        "day": ("By Day", "Date", "Day"),
        "spend": ("Cost",),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Clicks (destination)", "Clicks"),
        "conversions": ("Conversions",),
        "conversion_value": ("Total purchase value", "Purchase value", "Conversion value"),
        "currency": ("Currency",),
    },
)
# Detection tries them in this order; the first whose required columns are all present wins
# (their spend and impressions names tell them apart).
MAPPINGS: dict[str, Mapping] = {m.source: m for m in (META, LINKEDIN, GOOGLE, TIKTOK)}
# An account kept through the API (or by hand) may import any of the four.
IMPORTABLE = tuple(MAPPINGS)


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class Matched:
    mapping: Mapping
    index: dict[str, int]  # Roost field → column index
    names: dict[str, str]  # Roost field → the header's own name (for messages)
    header_currency: str  # from "Amount spent (EUR)", else ""


def match(mapping: Mapping, header: list[str]) -> Matched | None:
    """The header's columns for `mapping`, or None when a required one is missing."""
    normalized = [_norm(cell) for cell in header]
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    header_currency = ""
    for key in FIELDS:
        for wanted in mapping.names(key):
            if wanted.endswith("(*)"):
                hits = [i for i, cell in enumerate(normalized) if META_SPEND.match(cell)]
                if hits:
                    found = META_SPEND.match(normalized[hits[0]])
                    header_currency = found.group(1).upper() if found else ""
                    index[key], names[key] = hits[0], header[hits[0]].strip()
                    break
                continue
            target = _norm(wanted)
            if target in normalized:
                i = normalized.index(target)
                index[key], names[key] = i, header[i].strip()
                break
    have_campaign = "campaign" in index or "campaign_id" in index
    if not have_campaign or any(k not in index for k in REQUIRED if k != "campaign"):
        return None
    return Matched(mapping, index, names, header_currency)


def missing(mapping: Mapping, header: list[str]) -> list[str]:
    """The required columns `header` lacks for `mapping`, by the export's first name."""
    normalized = {_norm(cell) for cell in header}
    gaps = []
    for key in REQUIRED:
        wanted = mapping.names(key)
        if key == "campaign" and any(_norm(n) in normalized for n in mapping.names("campaign_id")):
            continue
        present = any(
            any(META_SPEND.match(c) for c in normalized)
            if n.endswith("(*)")
            else _norm(n) in normalized
            for n in wanted
        )
        if not present:
            gaps.append(wanted[0].replace("(*)", "(EUR)"))
    return gaps
