"""Campaigns group posts and tag their links with UTM parameters."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from roost.channels.models import Channel
from roost.core.exceptions import ValidationFailed
from roost.publishing.models import Campaign, QueueSlot
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@transaction.atomic
def campaign_save(
    *, actor: Membership, name: str, utm: dict[str, str], campaign: Campaign | None = None
) -> Campaign:
    require(actor, Perm.COMPOSE)
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the campaign a name.")]
    elif (
        Campaign.objects.filter(workspace=actor.workspace, name__iexact=name)
        .exclude(pk=campaign.pk if campaign else -1)
        .exists()
    ):
        errors["name"] = [_("There is already a campaign called “%(name)s”.") % {"name": name}]
    for key, value in utm.items():
        if key not in UTM_FIELDS:
            errors[key] = [_("Unknown UTM parameter.")]
        elif any(ch.isspace() for ch in value.strip()):
            errors[key] = [_("UTM values cannot contain spaces; use - or _ instead.")]
    if errors:
        raise ValidationFailed(errors)
    campaign = campaign or Campaign(workspace=actor.workspace)
    campaign.name = name[:100]
    for key in UTM_FIELDS:
        setattr(campaign, key, utm.get(key, "").strip()[:100])
    campaign.save()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="campaign.saved",
        target=campaign,
        name=name,
    )
    return campaign


@transaction.atomic
def queue_slots_set(
    *, actor: Membership, channel: Channel, slots: list[tuple[int, str]]
) -> list[QueueSlot]:
    """Replace a channel's weekly queue slots; times are "HH:MM" in the channel's time zone."""
    from datetime import time

    require(actor, Perm.CONNECT_CHANNELS)
    parsed = set()
    errors = []
    for weekday, text in slots:
        try:
            hour, minute = (int(x) for x in text.split(":"))
            if not 0 <= weekday <= 6:
                raise ValueError
            parsed.add((weekday, time(hour, minute)))
        except ValueError:
            message = _("“%(value)s” is not a time like 09:30.") % {"value": text}
            if message not in errors:  # a bare time stands for all seven days: say it once
                errors.append(message)
    if errors:
        raise ValidationFailed({"slots": errors})
    QueueSlot.objects.filter(channel=channel).delete()
    created = [
        QueueSlot.objects.create(channel=channel, weekday=w, time=t) for w, t in sorted(parsed)
    ]
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="channel.queue_slots",
        target=channel,
        count=len(created),
    )
    return created
