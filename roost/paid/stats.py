"""A/B test statistics: an always-valid sequential test for rates, and its sample size.

Each variant is compared with the control (the first arm) on the difference of rates by a
mixture sequential probability ratio test (mSPRT, Johari et al. 2017; normal mixture
N(0, τ²) with τ = the planned absolute effect): `1/Λ` is a p-value that stays valid however
often it is looked at. More arms: Bonferroni over the k − 1 comparisons. The sample size is
planned for this test looked at `looks` times: n = ceil(c* σ²/δ²), c* found by exact
recursive integration of a Brownian motion with drift. docs/experiments.md derives it all.
Plain numpy/scipy: no database, no Django (except for translating the rule).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtr, ndtri

MIN_TRIALS = 100  # per arm: below this the normal approximation is not trusted
MAX_ARMS = 10
DEFAULT_LOOKS = 28  # planning assumes a look every day for four weeks
MIN_ABSOLUTE_EFFECT = 1e-6  # smaller planned effects would need more than ~10¹³ trials

COLLECTING = "collecting"
WINNER = "winner"
NO_DIFFERENCE = "no_difference"
TOO_LITTLE_DATA = "too_little_data"


def _(text: str) -> str:
    """Translate through Django when it is configured; plain text otherwise."""
    try:
        from django.utils.translation import gettext

        return gettext(text)
    except Exception:  # settings not configured (bench, plain Python)
        return text


@dataclass(frozen=True)
class Arm:
    """One version's counts: the first arm is the control."""

    label: str
    trials: int
    successes: int


@dataclass(frozen=True)
class Comparison:
    """One variant against the control."""

    label: str
    control: str
    rate_control: float
    rate_variant: float
    effect: float
    relative_effect: float | None
    interval: tuple[float, float]
    p_value: float
    significant: bool


@dataclass(frozen=True)
class Decision:
    """Where a test stands: still collecting, a winner, no difference, or too little data."""

    status: str
    winner: str | None
    comparisons: tuple[Comparison, ...]
    alpha: float
    alpha_per_comparison: float
    rule: str
    progress: float


# -- checks -------------------------------------------------------------------------------


def _check_plan(baseline: float, min_effect: float, alpha: float, power: float) -> None:
    """Raise ValueError for planning figures outside their ranges."""
    if not (isinstance(baseline, int | float) and 0 < baseline < 1):
        raise ValueError(f"baseline must be a rate between 0 and 1 (exclusive), not {baseline!r}")
    if not (isinstance(min_effect, int | float) and min_effect > 0 and math.isfinite(min_effect)):
        raise ValueError(f"min_effect must be a positive relative lift, not {min_effect!r}")
    if baseline * (1 + min_effect) >= 1:
        raise ValueError("baseline × (1 + min_effect) must stay below 1 (a rate above 100 %)")
    if baseline * min_effect < MIN_ABSOLUTE_EFFECT:
        raise ValueError(
            "baseline × min_effect (the planned absolute effect) must be at least "
            f"{MIN_ABSOLUTE_EFFECT:g}: no test could detect a smaller one"
        )
    if not (isinstance(alpha, int | float) and 0.001 <= alpha < 0.5):
        raise ValueError(f"alpha must be at least 0.001 and below 0.5, not {alpha!r}")
    if not (isinstance(power, int | float) and 0.5 <= power <= 0.99):
        raise ValueError(f"power must be between 0.5 and 0.99, not {power!r}")


def _check_arms(arms: Sequence[Arm]) -> None:
    """Raise ValueError for impossible counts or labels."""
    if len(arms) < 2:
        raise ValueError("an A/B test needs at least 2 arms (a control and a variant)")
    if len(arms) > MAX_ARMS:
        raise ValueError(f"an A/B test has at most {MAX_ARMS} arms, not {len(arms)}")
    labels = [arm.label for arm in arms]
    if len(set(labels)) != len(labels):
        raise ValueError(f"arm labels must be unique: {labels}")
    for arm in arms:
        if arm.trials < 0 or arm.successes < 0:
            raise ValueError(f"arm {arm.label}: counts cannot be negative")
        if arm.successes > arm.trials:
            raise ValueError(
                f"arm {arm.label}: successes ({arm.successes}) exceed trials ({arm.trials})"
            )


