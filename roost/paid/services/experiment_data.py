"""A/B tests' counts and decisions: organic counts from analytics, paid counts from the ad
network's per-ad insights, the split test's creation, and the decision, recorded once.

VariantDay holds, per version and day, the trials and successes of the test's metric:
click-through rate counts clicks of impressions, engagement rate engagements of
impressions, conversion rate conversions of clicks. Writing a day again replaces it (the
figures are totals of that day, or, organic, the post's latest counts on its day)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.analytics.models import PostMetrics
from roost.channels.services import channel_connector
from roost.core import clock
from roost.networks.base import AdInsight, AdsConnector, Outcome, SplitTestRequest
from roost.notifications.services import notify
from roost.paid import stats
from roost.paid.models import (
    AdAccount,
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    ExperimentStatus,
    Variant,
    VariantDay,
)
from roost.paid.services.experiments import split_key
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.paid.experiments")

# A split test left without a remote id this long after starting is launched again (the
# key makes the network return the first one if it was made).
LAUNCH_LEASE = timedelta(minutes=10)
DECIDING = {"winner", "no_difference"}


@dataclass(frozen=True)
class DayCount:
    label: str
    day: date
    trials: int
    successes: int


def _upsert(variant_id: int, day: date, trials: int, successes: int) -> None:
    successes = max(0, min(successes, trials))  # a rate never above 100%
    trials = max(0, trials)
    for _attempt in range(2):  # a concurrent writer may create the row first
        try:
            with transaction.atomic():
                VariantDay.objects.update_or_create(
                    variant_id=variant_id,
                    day=day,
                    defaults={"trials": trials, "successes": successes},
                )
            return
        except IntegrityError:
            continue


def organic_counts(metric: str, row: PostMetrics) -> tuple[int, int]:
    """(trials, successes) of a post's latest counts for the metric."""
    trials = row.impressions or 0
    if metric == ExperimentMetric.ENGAGEMENT_RATE:
        return trials, row.engagements
    clicks = row.clicks if row.clicks is not None else row.link_clicks
    return trials, clicks


def experiment_refresh_organic(experiment: Experiment) -> int:
    """Copy the versions' posts' counts from analytics into VariantDay; returns rows written."""
    variants = {v.post_id: v for v in experiment.variants.filter(post__isnull=False)}
    written = 0
    for row in PostMetrics.objects.filter(post_id__in=list(variants)):
        trials, successes = organic_counts(experiment.metric, row)
        _upsert(variants[row.post_id].pk, row.day, trials, successes)
        written += 1
    return written


def paid_counts(metric: str, insight: AdInsight) -> tuple[int, int]:
    """(trials, successes) of one ad's day for the metric."""
    if metric == ExperimentMetric.CONVERSION_RATE:
        return insight.clicks, int(Decimal(insight.conversions or "0"))
    return insight.impressions, insight.clicks


def on_ad_insights(account: AdAccount, insights: list[AdInsight]) -> None:
    """The sync's hook (registered in PaidConfig.ready)."""
    record_ad_insights(account, insights)


def record_ad_insights(account: AdAccount, insights: Sequence[AdInsight]) -> int:
    """Per-ad figures of this account's split tests become VariantDay; returns rows written."""
    by_ad = [i for i in insights if i.ad_id]
    if not by_ad:
        return 0
    variants = {
        v.remote_id: v
        for v in Variant.objects.filter(
            experiment__workspace_id=account.workspace_id,
            experiment__ad_account=account,
            remote_id__in={i.ad_id for i in by_ad},
        ).select_related("experiment")
    }
    written = 0
    for insight in by_ad:
        variant = variants.get(insight.ad_id)
        if variant is None:
            continue
        trials, successes = paid_counts(variant.experiment.metric, insight)
        _upsert(variant.pk, insight.day, trials, successes)
        written += 1
    return written


