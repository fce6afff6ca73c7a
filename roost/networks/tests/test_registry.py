"""The network registry: loaded once, safely, however many threads ask first."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from roost.networks import registry

# A fresh interpreter: nothing imported yet, no Django app loading (which would fill the
# registry before the threads start). Sixteen threads ask for a network at the same instant.
RACE = textwrap.dedent(
    """
    import threading

    from roost.networks import registry

    threads, start, outcomes = [], threading.Barrier(16), []

    def ask(key):
        start.wait()
        try:
            outcomes.append(registry.get(key).key)
        except LookupError as exc:
            outcomes.append(f"error: {exc}")

    for i in range(16):
        key = ("bluesky", "mastodon", "sandbox")[i % 3]
        threads.append(threading.Thread(target=ask, args=(key,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sorted(outcomes))
    """
)


def test_concurrent_first_callers_all_find_their_network() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120, check=True
    )
    expected = sorted(("bluesky", "mastodon", "sandbox")[i % 3] for i in range(16))
    assert done.stdout.strip() == str(expected), done.stderr


def test_the_registry_is_loaded_when_django_starts() -> None:
    # AppConfig.ready() loaded it: the first request never pays for (or races) the import.
    assert registry.is_loaded()
    assert [n.key for n in registry.networks()] == ["bluesky", "mastodon", "sandbox"]


def test_every_network_listens() -> None:
    # The listening capability: every network's connector searches public posts.
    from roost.networks.base import ListeningConnector

    configs = {
        "bluesky": ({"service_url": "https://bsky.social"}, {"handle": "a.bsky.social"}),
        "mastodon": ({"instance_url": "https://mastodon.social"}, {"access_token": "t"}),
        "sandbox": ({"base_url": "http://127.0.0.1:8025"}, {"token": "t"}),
    }
    for key, (config, credentials) in configs.items():
        connector = registry.connector_for(key, config, credentials)
        assert isinstance(connector, ListeningConnector), key
