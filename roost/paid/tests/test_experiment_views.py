"""The A/B test pages: plan with the sample size shown (htmx and without script), the
results and decision, start and stop, and what those who may not manage budgets see."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from roost.conftest import World
from roost.paid import stats
from roost.paid.models import Experiment, ExperimentStatus, Variant, VariantDay
from roost.paid.services.experiments import ExperimentInput, experiment_create
from roost.publishing.models import Post

NOW = datetime(2031, 3, 10, 8, 0, tzinfo=UTC)
FORM = {
    "name": "Headline",
    "kind": "organic",
    "metric": "ctr",
    "hypothesis": "",
    "baseline_pct": "2",
    "min_effect_pct": "50",
    "alpha": "0.05",
    "power": "0.8",
    "ad_account": "",
    "variant_a": "Our winter latte is back.",
    "variant_b": "Guess what is back?",
}


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def _planned(world: World) -> Experiment:
    return experiment_create(
        actor=world.members["paid_media"],
        data=ExperimentInput(
            name="Headline",
            kind="organic",
            metric="ctr",
            variants=["Our winter latte is back.", "Guess what is back?"],
            baseline_rate=0.02,
            min_effect=0.5,
        ),
    )


def _text(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


def test_the_form_plans_a_test_and_shows_the_sample_size(world: World) -> None:
    client = world.client_for("paid_media")
    expected = stats.sample_size(baseline=0.02, min_effect=0.5, variants=2)
    page = client.get("/w/alpha/paid/experiments/new/")
    assert page.status_code == 200
    shown = stats.sample_size(baseline=0.02, min_effect=0.2, variants=2)  # the initial values
    assert f"Each version needs {shown} trials" in _text(page.content)

    live = client.post("/w/alpha/paid/experiments/plan/", FORM, HTTP_HX_REQUEST="true")
    assert live.status_code == 200
    assert _text(live.content).startswith(f"Each version needs {expected} trials (2 versions")
    assert "<form" not in live.content.decode()  # the partial only

    # Without script: the button re-renders the page with the plan and saves nothing.
    plain = client.post("/w/alpha/paid/experiments/new/", {**FORM, "plan": "1"})
    assert plain.status_code == 200
    assert f"Each version needs {expected} trials" in _text(plain.content)
    assert not Experiment.objects.exists()

    saved = client.post("/w/alpha/paid/experiments/new/", FORM)
    experiment = Experiment.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"/w/alpha/paid/experiments/{experiment.pk}/"
    assert experiment.planned_per_variant == expected
    assert list(experiment.variants.values_list("label", flat=True)) == ["A", "B"]


def test_a_bad_plan_is_shown_on_the_form_and_nothing_saved(world: World) -> None:
    client = world.client_for("paid_media")
    response = client.post(
        "/w/alpha/paid/experiments/new/",
        {**FORM, "variant_b": FORM["variant_a"], "metric": "conversion_rate"},
    )
    assert response.status_code == 422
    text = _text(response.content)
    assert "Two versions are the same" in text
    assert "An organic test measures click-through or engagement rate." in text
    assert not Experiment.objects.exists()
    live = client.post(
        "/w/alpha/paid/experiments/plan/", {**FORM, "baseline_pct": "80", "min_effect_pct": "50"}
    )
    assert "would reach 100%" in _text(live.content)


def test_the_page_shows_counts_comparisons_progress_and_the_rule(world: World) -> None:
    experiment = _planned(world)
    for label, successes in (("A", 200), ("B", 400)):
        variant = Variant.objects.get(experiment=experiment, label=label)
        VariantDay.objects.create(
            variant=variant, day=date(2031, 3, 9), trials=10000, successes=successes
        )
    page = world.client_for("analyst").get(f"/w/alpha/paid/experiments/{experiment.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-testid="trials-A">10000<', html)
    assert re.search(r'data-testid="rate-B">4.00%<', html)
    assert 'data-testid="comparison-B"' in html
    assert 'data-testid="chart-experiment"' in html
    assert "The rule names version B the winner" in _text(page.content)
    assert 'data-testid="experiment-start"' not in html  # an analyst only reads
    assert 'data-testid="experiment-stop"' not in html


def test_start_and_stop_from_the_page(world: World) -> None:
    experiment = _planned(world)
    client = world.client_for("paid_media")
    page = client.get(f"/w/alpha/paid/experiments/{experiment.pk}/")
    assert 'data-testid="experiment-start"' in page.content.decode()

    bad = client.post(
        f"/w/alpha/paid/experiments/{experiment.pk}/start/",
        {"channel": str(world.a_channel.pk), "first_at": "2031-03-01T09:00"},
    )
    assert bad.status_code == 422
    assert "Choose a time in the future." in _text(bad.content)
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT

    good = client.post(
        f"/w/alpha/paid/experiments/{experiment.pk}/start/",
        {"channel": str(world.a_channel.pk), "first_at": "2031-03-12T09:30"},
    )
    assert good.status_code == 302
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert Post.objects.filter(pk__in=experiment.variants.values("post")).count() == 2

    stopped = client.post(f"/w/alpha/paid/experiments/{experiment.pk}/stop/")
    assert stopped.status_code == 302
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.STOPPED
    again = client.post(f"/w/alpha/paid/experiments/{experiment.pk}/stop/", follow=True)
    assert "This test has already ended." in _text(again.content)


@pytest.mark.parametrize("role", ["analyst", "social_media_manager"])
def test_those_who_may_not_manage_budgets_cannot_plan_start_or_stop(
    world: World, role: str
) -> None:
    experiment = _planned(world)
    client: Client = world.client_for(role)
    assert client.get("/w/alpha/paid/experiments/").status_code == 200
    assert (
        'data-testid="experiment-new"'
        not in client.get("/w/alpha/paid/experiments/").content.decode()
    )
    assert client.post("/w/alpha/paid/experiments/new/", FORM).status_code == 403
    assert (
        client.post(
            f"/w/alpha/paid/experiments/{experiment.pk}/start/",
            {"channel": str(world.a_channel.pk), "first_at": "2031-03-12T09:30"},
        ).status_code
        == 403
    )
    assert client.post(f"/w/alpha/paid/experiments/{experiment.pk}/stop/").status_code == 403
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT
    assert Experiment.objects.count() == 1


def test_the_list_shows_each_test_with_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        experiment_create(
            actor=world.members["owner"],
            data=ExperimentInput(
                name=f"Test {i}",
                kind="organic",
                metric="ctr",
                variants=["One", "Two"],
                baseline_rate=0.02,
                min_effect=0.5,
            ),
        )
    client = world.client_for("owner")
    client.get("/w/alpha/paid/experiments/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        page = client.get("/w/alpha/paid/experiments/")
    assert page.status_code == 200
    assert [f"Test {i}" in page.content.decode() for i in range(3)] == [True, True, True]
