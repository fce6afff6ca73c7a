"""Fetch-and-authorize for channels."""

from __future__ import annotations

from roost.channels.models import Channel, ChannelStatus
from roost.channels.selectors import channels_visible_to
from roost.core.exceptions import NotFound
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def access_channel(
    actor: Membership, channel_id: int, perm: Perm = Perm.VIEW_CONTENT, *, usable: bool = False
) -> Channel:
    """A channel of the actor's workspace that the actor may see (or, with usable=True,
    publish to: connected and granted to the member)."""
    require(actor, perm)
    qs = (
        channels_visible_to(actor)
        if usable
        else Channel.objects.filter(workspace_id=actor.workspace_id)
    )
    if usable:
        qs = qs.exclude(status=ChannelStatus.DISCONNECTED)
    channel = qs.select_related("workspace").filter(pk=channel_id).first()
    if channel is None:
        raise NotFound()
    return channel
