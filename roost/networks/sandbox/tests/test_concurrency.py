"""Many concurrent publishes through one shared client land exactly once each."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from roost.networks.base import Outcome
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxHandle

from .conftest import request


def test_300_concurrent_publishes_land_exactly_once(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(latency_ms=50)
    keys = [f"c-{n}" for n in range(300)]

    started = time.perf_counter()
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(lambda key: connector.publish(request(key, key)), keys))
    elapsed = time.perf_counter() - started

    # Timings belong in bench/; this only reports it (serially it would take 300 * 0.05 s).
    print(f"\n300 publishes, 64 threads, 50 ms latency: {elapsed:.2f} s")
    assert [r.outcome for r in results] == [Outcome.OK] * 300
    assert len({r.published.remote_id for r in results if r.published}) == 300
    stats = sandbox.stats()
    assert stats["publishes"] == 300
    assert stats["duplicates"] == 0
    assert stats["by_key"] == {f"{key}:0": 1 for key in keys}
