"""Moments read the same way everywhere: the workspace's zone, the person's language,
a 24-hour clock, no all-digit month/day order, and the UTC offset on the autumn hour
that happens twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from roost.core.moments import format_moment
from roost.workspaces.models import AuditEntry

WARSAW = ZoneInfo("Europe/Warsaw")
MORNING = datetime(2026, 12, 2, 6, 9, tzinfo=UTC)  # 07:09 in Warsaw
# 2026-10-25 in Warsaw: 03:00 CEST goes back to 02:00 CET, so 02:30 happens twice.
FIRST_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
SECOND_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def shown(value: datetime, language: str, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    with translation.override(language), timezone.override(WARSAW):
        return format_moment(value, fmt)


def test_english_spells_the_month_and_uses_a_24_hour_clock() -> None:
    assert shown(MORNING, "en") == "Dec 2, 2026, 07:09"
    assert shown(MORNING, "en", "DATETIME_FORMAT") == "Dec. 2, 2026, 07:09"
    assert shown(MORNING, "en", "TIME_FORMAT") == "07:09"


def test_polish_is_day_month_year_and_24_hour() -> None:
    assert shown(MORNING, "pl") == "02.12.2026, 07:09"
    assert shown(MORNING, "pl", "DATETIME_FORMAT") == "2 grudnia 2026, 07:09"


def test_the_autumn_hour_that_happens_twice_shows_its_offset() -> None:
    assert shown(FIRST_0230, "en") == "Oct 25, 2026, 02:30 (UTC+02:00)"
    assert shown(SECOND_0230, "en") == "Oct 25, 2026, 02:30 (UTC+01:00)"
    assert shown(SECOND_0230, "pl") == "25.10.2026, 02:30 (UTC+01:00)"
    # 02:00 is the first minute of the repeated hour; 01:59 and 03:00 happen once, and the
    # spring gap never shows up as a wall time at all: no offset for them.
    first_minute = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert shown(first_minute, "en") == "Oct 25, 2026, 02:00 (UTC+02:00)"
    assert shown(datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "en") == "Oct 25, 2026, 03:00"
    assert shown(datetime(2026, 10, 24, 23, 59, tzinfo=UTC), "en") == "Oct 25, 2026, 01:59"
    assert shown(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "en") == "Mar 29, 2026, 03:00"


def test_a_zone_without_clock_changes_never_shows_an_offset() -> None:
    with translation.override("en"), timezone.override(ZoneInfo("UTC")):
        assert format_moment(FIRST_0230) == "Oct 25, 2026, 00:30"


def test_the_filter_is_a_builtin_and_passes_what_is_not_a_moment() -> None:
    template = Template("{{ at|when }}|{{ missing|when }}|{{ at|when:'TIME_FORMAT' }}")
    with translation.override("pl"), timezone.override(WARSAW):
        assert template.render(Context({"at": SECOND_0230, "missing": None})) == (
            "25.10.2026, 02:30 (UTC+01:00)|None|02:30 (UTC+01:00)"
        )


@pytest.mark.parametrize(
    ("language", "user_language", "expected"),
    [
        ("en", "", "Oct 25, 2026, 02:30 (UTC+01:00)"),
        ("pl", "", "25.10.2026, 02:30 (UTC+01:00)"),  # a Polish workspace
        ("en", "pl", "25.10.2026, 02:30 (UTC+01:00)"),  # a person who chose Polish
    ],
)
def test_the_audit_log_shows_the_workspace_zone_and_the_reader_language(
    world: Any, language: str, user_language: str, expected: str
) -> None:
    world.a.language = language
    world.a.save(update_fields=["language"])
    owner = world.members["owner"]
    owner.user.language = user_language
    owner.user.save(update_fields=["language"])
    AuditEntry.objects.filter(workspace=world.a).update(created_at=SECOND_0230)

    html = world.client_for("owner").get("/w/alpha/audit/").content.decode()

    assert expected in html
    assert "10/25/2026" not in html and "a.m." not in html and "25-10-2026" not in html
