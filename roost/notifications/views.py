"""The bell: a person's notifications, newest first, across their workspaces."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from roost.core import clock
from roost.http.decorators import login_view
from roost.notifications.models import Notification


@login_view
def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.filter(recipient_id=request.user.pk).select_related("workspace")[
        :100
    ]
    return render(request, "notifications/list.html", {"notes": notes})


@login_view
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(
        read_at=clock.now()
    )
    return redirect("notifications:list")
