"""Deleting a post: from the networks first (every part of every published copy), then
from Roost. A copy the network refuses to delete keeps the post, with the reason."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from roost.channels.models import ChannelStatus
from roost.channels.services import channel_connector
from roost.core.exceptions import Conflict
from roost.networks.base import Outcome
from roost.publishing.models import Delivery, DeliveryStatus, Post
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record


def post_delete(*, actor: Membership, post: Post) -> None:
    require(actor, Perm.COMPOSE)
    deliveries = list(Delivery.objects.filter(post=post).select_related("channel__workspace"))
    if any(d.status == DeliveryStatus.SENDING for d in deliveries):
        raise Conflict(_("This post is publishing right now; try again in a moment."))
    problems = []
    removed = []
    for d in deliveries:
        if d.status != DeliveryStatus.PUBLISHED or not d.remote_id:
            continue
        if d.channel.status == ChannelStatus.DISCONNECTED:
            problems.append(
                _("%(channel)s is disconnected, so its copy stays on the network.")
                % {"channel": d.channel.name}
            )
            continue
        with channel_connector(d.channel) as connector:
            for remote_id in reversed(d.part_ids or [d.remote_id]):  # the network call
                result = connector.delete(remote_id)
                if result.outcome is not Outcome.OK:
                    problems.append(f"{d.channel.name}: {result.reason}")
                    break
            else:
                removed.append(d.channel.name)
    if problems:
        raise Conflict(
            _("The post was not deleted: %(problems)s") % {"problems": " ".join(problems)}
        )
    from roost.approvals.services import request_cancel

    with transaction.atomic():
        request_cancel(kind="post", object_id=post.pk, actor=actor.user, reason=_("Deleted."))
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="post.deleted",
            target=post,
            text=post.text[:200],
            removed_from=removed,
        )
        post.delete()
