"""Fixtures of the paid tests: a running Sandbox (with its Sandbox Ads), publishing's own."""

from roost.publishing.tests.conftest import sandbox  # noqa: F401 - the fixture