def launch_split_test(experiment_id: int, countries: Iterable[str] = ()) -> bool:
    """Create the paid test's split on the ad network (safe to run twice: the key is the
    same every time and the network makes one split per key). True when it exists now."""
    experiment = (
        Experiment.objects.filter(pk=experiment_id, kind=ExperimentKind.PAID)
        .select_related("ad_account__channel", "paid_campaign")
        .first()
    )
    if experiment is None or experiment.status != ExperimentStatus.RUNNING:
        return False
    if experiment.remote_id:
        return True
    account = experiment.ad_account
    campaign = experiment.paid_campaign
    if account is None or account.channel is None or campaign is None:
        return _fail(experiment, _("The test's ad account or its channel is gone."))
    days = ((campaign.ends_on or campaign.starts_on) - campaign.starts_on).days + 1  # type: ignore[operator]
    request = SplitTestRequest(
        idempotency_key=split_key(experiment),
        account_id=account.external_id,
        name=experiment.name,
        variants={v.label: v.text for v in experiment.variants.all()},
        budget=f"{campaign.total_budget:.2f}",
        days=days,
        audience={"locations": list(countries)} if countries else {},
    )
    with channel_connector(account.channel) as connector:
        if not isinstance(connector, AdsConnector):
            reason = _("%(channel)s cannot run ads.") % {"channel": account.channel.name}
            return _fail(experiment, reason)
        result, created = connector.create_split_test(request)
    if result.outcome in (Outcome.RETRYABLE, Outcome.RATE_LIMITED) or (result.ok and not created):
        log.warning("split test of experiment %s: %s; tried again later", experiment.pk, result)
        return False
    if not result.ok or created is None:
        return _fail(experiment, result.reason or _("The ad network refused the split test."))
    with transaction.atomic():
        if not Experiment.objects.filter(pk=experiment.pk, remote_id="").update(
            remote_id=created.remote_id
        ):
            return True  # another run wrote it first (the same split: same key)
        if campaign.external_id == "":
            type(campaign).objects.filter(pk=campaign.pk, external_id="").update(
                external_id=created.campaign_id
            )
        for variant in experiment.variants.all():
            ad_id = created.ad_ids.get(variant.label, "")
            Variant.objects.filter(pk=variant.pk).update(remote_id=ad_id)
    return True


def _fail(experiment: Experiment, reason: str) -> bool:
    Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.RUNNING).update(
        status=ExperimentStatus.STOPPED, ended_at=clock.now(), decision={"error": reason}
    )
    audit_record(
        workspace=experiment.workspace,
        actor=None,
        action="experiment.failed",
        target=experiment,
        name=experiment.name,
        reason=reason,
    )
    return False


def experiment_arms(experiment: Experiment) -> list[stats.Arm]:
    """Each version's summed counts, A (the control) first."""
    sums = dict(
        (row["variant_id"], (row["t"] or 0, row["s"] or 0))
        for row in VariantDay.objects.filter(variant__experiment=experiment)
        .values("variant_id")
        .annotate(t=Sum("trials"), s=Sum("successes"))
    )
    arms = []
    for v in experiment.variants.order_by("label"):
        trials, successes = sums.get(v.pk, (0, 0))
        arms.append(stats.Arm(label=v.label, trials=trials, successes=successes))
    return arms


def experiment_history(experiment: Experiment) -> list[list[stats.Arm]]:
    """The cumulative counts at the end of each earlier day (one look a day), oldest first:
    the always-valid p is the smallest over the looks, the interval their intersection."""
    labels = list(experiment.variants.order_by("label").values_list("label", flat=True))
    days = experiment_days(experiment)
    totals = dict.fromkeys(labels, (0, 0))
    looks: list[list[stats.Arm]] = []
    for i, d in enumerate(days):
        trials, successes = totals[d.label]
        totals[d.label] = (trials + d.trials, successes + d.successes)
        if i + 1 < len(days) and days[i + 1].day != d.day:
            looks.append([stats.Arm(label, *totals[label]) for label in labels])
    return looks


def experiment_results(experiment: Experiment) -> tuple[list[stats.Arm], stats.Decision]:
    """The versions' counts and what the stated rule decides from them now."""
    arms = experiment_arms(experiment)
    decision = stats.decide(
        arms,
        baseline=experiment.baseline_rate,
        min_effect=experiment.min_effect,
        alpha=experiment.alpha,
        power=experiment.power,
        planned_per_variant=experiment.planned_per_variant,
        history=experiment_history(experiment),
    )
    return arms, decision


