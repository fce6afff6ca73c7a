"""The ad-account and import pages, through a browser-less client: add an account, upload
an export, read its preview, import it, and the refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from roost.paid.models import AdAccount, AdDay, ImportRun
from roost.paid.tests.factories import DATA, account


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def _url(world: Any, tail: str) -> str:
    return f"/w/{world.a.slug}/paid/{tail}"


def test_a_specialist_adds_an_account_and_imports_an_export(world: Any) -> None:
    client = world.client_for("paid_media")
    response = client.post(
        _url(world, "accounts/new/"),
        {"name": "Meta EU", "source": "meta", "external_id": "act_42", "currency": "eur"},
    )
    assert response.status_code == 302 and response["Location"] == _url(world, "accounts/")
    made = AdAccount.objects.get(workspace=world.a, name="Meta EU")
    assert (made.source, made.external_id, made.currency) == ("meta", "act_42", "EUR")
    listing = client.get(_url(world, "accounts/")).content.decode()
    assert "Meta EU" in listing and "act_42" in listing

    with (DATA / "meta.csv").open("rb") as export:
        response = client.post(
            _url(world, "imports/new/"), {"ad_account": made.pk, "source": "", "file": export}
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(world, f"imports/{run.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-source">Meta Ads Manager<' in page
    assert 'data-testid="import-rows">3<' in page
    assert "2 new campaigns: Winter coffee, Gift cards." in page
    assert "<td>Amount spent (EUR)</td>" in page
    assert AdDay.objects.count() == 0

    response = client.post(_url(world, f"imports/{run.pk}/run/"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Imported 3 rows: 3 new, 0 changed, 0 unchanged." in page
    assert 'data-testid="import-counts">3, 0, 0<' in page
    assert AdDay.objects.count() == 3


def test_a_bad_account_form_names_the_field(world: Any) -> None:
    client = world.client_for("paid_media")
    response = client.post(
        _url(world, "accounts/new/"), {"name": "X", "source": "meta", "currency": "XXY"}
    )
    assert response.status_code == 422
    assert (
        "“XXY” is not an ISO 4217 currency code (like EUR, USD, PLN)." in response.content.decode()
    )
    assert AdAccount.objects.filter(workspace=world.a).count() == 0


def test_a_failed_preview_lists_the_errors(world: Any) -> None:
    acct = account(world, currency="PLN")
    client = world.client_for("paid_media")
    with (DATA / "meta.csv").open("rb") as export:
        response = client.post(_url(world, "imports/new/"), {"ad_account": acct.pk, "file": export})
    page = client.get(response["Location"]).content.decode()
    assert "Row 1, column Amount spent (EUR): EUR, but this account is in PLN." in page
    assert 'data-testid="import-confirm"' not in page


@override_settings(ROOST_PAID_IMPORT_MAX_MB=1)
def test_a_file_over_the_cap_is_refused(world: Any) -> None:
    acct = account(world)
    client = world.client_for("paid_media")
    response = client.post(
        _url(world, "imports/new/"),
        {"ad_account": acct.pk, "file": ("big.csv", b"x" * (1024 * 1024 + 10))},
    )
    assert response.status_code == 413
    assert "an import takes at most 1 MB" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_an_analyst_sees_accounts_but_may_not_import(world: Any) -> None:
    acct = account(world)
    client = world.client_for("analyst")
    assert client.get(_url(world, "accounts/")).status_code == 200
    with (DATA / "meta.csv").open("rb") as export:
        response = client.post(_url(world, "imports/new/"), {"ad_account": acct.pk, "file": export})
    assert response.status_code == 403
    assert ImportRun.objects.count() == 0
