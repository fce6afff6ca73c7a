"""The paid campaign pages: the list, one campaign (plan vs actual, pacing, metrics and
the organic half), and the form to plan or change one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from roost.analytics import charts
from roost.core import clock
from roost.core.exceptions import RoostError, ValidationFailed
from roost.http.forms import apply_error
from roost.paid import selectors
from roost.paid.campaign_forms import PaidCampaignForm
from roost.paid.metrics import FORMULAS, totals_of
from roost.paid.models import PaidCampaign
from roost.paid.pacing import TOLERANCE, pacing_of
from roost.paid.services.campaigns import (
    access_paid_campaign,
    paid_campaign_create,
    paid_campaign_update,
)
from roost.publishing.models import Campaign
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def actor_of(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def today_of(request: HttpRequest) -> date:
    """The workspace's calendar day now."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    return clock.now().astimezone(workspace.tzinfo).date()


@workspace_view(Perm.VIEW_PAID)
@require_safe
def campaigns(request: HttpRequest) -> HttpResponse:
    """Every paid campaign with its budget, spend to date, pacing and forecast."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    context = {
        "area": "paid",
        "here": "campaigns",
        "rows": selectors.campaign_rows(workspace, today_of(request)),
        "may_manage": actor_of(request).has_perm(Perm.MANAGE_BUDGETS),
        "has_accounts": bool(selectors.accounts(workspace)),
    }
    return render(request, "paid/campaigns.html", context)


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _spend_chart(c: PaidCampaign, today: date, planned_daily: Decimal | None) -> charts.Chart:
    assert c.starts_on is not None and c.ends_on is not None
    last = min(c.ends_on, today - timedelta(days=1))
    days = selectors.daily_spend(c, c.starts_on, last) if last >= c.starts_on else []
    series = [charts.Series(_("Spend"), [float(s) for _d, s in days])]
    if planned_daily is not None:
        series.append(charts.Series(_("Plan"), [float(planned_daily)] * len(days)))
    chart = charts.line_chart(
        chart_id="chart-spend",
        title=_("Spend per day against the plan (%(currency)s)")
        % {"currency": c.ad_account.currency},
        x_label=_("Day"),
        xs=[d for d, _s in days],
        series=series,
        fmt=_money,
        integer=False,
    )
    return chart if days else chart.blank()


@workspace_view(Perm.VIEW_PAID)
@require_safe
def campaign(request: HttpRequest, paid_campaign_id: int) -> HttpResponse:
    """One campaign: planned vs actual spend, pacing and forecast, metrics, organic half."""
    actor = actor_of(request)
    found = access_paid_campaign(actor, paid_campaign_id)
    today = today_of(request)
    pace = pacing_of(found, today)
    planned_daily = (
        (pace.budget / pace.flight_days).quantize(Decimal("0.01"))
        if pace.budget is not None and pace.flight_days
        else None
    )
    chart = (
        _spend_chart(found, today, planned_daily)
        if found.starts_on is not None and found.ends_on is not None
        else None
    )
    context = {
        "area": "paid",
        "here": "campaigns",
        "c": found,
        "currency": found.ad_account.currency,
        "pace": pace,
        "tolerance": int(TOLERANCE * 100),
        "planned_daily": planned_daily,
        "t": totals_of(found.pk),
        "formulas": FORMULAS,
        "chart": chart,
        "organic": selectors.organic(found, today),
        "utm": found.campaign.utm() if found.campaign is not None else {},
        "may_manage": actor.has_perm(Perm.MANAGE_BUDGETS),
    }
    return render(request, "paid/campaign.html", context)


def _form(request: HttpRequest, found: PaidCampaign | None) -> HttpResponse:
    actor = actor_of(request)
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    accounts = selectors.accounts(workspace)
    organic = list(Campaign.objects.filter(workspace=workspace).order_by("name", "pk"))
    initial: dict[str, Any] = {}
    if found is not None:
        initial = {
            "ad_account": found.ad_account_id,
            "name": found.name,
            "objective": found.objective,
            "total_budget": found.total_budget,
            "daily_budget": found.daily_budget,
            "starts_on": found.starts_on,
            "ends_on": found.ends_on,
            "campaign": found.campaign_id,
            "external_id": found.external_id,
        }
    status = 200
    if request.method == "POST":
        form = PaidCampaignForm(request.POST, accounts=accounts, campaigns=organic)
        if form.is_valid():
            try:
                if found is None:
                    saved = paid_campaign_create(actor=actor, data=form.to_input())
                else:
                    saved = paid_campaign_update(actor=actor, campaign=found, data=form.to_input())
            except RoostError as exc:
                apply_error(form, _renamed(exc))
            else:
                messages.success(request, _("Paid campaign saved."))
                return redirect("paid:campaign", slug=workspace.slug, paid_campaign_id=saved.pk)
        status = 422
    else:
        form = PaidCampaignForm(initial=initial, accounts=accounts, campaigns=organic)
    context = {
        "area": "paid",
        "here": "campaigns",
        "form": form,
        "c": found,
        "has_accounts": bool(accounts),
    }
    return render(request, "paid/campaign_form.html", context, status=status)


def _renamed(exc: RoostError) -> RoostError:
    """The service names fields by id; the form by name."""
    if not isinstance(exc, ValidationFailed):
        return exc
    names = {"ad_account_id": "ad_account", "campaign_id": "campaign"}
    return ValidationFailed({names.get(k, k): v for k, v in exc.errors.items()})


@workspace_view(Perm.MANAGE_BUDGETS)
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Plan a new paid campaign."""
    return _form(request, None)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_edit(request: HttpRequest, paid_campaign_id: int) -> HttpResponse:
    """Change a paid campaign's plan."""
    found = access_paid_campaign(actor_of(request), paid_campaign_id, Perm.MANAGE_BUDGETS)
    return _form(request, found)