# -- planning -----------------------------------------------------------------------------


def boundary_z(r: np.ndarray | float, alpha: float) -> np.ndarray:
    """The |z| the mSPRT must reach, given r = τ²/V (information so far) and alpha."""
    r = np.asarray(r, dtype=float)
    return np.sqrt((1 + r) / r * (2 * math.log(1 / alpha) + np.log1p(r)))


def sequential_power(c: float, *, alpha: float, looks: int = DEFAULT_LOOKS) -> float:
    """Chance the test finds a true effect of the planned size by `looks` even looks.

    `c = n δ²/σ²` at the last look. B(t) = z(t)·sqrt(t) is a Brownian motion with drift
    sqrt(c); the recursion carries its density between the boundaries look by look and
    adds up the mass that leaves through the upper one.
    """
    mu = math.sqrt(c)
    dt = 1.0 / looks
    times = np.arange(1, looks + 1) * dt
    upper = np.sqrt(times) * boundary_z(c * times, alpha)
    h = 0.005
    span = float(upper.max()) + 0.1
    grid = np.arange(-span, span + h / 2, h)
    sd = math.sqrt(dt)
    # First look: B(t1) ~ N(μ t1, t1).
    found = float(1 - ndtr((upper[0] - mu * times[0]) / sd))
    density = np.exp(-0.5 * ((grid - mu * times[0]) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    density[np.abs(grid) >= upper[0]] = 0.0
    half = math.ceil(8 * sd / h)
    offsets = np.arange(-half, half + 1) * h
    kernel = np.exp(-0.5 * ((offsets - mu * dt) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) * h
    for k in range(1, looks):
        weights = density * h
        found += float(weights @ (1 - ndtr((upper[k] - grid - mu * dt) / sd)))
        density = np.convolve(density, kernel, mode="same")
        density[np.abs(grid) >= upper[k]] = 0.0
    return min(found, 1.0)


@lru_cache(maxsize=256)
def planning_constant(alpha: float, power: float, looks: int = DEFAULT_LOOKS) -> float:
    """c* = n δ²/σ² at which the sequential test has the requested power."""
    low, high = 0.0, 16.0
    while sequential_power(high, alpha=alpha, looks=looks) < power:
        low, high = high, high * 2
    for _step in range(60):
        mid = (low + high) / 2
        if sequential_power(mid, alpha=alpha, looks=looks) >= power:
            high = mid
        else:
            low = mid
        if high - low < 1e-4:
            break
    return high


def sample_size(
    *,
    baseline: float,
    min_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    variants: int = 2,
    looks: int = DEFAULT_LOOKS,
) -> int:
    """Trials per variant for the sequential test to find `min_effect` with `power`."""
    _check_plan(baseline, min_effect, alpha, power)
    if not (isinstance(variants, int) and 2 <= variants <= MAX_ARMS):
        raise ValueError(f"variants must be between 2 and {MAX_ARMS}, not {variants!r}")
    if not (isinstance(looks, int) and 1 <= looks <= 366):
        raise ValueError(f"looks must be between 1 and 366, not {looks!r}")
    alpha_per = alpha / (variants - 1)
    p0 = baseline
    p1 = baseline * (1 + min_effect)
    delta = p1 - p0
    sigma2 = p0 * (1 - p0) + p1 * (1 - p1)
    c = planning_constant(round(alpha_per, 12), round(power, 12), looks)
    return max(math.ceil(c * sigma2 / delta**2), 1)


# -- deciding -----------------------------------------------------------------------------


def always_valid_p(
    successes_c: np.ndarray | float,
    trials_c: np.ndarray | float,
    successes_v: np.ndarray | float,
    trials_v: np.ndarray | float,
    tau2: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(effect, mSPRT p-value 1/Λ, variance V) at one look; works on arrays of looks."""
    sc, nc = np.asarray(successes_c, dtype=float), np.asarray(trials_c, dtype=float)
    sv, nv = np.asarray(successes_v, dtype=float), np.asarray(trials_v, dtype=float)
    effect = sv / nv - sc / nc
    # p(1−p)/n with a half-success guard so 0 % and 100 % keep some spread.
    pc, pv = (sc + 0.5) / (nc + 1), (sv + 0.5) / (nv + 1)
    v = pc * (1 - pc) / nc + pv * (1 - pv) / nv
    log_lr = 0.5 * np.log(v / (v + tau2)) + effect**2 * tau2 / (2 * v * (v + tau2))
    return effect, np.minimum(1.0, np.exp(-log_lr)), v


def _rate(arm: Arm) -> float:
    """Successes ÷ trials (0 without trials)."""
    return arm.successes / arm.trials if arm.trials else 0.0


def _look(control: Arm, variant: Arm, tau2: float, alpha: float) -> tuple[float, float, float]:
    """One look at one comparison: (effect, always-valid p, interval half-width)."""
    if control.trials == 0 or variant.trials == 0:
        return _rate(variant) - _rate(control), 1.0, 2.0
    effect, p, v = (
        float(x)
        for x in always_valid_p(
            control.successes, control.trials, variant.successes, variant.trials, tau2
        )
    )
    return effect, p, float(half_width(v, tau2, alpha))


def half_width(v: np.ndarray | float, tau2: float, alpha: float) -> np.ndarray:
    """Half the always-valid interval: the effects within it the test would not reject."""
    v = np.asarray(v, dtype=float)
    return np.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + np.log((v + tau2) / v)))


def _compare(
    looks: Sequence[tuple[Arm, Arm]], tau2: float, alpha: float, enough: bool
) -> Comparison:
    """Combine every look at one comparison: the running minimum p, the running intersection."""
    p_value, low, high, counted = 1.0, -1.0, 1.0, False
    for control, variant in looks:
        effect, p, half = _look(control, variant, tau2, alpha)
        if min(control.trials, variant.trials) < MIN_TRIALS:
            continue  # looks before the minimum do not count, so they cannot lower p
        p_value, counted = min(p_value, p), True
        low, high = max(low, effect - half), min(high, effect + half)
    control, variant = looks[-1]
    effect, p, half = _look(control, variant, tau2, alpha)
    if not counted or low > high:  # nothing to intersect yet, or an empty intersection
        low, high = effect - half, effect + half  # (chance ≤ alpha): show this look's
    rate_c, rate_v = _rate(control), _rate(variant)
    return Comparison(
        label=variant.label,
        control=control.label,
        rate_control=rate_c,
        rate_variant=rate_v,
        effect=effect,
        relative_effect=effect / rate_c if rate_c else None,
        interval=(max(low, -1.0), min(high, 1.0)),
        p_value=p_value,
        significant=enough and p_value <= alpha,
    )


def decide(
    arms: Sequence[Arm],
    *,
    baseline: float,
    min_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    planned_per_variant: int | None = None,
    history: Sequence[Sequence[Arm]] = (),
) -> Decision:
    """Where the test stands now; `history` = earlier cumulative looks, oldest first."""
    _check_plan(baseline, min_effect, alpha, power)
    _check_arms(arms)
    for earlier in history:
        _check_arms(earlier)
        if [a.label for a in earlier] != [a.label for a in arms]:
            raise ValueError("every look in history must have the same arms in the same order")
    if planned_per_variant is None:
        planned_per_variant = sample_size(
            baseline=baseline, min_effect=min_effect, alpha=alpha, power=power, variants=len(arms)
        )
    elif not (isinstance(planned_per_variant, int) and planned_per_variant >= 1):
        raise ValueError(
            f"planned_per_variant must be a positive whole number, not {planned_per_variant!r}"
        )
    alpha_per = alpha / (len(arms) - 1)
    tau2 = (baseline * min_effect) ** 2
    smallest = min(arm.trials for arm in arms)
    enough = smallest >= MIN_TRIALS
    all_looks = [*history, arms]
    comparisons = tuple(
        _compare([(look[0], look[i]) for look in all_looks], tau2, alpha_per, enough)
        for i in range(1, len(arms))
    )
    rates = {arm.label: _rate(arm) for arm in arms}
    better = [c.label for c in comparisons if c.significant and c.effect > 0]
    winner: str | None = None
    if better:
        winner = max(better, key=lambda label: rates[label])
    elif comparisons and all(c.significant and c.effect < 0 for c in comparisons):
        winner = arms[0].label
    if not enough:
        status = TOO_LITTLE_DATA
    elif winner is not None:
        status = WINNER
    elif smallest >= planned_per_variant:
        status = NO_DIFFERENCE
    else:
        status = COLLECTING
    return Decision(
        status=status,
        winner=winner,
        comparisons=comparisons,
        alpha=alpha,
        alpha_per_comparison=alpha_per,
        rule=_rule(len(arms), alpha, alpha_per, planned_per_variant),
        progress=smallest / planned_per_variant,
    )


def _rule(arms: int, alpha: float, alpha_per: float, planned: int) -> str:
    """The decision rule in one sentence."""
    if arms == 2:
        text = _(
            "Stop with a winner as soon as the always-valid p-value is at most {alpha} "
            "(the better version wins); at {planned} per version without that, stop: no "
            "difference of the planned size; nothing is decided before {minimum} per version."
        )
    else:
        text = _(
            "Each variant is compared with the control at {alpha_per} (Bonferroni: {alpha} "
            "split over {k} comparisons); stop as soon as a variant is significantly better "
            "(the best of those wins) or every variant is significantly worse (the control "
            "wins); at {planned} per version without that, stop: no difference of the "
            "planned size; nothing is decided before {minimum} per version."
        )
    return text.format(
        alpha=f"{alpha:g}",
        alpha_per=f"{alpha_per:.4g}",
        k=arms - 1,
        planned=planned,
        minimum=MIN_TRIALS,
    )


# -- simulation (tests, bench/experiments.py and the figures in docs/experiments.md) -------


@dataclass(frozen=True)
class Simulated:
    """Shares over simulated tests looked at once a day up to the planned sample."""

    planned_per_variant: int
    declared: float  # any winner declared (the false-positive rate when all rates are equal)
    correct: float  # the declared winner is the arm with the highest true rate
    naive_declared: float  # a fixed-horizon z-test at alpha_per, looked at every day


def simulate(
    rates: Sequence[float],
    *,
    baseline: float,
    min_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sims: int = 10_000,
    days: int = DEFAULT_LOOKS,
    seed: int = 1,
) -> Simulated:
    """Run `sims` tests with true `rates` (first = control) day by day, all at once in numpy."""
    rng = np.random.default_rng(seed)
    k = len(rates)
    planned = sample_size(
        baseline=baseline, min_effect=min_effect, alpha=alpha, power=power, variants=k
    )
    alpha_per = alpha / (k - 1)
    tau2 = (baseline * min_effect) ** 2
    daily = -(-planned // days)  # the last look reaches the planned sample
    trials = np.arange(1, days + 1) * daily
    successes = [rng.binomial(daily, rate, size=(sims, days)).cumsum(axis=1) for rate in rates]
    significant, better, worse, naive = [], [], [], []
    z_naive = float(ndtri(1 - alpha_per / 2))
    for i in range(1, k):
        effect, p, v = always_valid_p(successes[0], trials, successes[i], trials, tau2)
        # With every earlier look kept (decide's history), p is the running minimum.
        hit = np.minimum.accumulate(p, axis=1) <= alpha_per
        significant.append(hit)
        better.append(hit & (effect > 0))
        worse.append(hit & (effect < 0))
        naive.append(np.abs(effect) / np.sqrt(v) >= z_naive)
    any_better = np.any(better, axis=0)
    all_worse = np.all(worse, axis=0)
    fires = any_better | all_worse
    declared = fires.any(axis=1)
    first = np.where(declared, fires.argmax(axis=1), 0)
    rows = np.arange(sims)
    # The winner at the first look that fires: the best significantly better variant, else A.
    winner = np.zeros(sims, dtype=int)
    best_rate = np.full(sims, -1.0)
    for i in range(1, k):
        at_first = better[i - 1][rows, first]
        rate_i = successes[i][rows, first] / trials[first]
        take = at_first & (rate_i > best_rate)
        winner[take], best_rate[take] = i, rate_i[take]
    truth = int(np.argmax(rates))
    return Simulated(
        planned_per_variant=planned,
        declared=float(declared.mean()),
        correct=float((declared & (winner == truth)).mean()),
        naive_declared=float(np.any(naive, axis=0).any(axis=1).mean()),
    )
