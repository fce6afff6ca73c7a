"""Reads for channels, scoped to a workspace and to the member's channel access."""

from __future__ import annotations

from django.db.models import QuerySet

from roost.channels.models import Channel, ChannelStatus
from roost.workspaces.models import Membership


def channels_visible_to(membership: Membership) -> QuerySet[Channel]:
    """Channels of the member's workspace that the member may use."""
    qs = Channel.objects.filter(workspace_id=membership.workspace_id)
    if membership.all_channels:
        return qs
    return qs.filter(channelaccess__membership=membership)


def channels_for_compose(membership: Membership) -> QuerySet[Channel]:
    """Connected channels the member may publish to (including ones waiting to reconnect:
    posts to them wait and resume)."""
    return (
        channels_visible_to(membership)
        .exclude(status=ChannelStatus.DISCONNECTED)
        .order_by("name", "id")
    )


def channels_list(membership: Membership) -> QuerySet[Channel]:
    return (
        Channel.objects.filter(workspace_id=membership.workspace_id)
        .exclude(status=ChannelStatus.DISCONNECTED)
        .order_by("name", "id")
    )


def channels_needing_reconnect(membership: Membership) -> QuerySet[Channel]:
    """Channels the member may use whose authorization ran out: someone must reconnect."""
    return (
        channels_visible_to(membership)
        .filter(status=ChannelStatus.NEEDS_RECONNECT)
        .order_by("name", "id")
    )
