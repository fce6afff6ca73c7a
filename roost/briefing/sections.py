"""The brief's sections: a registry, like analytics' report SECTIONS.

A section has a key, a title, its minutes in the 15-minute stand-up agenda, a position,
and one or more builders `build(ctx) -> SectionResult`. Another app adds a builder to a
section that exists (`contribute`): listening adds its risks to "risks". Builders are pure
reads, a few indexed queries each. This module imports no domain app: briefing's AppConfig
registers its own sections and listening's (roost/briefing/apps.py).

A builder that raises never stops the brief: its section is marked unavailable (or, when
another builder of the section worked, says that part is missing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from roost.workspaces.models import Workspace

log = logging.getLogger("roost.briefing")

INFO, NOTICE, WARNING, CRITICAL = "info", "notice", "warning", "critical"
SEVERITIES = (INFO, NOTICE, WARNING, CRITICAL)

Figure = int | float | str | None


@dataclass(frozen=True)
class Item:
    """One line of a section: what to say, its figures, where the things behind it are
    (a path in Roost, or ""), and how much it matters."""

    text: str
    figures: dict[str, Figure] = field(default_factory=dict)
    link: str = ""
    severity: str = INFO


@dataclass(frozen=True)
class SectionResult:
    items: list[Item] = field(default_factory=list)
    empty: str = ""  # what to say when there is nothing


@dataclass(frozen=True)
class Context:
    """What a section is built from: the workspace, "now", where overnight starts, the
    local day of the brief and the workspace's zone."""

    workspace: Workspace
    now: datetime
    since: datetime
    day: date
    zone: ZoneInfo
    # Reads two sections share (pending approvals), made once per brief.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


Build = Callable[[Context], SectionResult]


@dataclass
class Section:
    key: str
    title: Any  # a lazy translation
    minutes: int
    position: int
    builders: list[Build] = field(default_factory=list)


SECTIONS: dict[str, Section] = {}


def register(key: str, title: Any, minutes: int, build: Build, *, position: int = 100) -> None:
    """Add (or replace) a section; sections are shown by position, then registration."""
    SECTIONS[key] = Section(key, title, minutes, position, [build])


def contribute(key: str, build: Build) -> None:
    """Add a builder to the section `key` (registered first); its items follow the
    section's own. Adding the same builder twice adds it once."""
    section = SECTIONS[key]
    if build not in section.builders:
        section.builders.append(build)


def ordered() -> list[Section]:
    keys = list(SECTIONS)
    return sorted(SECTIONS.values(), key=lambda s: (s.position, keys.index(s.key)))


def build_section(section: Section, ctx: Context) -> dict[str, Any]:
    """One section as JSON: its items, or `unavailable` with the reason in words."""
    items: list[dict[str, Any]] = []
    empties: list[str] = []
    failed = 0
    for builder in section.builders:
        try:
            result = builder(ctx)
        except Exception:
            failed += 1
            log.exception("brief section %s of workspace %s failed", section.key, ctx.workspace.pk)
            continue
        items.extend(asdict(item) for item in result.items)
        if result.empty:
            empties.append(result.empty)
    out: dict[str, Any] = {
        "key": section.key,
        "title": str(section.title),
        "minutes": section.minutes,
        "items": items,
        "empty": empties[0] if empties else _("Nothing to report."),
        "unavailable": bool(failed) and failed == len(section.builders),
        "note": "",
    }
    if out["unavailable"]:
        out["note"] = _("This section could not be built; the rest of the brief is complete.")
    elif failed:
        out["note"] = _("Part of this section could not be built.")
    return out


def build_all(ctx: Context) -> list[dict[str, Any]]:
    return [build_section(section, ctx) for section in ordered()]
