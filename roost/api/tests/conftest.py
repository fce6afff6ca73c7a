"""API test fixtures: the real Sandbox and channels connected to it (from publishing)."""

from roost.publishing.tests.conftest import channels, sandbox  # noqa: F401 - fixtures
