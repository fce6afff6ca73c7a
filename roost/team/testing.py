"""Test data for the team app: sample objects per workspace for the route-walking suites
(roost/web/tests/test_isolation.py, the API isolation and fuzz suites: `samples(workspace,
marker)` gives a value for each team URL parameter, `marker` in their names so a leak is
visible) and small builders for page and API tests. Each part adds its samples."""

from __future__ import annotations

from typing import Any

from roost.workspaces.models import Workspace


def samples(workspace: Workspace, marker: str = "") -> dict[str, Any]:
    """A value for each URL parameter of the team's routes, in `workspace`."""
    return {}
