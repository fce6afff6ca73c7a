"""Test data for paid media, stored directly: samples for the route-walking suites (one
object per kind, made once per workspace; `marker` goes into their names, so a leak shows)."""

from __future__ import annotations

from datetime import date

from roost.paid.models import Experiment, ExperimentStatus, Variant, VariantDay
from roost.workspaces.models import Workspace


def sample_experiment(workspace: Workspace, marker: str = "") -> Experiment:
    """A running organic A/B test with two versions and a day of counts (made once)."""
    found, made = Experiment.objects.get_or_create(
        workspace=workspace,
        name=f"Isolation test {marker}".strip(),
        defaults={
            "kind": "organic",
            "metric": "ctr",
            "baseline_rate": 0.02,
            "min_effect": 0.2,
            "planned_per_variant": 21000,
            "status": ExperimentStatus.RUNNING,
        },
    )
    if made:
        for label, successes in (("A", 20), ("B", 26)):
            variant = Variant.objects.create(
                experiment=found, label=label, text=f"Version {label} {marker}".strip()
            )
            VariantDay.objects.create(
                variant=variant, day=date(2031, 3, 20), trials=1000, successes=successes
            )
    return found


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL parameter samples for the route-walking suites (keys are URL kwarg names)."""
    return {"experiment_id": sample_experiment(workspace, marker).pk}
