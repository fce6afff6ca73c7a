"""The team builder: the company size, the role profiles, the recommended shape, coverage
and gaps (VIEW_TEAM to see, MANAGE_TEAM to change); and a member's team profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from roost.core.exceptions import RoostError
from roost.http.forms import apply_error
from roost.team.coverage import Coverage, clean_codes, coverage, labels, people_of
from roost.team.forms_builder import WEEKDAYS, HoursForm, ProfileForm, SizeForm
from roost.team.hours import hours_of
from roost.team.models import CompanySize
from roost.team.profiles import PROFILES, Responsibility, responsibilities_of_roles
from roost.team.services import profiles as services
from roost.team.shapes import SHAPES
from roost.workspaces.access import access_member
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

R = Responsibility

# What is left undone when nobody covers an area ("Nobody covers Paid media: …").
GAP_TEXT: dict[Responsibility, Promise] = {
    R.STRATEGY: gettext_lazy("nobody sets the goals, plans the calendar or leads the team."),
    R.CONTENT: gettext_lazy("nobody makes the posts, images and videos."),
    R.PUBLISHING: gettext_lazy("nobody schedules posts or approves what goes out."),
    R.COMMUNITY: gettext_lazy("nobody answers the comments, mentions and messages in the inbox."),
    R.ANALYTICS: gettext_lazy("nobody measures results or reports KPIs and ROI."),
    R.PAID: gettext_lazy("nobody runs the paid budgets, boosts and A/B tests."),
    R.CARE: gettext_lazy("the complaints the inbox finds have nobody to go to."),
    R.SALES: gettext_lazy("the leads the inbox finds have nobody to follow them up."),
}


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _roles_for(area: Responsibility) -> str:
    return ", ".join(str(p.role.label) for p in PROFILES.values() if area in p.responsibilities)


def _gap_lines(cov: Coverage) -> list[dict[str, Any]]:
    return [
        {
            "code": area.value,
            "text": _("Nobody covers %(area)s: %(what)s")
            % {"area": area.label, "what": GAP_TEXT[area]},
            "roles": _roles_for(area),
        }
        for area in cov.gaps
    ]


def _department_lines(cov: Coverage) -> list[dict[str, Any]]:
    return [
        {
            "code": area.value,
            "text": _(
                "%(area)s is handled by another department at this size: %(what)s Invite "
                "someone with the %(roles)s role so the inbox can hand it over."
            )
            % {"area": area.label, "what": GAP_TEXT[area], "roles": _roles_for(area)},
        }
        for area in cov.departments
    ]


def _builder_page(
    request: HttpRequest, size_form: SizeForm | None = None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    cov = coverage(actor.workspace)
    sizes = [
        {"code": code, "label": label, "summary": SHAPES[CompanySize(code)].summary}
        for code, label in CompanySize.choices
    ]
    context = {
        "area": "team",
        "here": "builder",
        "cov": cov,
        "rows": [(area, cov.covers[area]) for area in Responsibility],
        "gaps": _gap_lines(cov),
        "departments": _department_lines(cov),
        "profiles": [
            {
                "role": p.role,
                "summary": p.summary,
                "areas": labels(p.responsibilities),
                "duties": p.duties,
                "skills": p.skills,
            }
            for p in PROFILES.values()
        ],
        "sizes": sizes,
        "size_form": size_form or SizeForm(initial={"company_size": cov.size or None}),
        "may_manage": actor.has_perm(Perm.MANAGE_TEAM),
    }
    return render(request, "team/builder.html", context, status=status)


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def builder(request: HttpRequest) -> HttpResponse:
    """The shape and coverage page."""
    return _builder_page(request)


@workspace_view(Perm.MANAGE_TEAM)
@require_POST
def size_set(request: HttpRequest) -> HttpResponse:
    """State the company size."""
    form = SizeForm(request.POST)
    if form.is_valid():
        try:
            services.team_settings_set(
                actor=_actor(request), company_size=form.cleaned_data["company_size"]
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Company size saved."))
            return redirect("team:builder", slug=request.workspace.slug)  # type: ignore[attr-defined]
    return _builder_page(request, size_form=form, status=422)


def _person_page(
    request: HttpRequest,
    member: Membership,
    form: HoursForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    profile = services.profile_of(member)
    people = people_of(actor.workspace)
    names = {p.member.pk: p.name for p in people}
    may_manage = actor.has_perm(Perm.MANAGE_TEAM)
    own = actor.pk == member.pk
    initial = HoursForm.initial_for(profile.working_hours)
    if form is None and may_manage:
        initial["reports_to"] = str(profile.reports_to_id or "")
        initial["responsibilities"] = [r.value for r in clean_codes(profile.responsibilities)]
        form = ProfileForm(
            initial=initial,
            people=[(p.member.pk, p.name) for p in people if p.member.pk != member.pk],
        )
    elif form is None and own:
        form = HoursForm(initial=initial)
    hours = hours_of(profile.working_hours)
    context = {
        "area": "team",
        "here": "builder",
        "member": member,
        "name": member.user.display_name,
        "by_role": sorted(
            responsibilities_of_roles(member.role_codes), key=list(Responsibility).index
        ),
        "extra": clean_codes(profile.responsibilities),
        "reports_to": names.get(profile.reports_to_id or 0, ""),
        "reports": [p for p in people if p.reports_to_id == member.pk],
        "week": [(WEEKDAYS[d], hours.get(d)) for d in range(7)],
        "form": form,
        "full_form": isinstance(form, ProfileForm),
        "may_manage": may_manage,
        "own": own,
    }
    return render(request, "team/builder_person.html", context, status=status)


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def person(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's team profile: manager, working hours, responsibilities."""
    return _person_page(request, access_member(_actor(request), member_id))


@workspace_view(Perm.MANAGE_TEAM)
@require_POST
def person_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    """Change anyone's manager, working hours and extra responsibilities."""
    actor = _actor(request)
    member = access_member(actor, member_id, Perm.MANAGE_TEAM)
    people = [(p.member.pk, p.name) for p in people_of(actor.workspace) if p.member.pk != member.pk]
    form = ProfileForm(request.POST, people=people)
    if form.is_valid():
        boss = None
        if form.cleaned_data["reports_to"]:
            boss = access_member(actor, int(form.cleaned_data["reports_to"]))
        try:
            services.member_profile_update(
                actor=actor,
                member=member,
                reports_to=boss,
                working_hours=form.hours(),
                responsibilities=form.cleaned_data["responsibilities"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Team profile saved."))
            return redirect("team:person", slug=actor.workspace.slug, member_id=member.pk)
    return _person_page(request, member, form, status=422)


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def my_hours(request: HttpRequest) -> HttpResponse:
    """Every member sets their own working hours."""
    actor = _actor(request)
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            services.member_profile_update(actor=actor, member=actor, working_hours=form.hours())
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Working hours saved."))
            return redirect("team:person", slug=actor.workspace.slug, member_id=actor.pk)
    return _person_page(request, actor, form, status=422)
