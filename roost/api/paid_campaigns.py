"""Paid campaigns with their pacing and metrics, budget planning, and the paid settings
and conversion rates — the same services as the pages (docs/paid.md)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.paid import planning
from roost.paid.metrics import Totals, totals_by_campaign
from roost.paid.models import AdAccount, CurrencyRate, Objective, PaidCampaign
from roost.paid.money import paid_settings
from roost.paid.pacing import Pacing, pacing_many
from roost.paid.services import settings as settings_services
from roost.paid.services.campaigns import (
    BUDGET_MAX,
    PaidCampaignInput,
    access_paid_campaign,
    paid_campaign_create,
    paid_campaign_update,
)
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["paid"])
READ, WRITE = ApiScope.READ, ApiScope.PAID_WRITE
VIEW, MANAGE = Perm.VIEW_PAID, Perm.MANAGE_BUDGETS
OBJECTIVES: list[Any] = list(Objective.values)
UNITS: list[Any] = list(planning.UNITS)


def _in_range(value: date) -> date:
    if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("Use a day from 2000-01-01 to 2100-12-31.")
    return value


Day = Annotated[date, AfterValidator(_in_range)]
Amount = Annotated[Decimal, Field(gt=0, le=BUDGET_MAX, max_digits=14, decimal_places=2)]


class PaidCampaignIn(Schema):
    ad_account: Id
    name: str = Field(min_length=1, max_length=200)
    objective: str = Field(default="traffic", json_schema_extra={"enum": OBJECTIVES})
    total_budget: Amount | None = Field(default=None, description="In the account's currency")
    daily_budget: Amount | None = None
    starts_on: Day
    ends_on: Day
    campaign: Id | None = Field(default=None, description="The organic campaign")
    external_id: str = Field(default="", max_length=200)


class PaidPacingOut(Schema):
    state: str = Field(description="on_pace, under, over, not_started, ended, no_budget")
    budget: str | None
    flight_days: int
    elapsed_days: int
    expected: str
    actual: str = Field(description="Spend to date, through yesterday")
    run_rate: str
    forecast: str
    forecast_low: str
    forecast_high: str
    projected: str | None = Field(description="forecast − budget: > 0 over, < 0 under")


class PaidMetricsOut(Schema):
    spend: str
    impressions: int
    clicks: int
    conversions: str
    conversion_value: str
    cpm: str | None = Field(description="spend ÷ impressions × 1000; null: no impressions")
    cpc: str | None
    ctr: str | None = Field(description="Per cent")
    cpa: str | None
    roas: str | None


class PaidCampaignOut(Schema):
    id: int
    ad_account: int
    currency: str
    name: str
    objective: str
    total_budget: str | None
    daily_budget: str | None
    starts_on: date | None
    ends_on: date | None
    campaign: int | None
    external_id: str
    pacing: PaidPacingOut
    metrics: PaidMetricsOut


class PaidPlanningQuery(Schema):
    ad_account: Id
    goal: int = Field(ge=1, le=10**12)
    unit: str = Field(json_schema_extra={"enum": UNITS})
    objective: str = Field(default="", json_schema_extra={"enum": ["", *OBJECTIVES]})


class PaidEstimateOut(Schema):
    unit: str
    goal: int
    currency: str
    enough: bool
    missing: list[str] = Field(description="Why there is not enough data")
    days_with_spend: int
    spend: str
    units: str
    cost_name: str
    cost: str | None
    cost_low: str | None
    cost_high: str | None
    budget: str | None
    budget_low: str | None
    budget_high: str | None


class PaidSettingsIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    approval_threshold: Annotated[
        Decimal, Field(ge=0, le=BUDGET_MAX, max_digits=14, decimal_places=2)
    ]


class PaidRateIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    rate: Annotated[Decimal, Field(gt=0, le=Decimal("9999999999"), max_digits=18, decimal_places=8)]


class PaidRateOut(Schema):
    currency: str
    rate: str = Field(description="1 unit = rate × the reporting currency")


class PaidSettingsOut(Schema):
    currency: str
    approval_threshold: str
    rates: list[PaidRateOut]


class PaidRateQuery(Schema):
    currency: str = Field(min_length=3, max_length=3)


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _today(actor: Membership) -> date:
    return clock.now().astimezone(actor.workspace.tzinfo).date()


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _pacing(p: Pacing) -> dict[str, Any]:
    return {
        "state": str(p.state),
        "budget": _s(p.budget),
        "flight_days": p.flight_days,
        "elapsed_days": p.elapsed_days,
        "expected": str(p.expected),
        "actual": str(p.actual),
        "run_rate": str(p.run_rate),
        "forecast": str(p.forecast),
        "forecast_low": str(p.forecast_low),
        "forecast_high": str(p.forecast_high),
        "projected": _s(p.projected),
    }


def _metrics(t: Totals) -> dict[str, Any]:
    return {
        "spend": str(t.spend),
        "impressions": t.impressions,
        "clicks": t.clicks,
        "conversions": str(t.conversions),
        "conversion_value": str(t.conversion_value),
        "cpm": _s(t.cpm),
        "cpc": _s(t.cpc),
        "ctr": _s(t.ctr),
        "cpa": _s(t.cpa),
        "roas": _s(t.roas),
    }


def _outs(campaigns: list[PaidCampaign], today: date) -> list[dict[str, Any]]:
    paces = pacing_many(campaigns, today)
    sums = totals_by_campaign([c.pk for c in campaigns])
    return [
        {
            "id": c.pk,
            "ad_account": c.ad_account_id,
            "currency": c.ad_account.currency,
            "name": c.name,
            "objective": c.objective,
            "total_budget": _s(c.total_budget),
            "daily_budget": _s(c.daily_budget),
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "campaign": c.campaign_id,
            "external_id": c.external_id,
            "pacing": _pacing(paces[c.pk]),
            "metrics": _metrics(sums.get(c.pk, Totals())),
        }
        for c in campaigns
    ]


def _input(payload: PaidCampaignIn) -> PaidCampaignInput:
    return PaidCampaignInput(
        ad_account_id=payload.ad_account,
        name=payload.name,
        objective=payload.objective,
        total_budget=payload.total_budget,
        daily_budget=payload.daily_budget,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        campaign_id=payload.campaign,
        external_id=payload.external_id,
    )


def _one(actor: Membership, campaign: PaidCampaign) -> dict[str, Any]:
    fresh = access_paid_campaign(actor, campaign.pk)
    return _outs([fresh], _today(actor))[0]


@router.get(
    "/{slug}/paid/campaigns",
    response=responses({200: list[PaidCampaignOut]}),
    auth=access(VIEW, READ),
    summary="Paid campaigns with their pacing and metrics",
)
def campaign_list(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    found = list(
        PaidCampaign.objects.filter(workspace_id=actor.workspace_id)
        .select_related("ad_account")
        .order_by("pk")
    )
    return _outs(found, _today(actor))


@router.post(
    "/{slug}/paid/campaigns",
    response=responses({201: PaidCampaignOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Plan a paid campaign (budgets in the ad account's currency)",
)
@idempotent
def campaign_post(request: HttpRequest, slug: str, payload: PaidCampaignIn) -> Any:
    actor = _actor(request)
    return Status(201, _one(actor, paid_campaign_create(actor=actor, data=_input(payload))))


@router.get(
    "/{slug}/paid/campaigns/{paid_campaign_id}",
    response=responses({200: PaidCampaignOut}),
    auth=access(VIEW, READ),
    summary="One paid campaign with its pacing and metrics",
)
def campaign_get(request: HttpRequest, slug: str, paid_campaign_id: Id) -> Any:
    actor = _actor(request)
    return _outs([access_paid_campaign(actor, paid_campaign_id)], _today(actor))[0]


@router.put(
    "/{slug}/paid/campaigns/{paid_campaign_id}",
    response=responses({200: PaidCampaignOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Change a paid campaign's plan",
)
def campaign_put(
    request: HttpRequest, slug: str, paid_campaign_id: Id, payload: PaidCampaignIn
) -> Any:
    actor = _actor(request)
    found = access_paid_campaign(actor, paid_campaign_id, MANAGE)
    return _one(actor, paid_campaign_update(actor=actor, campaign=found, data=_input(payload)))


@router.get(
    "/{slug}/paid/planning",
    response=responses({200: PaidEstimateOut}),
    auth=access(VIEW, READ),
    summary="What budget reaches a goal, from the account's own history (with an interval)",
)
def planning_get(request: HttpRequest, slug: str, q: Query[PaidPlanningQuery]) -> Any:
    actor = _actor(request)
    account = AdAccount.objects.filter(workspace_id=actor.workspace_id, pk=q.ad_account).first()
    if account is None:
        raise ValidationFailed({"ad_account": ["No such ad account in this workspace."]})
    if q.unit not in planning.UNITS or (q.objective and q.objective not in Objective.values):
        raise ValidationFailed({"unit": ["Choose impressions, clicks or conversions."]})
    e = planning.estimate(
        account, goal=q.goal, unit=q.unit, today=_today(actor), objective=q.objective
    )
    return {
        "unit": e.unit,
        "goal": e.goal,
        "currency": e.currency,
        "enough": e.enough,
        "missing": e.missing,
        "days_with_spend": e.days_with_spend,
        "spend": str(e.spend),
        "units": str(e.units.normalize()),
        "cost_name": e.cost_name,
        "cost": _s(e.cost),
        "cost_low": _s(e.cost_low),
        "cost_high": _s(e.cost_high),
        "budget": _s(e.budget),
        "budget_low": _s(e.budget_low),
        "budget_high": _s(e.budget_high),
    }


def _settings_out(actor: Membership) -> dict[str, Any]:
    s = paid_settings(actor.workspace)
    rates = CurrencyRate.objects.filter(workspace_id=actor.workspace_id).order_by("currency")
    return {
        "currency": s.currency,
        "approval_threshold": str(s.approval_threshold),
        "rates": [{"currency": r.currency, "rate": str(r.rate.normalize())} for r in rates],
    }


@router.get(
    "/{slug}/paid/settings",
    response=responses({200: PaidSettingsOut}),
    auth=access(VIEW, READ),
    summary="The reporting currency, the boost approval threshold and the conversion rates",
)
def settings_get(request: HttpRequest, slug: str) -> Any:
    return _settings_out(_actor(request))


@router.put(
    "/{slug}/paid/settings",
    response=responses({200: PaidSettingsOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Set the reporting currency and the boost approval threshold",
)
def settings_put(request: HttpRequest, slug: str, payload: PaidSettingsIn) -> Any:
    actor = _actor(request)
    settings_services.paid_settings_save(
        actor=actor, currency=payload.currency, approval_threshold=payload.approval_threshold
    )
    return _settings_out(actor)


@router.put(
    "/{slug}/paid/rates",
    response=responses({200: PaidSettingsOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Set one currency's rate: 1 unit = rate × the reporting currency",
)
def rate_put(request: HttpRequest, slug: str, payload: PaidRateIn) -> Any:
    actor = _actor(request)
    settings_services.currency_rate_set(actor=actor, currency=payload.currency, rate=payload.rate)
    return _settings_out(actor)


@router.delete(
    "/{slug}/paid/rates",
    response=responses({200: PaidSettingsOut}, write=True),
    auth=access(MANAGE, WRITE),
    summary="Forget a currency's rate (its spend is left out of totals again, and named)",
)
def rate_delete(request: HttpRequest, slug: str, q: Query[PaidRateQuery]) -> Any:
    actor = _actor(request)
    settings_services.currency_rate_delete(actor=actor, currency=q.currency)
    return _settings_out(actor)
