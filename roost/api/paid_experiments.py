"""A/B tests: plan one (with the sample each version needs), list them, read one with its
counts, comparisons and decision, start and stop it."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.core.exceptions import PermissionDenied
from roost.paid.models import Experiment, ExperimentKind, ExperimentMetric
from roost.paid.services import experiment_data
from roost.paid.services.experiments import (
    BUDGET_MAX,
    DAYS_MAX,
    HYPOTHESIS_MAX,
    MAX_VARIANTS,
    NAME_MAX,
    TEXT_MAX,
    ExperimentInput,
    StartInput,
    access_experiment,
    experiment_create,
    experiment_start,
    experiment_stop,
)
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["paid"])
READ, WRITE = ApiScope.READ, ApiScope.PAID_WRITE
VIEW, MANAGE = Perm.VIEW_PAID, Perm.MANAGE_BUDGETS
KINDS: list[Any] = list(ExperimentKind.values)
METRICS: list[Any] = list(ExperimentMetric.values)
LIST_MAX = 500


class ExperimentIn(Schema):
    name: str = Field(max_length=NAME_MAX)
    kind: str = Field(json_schema_extra={"enum": KINDS})
    metric: str = Field(json_schema_extra={"enum": METRICS})
    hypothesis: str = Field(default="", max_length=HYPOTHESIS_MAX)
    variants: list[Annotated[str, Field(max_length=TEXT_MAX)]] = Field(
        min_length=1,
        max_length=MAX_VARIANTS + 1,
        description="2–5 texts; the first is the control (A)",
    )
    baseline_rate: float = Field(ge=0, le=1, description="Today's rate, a share (0.02 = 2%)")
    min_effect: float = Field(ge=0, le=100, description="Smallest relative lift (0.2 = +20%)")
    alpha: float = Field(default=0.05, ge=0, le=1)
    power: float = Field(default=0.8, ge=0, le=1)
    ad_account: Id | None = Field(default=None, description="Paid tests: a Sandbox Ads account")


class ExperimentStartIn(Schema):
    channel: Id | None = Field(default=None, description="Organic: the channel to post on")
    first_at: Moment | None = Field(
        default=None,
        description="Organic: the first version's time; a time without zone is the channel's",
    )
    budget: Decimal | None = Field(
        default=None,
        ge=0,
        le=BUDGET_MAX,
        max_digits=12,
        description="Paid: in the account's currency",
    )
    days: int | None = Field(default=None, ge=0, le=DAYS_MAX * 10)
    countries: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list, max_length=60, description="Paid: two-letter codes"
    )


class ExperimentVariantOut(Schema):
    label: str
    text: str
    post: int | None
    remote_id: str
    trials: int
    successes: int
    rate: float | None


class ExperimentComparisonOut(Schema):
    label: str
    control: str
    rate_control: float
    rate_variant: float
    effect: float = Field(description="Absolute difference of the rates")
    relative_effect: float | None
    interval: list[float] = Field(description="Always-valid interval of the effect [lo, hi]")
    p_value: float = Field(description="Always-valid p-value")
    significant: bool


class ExperimentDecisionOut(Schema):
    status: str = Field(description="collecting, winner, no_difference or too_little_data")
    winner: str | None
    alpha: float
    alpha_per_comparison: float
    rule: str
    progress: float = Field(description="Smallest version's trials ÷ the planned sample")
    comparisons: list[ExperimentComparisonOut]


class ExperimentOut(Schema):
    id: int
    name: str
    kind: str
    metric: str
    hypothesis: str
    status: str
    baseline_rate: float
    min_effect: float
    alpha: float
    power: float
    planned_per_variant: int | None
    ad_account: int | None
    paid_campaign: int | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    recorded_decision: dict[str, Any] = Field(description="The decision once recorded; {} before")


class ExperimentDetailOut(ExperimentOut):
    variants: list[ExperimentVariantOut]
    decision: ExperimentDecisionOut = Field(
        description="What the stated rule says from the counts now"
    )


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _out(e: Experiment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "kind": e.kind,
        "metric": e.metric,
        "hypothesis": e.hypothesis,
        "status": e.status,
        "baseline_rate": e.baseline_rate,
        "min_effect": e.min_effect,
        "alpha": e.alpha,
        "power": e.power,
        "planned_per_variant": e.planned_per_variant,
        "ad_account": e.ad_account_id,
        "paid_campaign": e.paid_campaign_id,
        "created_at": e.created_at,
        "started_at": e.started_at,
        "ended_at": e.ended_at,
        "recorded_decision": e.decision or {},
    }


def _detail(e: Experiment) -> dict[str, Any]:
    arms, decision = experiment_data.experiment_results(e)
    counts = {a.label: a for a in arms}
    variants = []
    for v in e.variants.all():
        arm = counts[v.label]
        variants.append(
            {
                "label": v.label,
                "text": v.text,
                "post": v.post_id,
                "remote_id": v.remote_id,
                "trials": arm.trials,
                "successes": arm.successes,
                "rate": arm.successes / arm.trials if arm.trials else None,
            }
        )
    return {
        **_out(e),
        "variants": variants,
        "decision": {
            "status": decision.status,
            "winner": decision.winner,
            "alpha": float(decision.alpha),
            "alpha_per_comparison": float(decision.alpha_per_comparison),
            "rule": decision.rule,
            "progress": float(decision.progress),
            "comparisons": [
                {**c, "p_value": c["p"]}
                for c in experiment_data.decision_json(decision)["comparisons"]
            ],
        },
    }


@router.get(
    "/{slug}/paid/experiments",
    response=responses({200: list[ExperimentOut]}),
    auth=access(VIEW, READ),
    summary="The workspace's A/B tests, newest first",
)
def experiment_list(request: HttpRequest, slug: str) -> Any:
    found = Experiment.objects.filter(workspace_id=_actor(request).workspace_id)[:LIST_MAX]
    return [_out(e) for e in found]


@router.post(
    "/{slug}/paid/experiments",
    response=responses({201: ExperimentDetailOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Plan an A/B test (a draft); 422 names what is wrong with the plan",
)
@idempotent
def experiment_post(request: HttpRequest, slug: str, payload: ExperimentIn) -> Any:
    experiment = experiment_create(
        actor=_actor(request),
        data=ExperimentInput(
            name=payload.name,
            kind=payload.kind,
            metric=payload.metric,
            hypothesis=payload.hypothesis,
            variants=list(payload.variants),
            baseline_rate=payload.baseline_rate,
            min_effect=payload.min_effect,
            alpha=payload.alpha,
            power=payload.power,
            ad_account_id=payload.ad_account,
        ),
    )
    return Status(201, _detail(experiment))


@router.get(
    "/{slug}/paid/experiments/{experiment_id}",
    response=responses({200: ExperimentDetailOut}),
    auth=access(VIEW, READ),
    summary="One A/B test: counts per version, comparisons and the decision",
)
def experiment_get(request: HttpRequest, slug: str, experiment_id: Id) -> Any:
    return _detail(access_experiment(_actor(request), experiment_id))


@router.post(
    "/{slug}/paid/experiments/{experiment_id}/start",
    response=responses({200: ExperimentDetailOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Start a planned test (organic: posts at matched times; paid: needs paid:spend)",
)
@idempotent
def experiment_start_post(
    request: HttpRequest, slug: str, experiment_id: Id, payload: ExperimentStartIn
) -> Any:
    actor = _actor(request)
    experiment = access_experiment(actor, experiment_id, MANAGE)
    token = getattr(request, "api_token", None)
    scopes = token.scopes if token is not None else [ApiScope.SPEND.value]
    if experiment.kind == ExperimentKind.PAID and ApiScope.SPEND.value not in scopes:
        raise PermissionDenied(_("Starting a paid test spends money: the token needs paid:spend."))
    started = experiment_start(
        actor=actor,
        experiment=experiment,
        data=StartInput(
            channel_id=payload.channel,
            first_at=payload.first_at,
            budget=payload.budget,
            days=payload.days,
            countries=list(payload.countries),
        ),
    )
    return _detail(started)


@router.post(
    "/{slug}/paid/experiments/{experiment_id}/stop",
    response=responses({200: ExperimentDetailOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Stop a test by hand, without a decision",
)
@idempotent
def experiment_stop_post(request: HttpRequest, slug: str, experiment_id: Id) -> Any:
    actor = _actor(request)
    experiment = access_experiment(actor, experiment_id, MANAGE)
    return _detail(experiment_stop(actor=actor, experiment=experiment))
