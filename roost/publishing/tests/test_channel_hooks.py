"""Publishing answers channel events: what becomes of its deliveries when a channel is
reconnected or disconnected (the behaviour itself is tested in test_publisher.py and
channels/tests/test_views.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from roost.channels import hooks
from roost.publishing.services.scheduling import (
    deliveries_on_disconnected,
    deliveries_on_reconnected,
)

PROBE = """
import django
django.setup()
from roost.channels import hooks
from roost.publishing.services import scheduling as s
print(hooks._RECONNECTED == [s.deliveries_on_reconnected])
print(hooks._DISCONNECTED == [s.deliveries_on_disconnected])
"""


def test_publishing_handlers_are_registered_once() -> None:
    # The test run registers them (roost/conftest.py); registering again adds nothing.
    from roost.publishing.hooks import register

    register()
    assert hooks._RECONNECTED.count(deliveries_on_reconnected) == 1
    assert hooks._DISCONNECTED.count(deliveries_on_disconnected) == 1


def test_a_started_process_has_publishings_channel_handlers() -> None:
    # A fresh process, as `roost run` or `roost worker` starts: no test conftest involved.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "roost.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
