"""Simulation proof: daily looks keep false winners ≤ 5 % and the planned power holds.

Bounds are honest: a Monte Carlo share passes only when its exact (Clopper–Pearson)
99.9 % confidence interval lies on the right side of the stated level, so a real excess
cannot hide in the noise. With 10,000 runs that interval is about ±0.5 points near 2 %
and ±1.3 points near 80 %.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from roost.paid import stats
from roost.paid.stats import Arm, decide, simulate

RUNS = 10_000
CONFIDENCE = 0.999


def interval(share: float, runs: int = RUNS) -> tuple[float, float]:
    """The exact two-sided Clopper–Pearson interval for a share of `runs`."""
    hits = round(share * runs)
    tail = (1 - CONFIDENCE) / 2
    low = 0.0 if hits == 0 else float(beta.ppf(tail, hits, runs - hits + 1))
    high = 1.0 if hits == runs else float(beta.ppf(1 - tail, hits + 1, runs - hits))
    return low, high


@pytest.mark.parametrize(("baseline", "lift"), [(0.02, 0.2), (0.10, 0.1)])
def test_aa_tests_looked_at_daily_keep_false_winners_under_alpha(
    baseline: float, lift: float
) -> None:
    """10,000 A/A tests, 28 daily looks up to the planned size: false winners ≤ 5 %."""
    result = simulate([baseline, baseline], baseline=baseline, min_effect=lift, sims=RUNS, seed=1)
    assert interval(result.declared)[1] <= 0.05
    # The same data with a fixed-horizon z-test peeked at daily: far above 5 %.
    assert interval(result.naive_declared)[0] > 0.05


def test_three_arm_aaa_with_bonferroni_keeps_false_winners_under_alpha() -> None:
    """10,000 A/A/A tests: both comparisons at 2.5 %, any false winner ≤ 5 %."""
    result = simulate([0.05, 0.05, 0.05], baseline=0.05, min_effect=0.1, sims=RUNS, seed=2)
    assert interval(result.declared)[1] <= 0.05
    assert interval(result.naive_declared)[0] > 0.05


@pytest.mark.parametrize(
    ("rates", "baseline", "lift"),
    [
        ([0.02, 0.024], 0.02, 0.2),
        ([0.10, 0.11], 0.10, 0.1),
        ([0.05, 0.05, 0.055], 0.05, 0.1),
    ],
)
def test_ab_tests_reach_the_planned_power(rates: list[float], baseline: float, lift: float) -> None:
    """A true lift of exactly min_effect is found (the right winner) 80 % ± 3 points."""
    result = simulate(rates, baseline=baseline, min_effect=lift, sims=RUNS, seed=3)
    low, high = interval(result.correct)
    assert low >= 0.77 and high <= 0.83, (result, low, high)


@pytest.mark.parametrize(("p_c", "p_v"), [(0.10, 0.11), (0.05, 0.05)])
def test_the_interval_holds_the_true_effect_at_every_look_at_once(p_c: float, p_v: float) -> None:
    """10,000 runs, 28 daily looks: the truth leaves the interval at some look ≤ 5 % of runs."""
    baseline, lift, days = 0.10, 0.1, 28
    planned = stats.sample_size(baseline=baseline, min_effect=lift)
    daily = -(-planned // days)
    trials = np.arange(1, days + 1) * daily
    rng = np.random.default_rng(9)
    a = rng.binomial(daily, p_c, size=(RUNS, days)).cumsum(axis=1)
    b = rng.binomial(daily, p_v, size=(RUNS, days)).cumsum(axis=1)
    tau2 = (baseline * lift) ** 2
    effect, _, v = stats.always_valid_p(a, trials, b, trials, tau2)
    half = stats.half_width(v, tau2, 0.05)
    truth = p_v - p_c
    missed = ((effect - half > truth) | (effect + half < truth)).any(axis=1)
    assert interval(float(missed.mean()))[1] <= 0.05
    # A one-look 95 % interval read every day misses far more often.
    naive = np.abs(effect - truth) > 1.959964 * np.sqrt(v)
    assert interval(float(naive.any(axis=1).mean()))[0] > 0.05


def test_the_simulation_decides_as_decide_does() -> None:
    """For 300 simulated tests, decide() with the daily history agrees with the simulation."""
    baseline, lift, days = 0.05, 0.1, 28
    planned = stats.sample_size(baseline=baseline, min_effect=lift)
    daily = -(-planned // days)
    rng = np.random.default_rng(5)
    a = rng.binomial(daily, 0.05, size=(300, days)).cumsum(axis=1)
    b = rng.binomial(daily, 0.054, size=(300, days)).cumsum(axis=1)
    tau2 = (baseline * lift) ** 2
    trials = np.arange(1, days + 1) * daily
    effect, p, _ = stats.always_valid_p(a, trials, b, trials, tau2)
    fires = np.minimum.accumulate(p, axis=1) <= 0.05
    winners = 0
    for run in range(300):
        looks = [
            [
                Arm("A", int(trials[day]), int(a[run, day])),
                Arm("B", int(trials[day]), int(b[run, day])),
            ]
            for day in range(days)
        ]
        first = int(fires[run].argmax()) if fires[run].any() else days - 1
        result = decide(looks[first], baseline=baseline, min_effect=lift, history=looks[:first])
        assert (result.status == stats.WINNER) == bool(fires[run].any())
        if result.status == stats.WINNER:
            winners += 1
            assert result.winner == ("B" if effect[run, first] > 0 else "A")
            assert result.comparisons[0].p_value == pytest.approx(float(p[run, : first + 1].min()))
        else:
            assert result.status == stats.NO_DIFFERENCE
    assert 0 < winners < 300
