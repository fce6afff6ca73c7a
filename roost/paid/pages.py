"""The paid overview, the settings and rates page, and budget planning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.core.exceptions import RoostError
from roost.http.forms import apply_error
from roost.paid import planning, selectors
from roost.paid.campaign_forms import PlanningForm, RateForm, SettingsForm
from roost.paid.campaign_views import actor_of, today_of
from roost.paid.models import AdSource, Boost, CurrencyRate, ImportRun
from roost.paid.money import paid_settings, rates
from roost.paid.reporting import spend_by_currency, total_in
from roost.paid.services import settings as settings_services
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.VIEW_PAID)
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Spend this month and the last 30 days, campaigns in flight with pacing, and links."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    today = today_of(request)
    s = paid_settings(workspace)
    table = rates(workspace)
    month = total_in(spend_by_currency(workspace, today.replace(day=1), today), s.currency, table)
    last30 = total_in(
        spend_by_currency(workspace, today - timedelta(days=29), today), s.currency, table
    )
    since = today - timedelta(days=30)
    context = {
        "area": "paid",
        "here": "overview",
        "settings": s,
        "month": month,
        "last30": last30,
        "rows": selectors.campaign_rows(workspace, today, in_flight=True),
        "accounts": selectors.accounts(workspace),
        # CSV uploads and API pushes; the Sandbox Ads' hourly syncs are not imports.
        "imports": ImportRun.objects.filter(workspace=workspace, created_at__date__gte=since)
        .exclude(source=AdSource.SANDBOX)
        .count(),
        "boosts": Boost.objects.filter(workspace=workspace, created_at__date__gte=since).count(),
        "may_manage": actor_of(request).has_perm(Perm.MANAGE_BUDGETS),
    }
    return render(request, "paid/overview.html", context)


def _settings_page(
    request: HttpRequest,
    *,
    settings_form: SettingsForm | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    s = paid_settings(workspace)
    initial = {"currency": s.currency, "approval_threshold": s.approval_threshold}
    currencies = sorted({a.currency for a in selectors.accounts(workspace)} - {s.currency})
    found = {r.currency: r for r in CurrencyRate.objects.filter(workspace=workspace)}
    context = {
        "area": "paid",
        "here": "settings",
        "settings": s,
        "settings_form": settings_form or SettingsForm(initial=initial),
        "rate_form": rate_form or RateForm(),
        "rates": [found[c] for c in sorted(found)],
        "no_rate": [c for c in currencies if c not in found],
    }
    return render(request, "paid/settings.html", context, status=status)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_http_methods(["GET", "HEAD", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """The reporting currency and the boost approval threshold; the rates below."""
    if request.method != "POST":
        return _settings_page(request)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            settings_services.paid_settings_save(
                actor=actor_of(request),
                currency=form.cleaned_data["currency"],
                approval_threshold=form.cleaned_data["approval_threshold"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Paid settings saved."))
            return redirect("paid:settings", slug=request.workspace.slug)  # type: ignore[attr-defined]
    return _settings_page(request, settings_form=form, status=422)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def rate_set(request: HttpRequest) -> HttpResponse:
    """Set (or change) one currency's rate into the reporting currency."""
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            settings_services.currency_rate_set(
                actor=actor_of(request),
                currency=form.cleaned_data["currency"],
                rate=form.cleaned_data["rate"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Rate saved."))
            return redirect("paid:settings", slug=request.workspace.slug)  # type: ignore[attr-defined]
    return _settings_page(request, rate_form=form, status=422)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def rate_delete(request: HttpRequest) -> HttpResponse:
    """Forget a rate."""
    try:
        settings_services.currency_rate_delete(
            actor=actor_of(request), currency=request.POST.get("currency", "")[:3]
        )
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rate removed."))
    return redirect("paid:settings", slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(Perm.VIEW_PAID)
@require_safe
def planning_page(request: HttpRequest) -> HttpResponse:
    """What budget reaches a goal, from the account's own history."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    accounts = selectors.accounts(workspace)
    asked = "goal" in request.GET
    form = PlanningForm(request.GET if asked else None, accounts=accounts)
    result = None
    status = 200
    if asked:
        if form.is_valid():
            d = form.cleaned_data
            account = next(a for a in accounts if a.pk == d["ad_account"])
            result = planning.estimate(
                account,
                goal=d["goal"],
                unit=d["unit"],
                today=today_of(request),
                objective=d["objective"] or "",
            )
        else:
            status = 422
    context = {
        "area": "paid",
        "here": "planning",
        "form": form,
        "result": result,
        "accounts": accounts,
        "history_days": planning.HISTORY_DAYS,
        "min_days": planning.MIN_DAYS,
        "units": planning.UNITS,
    }
    return render(request, "paid/planning.html", context, status=status)
