"""ROI per campaign and overall (with its assumptions), and the public short-link redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from roost.analytics import roi as roi_reads
from roost.analytics.forms import (
    CampaignCostForm,
    ConversionImportForm,
    PeriodForm,
    RoiSettingsForm,
)
from roost.analytics.models import CampaignCost, ShortLink
from roost.analytics.services import links
from roost.analytics.services import roi as roi_services
from roost.core import clock
from roost.core.exceptions import RoostError, ValidationFailed
from roost.http.decorators import error_response, public_view
from roost.http.forms import apply_error
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _today(request: HttpRequest) -> Any:
    return clock.now().astimezone(request.workspace.tzinfo).date()  # type: ignore[attr-defined]


def _page(
    request: HttpRequest,
    *,
    settings_form: RoiSettingsForm | None = None,
    import_form: ConversionImportForm | None = None,
    cost_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    period_form = PeriodForm(request.GET or None, today=_today(request))
    period = period_form.period()
    overall, lines = roi_reads.roi_report(workspace, period)
    current = roi_reads.settings_for(workspace)
    if settings_form is None:
        settings_form = RoiSettingsForm(
            initial={
                "value_per_lead": current.value_per_lead,
                "value_per_click": roi_reads.plain(current.value_per_click),
                "currency": current.currency,
                "shorten_links": current.shorten_links,
            },
            currencies=roi_services.CURRENCIES,
        )
    costs = {c.campaign_id: c for c in CampaignCost.objects.filter(workspace=workspace)}
    context = {
        "area": "analytics",
        "form": period_form,
        "period": period,
        "overall": overall,
        "spend_notes": roi_reads.paid_spend_notes(workspace, period, None),
        "lines": lines,
        "settings": current,
        "value_per_click": roi_reads.plain(current.value_per_click),
        "settings_form": settings_form,
        "import_form": import_form or ConversionImportForm(),
        "cost_rows": [
            {
                "line": line,
                "form": CampaignCostForm(
                    initial={
                        "campaign": line.campaign.pk,  # type: ignore[union-attr]
                        "production_cost": costs[line.campaign.pk].production_cost  # type: ignore[union-attr]
                        if line.campaign.pk in costs  # type: ignore[union-attr]
                        else "",
                    },
                    auto_id=f"id_cost_{line.campaign.pk}_%s",  # type: ignore[union-attr]
                ),
                "errors": (cost_errors or {}).get(line.campaign.pk, []),  # type: ignore[union-attr]
            }
            for line in lines
        ],
        "may_manage": request.membership.has_perm(Perm.MANAGE_ANALYTICS),  # type: ignore[attr-defined]
        "max_mb": roi_services.MAX_CSV_BYTES // (1024 * 1024),
        "short_link_example": links.link_url(ShortLink(code="Ab12Cd34")),
    }
    return render(request, "analytics/roi.html", context, status=status)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("analytics:roi", slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def roi(request: HttpRequest) -> HttpResponse:
    """Value against cost per campaign and overall, with the assumptions used."""
    return _page(request)


@workspace_view(Perm.MANAGE_ANALYTICS)
@require_POST
def roi_settings(request: HttpRequest) -> HttpResponse:
    actor: Any = request.membership  # type: ignore[attr-defined]
    form = RoiSettingsForm(request.POST, currencies=roi_services.CURRENCIES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            roi_services.roi_settings_save(
                actor=actor,
                value_per_lead=data["value_per_lead"],
                value_per_click=data["value_per_click"],
                currency=data["currency"],
                shorten_links=data["shorten_links"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("ROI assumptions saved."))
            return _back(request)
    return _page(request, settings_form=form, status=422)


@workspace_view(Perm.MANAGE_ANALYTICS)
@require_POST
def roi_cost(request: HttpRequest) -> HttpResponse:
    actor: Any = request.membership  # type: ignore[attr-defined]
    form = CampaignCostForm(request.POST)
    if form.is_valid():
        try:
            roi_services.campaign_cost_save(
                actor=actor,
                campaign_id=form.cleaned_data["campaign"],
                cost=form.cleaned_data["production_cost"],
            )
        except ValidationFailed as exc:
            if "campaign" not in exc.errors:
                campaign_id = form.cleaned_data["campaign"]
                return _page(
                    request,
                    cost_errors={campaign_id: [m for ms in exc.errors.values() for m in ms]},
                    status=422,
                )
        else:
            messages.success(request, _("Production cost saved."))
            return _back(request)
    messages.error(request, _("Choose a campaign of this workspace and enter an amount."))
    return _page(request, status=422)


@workspace_view(Perm.MANAGE_ANALYTICS)
@require_POST
def roi_import(request: HttpRequest) -> HttpResponse:
    actor: Any = request.membership  # type: ignore[attr-defined]
    form = ConversionImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > roi_services.MAX_CSV_BYTES:
                raise ValidationFailed(
                    {"file": [_("The file is larger than 2 MB; split it into smaller files.")]}
                )
            result = roi_services.conversions_import_csv(actor=actor, data=upload.read())
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(added)s new, %(updated)s updated.")
                % {"rows": result.rows, "added": result.added, "updated": result.updated},
            )
            return _back(request)
    return _page(request, import_form=form, status=422)


@public_view
@never_cache
@require_safe
def short_link(request: HttpRequest, code: str) -> HttpResponseBase:
    """Public by design: the redirect behind a Roost short link. Counts a person's click
    (not a bot's, not a HEAD request) and stores nothing about who clicked."""
    link = ShortLink.objects.filter(code=code).select_related("post__campaign", "channel").first()
    if link is None:
        return error_response(request, 404, _("This short link does not exist."))
    if request.method == "GET" and not links.is_bot(request.headers.get("User-Agent")):
        links.short_link_click(link=link)
    response = HttpResponseRedirect(links.redirect_target(link))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
