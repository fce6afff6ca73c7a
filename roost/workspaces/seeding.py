"""Put people straight into a workspace, without an invite. For the demo and for tests;
the product adds members only through invites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from roost.workspaces.models import Membership, MembershipRole, Workspace
from roost.workspaces.services import audit_record


@transaction.atomic
def seed_member(workspace: Workspace, user: Any, roles: Iterable[str]) -> Membership:
    membership, created = Membership.objects.get_or_create(workspace=workspace, user=user)
    codes = [str(r) for r in roles]
    for code in codes:
        MembershipRole.objects.get_or_create(membership=membership, role=code)
    if created:
        audit_record(
            workspace=workspace,
            actor=None,
            action="member.added",
            target=membership,
            email=user.email,
            roles=codes,
            source="seed",
        )
    return membership
