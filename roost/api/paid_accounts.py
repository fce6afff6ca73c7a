"""Paid media: ad accounts kept by hand, daily figures pushed as JSON rows, and CSV
exports imported (or only checked, `dry_run`) — the same checks as the import pages."""

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core.exceptions import ValidationFailed
from roost.paid.importers.sources import MAPPINGS
from roost.paid.models import AdAccount, ImportRun, ImportStatus
from roost.paid.services import imports as import_services
from roost.paid.services.accounts import (
    EXTERNAL_MAX,
    HAND_SOURCES,
    NAME_MAX,
    AccountInput,
    access_ad_account,
    ad_account_create,
)
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["paid"])
READ, WRITE = ApiScope.READ, ApiScope.PAID_WRITE
VIEW, MANAGE = Perm.VIEW_PAID, Perm.MANAGE_BUDGETS
SOURCES: list[Any] = [s.value for s in HAND_SOURCES]
MAX_PUSH_ROWS = 10_000
# A figure as JSON gives it: a number, or text as an export writes it ("1,234.50").
Figure = (
    Annotated[int, Field(ge=-(10**15), le=10**15)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | Annotated[str, Field(max_length=40)]
)


class AccountIn(Schema):
    name: str = Field(max_length=NAME_MAX)
    source: str = Field(json_schema_extra={"enum": SOURCES}, max_length=16)
    external_id: str = Field(default="", max_length=EXTERNAL_MAX)
    currency: str = Field(max_length=3, description="ISO 4217, e.g. EUR")


class AccountOut(Schema):
    id: int
    name: str
    source: str
    external_id: str
    currency: str
    created_at: datetime
    last_import: datetime | None


class DayIn(Schema):
    campaign_id: str = Field(default="", max_length=200, description="The campaign's id")
    campaign: str = Field(default="", max_length=200, description="Its name")
    day: str = Field(max_length=40, description="2026-11-03")
    spend: Figure
    impressions: Figure
    clicks: Figure
    reach: Figure | None = None
    conversions: Figure | None = None
    conversion_value: Figure | None = None
    currency: str = Field(default="", max_length=3, description="If given: the account's")


class DaysIn(Schema):
    rows: list[DayIn] = Field(min_length=1, max_length=MAX_PUSH_ROWS)
    dry_run: bool = Field(default=False, description="Check only; store nothing")


class CountsOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class ImportOut(Schema):
    id: int | None = Field(description="The import (null for a dry run)")
    status: str
    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    first_day: str | None
    last_day: str | None
    new_campaigns: list[str]
    existing_campaigns: list[str]


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _account_out(a: AdAccount) -> dict[str, Any]:
    last = (
        ImportRun.objects.filter(ad_account=a, status=ImportStatus.IMPORTED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return {
        "id": a.pk,
        "name": a.name,
        "source": a.source,
        "external_id": a.external_id,
        "currency": a.currency,
        "created_at": a.created_at,
        "last_import": last,
    }


def _refused(errors: list[str]) -> ValidationFailed:
    return ValidationFailed({"rows": errors})


@router.get(
    "/{slug}/paid/accounts",
    response=responses({200: list[AccountOut]}),
    auth=access(VIEW, READ),
    summary="The workspace's ad accounts",
)
def account_list(request: HttpRequest, slug: str) -> Any:
    found = AdAccount.objects.filter(workspace_id=_actor(request).workspace_id).order_by("pk")
    return [_account_out(a) for a in found]


@router.post(
    "/{slug}/paid/accounts",
    response=responses({201: AccountOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Add an ad account kept by hand (figures arrive as CSV exports or pushed rows)",
)
@idempotent
def account_post(request: HttpRequest, slug: str, payload: AccountIn) -> Any:
    made = ad_account_create(
        actor=_actor(request),
        data=AccountInput(
            name=payload.name,
            source=payload.source,
            external_id=payload.external_id,
            currency=payload.currency,
        ),
    )
    return Status(201, _account_out(made))


@router.get(
    "/{slug}/paid/accounts/{ad_account_id}",
    response=responses({200: AccountOut}),
    auth=access(VIEW, READ),
    summary="One ad account",
)
def account_get(request: HttpRequest, slug: str, ad_account_id: Id) -> Any:
    return _account_out(access_ad_account(_actor(request), ad_account_id))


@router.post(
    "/{slug}/paid/accounts/{ad_account_id}/days",
    response=responses({200: CountsOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary=(
        "Push daily spend and results: all rows or none (422 names each bad row and field); "
        "the same rows again change nothing"
    ),
)
@idempotent
def days_post(request: HttpRequest, slug: str, ad_account_id: Id, payload: DaysIn) -> Any:
    actor = _actor(request)
    account = access_ad_account(actor, ad_account_id, MANAGE)
    rows = [row.model_dump() for row in payload.rows]
    result = import_services.days_push(
        actor=actor, account=account, rows=rows, dry_run=payload.dry_run
    )
    if not result.ok:
        raise _refused(result.errors)
    return {
        "rows": result.rows,
        "created": result.counts.created,
        "updated": result.counts.updated,
        "unchanged": result.counts.unchanged,
        "dry_run": payload.dry_run,
    }


def _import_out(run: ImportRun | None, preview: import_services.Preview) -> dict[str, Any]:
    result = preview.result
    return {
        "id": run.pk if run is not None else None,
        "status": run.status if run is not None else "dry_run",
        "source": run.source if run is not None else preview.source,
        "rows": run.rows if run is not None else result.rows,
        "created": run.created if run is not None else 0,
        "updated": run.updated if run is not None else 0,
        "unchanged": run.unchanged if run is not None else 0,
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
        "new_campaigns": preview.new_campaigns[:200],
        "existing_campaigns": preview.existing_campaigns[:200],
    }


@router.post(
    "/{slug}/paid/accounts/{ad_account_id}/imports",
    response=responses({200: ImportOut, 201: ImportOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary=(
        "Import a CSV export (multipart `file`; `source` or detected; `dry_run` checks and "
        "previews only). All rows or none; 422 lists the first errors by row and column"
    ),
)
@idempotent
def import_post(
    request: HttpRequest,
    slug: str,
    ad_account_id: Id,
    file: File[UploadedFile],
    source: Form[str] = "",
    dry_run: Form[bool] = False,
) -> Any:
    actor = _actor(request)
    account = access_ad_account(actor, ad_account_id, MANAGE)
    if source and source not in MAPPINGS:  # also the fuzz's long and odd strings
        raise ValidationFailed({"source": [_("Choose meta, linkedin, google or tiktok.")]})
    if dry_run:
        if file.size is not None and file.size > import_services.max_bytes():
            raise import_services.too_large(file.size)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.csv"
            with path.open("wb") as out:
                for chunk in file.chunks():
                    out.write(chunk)
            preview = import_services.preview_file(account, path, source or None)
        if not preview.ok:
            raise _refused(preview.error_text.splitlines())
        return Status(200, _import_out(None, preview))
    run, preview = import_services.import_upload(
        actor=actor, account=account, upload=file, source=source or None
    )
    if run.status == ImportStatus.PREVIEW:
        run = import_services.import_run(actor=actor, run=run)
    if run.status != ImportStatus.IMPORTED:
        raise _refused(run.error.splitlines())
    return Status(201, _import_out(run, preview))
