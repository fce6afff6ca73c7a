"""The A/B test pages: the list, planning a test (with its sample size live), a test's
results and decision, start and stop."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.analytics import charts
from roost.channels.selectors import channels_for_compose
from roost.core.exceptions import Conflict, RoostError, ValidationFailed
from roost.http.forms import apply_error
from roost.paid.experiment_forms import ExperimentForm, StartForm
from roost.paid.models import AdAccount, AdSource, Experiment, ExperimentStatus
from roost.paid.services import experiment_data
from roost.paid.services.experiments import (
    access_experiment,
    experiment_create,
    experiment_start,
    experiment_stop,
    planned_sample,
)
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

PLAN_FIELDS = {
    "baseline_rate": "baseline_pct",
    "min_effect": "min_effect_pct",
    "ad_account_id": "ad_account",
    "channel_id": "channel",
}
LIST_MAX = 200


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _form_errors(exc: ValidationFailed) -> ValidationFailed:
    """The service's field names, as the form calls them."""
    return ValidationFailed({PLAN_FIELDS.get(k, k): v for k, v in exc.errors.items()})


def _accounts(request: HttpRequest) -> list[tuple[int, str]]:
    found = AdAccount.objects.filter(
        workspace_id=_actor(request).workspace_id, source=AdSource.SANDBOX, channel__isnull=False
    )
    return [(a.pk, str(a)) for a in found]


def _plan(form: ExperimentForm) -> dict[str, Any]:
    """The sample size the form's numbers call for, or the reason there is none."""
    numbers = form.plan_numbers()
    if numbers is None:
        return {"asked": False}
    try:
        per_variant = planned_sample(**numbers)
    except ValidationFailed as exc:
        return {"asked": True, "error": " ".join(m for ms in exc.errors.values() for m in ms)}
    return {
        "asked": True,
        "per_variant": per_variant,
        "variants": numbers["variants"],
        "total": per_variant * numbers["variants"],
    }


@workspace_view(Perm.VIEW_PAID)
@require_safe
def experiments(request: HttpRequest) -> HttpResponse:
    """Every A/B test of the workspace, newest first."""
    found = Experiment.objects.filter(workspace_id=_actor(request).workspace_id).select_related(
        "ad_account"
    )[:LIST_MAX]
    context = {
        "area": "paid",
        "here": "experiments",
        "experiments": found,
        "may_manage": _actor(request).has_perm(Perm.MANAGE_BUDGETS),
    }
    return render(request, "paid/experiments.html", context)


@workspace_view(Perm.MANAGE_BUDGETS)
def experiment_new(request: HttpRequest) -> HttpResponse:
    """Plan a test; "Show the sample size" works without script, htmx updates it live."""
    actor = _actor(request)
    status = 200
    if request.method == "POST":
        form = ExperimentForm(request.POST, accounts=_accounts(request))
        valid = form.is_valid()
        if valid and "plan" not in request.POST:
            try:
                saved = experiment_create(actor=actor, data=form.to_input())
            except ValidationFailed as exc:
                apply_error(form, _form_errors(exc))
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("A/B test planned. Start it when you are ready."))
                return redirect(
                    "paid:experiment", slug=actor.workspace.slug, experiment_id=saved.pk
                )
            status = 422
        elif not valid:
            status = 422
    else:
        form = ExperimentForm(accounts=_accounts(request))
    context = {"area": "paid", "here": "experiment_new", "form": form, "plan": _plan(form)}
    return render(request, "paid/experiment_form.html", context, status=status)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def experiment_plan(request: HttpRequest) -> HttpResponse:
    """The live sample size (htmx): the form's planning numbers → trials per version."""
    form = ExperimentForm(request.POST, accounts=_accounts(request))
    form.is_valid()
    return render(request, "paid/experiment_form.html#plan", {"plan": _plan(form)})


def _chart(experiment: Experiment) -> charts.Chart:
    days = experiment_data.experiment_days(experiment)
    xs = sorted({d.day for d in days})
    labels = sorted({d.label for d in days})
    rate = {(d.label, d.day): (d.successes / d.trials if d.trials else None) for d in days}
    return charts.line_chart(
        chart_id="chart-experiment",
        title=_("Rate per day and version"),
        x_label=_("Day"),
        xs=xs,
        series=[
            charts.Series(
                _("Version %(label)s") % {"label": label},
                [None if rate.get((label, x)) is None else 100 * rate[(label, x)] for x in xs],  # type: ignore[operator]
            )
            for label in labels
        ],
        fmt=lambda v: "–" if v is None else f"{v:.2f}%",
        area=False,
        integer=False,
    )


def _pct(share: float) -> str:
    """A share as the form asked for it: 0.02 → "2%", 0.025 → "2.5%"."""
    return f"{round(100 * share, 4):g}%"


def _detail(
    request: HttpRequest, experiment: Experiment, start_form: StartForm | None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    arms, decision = experiment_data.experiment_results(experiment)
    channels = [(c.pk, c.name) for c in channels_for_compose(actor)]
    if start_form is None:
        start_form = StartForm(channels=channels)
    context = {
        "area": "paid",
        "here": "experiments",
        "experiment": experiment,
        "variants": list(experiment.variants.select_related("post")),
        "arms": [
            {"arm": a, "rate": f"{100 * a.successes / a.trials:.2f}%" if a.trials else "–"}
            for a in arms
        ],
        "decision": decision,
        # The plan in the form's own terms (percentages), not as stored (shares).
        "plan_pct": {
            "baseline": _pct(experiment.baseline_rate),
            "lift": _pct(experiment.min_effect),
            "alpha": _pct(experiment.alpha),
            "power": _pct(experiment.power),
        },
        "recorded": experiment.decision,
        "progress_pct": min(100.0, 100 * decision.progress),
        "chart": _chart(experiment),
        "start_form": start_form,
        "may_manage": actor.has_perm(Perm.MANAGE_BUDGETS),
        "is_draft": experiment.status == ExperimentStatus.DRAFT,
        "is_open": experiment.status in (ExperimentStatus.DRAFT, ExperimentStatus.RUNNING),
    }
    return render(request, "paid/experiment.html", context, status=status)


@workspace_view(Perm.VIEW_PAID)
@require_safe
def experiment(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """One test: counts and rates per version, each comparison, progress, the decision."""
    return _detail(request, access_experiment(_actor(request), experiment_id), None)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def experiment_start_view(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """Start a planned test (organic: its posts are scheduled; paid: the split is created)."""
    actor = _actor(request)
    found = access_experiment(actor, experiment_id, Perm.MANAGE_BUDGETS)
    channels = [(c.pk, c.name) for c in channels_for_compose(actor)]
    form = StartForm(request.POST, channels=channels)
    if form.is_valid():
        try:
            experiment_start(actor=actor, experiment=found, data=form.to_input())
        except ValidationFailed as exc:
            apply_error(form, _form_errors(exc))
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("A/B test started."))
            return redirect("paid:experiment", slug=actor.workspace.slug, experiment_id=found.pk)
    found.refresh_from_db()
    return _detail(request, found, form, status=422)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def experiment_stop_view(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """Stop a test by hand, without a decision."""
    actor = _actor(request)
    found = access_experiment(actor, experiment_id, Perm.MANAGE_BUDGETS)
    try:
        experiment_stop(actor=actor, experiment=found)
    except Conflict as exc:  # it ended meanwhile (decided, or stopped in another tab)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A/B test stopped."))
    return redirect("paid:experiment", slug=actor.workspace.slug, experiment_id=found.pk)
