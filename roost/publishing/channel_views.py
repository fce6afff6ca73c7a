"""A channel's settings page: its name and time zone (channels) with its queue slots
(publishing), saved together or not at all.

The page is publishing's because queue slots are: channels, the layer below, know nothing
of posts or queues (see docs/architecture.md). Its address stays under /channels/.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from roost.channels.access import access_channel
from roost.channels.services import channel_update
from roost.core import clock
from roost.core.exceptions import RoostError
from roost.http.forms import apply_error
from roost.publishing.forms import (
    BaseQueueSlotFormSet,
    ChannelSettingsForm,
    QueueSlotFormSet,
)
from roost.publishing.models import QueueSlot
from roost.publishing.services.campaigns import queue_slots_set
from roost.publishing.suggestions import suggestions_for_display
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _slot_rows(channel_id: int) -> list[dict[str, Any]]:
    """The channel's slots as the form's initial rows, Monday first."""
    return [
        {"weekday": str(s.weekday), "time": s.time}
        for s in QueueSlot.objects.filter(channel_id=channel_id)
    ]


@workspace_view(Perm.CONNECT_CHANNELS)
def channel_settings(request: HttpRequest, channel_id: int) -> HttpResponse:
    actor = _actor(request)
    channel = access_channel(actor, channel_id, Perm.CONNECT_CHANNELS)
    data = request.POST if request.method == "POST" else None
    form = ChannelSettingsForm(data, initial={"name": channel.name, "timezone": channel.timezone})
    slots = cast(
        BaseQueueSlotFormSet,
        QueueSlotFormSet(data, initial=_slot_rows(channel.pk), prefix="slots"),
    )
    status = 200
    if request.method == "POST":
        # Both checked before anything is saved, so every problem shows at once.
        if all([form.is_valid(), slots.is_valid()]):
            try:
                # All or nothing: a bad queue slot must not leave a new name saved.
                with transaction.atomic():
                    channel_update(
                        actor=actor,
                        channel=channel,
                        name=form.cleaned_data["name"],
                        timezone=form.cleaned_data["timezone"],
                    )
                    queue_slots_set(
                        actor=actor,
                        channel=channel,
                        slots=slots.slots(),
                    )
            except RoostError as exc:
                channel.refresh_from_db()
                apply_error(form, exc)
            else:
                messages.success(request, _("Channel settings saved."))
                return redirect("channels:list", slug=actor.workspace.slug)
        status = 422
    return render(
        request,
        "publishing/channel_settings.html",
        {
            "form": form,
            "slots": slots,
            "channel": channel,
            "suggestions": suggestions_for_display([channel], clock.now()),
        },
        status=status,
    )
