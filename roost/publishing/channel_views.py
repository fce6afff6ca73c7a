"""A channel's settings page: its name and time zone (channels) with its queue slots
(publishing), saved together or not at all.

The page is publishing's because queue slots are: channels, the layer below, know nothing
of posts or queues (see docs/architecture.md). Its address stays under /channels/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from roost.channels.access import access_channel
from roost.channels.services import channel_update
from roost.core.exceptions import RoostError
from roost.http.forms import apply_error
from roost.publishing.forms import ChannelSettingsForm
from roost.publishing.models import QueueSlot
from roost.publishing.services.campaigns import queue_slots_set
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _slots_text(channel_id: int) -> str:
    return "\n".join(
        f"{s.weekday + 1} {s.time:%H:%M}" for s in QueueSlot.objects.filter(channel_id=channel_id)
    )


def _parse_slots(text: str) -> list[tuple[int, str]]:
    slots: list[tuple[int, str]] = []
    for line in text.splitlines():
        bits = line.split()
        if not bits:
            continue
        if len(bits) == 1:
            slots += [(day, bits[0]) for day in range(7)]
        elif bits[0].isdigit() and 1 <= int(bits[0]) <= 7:
            slots.append((int(bits[0]) - 1, bits[1]))
        else:
            slots.append((-1, line.strip()))
    return slots


@workspace_view(Perm.CONNECT_CHANNELS)
def channel_settings(request: HttpRequest, channel_id: int) -> HttpResponse:
    actor = _actor(request)
    channel = access_channel(actor, channel_id, Perm.CONNECT_CHANNELS)
    form = ChannelSettingsForm(
        request.POST or None,
        initial={
            "name": channel.name,
            "timezone": channel.timezone,
            "slots": _slots_text(channel.pk),
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
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
                        slots=_parse_slots(form.cleaned_data["slots"]),
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
        {"form": form, "channel": channel},
        status=status,
    )
