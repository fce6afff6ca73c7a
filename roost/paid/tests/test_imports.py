"""Imports through the services: preview, import, re-import (nothing changes), changed
figures, the all-or-nothing rule, the size cap, ad accounts and the pushed rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.paid.models import AdDay, ImportRun, PaidCampaign
from roost.paid.services.accounts import AccountInput, ad_account_create, ad_account_rename
from roost.paid.services.imports import days_push, import_run, import_upload
from roost.paid.tests.factories import account, upload
from roost.workspaces.models import AuditEntry


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def _stored() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "paid" / "imports"
    return sorted(root.iterdir()) if root.exists() else []


def _days() -> list[tuple[str, str, Decimal, int]]:
    return [
        (d.campaign.external_id, d.day.isoformat(), d.spend, d.impressions)
        for d in AdDay.objects.select_related("campaign").order_by("campaign__external_id", "day")
    ]


def test_preview_then_import_then_again(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world)
    run, preview = import_upload(actor=actor, account=acct, upload=upload("meta.csv"))
    assert (run.status, run.source, run.rows, preview.ok) == ("preview", "meta", 3, True)
    assert (preview.new_campaigns, preview.existing_campaigns) == (
        ["Winter coffee", "Gift cards"],
        [],
    )
    assert len(_stored()) == 1 and AdDay.objects.count() == 0

    done = import_run(actor=actor, run=run)
    assert (done.status, done.created, done.updated, done.unchanged) == ("imported", 3, 0, 0)
    assert _stored() == [] and done.stored_path == ""
    assert _days() == [
        ("23851234", "2026-11-01", Decimal("12.50"), 1200),
        ("23851234", "2026-11-02", Decimal("13.75"), 1350),
        ("23851299", "2026-11-01", Decimal("5.00"), 400),
    ]
    day = AdDay.objects.get(campaign__external_id="23851299")
    assert (day.origin, day.import_run_id, day.reach, day.clicks) == ("import", run.pk, 380, 9)
    made = PaidCampaign.objects.get(external_id="23851234")
    assert (made.name, made.total_budget, made.workspace_id) == ("Winter coffee", None, world.a.pk)
    stamps = list(AdDay.objects.order_by("pk").values_list("pk", "updated_at", "import_run_id"))

    again, preview = import_upload(actor=actor, account=acct, upload=upload("meta.csv"))
    assert preview.existing_campaigns == ["Winter coffee", "Gift cards"]
    again = import_run(actor=actor, run=again)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # Nothing rewritten: the rows still name the first import.
    assert (
        list(AdDay.objects.order_by("pk").values_list("pk", "updated_at", "import_run_id"))
        == stamps
    )
    assert AuditEntry.objects.filter(action="paid.imported").count() == 2

    with pytest.raises(Conflict):
        import_run(actor=actor, run=again)


def test_changed_figures_update_their_day(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world)
    import_run(
        actor=actor, run=import_upload(actor=actor, account=acct, upload=upload("meta.csv"))[0]
    )
    changed = (Path(__file__).parent / "data" / "meta.csv").read_bytes().replace(b"13.75", b"14.00")
    run, _p = import_upload(actor=actor, account=acct, upload=upload("meta.csv", changed))
    run = import_run(actor=actor, run=run)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    assert AdDay.objects.get(day="2026-11-02").spend == Decimal("14.00")
    assert AdDay.objects.count() == 3


def test_a_planned_campaign_is_matched_by_name(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world)
    planned = PaidCampaign.objects.create(
        workspace=world.a, ad_account=acct, name="Gift cards", total_budget=Decimal(500)
    )
    run, preview = import_upload(actor=actor, account=acct, upload=upload("meta.csv"))
    assert (preview.new_campaigns, preview.existing_campaigns) == (
        ["Winter coffee"],
        ["Gift cards"],
    )
    import_run(actor=actor, run=run)
    planned.refresh_from_db()
    assert planned.external_id == "23851299"
    assert list(planned.days.values_list("spend", flat=True)) == [Decimal("5.00")]


def test_a_failed_preview_stores_nothing(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world, currency="USD")
    run, preview = import_upload(actor=actor, account=acct, upload=upload("meta.csv"))
    assert (run.status, preview.ok) == ("failed", False)
    assert run.error == "Row 1, column Amount spent (EUR): EUR, but this account is in USD."
    assert _stored() == [] and AdDay.objects.count() == 0 and PaidCampaign.objects.count() == 0


def test_an_error_found_only_at_import_rolls_everything_back(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world, source="tiktok")
    run, _p = import_upload(actor=actor, account=acct, upload=upload("tiktok.csv"))
    assert run.status == "preview"
    # The file changes between preview and import (its second row goes bad).
    path = Path(settings.MEDIA_ROOT) / run.stored_path
    path.write_bytes(path.read_bytes().replace(b"22.40", b"-22.40"))
    run = import_run(actor=actor, run=run)
    assert (run.status, run.error) == (
        "failed",
        "Row 3, column Cost: -22.40 is negative; spend cannot be.",
    )
    assert AdDay.objects.count() == 0 and PaidCampaign.objects.count() == 0 and _stored() == []


@override_settings(ROOST_PAID_IMPORT_MAX_MB=1)
def test_a_file_over_the_cap_is_refused_before_it_is_read(world: Any) -> None:
    acct = account(world)
    big = upload("meta.csv", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationFailed) as caught:
        import_upload(actor=world.members["paid_media"], account=acct, upload=big)
    assert caught.value.errors == {
        "file": [
            "The file is 1.0 MB; an import takes at most 1 MB. Export a shorter date range, "
            "or split the file."
        ]
    }
    assert _stored() == [] and ImportRun.objects.count() == 0


def test_an_analyst_may_not_import(world: Any) -> None:
    acct = account(world)
    with pytest.raises(PermissionDenied):
        import_upload(actor=world.members["analyst"], account=acct, upload=upload("meta.csv"))
    assert ImportRun.objects.count() == 0 and _stored() == []


def test_ad_accounts_are_validated_and_audited(world: Any) -> None:
    actor = world.members["paid_media"]
    with pytest.raises(ValidationFailed) as caught:
        ad_account_create(
            actor=actor, data=AccountInput(name=" ", source="sandbox", currency="EURO")
        )
    assert caught.value.errors == {
        "name": ["Give the ad account a name."],
        "source": ["Choose Meta, LinkedIn, Google, TikTok or API."],
        "currency": ["“EURO” is not an ISO 4217 currency code (like EUR, USD, PLN)."],
    }
    made = ad_account_create(
        actor=actor,
        data=AccountInput(name="Meta PL", source="meta", external_id="act_1", currency="pln"),
    )
    assert (made.currency, made.external_id, made.workspace_id) == ("PLN", "act_1", world.a.pk)
    ad_account_rename(actor=actor, account=made, name="Meta Poland")
    assert list(
        AuditEntry.objects.filter(action__startswith="paid.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "paid.ad_account_created",
        "paid.ad_account_renamed",
    ]
    with pytest.raises(PermissionDenied):
        ad_account_create(
            actor=world.members["analyst"],
            data=AccountInput(name="X", source="meta", currency="EUR"),
        )


def test_pushed_rows_all_or_nothing_and_idempotent(world: Any) -> None:
    actor = world.members["paid_media"]
    acct = account(world, source="api")
    rows: list[dict[str, object]] = [
        {
            "campaign_id": "c1",
            "campaign": "One",
            "day": "2026-11-01",
            "spend": "10.00",
            "impressions": 100,
            "clicks": 5,
        },
        {
            "campaign": "Two",
            "day": "2026-11-01",
            "spend": 3,
            "impressions": 30,
            "clicks": 1,
            "reach": 20,
        },
    ]
    bad = [
        *rows,
        {"campaign": "Two", "day": "2026-11-02", "spend": "-1", "impressions": 1, "clicks": 0},
    ]
    failed = days_push(actor=actor, account=acct, rows=bad)
    assert (failed.ok, failed.errors) == (
        False,
        ["Row 3, column spend: -1.00 is negative; spend cannot be."],
    )
    assert AdDay.objects.count() == 0 and PaidCampaign.objects.count() == 0
    first = days_push(actor=actor, account=acct, rows=rows)
    assert (first.ok, first.rows, first.counts.created) == (True, 2, 2)
    second = days_push(actor=actor, account=acct, rows=rows)
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 0, 2)
    assert sorted(AdDay.objects.values_list("campaign__external_id", "origin", "reach")) == [
        ("Two", "api", 20),
        ("c1", "api", None),
    ]
