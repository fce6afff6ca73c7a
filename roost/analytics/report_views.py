"""Reports: the builder, exports (CSV, PDF), schedules and read-only share links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from roost.analytics import reports
from roost.analytics.exports import render_csv, render_pdf
from roost.analytics.forms import ReportForm, ScheduleForm, ShareForm
from roost.analytics.models import ReportSchedule
from roost.analytics.selectors import Period
from roost.analytics.services import reports as report_services
from roost.core import clock
from roost.core.exceptions import RoostError
from roost.http.decorators import error_response, public_view
from roost.http.forms import apply_error
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def _today(workspace: Any) -> Any:
    return clock.now().astimezone(workspace.tzinfo).date()


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _report_form(request: HttpRequest, data: Any) -> ReportForm:
    return ReportForm(data or None, today=_today(_actor(request).workspace))


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def builder(request: HttpRequest) -> HttpResponse:
    """Pick sections and a period; see the report; export, schedule or share it."""
    actor = _actor(request)
    workspace = actor.workspace
    form = _report_form(request, request.GET)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    period = form.period()
    sections = form.chosen_sections()
    blocks = reports.build(
        workspace=workspace, period=period, sections=sections, today=_today(workspace)
    )
    may_export = actor.has_perm(Perm.EXPORT_ANALYTICS)
    context = {
        "area": "analytics",
        "form": form,
        "period": period,
        "blocks": blocks,
        "may_export": may_export,
        "query": request.GET.urlencode(),
        "sections": sections,
        "share_form": ShareForm(),
        "schedules": (
            list(ReportSchedule.objects.filter(workspace=workspace)) if may_export else []
        ),
        "shares": (report_services.active_shares(workspace, clock.now()) if may_export else []),
    }
    return render(request, "analytics/reports.html", context, status=status)


@workspace_view(Perm.EXPORT_ANALYTICS)
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The report as a CSV or PDF file (`?format=csv|pdf`, plus the builder's choices)."""
    workspace = _actor(request).workspace
    form = _report_form(request, request.GET)
    if form.is_bound and not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return error_response(request, 400, message)
    kind = request.GET.get("format", "pdf")
    if kind not in {"csv", "pdf"}:
        return error_response(request, 400, _("Choose CSV or PDF."))
    period, sections = form.period(), form.chosen_sections()
    name = f"report-{workspace.slug}-{period.start.isoformat()}-{period.end.isoformat()}"
    if kind == "csv":
        blocks = reports.build(
            workspace=workspace, period=period, sections=sections, today=_today(workspace)
        )
        response = HttpResponse(
            render_csv(workspace=workspace, period=period, blocks=blocks),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    pdf = render_pdf(workspace=workspace, period=period, sections=sections)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _schedule_form(request: HttpRequest, schedule: ReportSchedule | None) -> HttpResponse:
    actor = _actor(request)
    workspace = actor.workspace
    members = list(
        Membership.objects.filter(workspace=workspace).select_related("user").order_by("pk")
    )
    members = [m for m in members if m.has_perm(Perm.VIEW_ANALYTICS)]
    initial: dict[str, Any] = {"sections": [k for k, _label in reports.choices()]}
    if schedule is not None:
        initial = {
            "name": schedule.name,
            "sections": schedule.sections,
            "period_days": schedule.period_days,
            "frequency": schedule.frequency,
            "weekday": schedule.weekday,
            "day_of_month": schedule.day_of_month,
            "hour": schedule.hour,
            "members": [m.pk for m in schedule.members.all()],
            "emails": "\n".join(schedule.emails),
        }
    form = ScheduleForm(request.POST or None, members=members, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = report_services.ScheduleInput(
                name=form.cleaned_data["name"],
                sections=form.cleaned_data["sections"],
                period_days=form.cleaned_data["period_days"],
                frequency=form.cleaned_data["frequency"],
                hour=form.cleaned_data["hour"],
                weekday=form.cleaned_data["weekday"],
                day_of_month=form.cleaned_data["day_of_month"],
                member_ids=form.cleaned_data["members"],
                emails=form.email_list(),
            )
            try:
                report_services.schedule_save(actor=actor, data=data, schedule=schedule)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The report schedule was saved."))
                return redirect("analytics:reports", slug=workspace.slug)
        status = 422
    return render(
        request,
        "analytics/report_schedule.html",
        {"area": "analytics", "form": form, "schedule": schedule},
        status=status,
    )


@workspace_view(Perm.EXPORT_ANALYTICS)
def schedule_new(request: HttpRequest) -> HttpResponse:
    return _schedule_form(request, None)


@workspace_view(Perm.EXPORT_ANALYTICS)
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = report_services.access_schedule(_actor(request), schedule_id)
    return _schedule_form(request, schedule)


@workspace_view(Perm.EXPORT_ANALYTICS)
@require_POST
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    actor = _actor(request)
    schedule = report_services.access_schedule(actor, schedule_id)
    report_services.schedule_delete(actor=actor, schedule=schedule)
    messages.success(request, _("The report schedule was removed."))
    return redirect("analytics:reports", slug=actor.workspace.slug)


@workspace_view(Perm.EXPORT_ANALYTICS)
@require_POST
def share_create(request: HttpRequest) -> HttpResponse:
    """Make a read-only link to the report as chosen in the builder; show it once."""
    actor = _actor(request)
    report = _report_form(request, request.POST)
    form = ShareForm(request.POST)
    if not report.is_valid() or not form.is_valid():
        problems = [str(e) for f in (report, form) for errs in f.errors.values() for e in errs]
        return error_response(request, 422, " ".join(problems))
    try:
        share, token = report_services.share_create(
            actor=actor,
            sections=report.chosen_sections(),
            period=report.period(),
            days=form.cleaned_data["days"],
            name=form.cleaned_data["name"],
        )
    except RoostError as exc:
        return error_response(request, 422, exc.message)
    url = request.build_absolute_uri(reverse("analytics:share", args=[token]))
    return render(
        request, "analytics/report_shared.html", {"area": "analytics", "share": share, "url": url}
    )


@workspace_view(Perm.EXPORT_ANALYTICS)
@require_POST
def share_revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    actor = _actor(request)
    share = report_services.access_share(actor, share_id)
    report_services.share_revoke(actor=actor, share=share)
    messages.success(request, _("The link was revoked: it no longer opens the report."))
    return redirect("analytics:reports", slug=actor.workspace.slug)


@public_view
@never_cache
@require_safe
def share(request: HttpRequest, token: str) -> HttpResponse:
    """A shared report: its sections for its period, read-only, without a login."""
    try:
        found = report_services.share_for_token(token)
    except report_services.ShareGone:
        return render(request, "analytics/report_gone.html", status=410)
    except RoostError as exc:
        return error_response(request, 404, exc.message)
    workspace = found.workspace
    period = Period(found.start, found.end)
    blocks = reports.build(
        workspace=workspace, period=period, sections=found.sections, today=_today(workspace)
    )
    response = render(
        request,
        "analytics/report_share.html",
        {"share": found, "workspace_name": workspace.name, "period": period, "blocks": blocks},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
