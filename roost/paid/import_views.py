"""The ad-account pages (list, new, rename) and the CSV import pages (list, upload,
preview, import)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from roost.core.exceptions import Conflict, RoostError, ValidationFailed
from roost.core.uploads import refused_upload
from roost.http.forms import apply_error
from roost.paid.import_forms import AccountForm, ImportForm, RenameForm
from roost.paid.importers.sources import FIELDS, MAPPINGS
from roost.paid.models import AdAccount, AdSource, ImportRun, ImportStatus
from roost.paid.services import imports as import_services
from roost.paid.services.accounts import (
    AccountInput,
    access_ad_account,
    ad_account_create,
    ad_account_rename,
)
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

IMPORTS_SHOWN = 50
FIELD_LABELS = {
    "campaign_id": gettext_lazy("Campaign id"),
    "campaign": gettext_lazy("Campaign"),
    "day": gettext_lazy("Day"),
    "spend": gettext_lazy("Spend"),
    "impressions": gettext_lazy("Impressions"),
    "reach": gettext_lazy("Reach"),
    "clicks": gettext_lazy("Clicks"),
    "conversions": gettext_lazy("Conversions"),
    "conversion_value": gettext_lazy("Conversion value"),
    "currency": gettext_lazy("Currency"),
}


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


@workspace_view(Perm.VIEW_PAID)
@require_safe
def accounts(request: HttpRequest) -> HttpResponse:
    """Every ad account of the workspace with its source, id, currency and last import."""
    actor = _actor(request)
    found = AdAccount.objects.filter(workspace_id=actor.workspace_id).annotate(
        last_import=Max("imports__finished_at", filter=Q(imports__status=ImportStatus.IMPORTED))
    )
    context = {
        "area": "paid",
        "here": "accounts",
        "accounts": list(found),
        "may_manage": actor.has_perm(Perm.MANAGE_BUDGETS),
    }
    return render(request, "paid/accounts.html", context)


@workspace_view(Perm.MANAGE_BUDGETS)
def account_new(request: HttpRequest) -> HttpResponse:
    """A new ad account whose figures arrive as CSV exports or through the API."""
    actor = _actor(request)
    form = AccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ad_account_create(
                    actor=actor,
                    data=AccountInput(
                        name=data["name"],
                        source=data["source"],
                        external_id=data["external_id"],
                        currency=data["currency"],
                    ),
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Ad account added."))
                return redirect("paid:accounts", slug=actor.workspace.slug)
        status = 422
    context = {"area": "paid", "here": "accounts", "form": form, "account": None}
    return render(request, "paid/account_form.html", context, status=status)


@workspace_view(Perm.MANAGE_BUDGETS)
def account_edit(request: HttpRequest, ad_account_id: int) -> HttpResponse:
    """Rename an ad account."""
    actor = _actor(request)
    account = access_ad_account(actor, ad_account_id, Perm.MANAGE_BUDGETS)
    form = RenameForm(
        request.POST if request.method == "POST" else None, initial={"name": account.name}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ad_account_rename(actor=actor, account=account, name=form.cleaned_data["name"])
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Ad account renamed."))
                return redirect("paid:accounts", slug=actor.workspace.slug)
        status = 422
    context = {"area": "paid", "here": "accounts", "form": form, "account": account}
    return render(request, "paid/account_form.html", context, status=status)


@workspace_view(Perm.VIEW_PAID)
@require_safe
def imports(request: HttpRequest) -> HttpResponse:
    """The latest imports (CSV uploads and API pushes), newest first; the Sandbox Ads'
    hourly syncs are on their own page."""
    actor = _actor(request)
    runs = (
        ImportRun.objects.filter(workspace_id=actor.workspace_id)
        .exclude(source=AdSource.SANDBOX)
        .select_related("ad_account", "created_by")[:IMPORTS_SHOWN]
    )
    context = {
        "area": "paid",
        "here": "imports",
        "runs": list(runs),
        "may_manage": actor.has_perm(Perm.MANAGE_BUDGETS),
    }
    return render(request, "paid/imports.html", context)


@workspace_view(Perm.MANAGE_BUDGETS)
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload an export; it is previewed before anything is imported."""
    actor = _actor(request)
    accounts_list = list(
        AdAccount.objects.filter(workspace_id=actor.workspace_id).exclude(source=AdSource.SANDBOX)
    )
    status = 200
    refused = ""
    initial = {"ad_account": request.GET.get("account", "")}
    form = ImportForm(None, accounts=accounts_list, initial=initial)
    if request.method == "POST":
        # A file over the cap: the upload handler stopped reading it (roost/core/uploads.py,
        # ROOST_UPLOAD_LARGE_PATHS), or the declared length says so.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > import_services.max_bytes() or refused_upload(request) is not None:
            refused = import_services.too_large(length).errors["file"][0]
            status = 413
        else:
            form = ImportForm(request.POST, request.FILES, accounts=accounts_list)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    account = access_ad_account(actor, data["ad_account"], Perm.MANAGE_BUDGETS)
                    run, _preview = import_services.import_upload(
                        actor=actor, account=account, upload=data["file"], source=data["source"]
                    )
                except RoostError as exc:
                    apply_error(form, exc)
                else:
                    return redirect(
                        "paid:import_preview", slug=actor.workspace.slug, import_id=run.pk
                    )
            status = 422
    context = {
        "area": "paid",
        "here": "imports",
        "form": form,
        "accounts": accounts_list,
        "refused": refused,
        "max_mb": import_services.max_bytes() // 1024 // 1024,
    }
    return render(request, "paid/import_new.html", context, status=status)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_safe
def import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    """What an import would do (or did): source, columns, rows, days, campaigns, errors."""
    actor = _actor(request)
    run = import_services.access_import(actor, import_id)
    preview = None
    if run.status == ImportStatus.PREVIEW:
        path = import_services.stored_file(run)
        if path.exists():
            preview = import_services.preview_file(run.ad_account, path, run.source)
    columns = []
    if preview is not None:
        columns = [
            (FIELD_LABELS[key], preview.columns[key]) for key in FIELDS if key in preview.columns
        ]
    context = {
        "area": "paid",
        "here": "imports",
        "run": run,
        "preview": preview,
        "columns": columns,
        "source_label": MAPPINGS[run.source].label if run.source in MAPPINGS else run.source,
        "errors": run.error.splitlines() if run.error else [],
    }
    return render(request, "paid/import_preview.html", context)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def import_run(request: HttpRequest, import_id: int) -> HttpResponse:
    """Import a previewed file (all rows or none)."""
    actor = _actor(request)
    run = import_services.access_import(actor, import_id)
    try:
        run = import_services.import_run(actor=actor, run=run)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        if run.status == ImportStatus.IMPORTED:
            messages.success(
                request,
                _("Imported %(rows)d rows: %(c)d new, %(u)d changed, %(n)d unchanged.")
                % {"rows": run.rows, "c": run.created, "u": run.updated, "n": run.unchanged},
            )
        else:
            messages.error(request, _("The import failed; nothing was stored."))
    return redirect("paid:import_preview", slug=actor.workspace.slug, import_id=run.pk)
