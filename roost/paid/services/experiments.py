"""A/B tests: plan (MANAGE_BUDGETS), start, stop, and fetch-and-authorize.

Organic tests put each version on one channel at the same local hour on consecutive days,
the order of the days drawn at random when the test starts (docs/experiments.md says
why); the posts go through publishing's compose, so approvals and the crisis switch apply.
Paid tests become one split test on the Sandbox Ads, created by a task after commit with a
key that stays the same across every try (roost/paid/services/experiment_data.py)."""

from __future__ import annotations

import random
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from roost.channels.selectors import channels_for_compose
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, ValidationFailed
from roost.core.validation import check_moment
from roost.paid import stats
from roost.paid.currencies import normalize
from roost.paid.models import (
    AdAccount,
    AdSource,
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    ExperimentStatus,
    Objective,
    PaidCampaign,
    Variant,
)
from roost.publishing.models import Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.scheduling import post_cancel
from roost.publishing.services.times import localize
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

NAME_MAX = 200
TEXT_MAX = 5000
HYPOTHESIS_MAX = 2000
MIN_VARIANTS, MAX_VARIANTS = 2, 5
LABELS = "ABCDE"
BUDGET_MAX = Decimal("1000000")
DAYS_MAX = 90
# Organic tests measure what a post's own counts give; conversions need the ad network.
ORGANIC_METRICS = (ExperimentMetric.CTR, ExperimentMetric.ENGAGEMENT_RATE)
PAID_METRICS = (ExperimentMetric.CTR, ExperimentMetric.CONVERSION_RATE)
_KEYS = uuid.UUID("6d1b1f0e-5a43-4c1e-9d7e-3f1e0a7b2c14")


@dataclass(frozen=True)
class ExperimentInput:
    name: str
    kind: str
    metric: str
    variants: list[str]
    hypothesis: str = ""
    baseline_rate: float = 0.02
    min_effect: float = 0.2
    alpha: float = 0.05
    power: float = 0.8
    ad_account_id: int | None = None  # paid only


@dataclass(frozen=True)
class StartInput:
    """Organic: the channel and the first post's time. Paid: budget, days and audience."""

    channel_id: int | None = None
    first_at: datetime | None = None
    budget: Decimal | None = None
    days: int | None = None
    countries: list[str] = field(default_factory=list)