def experiment_days(experiment: Experiment) -> list[DayCount]:
    """Per version and day, oldest first (for the chart and its table)."""
    return [
        DayCount(label=d.variant.label, day=d.day, trials=d.trials, successes=d.successes)
        for d in VariantDay.objects.filter(variant__experiment=experiment)
        .select_related("variant")
        .order_by("day", "variant__label")
    ]


def decision_json(decision: stats.Decision) -> dict[str, Any]:
    """What is kept of a decision: the winner, its comparison's effect, interval and p."""
    comparisons: list[dict[str, Any]] = [
        {
            "label": c.label,
            "control": c.control,
            "rate_control": float(c.rate_control),
            "rate_variant": float(c.rate_variant),
            "effect": float(c.effect),
            "relative_effect": None if c.relative_effect is None else float(c.relative_effect),
            "interval": [float(c.interval[0]), float(c.interval[1])],
            "p": float(c.p_value),
            "significant": bool(c.significant),
        }
        for c in decision.comparisons
    ]
    main = next((c for c in comparisons if c["label"] == decision.winner), None)
    if main is None and comparisons:
        main = min(comparisons, key=lambda c: c["p"])
    return {
        "status": decision.status,
        "winner": decision.winner,
        "effect": main["effect"] if main else None,
        "interval": main["interval"] if main else None,
        "p": main["p"] if main else None,
        "rule": decision.rule,
        "alpha_per_comparison": float(decision.alpha_per_comparison),
        "comparisons": comparisons,
        "decided_at": clock.now().isoformat(),
    }


def experiment_record_decision(experiment: Experiment, decision: stats.Decision) -> bool:
    """Record a final decision once (RUNNING → DECIDED, a conditional update) and tell the
    creator. False when it is not final or another worker recorded it first."""
    if decision.status not in DECIDING:
        return False
    with transaction.atomic():
        won = Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.RUNNING).update(
            status=ExperimentStatus.DECIDED,
            decision=decision_json(decision),
            ended_at=clock.now(),
        )
        if not won:
            return False
        audit_record(
            workspace=experiment.workspace,
            actor=None,
            action="experiment.decided",
            target=experiment,
            name=experiment.name,
            winner=decision.winner,
            status=decision.status,
        )
        if decision.status == "winner":
            text = _("A/B test “%(name)s”: version %(winner)s wins.") % {
                "name": experiment.name,
                "winner": decision.winner,
            }
        else:
            text = _("A/B test “%(name)s”: no difference worth acting on.") % {
                "name": experiment.name
            }
        notify(
            workspace=experiment.workspace,
            recipients=[experiment.created_by],
            kind="paid.experiment_decided",
            key=f"paid.experiment_decided:{experiment.pk}",
            text=text,
            url=reverse(
                "paid:experiment",
                kwargs={"slug": experiment.workspace.slug, "experiment_id": experiment.pk},
            ),
        )
    return True


def experiment_check(experiment: Experiment) -> bool:
    """One running test: fresh organic counts, a stuck split launched again, a decision
    recorded when the rule reaches one. True when it was decided now."""
    if experiment.kind == ExperimentKind.ORGANIC:
        experiment_refresh_organic(experiment)
    elif not experiment.remote_id:
        started = experiment.started_at or clock.now()
        if clock.now() - started >= LAUNCH_LEASE:
            launch_split_test(experiment.pk)
        return False
    _arms, decision = experiment_results(experiment)
    return experiment_record_decision(experiment, decision)


def experiments_check() -> int:
    """The `paid.experiments` job: every running test, each on its own; returns decided."""
    decided = 0
    running = Experiment.objects.filter(status=ExperimentStatus.RUNNING).select_related(
        "workspace", "created_by"
    )
    for experiment in running:
        try:
            decided += experiment_check(experiment)
        except Exception:  # one broken test never stops the others
            log.exception("experiment %s: check failed; the others go on", experiment.pk)
    return decided
