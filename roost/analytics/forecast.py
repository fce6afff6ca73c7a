"""End-of-period forecasts for goals, and whether a goal is on track. Pure functions over
day series, so every answer can be checked by hand; the method is written up in
docs/analytics.md ("Goals and forecasts").

- Counts (posts, engagements, impressions, followers…): a straight line fitted by least
  squares to the cumulative (or level) value of each day elapsed, read at the period's last
  day; the interval is the line's 95 % prediction interval from the residuals.
- Rates (engagement rate, click-through rate, per-post ratios): the period-to-date ratio for
  the days elapsed, and for the days left the fitted trend of the daily ratios, weighted by
  days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

AT_RISK_MARGIN = 0.10  # within 10 % of the target (on the wrong side): at risk

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
MET = "met"  # the period is over and the target was reached
MISSED = "missed"
NO_DATA = "no_data"
NOT_STARTED = "not_started"

# Student's t (two-sided 95 %) by degrees of freedom; 1.96 beyond the table.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)
_T95_MORE = {15: 2.131, 20: 2.086, 30: 2.042, 60: 2.000, 120: 1.980}


def t95(df: int) -> float:
    """The 97.5th percentile of Student's t with `df` degrees of freedom (rounded up to
    the next tabulated df, which keeps intervals on the wide side)."""
    if df < 1:
        return math.inf
    if df <= len(_T95):
        return _T95[df - 1]
    for limit, value in sorted(_T95_MORE.items()):
        if df <= limit:
            return value
    return 1.96


@dataclass(frozen=True)
class Forecast:
    value: float  # expected at the end of the period
    low: float
    high: float
    so_far: float  # the value over the days elapsed
    days_elapsed: int
    days_total: int
    slope: float  # per day: of the cumulative series (counts) or of the daily ratios (rates)


@dataclass(frozen=True)
class Fit:
    intercept: float
    slope: float
    n: int
    mean_x: float
    sxx: float
    residual_sd: float

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x

    def half_width(self, x: float, *, new_observation: bool = True) -> float:
        """Half the 95 % interval of the line at x (of a new observation there, or of the
        line's mean there)."""
        if self.residual_sd == 0:
            return 0.0
        if self.n < 3:
            return math.inf
        spread = (1.0 if new_observation else 0.0) + 1.0 / self.n
        if self.sxx:
            spread += (x - self.mean_x) ** 2 / self.sxx
        return t95(self.n - 2) * self.residual_sd * math.sqrt(spread)


def fit_line(points: Sequence[tuple[float, float]]) -> Fit:
    """Least squares y = a + b·x (b = 0 for a single x)."""
    n = len(points)
    if n == 0:
        raise ValueError("no points")
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    ssr = sum((y - intercept - slope * x) ** 2 for x, y in points)
    residual_sd = math.sqrt(ssr / (n - 2)) if n > 2 else 0.0
    if residual_sd < 1e-9 * max(1.0, abs(mean_y)):  # float dust on a perfect line
        residual_sd = 0.0
    return Fit(intercept, slope, n, mean_x, sxx, residual_sd)


def forecast_cumulative(
    series: Sequence[float | None], days_total: int, *, origin: float | None = 0.0
) -> Forecast | None:
    """A count's end-of-period value: `series[i]` is the value at the end of day i + 1
    (cumulative sum, or the level for audience figures; None: no reading that day), for
    the days elapsed so far. `origin` is the value before the period (0 for sums, None
    for levels), used only when a single day has a value."""
    n = len(series)
    points = [(i + 1.0, float(y)) for i, y in enumerate(series) if y is not None]
    if not points:
        return None
    so_far = points[-1][1]
    if n >= days_total:
        return Forecast(so_far, so_far, so_far, so_far, n, days_total, 0.0)
    if len(points) == 1:
        # One day: its pace, continued from the origin (a level stays where it is).
        x, y = points[0]
        pace = (y - origin) / x if origin is not None else 0.0
        value = y + pace * (days_total - x)
        return Forecast(value, -math.inf, math.inf, so_far, n, days_total, pace)
    fit = fit_line(points)
    value = fit.at(days_total)
    half = fit.half_width(days_total)
    return Forecast(value, value - half, value + half, so_far, n, days_total, fit.slope)


def forecast_rate(
    ratios: Sequence[float | None], so_far: float | None, days_total: int
) -> Forecast | None:
    """A rate's end-of-period value: `ratios` are the daily ratios of the days elapsed
    (None: the day had no denominator), `so_far` the period-to-date ratio."""
    n = len(ratios)
    if so_far is None or n == 0:
        return None
    if n >= days_total:
        return Forecast(so_far, so_far, so_far, so_far, n, days_total, 0.0)
    points = [(i + 1.0, r) for i, r in enumerate(ratios) if r is not None]
    remaining = days_total - n
    if len(points) < 2:
        return Forecast(so_far, -math.inf, math.inf, so_far, n, days_total, 0.0)
    fit = fit_line(points)
    middle = n + (remaining + 1) / 2.0  # the mean day of those left
    future = fit.at(middle)
    value = (n * so_far + remaining * future) / days_total
    # The future days' mean: the line's uncertainty there plus the days' own scatter.
    if fit.residual_sd == 0:
        half = 0.0
    elif fit.n < 3:
        half = math.inf
    else:
        spread = 1.0 / remaining + 1.0 / fit.n
        if fit.sxx:
            spread += (middle - fit.mean_x) ** 2 / fit.sxx
        half = t95(fit.n - 2) * fit.residual_sd * math.sqrt(spread) * remaining / days_total
    return Forecast(value, value - half, value + half, so_far, n, days_total, fit.slope)


def status(forecast: Forecast, target: float, *, higher_is_better: bool = True) -> str:
    """on track / at risk / off track (met / missed once the period is over)."""
    sign = 1.0 if higher_is_better else -1.0
    if forecast.days_elapsed >= forecast.days_total:
        return MET if sign * (forecast.value - target) >= 0 else MISSED
    if sign * (forecast.value - target) >= 0:
        return ON_TRACK
    inside = forecast.low <= target <= forecast.high
    near = abs(forecast.value - target) <= AT_RISK_MARGIN * abs(target)
    return AT_RISK if inside or near else OFF_TRACK
