"""Exact checks of the A/B statistics: planning, the sequential p-value, the rule, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from roost.paid import stats
from roost.paid.stats import Arm, decide, sample_size


def test_one_look_planning_constant_is_the_hand_computed_one() -> None:
    """With a single look the power is Φ(√c − b(c)): solve it by hand and compare."""
    c = stats.planning_constant(0.05, 0.8, 1)
    boundary = math.sqrt((1 + c) / c * (2 * math.log(20) + math.log1p(c)))
    assert norm.cdf(math.sqrt(c) - boundary) == pytest.approx(0.8, abs=1e-4)
    assert c == pytest.approx(15.2107, abs=1e-3)


def test_sequential_power_matches_a_brownian_monte_carlo() -> None:
    """The recursive integration agrees with 200,000 simulated Brownian paths."""
    looks, c, alpha = 28, 13.52, 0.05
    rng = np.random.default_rng(7)
    t = np.arange(1, looks + 1) / looks
    paths = rng.normal(math.sqrt(c) / looks, math.sqrt(1 / looks), size=(200_000, looks))
    z = paths.cumsum(axis=1) / np.sqrt(t)
    bound = stats.boundary_z(c * t, alpha)
    up, down = z >= bound, z <= -bound
    first_up = np.where(up.any(axis=1), up.argmax(axis=1), looks)
    first_down = np.where(down.any(axis=1), down.argmax(axis=1), looks)
    simulated = float((first_up < first_down).mean())
    assert stats.sequential_power(c, alpha=alpha, looks=looks) == pytest.approx(
        simulated, abs=4 * math.sqrt(0.8 * 0.2 / 200_000)
    )


def test_sample_size_hand_computed() -> None:
    """n = ceil(c* σ²/δ²): baseline 10 %, lift 10 % → δ = 0.01, σ² = 0.09 + 0.0979."""
    c = stats.planning_constant(0.05, 0.8, stats.DEFAULT_LOOKS)
    assert c == pytest.approx(13.52, abs=0.01)
    sigma2 = 0.1 * 0.9 + 0.11 * 0.89
    expected = math.ceil(c * sigma2 / 0.01**2)
    assert sample_size(baseline=0.1, min_effect=0.1) == expected == 25405
    # One look, 2 % baseline, 20 % lift: δ = 0.004, σ² = 0.0196 + 0.024·0.976.
    c1 = stats.planning_constant(0.05, 0.8, 1)
    sigma2 = 0.02 * 0.98 + 0.024 * 0.976
    one_look = sample_size(baseline=0.02, min_effect=0.2, looks=1)
    assert one_look == math.ceil(c1 * sigma2 / 0.004**2)


def test_sample_size_is_larger_than_the_fixed_horizon_one() -> None:
    """Looking every day costs sample: c* ≈ 13.5 against (1.96 + 0.84)² ≈ 7.85."""
    fixed = (norm.ppf(0.975) + norm.ppf(0.8)) ** 2
    sigma2 = 0.1 * 0.9 + 0.11 * 0.89
    assert sample_size(baseline=0.1, min_effect=0.1) > 1.6 * fixed * sigma2 / 0.01**2


def test_sample_size_at_the_edges_of_the_ranges() -> None:
    """The strictest plan allowed is still computed to its power, not capped."""
    c = stats.planning_constant(0.001 / 9, 0.99, 366)
    assert c > 3 * stats.planning_constant(0.05, 0.8)
    assert 0.99 <= stats.sequential_power(c, alpha=0.001 / 9, looks=366) < 0.9905
    assert sample_size(baseline=0.5, min_effect=0.9, alpha=0.001, power=0.99, variants=10) > 0


def test_sample_size_monotonic() -> None:
    """Smaller effects, stricter alpha, more power and more variants all need more."""
    base = sample_size(baseline=0.05, min_effect=0.1)
    assert sample_size(baseline=0.05, min_effect=0.2) < base
    assert sample_size(baseline=0.05, min_effect=0.05) > base
    assert sample_size(baseline=0.05, min_effect=0.1, alpha=0.01) > base
    assert sample_size(baseline=0.05, min_effect=0.1, power=0.9) > base
    assert sample_size(baseline=0.05, min_effect=0.1, variants=3) > base
    assert sample_size(baseline=0.10, min_effect=0.1) < base
    powers = [stats.sequential_power(c, alpha=0.05) for c in (4, 8, 12, 16, 20)]
    assert powers == sorted(powers)


def test_p_value_never_increases_and_interval_narrows_with_history() -> None:
    """Given the earlier looks, p is their running minimum and the interval their overlap."""
    rng = np.random.default_rng(3)
    looks: list[list[Arm]] = []
    sa = sb = 0
    previous_p, previous_width = 1.0, 2.0
    for day in range(1, 29):
        sa += int(rng.binomial(1000, 0.10))
        sb += int(rng.binomial(1000, 0.11))
        arms = [Arm("A", day * 1000, sa), Arm("B", day * 1000, sb)]
        result = decide(arms, baseline=0.1, min_effect=0.1, history=looks)
        comparison = result.comparisons[0]
        low, high = comparison.interval
        assert comparison.p_value <= previous_p
        assert high - low <= previous_width + 1e-15
        previous_p, previous_width = comparison.p_value, high - low
        looks.append(arms)
    assert previous_p < 0.05  # this seed does find the lift by day 28


def test_interval_contains_the_truth() -> None:
    """Over 2,000 simulated tests the always-valid interval covers the true lift ≥ 95 %."""
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(2000):
        a = int(rng.binomial(20_000, 0.10))
        b = int(rng.binomial(20_000, 0.11))
        result = decide([Arm("A", 20_000, a), Arm("B", 20_000, b)], baseline=0.1, min_effect=0.1)
        low, high = result.comparisons[0].interval
        covered += low <= 0.01 <= high
    assert covered / 2000 >= 0.95


def test_decision_fields_for_a_clear_winner() -> None:
    """B at 12 % against A at 10 % over 30,000 each: B wins, with exact rates and effect."""
    result = decide(
        [Arm("A", 30_000, 3_000), Arm("B", 30_000, 3_600)], baseline=0.1, min_effect=0.1
    )
    assert result.status == stats.WINNER
    assert result.winner == "B"
    (comparison,) = result.comparisons
    assert (comparison.label, comparison.control) == ("B", "A")
    assert comparison.rate_control == 0.1 and comparison.rate_variant == 0.12
    assert comparison.effect == pytest.approx(0.02)
    assert comparison.relative_effect == pytest.approx(0.2)
    assert comparison.interval[0] < 0.02 < comparison.interval[1]
    assert comparison.interval[0] > 0
    assert comparison.significant and comparison.p_value < 1e-6
    assert result.alpha == result.alpha_per_comparison == 0.05
    assert result.progress == pytest.approx(30_000 / 25_405)
    assert "0.05" in result.rule


def test_control_wins_when_the_variant_is_worse() -> None:
    """The better arm of a significant comparison wins, even when it is the control."""
    result = decide(
        [Arm("A", 30_000, 3_600), Arm("B", 30_000, 3_000)], baseline=0.1, min_effect=0.1
    )
    assert (result.status, result.winner) == (stats.WINNER, "A")


def test_statuses() -> None:
    """Too little data under 100 per arm; collecting until planned; then no difference."""
    kwargs = {"baseline": 0.1, "min_effect": 0.1, "planned_per_variant": 5_000}
    small = decide([Arm("A", 99, 10), Arm("B", 500, 400)], **kwargs)  # type: ignore[arg-type]
    assert (small.status, small.winner) == (stats.TOO_LITTLE_DATA, None)
    assert not small.comparisons[0].significant
    assert small.comparisons[0].p_value == 1.0  # looks under the minimum do not count
    low, high = small.comparisons[0].interval  # but the interval is this look's
    assert 0.3 < low < 0.7 < high <= 1.0
    mid = decide([Arm("A", 2_000, 200), Arm("B", 2_000, 205)], **kwargs)  # type: ignore[arg-type]
    assert (mid.status, mid.winner, mid.progress) == (stats.COLLECTING, None, 0.4)
    done = decide([Arm("A", 5_000, 500), Arm("B", 5_100, 505)], **kwargs)  # type: ignore[arg-type]
    assert (done.status, done.winner, done.progress) == (stats.NO_DIFFERENCE, None, 1.0)
    zero = decide([Arm("A", 500, 0), Arm("B", 500, 0)], **kwargs)  # type: ignore[arg-type]
    assert zero.comparisons[0].relative_effect is None
    assert zero.status == stats.COLLECTING


def test_three_arms_bonferroni_and_best_significant_wins() -> None:
    """Alpha is split over two comparisons; of two significant variants the best wins."""
    arms = [Arm("A", 30_000, 3_000), Arm("B", 30_000, 3_500), Arm("C", 30_000, 3_700)]
    result = decide(arms, baseline=0.1, min_effect=0.1)
    assert result.alpha_per_comparison == 0.025
    assert [c.label for c in result.comparisons] == ["B", "C"]
    assert all(c.significant for c in result.comparisons)
    assert (result.status, result.winner) == (stats.WINNER, "C")
    assert result.rule.count("0.025") == 1
    # A variant that is significantly worse does not make the control win while another
    # variant is still undecided.
    mixed = [Arm("A", 30_000, 3_000), Arm("B", 30_000, 2_400), Arm("C", 30_000, 3_050)]
    undecided = decide(mixed, baseline=0.1, min_effect=0.1, planned_per_variant=50_000)
    assert [c.significant for c in undecided.comparisons] == [True, False]
    assert (undecided.status, undecided.winner) == (stats.COLLECTING, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"baseline": 0.0, "min_effect": 0.1}, "baseline must be a rate between 0 and 1"),
        ({"baseline": 1.0, "min_effect": 0.1}, "baseline must be a rate between 0 and 1"),
        ({"baseline": 0.1, "min_effect": 0.0}, "min_effect must be a positive"),
        ({"baseline": 0.1, "min_effect": -0.2}, "min_effect must be a positive"),
        ({"baseline": 0.6, "min_effect": 1.0}, "must stay below 1"),
        ({"baseline": 1e-4, "min_effect": 1e-3}, "planned absolute effect"),
        ({"baseline": 0.1, "min_effect": float("inf")}, "min_effect must be a positive"),
        ({"baseline": float("nan"), "min_effect": 0.1}, "baseline must be a rate"),
        ({"baseline": 0.1, "min_effect": 0.1, "alpha": 0.0}, "alpha must be at least 0.001"),
        ({"baseline": 0.1, "min_effect": 0.1, "alpha": 0.5}, "alpha must be at least 0.001"),
        ({"baseline": 0.1, "min_effect": 0.1, "power": 1.0}, "power must be between 0.5"),
        ({"baseline": 0.1, "min_effect": 0.1, "power": 0.3}, "power must be between 0.5"),
        ({"baseline": 0.1, "min_effect": 0.1, "looks": 0}, "looks must be between 1"),
        ({"baseline": 0.1, "min_effect": 0.1, "variants": 1}, "variants must be between 2"),
        ({"baseline": 0.1, "min_effect": 0.1, "variants": 11}, "variants must be between 2"),
    ],
)
def test_sample_size_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    """Each bad planning figure is refused with a message naming it."""
    with pytest.raises(ValueError, match=message):
        sample_size(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arms", "message"),
    [
        ([Arm("A", 100, 10)], "at least 2 arms"),
        ([Arm(str(i), 100, 10) for i in range(11)], "at most 10 arms"),
        ([Arm("A", 100, 10), Arm("A", 100, 10)], "labels must be unique"),
        ([Arm("A", 100, 10), Arm("B", 100, 101)], r"arm B: successes \(101\) exceed trials"),
        ([Arm("A", -1, 0), Arm("B", 100, 1)], "arm A: counts cannot be negative"),
        ([Arm("A", 100, -1), Arm("B", 100, 1)], "arm A: counts cannot be negative"),
    ],
)
def test_decide_bad_arms(arms: list[Arm], message: str) -> None:
    """Impossible counts and labels are refused with a message naming the arm."""
    with pytest.raises(ValueError, match=message):
        decide(arms, baseline=0.1, min_effect=0.1)


def test_decide_bad_history_and_plan() -> None:
    """History with other arms, and a planned size below one, are refused."""
    arms = [Arm("A", 100, 10), Arm("B", 100, 10)]
    with pytest.raises(ValueError, match="same arms in the same order"):
        decide(arms, baseline=0.1, min_effect=0.1, history=[[Arm("B", 1, 0), Arm("A", 1, 0)]])
    with pytest.raises(ValueError, match="planned_per_variant must be a positive"):
        decide(arms, baseline=0.1, min_effect=0.1, planned_per_variant=0)
    with pytest.raises(ValueError, match="baseline must be"):
        decide(arms, baseline=1.5, min_effect=0.1)