def planned_sample(
    *, baseline_rate: float, min_effect: float, alpha: float, power: float, variants: int
) -> int:
    """Trials each variant needs (stats.sample_size); ValidationFailed for a plan it refuses."""
    errors: dict[str, list[str]] = {}
    if not 0 < baseline_rate < 1:
        errors["baseline_rate"] = [_("The baseline rate is a share between 0 and 1, e.g. 0.02.")]
    if not 0.01 <= min_effect <= 10:
        errors["min_effect"] = [
            _("The smallest lift worth detecting is between 0.01 (1%) and 10 (1000%).")
        ]
    elif 0 < baseline_rate < 1 and baseline_rate * min_effect < stats.MIN_ABSOLUTE_EFFECT:
        errors["min_effect"] = [_("A lift this small on this rate cannot be detected.")]
    elif 0 < baseline_rate < 1 and baseline_rate * (1 + min_effect) >= 1:
        errors["min_effect"] = [_("With this lift the rate would reach 100%; choose less.")]
    if not 0.001 <= alpha <= 0.2:
        errors["alpha"] = [_("The false-positive rate is between 0.001 and 0.2.")]
    if not 0.5 <= power <= 0.99:
        errors["power"] = [_("The power is between 0.5 and 0.99.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        return stats.sample_size(
            baseline=baseline_rate,
            min_effect=min_effect,
            alpha=alpha,
            power=power,
            variants=variants,
        )
    except ValueError as exc:
        raise ValidationFailed({"min_effect": [str(exc)]}) from None


def _validated(actor: Membership, data: ExperimentInput) -> tuple[dict[str, object], list[str]]:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = [_("Give the test a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    if len(data.hypothesis) > HYPOTHESIS_MAX:
        errors["hypothesis"] = [_("At most %(n)d characters.") % {"n": HYPOTHESIS_MAX}]
    account = None
    if data.kind == ExperimentKind.ORGANIC:
        if data.metric not in ORGANIC_METRICS:
            errors["metric"] = [_("An organic test measures click-through or engagement rate.")]
    elif data.kind == ExperimentKind.PAID:
        if data.metric not in PAID_METRICS:
            errors["metric"] = [_("A paid test measures click-through or conversion rate.")]
        account = AdAccount.objects.filter(
            workspace_id=actor.workspace_id, pk=data.ad_account_id or 0
        ).first()
        if account is None:
            errors["ad_account_id"] = [_("Choose an ad account of this workspace.")]
        elif account.source != AdSource.SANDBOX or account.channel_id is None:
            errors["ad_account_id"] = [
                _("Split tests run on the Sandbox Ads; %(account)s only imports figures.")
                % {"account": account.name}
            ]
    else:
        errors["kind"] = [_("Choose organic or paid.")]
    texts = [t.strip() for t in data.variants]
    while texts and not texts[-1]:  # empty trailing boxes of the form
        texts.pop()
    if not MIN_VARIANTS <= len(texts) <= MAX_VARIANTS:
        errors["variants"] = [
            _("Write between %(lo)d and %(hi)d versions.")
            % {"lo": MIN_VARIANTS, "hi": MAX_VARIANTS}
        ]
    elif any(not t for t in texts):
        errors["variants"] = [_("Version %(label)s is empty.") % {"label": LABELS[texts.index("")]}]
    elif any(len(t) > TEXT_MAX for t in texts):
        errors["variants"] = [_("Each version has at most %(n)d characters.") % {"n": TEXT_MAX}]
    elif len(set(texts)) != len(texts):
        errors["variants"] = [_("Two versions are the same; an A/B test compares different ones.")]
    try:
        planned = planned_sample(
            baseline_rate=data.baseline_rate,
            min_effect=data.min_effect,
            alpha=data.alpha,
            power=data.power,
            variants=max(len(texts), MIN_VARIANTS),
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
        planned = 0
    if errors:
        raise ValidationFailed(errors)
    fields: dict[str, object] = {
        "name": name,
        "kind": data.kind,
        "metric": data.metric,
        "hypothesis": data.hypothesis.strip(),
        "baseline_rate": data.baseline_rate,
        "min_effect": data.min_effect,
        "alpha": data.alpha,
        "power": data.power,
        "planned_per_variant": planned,
        "ad_account": account,
    }
    return fields, texts


@transaction.atomic
def experiment_create(*, actor: Membership, data: ExperimentInput) -> Experiment:
    """A planned test (a draft) with its versions A, B, … and the sample each one needs."""
    require(actor, Perm.MANAGE_BUDGETS)
    fields, texts = _validated(actor, data)
    experiment = Experiment.objects.create(
        workspace_id=actor.workspace_id, created_by=actor.user, **fields
    )
    Variant.objects.bulk_create(
        Variant(experiment=experiment, label=LABELS[i], text=text) for i, text in enumerate(texts)
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="experiment.created",
        target=experiment,
        name=experiment.name,
        kind=experiment.kind,
        variants=len(texts),
        planned_per_variant=experiment.planned_per_variant,
    )
    return experiment


def split_key(experiment: Experiment) -> str:
    """The split test's idempotency key: the same for every try of this experiment."""
    return str(uuid.uuid5(_KEYS, f"{experiment.pk}:{experiment.created_at.isoformat()}"))


def matched_times(first: datetime, count: int) -> list[datetime]:
    """`count` wall-clock times at `first`'s hour on consecutive days (naive: publishing
    reads them in the channel's zone, so the hour holds across a change of summer time)."""
    return [first + timedelta(days=i) for i in range(count)]


def _as_wall(at: datetime, tz_name: str) -> datetime:
    return at.astimezone(zoneinfo.ZoneInfo(tz_name)).replace(tzinfo=None) if at.tzinfo else at


def _renamed(exc: ValidationFailed) -> ValidationFailed:
    """Publishing names the time `scheduled_at`; here it is the first post's time."""
    return ValidationFailed(
        {("first_at" if k == "scheduled_at" else k): v for k, v in exc.errors.items()}
    )


def _claim(experiment: Experiment) -> None:
    claimed = Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.DRAFT).update(
        status=ExperimentStatus.RUNNING, started_at=clock.now()
    )
    if not claimed:
        raise Conflict(_("This test has already started or ended."))
    experiment.refresh_from_db()


def _start_organic(
    actor: Membership, experiment: Experiment, data: StartInput
) -> dict[str, object]:
    channel = channels_for_compose(actor).filter(pk=data.channel_id or 0).first()
    errors: dict[str, list[str]] = {}
    if channel is None:
        errors["channel_id"] = [_("Choose a channel you may publish to.")]
    if data.first_at is None:
        errors["first_at"] = [_("Choose when the first version goes out.")]
    if errors or channel is None or data.first_at is None:
        raise ValidationFailed(errors)
    try:
        check_moment(data.first_at, "first_at")
        first = _as_wall(data.first_at, channel.tz_name)
        if localize(first, channel.tz_name) <= clock.now():
            raise ValidationFailed({"first_at": [_("Choose a time in the future.")]})
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    variants = list(experiment.variants.all())
    times = matched_times(first, len(variants))
    random.SystemRandom().shuffle(times)  # which version goes out on which day
    _claim(experiment)
    planned: dict[str, str] = {}
    for variant, at in zip(variants, times, strict=True):
        try:
            post = post_compose(
                actor=actor,
                data=PostInput(text=variant.text, channel_ids=[channel.pk]),
                mode="at",
                at=at,
            )
        except ValidationFailed as exc:
            raise _renamed(exc) from None
        variant.post = post
        variant.save(update_fields=["post"])
        planned[variant.label] = at.isoformat()
    return {"channel": channel.pk, "times": planned}


def _start_paid(actor: Membership, experiment: Experiment, data: StartInput) -> dict[str, object]:
    require(actor, Perm.SPEND)
    account = experiment.ad_account
    errors: dict[str, list[str]] = {}
    if account is None:
        errors["ad_account_id"] = [_("The test's ad account is gone; plan a new test.")]
    if data.budget is None or not Decimal("1") <= data.budget <= BUDGET_MAX:
        errors["budget"] = [_("The budget is between 1 and %(max)s.") % {"max": BUDGET_MAX}]
    elif data.budget.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["budget"] = [_("The budget has at most two decimal places.")]
    if data.days is None or not 1 <= data.days <= DAYS_MAX:
        errors["days"] = [_("The test runs between 1 and %(max)d days.") % {"max": DAYS_MAX}]
    countries = [c.strip().upper() for c in data.countries if c.strip()]
    if any(len(c) != 2 or not c.isalpha() for c in countries) or len(countries) > 20:
        errors["countries"] = [_("Up to 20 countries as two-letter codes, e.g. PL, DE.")]
    if errors or account is None or data.budget is None or data.days is None:
        raise ValidationFailed(errors)
    _claim(experiment)
    today = clock.now().astimezone(experiment.workspace.tzinfo).date()
    campaign = PaidCampaign.objects.create(
        workspace_id=experiment.workspace_id,
        ad_account=account,
        name=(_("A/B test: %(name)s") % {"name": experiment.name})[:200],
        objective=Objective.TRAFFIC,
        total_budget=data.budget,
        starts_on=today,
        ends_on=today + timedelta(days=data.days - 1),
        created_by=actor.user,
    )
    experiment.paid_campaign = campaign
    experiment.save(update_fields=["paid_campaign"])
    from roost.paid.tasks import launch_split_test

    transaction.on_commit(partial(launch_split_test.enqueue, experiment.pk, countries))
    return {
        "budget": str(data.budget),
        "currency": normalize(account.currency) or account.currency,
        "days": data.days,
        "countries": countries,
    }


@transaction.atomic
def experiment_start(*, actor: Membership, experiment: Experiment, data: StartInput) -> Experiment:
    """Start a planned test: organic versions become scheduled posts at matched times; a
    paid one becomes a split test on the ad network (created by a task after commit)."""
    require(actor, Perm.MANAGE_BUDGETS)
    if experiment.workspace_id != actor.workspace_id:
        raise NotFound()
    if experiment.status != ExperimentStatus.DRAFT:
        raise Conflict(_("This test has already started or ended."))
    if experiment.kind == ExperimentKind.ORGANIC:
        plan = _start_organic(actor, experiment, data)
    else:
        plan = _start_paid(actor, experiment, data)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="experiment.started",
        target=experiment,
        name=experiment.name,
        kind=experiment.kind,
        plan=plan,
    )
    experiment.refresh_from_db()
    return experiment


@transaction.atomic
def experiment_stop(*, actor: Membership, experiment: Experiment) -> Experiment:
    """Stop a test by hand, without a decision; its organic posts not yet out are cancelled."""
    require(actor, Perm.MANAGE_BUDGETS)
    if experiment.workspace_id != actor.workspace_id:
        raise NotFound()
    stopped = Experiment.objects.filter(
        pk=experiment.pk, status__in=[ExperimentStatus.DRAFT, ExperimentStatus.RUNNING]
    ).update(status=ExperimentStatus.STOPPED, ended_at=clock.now())
    if not stopped:
        raise Conflict(_("This test has already ended."))
    cancelled = 0
    if actor.has_perm(Perm.COMPOSE):
        waiting = Post.objects.filter(
            pk__in=experiment.variants.values("post"),
            status__in=[PostStatus.SCHEDULED, PostStatus.IN_REVIEW],
        )
        for post in waiting:
            try:
                post_cancel(actor=actor, post=post)
            except Conflict:  # it started publishing meanwhile
                continue
            cancelled += 1
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="experiment.stopped",
        target=experiment,
        name=experiment.name,
        cancelled_posts=cancelled,
    )
    experiment.refresh_from_db()
    return experiment


def access_experiment(
    actor: Membership, experiment_id: int, perm: Perm = Perm.VIEW_PAID
) -> Experiment:
    """An experiment of the actor's workspace, checked for `perm`."""
    require(actor, perm)
    found = (
        Experiment.objects.filter(workspace_id=actor.workspace_id, pk=experiment_id)
        .select_related("workspace", "ad_account", "paid_campaign", "created_by")
        .first()
    )
    if found is None:
        raise NotFound(_("No such A/B test in this workspace."))
    return found
