"""Small builders for the team builder's tests: a workspace with the members asked for."""

from __future__ import annotations

from django.test import override_settings

from roost.conftest import make_user
from roost.workspaces import services
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.seeding import seed_member


def team_of(
    slug: str, people: list[tuple[str, list[str]]]
) -> tuple[Workspace, dict[str, Membership]]:
    """A new workspace (its owner named "Owner") with one member per (name, roles)."""
    owner_user = make_user(f"owner@{slug}.test", "Owner")
    with override_settings(ROOST_WORKSPACE_CREATION="anyone"):
        workspace = services.workspace_create(actor=owner_user, name=slug.title(), timezone="UTC")
    members = {"Owner": Membership.objects.get(workspace=workspace, user=owner_user)}
    for n, (name, roles) in enumerate(people):
        user = make_user(f"p{n}@{slug}.test", name)
        members[name] = seed_member(workspace, user, roles)
    return workspace, members
