"""Reads for channels, scoped to a workspace and to the member's channel access."""

from __future__ import annotations

from django.db.models import QuerySet

from roost.channels.models import Channel
from roost.workspaces.models import Membership


def channels_visible_to(membership: Membership) -> QuerySet[Channel]:
    """Channels of the member's workspace that the member may use."""
    qs = Channel.objects.filter(workspace_id=membership.workspace_id)
    if membership.all_channels:
        return qs
    return qs.filter(channelaccess__membership=membership)
