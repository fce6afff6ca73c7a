from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from roost.conftest import make_channel, make_user
from roost.workspaces import services
from roost.workspaces.models import Membership

# Thursday 13 March 2031, 09:00 in Warsaw (UTC+1): after the 08:45 stand-up.
NOW = datetime(2031, 3, 13, 8, 0, tzinfo=UTC)


@pytest.fixture
def owner(db: Any) -> Membership:
    user = make_user("lead@brief.test", "Brief Lead")
    workspace = services.workspace_create(actor=user, name="Brief", timezone="Europe/Warsaw")
    return Membership.objects.get(workspace=workspace, user=user)


@pytest.fixture
def channel(owner: Membership) -> Any:
    return make_channel(owner.workspace, "Brief Sandbox")
