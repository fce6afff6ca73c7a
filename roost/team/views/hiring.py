"""The team's hiring pages: openings and their pipelines, a candidate's page with the
interviewers' scorecards, hire → invite, and deleting a candidate's data on request.

The Hiring tab shows with HIRE; interviewers without it reach their candidates from the
notification they get when added, and see them under "Your interviews" on /hiring/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.core.exceptions import RoostError, ValidationFailed
from roost.http.forms import apply_error
from roost.team import scorecards
from roost.team.models import Assessment, Candidate, JobOpening, OpeningStatus, Stage
from roost.team.services import hiring as svc
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import invite_url

ASSESSMENT_PANEL = "team/assessment_panel.html"


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _slug(request: HttpRequest) -> str:
    return request.workspace.slug  # type: ignore[attr-defined]


# --- forms ------------------------------------------------------------------------------


def _choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class OpeningForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=svc.TITLE_MAX,
        required=False,
        help_text=gettext_lazy("Empty: the role's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["role"], [(r.value, r.label) for r in svc.hiring_roles()])


class OpeningEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=svc.TITLE_MAX)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=OpeningStatus.choices)
    description_en = forms.CharField(
        label=gettext_lazy("Job description (English)"),
        max_length=svc.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    description_pl = forms.CharField(
        label=gettext_lazy("Job description (Polish)"),
        max_length=svc.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
    )


class CandidateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=svc.NAME_MAX)
    email = forms.CharField(label=gettext_lazy("E-mail address"), max_length=254)
    source = forms.CharField(
        label=gettext_lazy("Where they came from"), max_length=svc.SOURCE_MAX, required=False
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Move to"), choices=Stage.choices)


class InterviewersForm(forms.Form):
    interviewers = forms.MultipleChoiceField(
        label=gettext_lazy("Interviewers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["interviewers"], [(str(m.pk), m.user.display_name) for m in members])


SCORE_CHOICES = [(str(n), str(n)) for n in range(scorecards.SCORE_MIN, scorecards.SCORE_MAX + 1)]


class EvaluationForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=svc.NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"),
        widget=forms.RadioSelect,
        choices=[
            ("hire", gettext_lazy("Hire")),
            ("no_hire", gettext_lazy("No hire")),
            ("unsure", gettext_lazy("Unsure")),
        ],
    )
    exercise = forms.BooleanField(
        label=gettext_lazy("This scorecard scores the practical exercise (its facts are above)"),
        required=False,
    )

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.ChoiceField(
                label=c.name,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                help_text=c.description,
            )
        self.order_fields(
            [f"score_{c.pk}" for c in criteria] + ["notes", "recommendation", "exercise"]
        )

    def score_fields(self) -> list[Any]:
        return [self[f"score_{c.pk}"] for c in self.criteria]

    def scores(self) -> dict[int, int]:
        return {c.pk: int(self.cleaned_data[f"score_{c.pk}"]) for c in self.criteria}


# --- the list ---------------------------------------------------------------------------


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def hiring(request: HttpRequest) -> HttpResponse:
    """Openings (with HIRE) and the candidates the member interviews."""
    actor = _actor(request)
    may_hire = actor.has_perm(Perm.HIRE)
    context = {
        "area": "team",
        "here": "hiring",
        "may_hire": may_hire,
        "rows": svc.openings_rows(actor) if may_hire else [],
        "stages": Stage.choices,
        "interviews": svc.interviews_of(actor),
    }
    return render(request, "team/hiring.html", context)


@workspace_view(Perm.HIRE)
@require_http_methods(["GET", "HEAD", "POST"])
def opening_new(request: HttpRequest) -> HttpResponse:
    """Open a position: its job description drafts and scorecard are made with it."""
    status = 200
    if request.method == "POST":
        form = OpeningForm(request.POST)
        if form.is_valid():
            try:
                opening = svc.opening_create(
                    actor=_actor(request),
                    role=form.cleaned_data["role"],
                    title=form.cleaned_data["title"],
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Position opened, with job description drafts and a scorecard to edit."),
                )
                return redirect("team:opening", slug=_slug(request), opening_id=opening.pk)
        status = 422
    else:
        form = OpeningForm()
    context = {"area": "team", "here": "hiring", "form": form}
    return render(request, "team/hiring_opening_new.html", context, status=status)


def _opening_page(
    request: HttpRequest,
    opening: JobOpening,
    candidate_form: CandidateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    criteria = list(opening.criteria.all())
    context = {
        "area": "team",
        "here": "hiring",
        "opening": opening,
        "columns": svc.pipeline(actor, opening),
        "criteria": list(
            zip(criteria, scorecards.shares([c.weight for c in criteria]), strict=True)
        ),
        "candidate_form": candidate_form or CandidateForm(),
    }
    return render(request, "team/hiring_opening.html", context, status=status)


@workspace_view(Perm.HIRE)
@require_safe
def opening(request: HttpRequest, opening_id: int) -> HttpResponse:
    """An opening: its pipeline by stage, its scorecard and job descriptions."""
    return _opening_page(request, svc.access_opening(_actor(request), opening_id))


@workspace_view(Perm.HIRE)
@require_POST
def candidate_new(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Add a candidate to the opening."""
    actor = _actor(request)
    found = svc.access_opening(actor, opening_id)
    form = CandidateForm(request.POST)
    if form.is_valid():
        try:
            candidate = svc.candidate_create(
                actor=actor,
                opening=found,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                source=form.cleaned_data["source"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Candidate added (stage: Sourced)."))
            return redirect("team:candidate", slug=_slug(request), candidate_id=candidate.pk)
    return _opening_page(request, found, form, status=422)


@workspace_view(Perm.HIRE)
@require_http_methods(["GET", "HEAD", "POST"])
def opening_edit(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit an opening's title, status and job descriptions."""
    actor = _actor(request)
    found = svc.access_opening(actor, opening_id)
    status = 200
    if request.method == "POST":
        form = OpeningEditForm(request.POST)
        if form.is_valid():
            try:
                svc.opening_update(actor=actor, opening=found, **form.cleaned_data)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Opening saved."))
                return redirect("team:opening", slug=_slug(request), opening_id=found.pk)
        status = 422
    else:
        form = OpeningEditForm(
            initial={
                "title": found.title,
                "status": found.status,
                "description_en": found.description_en,
                "description_pl": found.description_pl,
            }
        )
    context = {"area": "team", "here": "hiring", "opening": found, "form": form}
    return render(request, "team/hiring_opening_edit.html", context, status=status)


def _criterion_rows(post: Any) -> tuple[list[svc.CriterionInput], list[dict[str, Any]]]:
    """The scorecard form's rows: what to save, and what to show again on an error."""
    try:
        count = min(int(post.get("rows", "0")), svc.CRITERIA_MAX + 1)
    except ValueError:
        count = 0
    rows: list[svc.CriterionInput] = []
    shown: list[dict[str, Any]] = []
    for i in range(count):
        raw_id = post.get(f"c{i}-id", "")
        name = post.get(f"c{i}-name", "")[: svc.CRITERION_NAME_MAX + 1]
        description = post.get(f"c{i}-description", "")[: svc.CRITERION_DESCRIPTION_MAX + 1]
        raw_weight = post.get(f"c{i}-weight", "").strip()
        remove = bool(post.get(f"c{i}-remove"))
        shown.append(
            {
                "id": raw_id,
                "name": name,
                "description": description,
                "weight": raw_weight,
                "remove": remove,
            }
        )
        if remove or (not raw_id and not name.strip()):
            continue  # removed, or the blank row left blank
        criterion_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else None
        weight = int(raw_weight) if raw_weight.isdigit() and len(raw_weight) < 4 else -1
        rows.append(svc.CriterionInput(criterion_id, name, description, weight))
    return rows, shown


@workspace_view(Perm.HIRE)
@require_http_methods(["GET", "HEAD", "POST"])
def scorecard_edit(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit the opening's scorecard: names, descriptions, weights 1–10, add and remove."""
    actor = _actor(request)
    found = svc.access_opening(actor, opening_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        rows, shown = _criterion_rows(request.POST)
        try:
            svc.criteria_save(actor=actor, opening=found, rows=rows)
        except ValidationFailed as exc:
            errors = [m for ms in exc.errors.values() for m in ms]
            status = 422
        else:
            messages.success(request, _("Scorecard saved."))
            return redirect("team:opening", slug=_slug(request), opening_id=found.pk)
    else:
        shown = [
            {"id": str(c.pk), "name": c.name, "description": c.description, "weight": str(c.weight)}
            for c in found.criteria.all()
        ]
        shown.append({"id": "", "name": "", "description": "", "weight": "1"})
    context = {
        "area": "team",
        "here": "hiring",
        "opening": found,
        "rows": shown,
        "errors": errors,
        "weight_max": scorecards.WEIGHT_MAX,
    }
    return render(request, "team/hiring_scorecard.html", context, status=status)


# --- a candidate ------------------------------------------------------------------------


def _assessment_panel() -> str | None:
    """The assessment part's panel, when it is installed."""
    try:
        get_template(ASSESSMENT_PANEL)
    except TemplateDoesNotExist:
        return None
    return ASSESSMENT_PANEL


def _candidate_page(
    request: HttpRequest,
    candidate: Candidate,
    *,
    status: int = 200,
    stage_form: StageForm | None = None,
    evaluation_form: EvaluationForm | None = None,
    hired: svc.Hire | None = None,
) -> HttpResponse:
    actor = _actor(request)
    may_hire = actor.has_perm(Perm.HIRE)
    cards = svc.scorecards_for(actor, candidate)
    interviewer_ids = set(candidate.interviewers.values_list("pk", flat=True))
    members = (
        list(
            Membership.objects.filter(workspace_id=actor.workspace_id)
            .select_related("user")
            .order_by("user__name", "pk")
        )
        if may_hire
        else []
    )
    if evaluation_form is None and actor.pk in interviewer_ids:
        initial: dict[str, Any] = {}
        if cards.own is not None:
            initial = {f"score_{k}": str(v) for k, v in cards.own.scores.items()}
            initial |= {"notes": cards.own.notes, "recommendation": cards.own.recommendation}
        evaluation_form = EvaluationForm(initial=initial, criteria=cards.criteria)
    nexts = svc.next_stages(candidate.stage)
    if stage_form is None:
        stage_form = StageForm()
    _choices(stage_form.fields["stage"], [(s, Stage(s).label) for s in nexts])
    context = {
        "area": "team",
        "here": "hiring",
        "candidate": candidate,
        "opening": candidate.opening,
        "may_hire": may_hire,
        "is_interviewer": actor.pk in interviewer_ids,
        # The exercise can be scored on the scorecard once the candidate submitted it.
        "exercise_submitted": Assessment.objects.filter(
            candidate=candidate, submitted_at__isnull=False
        ).exists(),
        "interviewers": [m for m in members if m.pk in interviewer_ids]
        if may_hire
        else list(Membership.objects.filter(pk__in=interviewer_ids).select_related("user")),
        "interviewers_form": InterviewersForm(
            initial={"interviewers": [str(i) for i in interviewer_ids]}, members=members
        )
        if may_hire
        else None,
        "stage_form": stage_form if nexts else None,
        "cards": cards,
        "criteria": list(zip(cards.criteria, cards.shares, strict=True)),
        "evaluation_form": evaluation_form,
        "hired": hired,
        "invite_link": invite_url(hired.token) if hired else "",
        "assessment_panel": _assessment_panel(),
        "recommendations": {
            "hire": _("Hire"),
            "no_hire": _("No hire"),
            "unsure": _("Unsure"),
        },
    }
    return render(request, "team/hiring_candidate.html", context, status=status)


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """A candidate: stage, interviewers and scorecards (HIRE, or one of the interviewers)."""
    return _candidate_page(request, svc.access_candidate(_actor(request), candidate_id))


@workspace_view(Perm.HIRE)
@require_POST
def candidate_stage(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Move the candidate to a later stage, to Declined, or hire them (from Offer)."""
    actor = _actor(request)
    found = svc.access_candidate(actor, candidate_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            moved = svc.candidate_move(
                actor=actor, candidate=found, stage=form.cleaned_data["stage"]
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            if moved.hire is None:
                messages.success(
                    request,
                    _("Candidate moved to %(stage)s.") % {"stage": Stage(found.stage).label},
                )
                return redirect("team:candidate", slug=_slug(request), candidate_id=found.pk)
            # The invite link is shown on this answer only (it is not stored anywhere).
            return _candidate_page(request, found, hired=moved.hire)
    found.refresh_from_db()
    return _candidate_page(request, found, stage_form=form, status=422)


@workspace_view(Perm.HIRE)
@require_POST
def candidate_interviewers(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Choose who interviews the candidate (they are notified)."""
    actor = _actor(request)
    found = svc.access_candidate(actor, candidate_id)
    try:
        ids = [int(v) for v in request.POST.getlist("interviewers") if v.isdigit() and len(v) < 19]
        svc.interviewers_set(actor=actor, candidate=found, member_ids=ids)
    except RoostError as exc:
        messages.error(request, exc.message)
        return _candidate_page(request, found, status=422)
    messages.success(request, _("Interviewers saved."))
    return redirect("team:candidate", slug=_slug(request), candidate_id=found.pk)


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def candidate_scorecard(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Submit one's own scorecard for the candidate (interviewers only)."""
    actor = _actor(request)
    found = svc.access_candidate(actor, candidate_id)
    criteria = list(found.opening.criteria.all())
    form = EvaluationForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            svc.evaluation_submit(
                actor=actor,
                candidate=found,
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
                recommendation=form.cleaned_data["recommendation"],
                exercise=form.cleaned_data["exercise"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your scorecard is submitted."))
            return redirect("team:candidate", slug=_slug(request), candidate_id=found.pk)
    return _candidate_page(request, found, evaluation_form=form, status=422)


@workspace_view(Perm.HIRE)
@require_POST
def candidate_delete(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Delete the candidate's data on request."""
    actor = _actor(request)
    found = svc.access_candidate(actor, candidate_id)
    opening_id = found.opening_id
    svc.candidate_delete(actor=actor, candidate=found)
    messages.success(request, _("The candidate's data is deleted."))
    return redirect("team:opening", slug=_slug(request), opening_id=opening_id)
