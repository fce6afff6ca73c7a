"""The practical exercise's pages: the candidate's way in (a one-time link), the exercise
page inside the assessment workspace (brief and "Submit"), and the hiring manager's side
(create an exercise for a candidate, see what the candidate did)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.core.exceptions import RoostError
from roost.http.decorators import error_response, public_view
from roost.team import scenarios
from roost.team.models import Candidate
from roost.team.services import assessment as svc
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _brief(assessment: Any) -> dict[str, Any]:
    """What the exercise page and the intro show the candidate."""
    return {
        "assessment": assessment,
        "scenario": assessment.scenario,
        "brief": assessment.expected.get("brief", {}),
        "posts_asked": assessment.expected.get("posts", scenarios.CAMPAIGN_POSTS),
        "role_label": svc.role_label(assessment.candidate),
    }


@public_view
@require_http_methods(["GET", "POST"])
def assess_start(request: HttpRequest, token: str) -> HttpResponseBase:
    """The candidate's link: the exercise's introduction, and "Start" logs them in."""
    try:
        if request.method == "POST":
            assessment = svc.assessment_start(secret=token)
            if request.user.is_authenticated:
                logout(request)  # whoever was logged in here, the candidate takes over
            login(request, assessment.login, backend=BACKEND)
            return redirect(svc.start_url(assessment))
        assessment = svc.assessment_for_token(token)
    except svc.AssessmentGone as exc:
        return error_response(request, exc.status, exc.message)
    return render(request, "team/assessment_start.html", _brief(assessment))


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def assessment(request: HttpRequest) -> HttpResponse:
    """The exercise page of an assessment workspace: the brief, and Submit for the
    candidate. In any other workspace it says there is no exercise here."""
    found = svc.assessment_of_workspace(request.workspace)  # type: ignore[attr-defined]
    context: dict[str, Any] = {"area": "assessment", "assessment": None}
    if found is not None:
        context.update(_brief(found))
        context["is_candidate"] = found.login_id == request.user.pk
        context["status"] = svc.assessment_status(found)
    return render(request, "team/assessment.html", context)


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def assessment_submit(request: HttpRequest) -> HttpResponseBase:
    """The candidate hands in the exercise; their login ends here."""
    found = svc.assessment_of_workspace(request.workspace)  # type: ignore[attr-defined]
    if found is None or found.login_id != request.user.pk:
        return error_response(request, 409, _("Only the candidate submits this exercise."))
    try:
        svc.assessment_submit(user=request.user, assessment=found)
    except RoostError as exc:
        return error_response(request, 409, exc.message)
    logout(request)
    return render(request, "team/assessment_done.html", {})


@workspace_view(Perm.HIRE)
@require_POST
def assessment_new(request: HttpRequest) -> HttpResponse:
    """Make a candidate's exercise; the link is shown once, on this answer."""
    actor = request.membership  # type: ignore[attr-defined]
    raw = request.POST.get("candidate", "")
    candidate = (
        Candidate.objects.select_related("opening")
        .filter(workspace_id=actor.workspace_id, pk=int(raw))
        .first()
        if raw.isdigit() and len(raw) < 12
        else None
    )
    days_raw = request.POST.get("days", "3")
    days = int(days_raw) if days_raw.isdigit() and len(days_raw) < 4 else 0
    context: dict[str, Any] = {"area": "team", "here": "hiring", "candidate": candidate}
    if candidate is None:
        context["errors"] = {"candidate": [_("Choose a candidate of this workspace.")]}
        return render(request, "team/assessment_created.html", context, status=422)
    try:
        made, secret = svc.assessment_create(
            actor=actor,
            candidate=candidate,
            scenario=request.POST.get("scenario", ""),
            days=days,
        )
    except RoostError as exc:
        context["errors"] = getattr(exc, "errors", None) or {"__all__": [exc.message]}
        status = 422 if hasattr(exc, "errors") else 409
        return render(request, "team/assessment_created.html", context, status=status)
    context["assessment"] = made
    context["link"] = svc.assessment_link(secret)
    return render(request, "team/assessment_created.html", context, status=201)


@workspace_view(Perm.HIRE)
@require_safe
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The hiring manager's view of one exercise: status, expiry, the facts."""
    found = svc.access_assessment(request.membership, assessment_id)  # type: ignore[attr-defined]
    return render(
        request,
        "team/assessment_detail.html",
        {"area": "team", "here": "hiring", "candidate": found.candidate},
    )
