"""Helpers for tests that wait on state, never on time.

A test that sleeps a fixed time and then asserts passes on a quiet machine and fails on a
busy one. These helpers poll a condition until it holds; the deadline is generous because
it only bounds a failing test, never how long a passing one takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long a condition may take to come true before the test fails: long enough for a
# 2-core machine that is also running other work.
DEFAULT_TIMEOUT = 120.0


def wait_until[T](
    probe: Callable[[], T],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    every: float = 0.02,
    what: str = "the condition",
) -> T:
    """Call `probe` until it returns something truthy, and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come true within {timeout:.0f} s")
        time.sleep(every)
