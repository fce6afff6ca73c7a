"""Forecasts on series with known answers, and the status thresholds."""

from __future__ import annotations

import math

import pytest

from roost.analytics import forecast
from roost.analytics.forecast import Forecast, forecast_cumulative, forecast_rate, status


def test_a_perfectly_linear_series_forecasts_exactly() -> None:
    f = forecast_cumulative([10.0 * day for day in range(1, 11)], 30)
    assert f is not None
    assert f.value == pytest.approx(300.0)
    assert (f.low, f.high) == (pytest.approx(300.0), pytest.approx(300.0))
    assert f.slope == pytest.approx(10.0)
    assert (f.so_far, f.days_elapsed, f.days_total) == (100.0, 10, 30)


def test_a_line_with_an_offset_keeps_its_offset() -> None:
    f = forecast_cumulative([5.0 + 2.0 * day for day in range(1, 6)], 20)
    assert f is not None and f.value == pytest.approx(45.0)


def test_a_flat_series_stays_flat() -> None:
    f = forecast_cumulative([40.0] * 7, 28)
    assert f is not None
    assert (f.value, f.low, f.high, f.slope) == (40.0, 40.0, 40.0, 0.0)


def test_noise_gives_an_interval_around_the_line() -> None:
    # 10 a day, ±1 alternating around the line: the fit stays at 10 a day.
    series = [10.0 * d + (1 if d % 2 else -1) for d in range(1, 11)]
    f = forecast_cumulative(series, 20)
    assert f is not None
    assert f.value == pytest.approx(200.0, abs=3)
    assert f.low < f.value < f.high
    assert f.high - f.low < 20


def test_one_day_continues_its_pace_with_no_interval() -> None:
    f = forecast_cumulative([12.0], 10)
    assert f is not None and f.value == 120.0
    assert (f.low, f.high) == (-math.inf, math.inf)
    level = forecast_cumulative([500.0], 10, origin=None)
    assert level is not None and level.value == 500.0


def test_days_without_a_value_are_left_out_and_none_means_no_forecast() -> None:
    assert forecast_cumulative([None, None], 10) is None
    f = forecast_cumulative([None, 100.0, 110.0, 120.0], 10, origin=None)
    assert f is not None and f.value == pytest.approx(180.0)


def test_a_finished_period_is_its_value() -> None:
    f = forecast_cumulative([1.0, 5.0, 9.0], 3)
    assert f is not None and (f.value, f.low, f.high) == (9.0, 9.0, 9.0)


def test_a_constant_rate_forecasts_itself() -> None:
    f = forecast_rate([2.0] * 10, 2.0, 30)
    assert f is not None
    assert (f.value, f.low, f.high) == (pytest.approx(2.0), pytest.approx(2.0), pytest.approx(2.0))


def test_a_rising_rate_weights_the_days_left_by_their_trend() -> None:
    # Daily ratios 1, 2, …, 10 (to date 5.5); the 10 days left average the line at day 15.5.
    f = forecast_rate([float(d) for d in range(1, 11)], 5.5, 20)
    assert f is not None
    assert f.value == pytest.approx((10 * 5.5 + 10 * 15.5) / 20)
    assert f.slope == pytest.approx(1.0)


def test_a_rate_skips_days_without_a_denominator() -> None:
    f = forecast_rate([None, 3.0, None, 3.0, 3.0], 3.0, 10)
    assert f is not None and f.value == pytest.approx(3.0)
    assert forecast_rate([], None, 10) is None


def _f(value: float, low: float, high: float, elapsed: int = 5, total: int = 10) -> Forecast:
    return Forecast(value, low, high, 0.0, elapsed, total, 0.0)


def test_status_thresholds() -> None:
    assert status(_f(100, 90, 110), 100) == forecast.ON_TRACK
    assert status(_f(99, 98, 99.5), 100) == forecast.AT_RISK  # within 10 %
    assert status(_f(80, 70, 101), 100) == forecast.AT_RISK  # target inside the interval
    assert status(_f(80, 70, 99), 100) == forecast.OFF_TRACK
    assert status(_f(89.9, 89.9, 89.9), 100) == forecast.OFF_TRACK
    assert status(_f(90, 90, 90), 100) == forecast.AT_RISK
    # Lower is better: the mirror image.
    assert status(_f(5, 4, 6), 5, higher_is_better=False) == forecast.ON_TRACK
    assert status(_f(5.4, 5.2, 5.6), 5, higher_is_better=False) == forecast.AT_RISK
    assert status(_f(7, 6, 8), 5, higher_is_better=False) == forecast.OFF_TRACK
    # Over: met or missed.
    assert status(_f(100, 100, 100, 10, 10), 100) == forecast.MET
    assert status(_f(99, 99, 99, 10, 10), 100) == forecast.MISSED


def test_t_quantiles() -> None:
    assert forecast.t95(1) == 12.706
    assert forecast.t95(11) == 2.131
    assert forecast.t95(500) == 1.96
