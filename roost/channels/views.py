"""Channels: list, connect (form or OAuth), reconnect, disconnect. (A channel's settings
page, with its queue slots, is publishing's: roost/publishing/channel_views.py.)"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roost.channels import selectors, services
from roost.channels.access import access_channel
from roost.channels.forms import ConnectForm, MastodonStartForm
from roost.core.exceptions import NotFound, RoostError, ValidationFailed
from roost.http.csp import csp_form_may_leave
from roost.http.forms import apply_error
from roost.networks import registry
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

OAUTH_SESSION_KEY = "roost_oauth"


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


@workspace_view(Perm.VIEW_CONTENT)
def channel_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "channels/list.html",
        {
            "area": "channels",
            # Each row shows the channel's zone, which may be the workspace's.
            "channels": selectors.channels_list(actor).select_related("workspace"),
            "networks": registry.networks(),
        },
    )


def _network_or_404(key: str) -> registry.Network:
    try:
        return registry.get(key)
    except LookupError:
        raise NotFound() from None


@csp_form_may_leave
@workspace_view(Perm.CONNECT_CHANNELS)
def connect(request: HttpRequest, network: str) -> HttpResponse:
    actor = _actor(request)
    net = _network_or_404(network)
    if net.oauth_start is not None:
        return _oauth_start(request, net)
    form = ConnectForm(request.POST or None, network=net)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                channel = services.connect_with_form(
                    actor=actor, network=net.key, fields=form.cleaned_data
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request, _("%(channel)s is connected.") % {"channel": channel.name}
                )
                return redirect("channels:list", slug=actor.workspace.slug)
        status = 422
    return render(request, "channels/connect.html", {"form": form, "network": net}, status=status)


def _callback_uri(request: HttpRequest, network: str) -> str:
    path = reverse("channels:oauth_callback", args=[_actor(request).workspace.slug, network])
    return settings.ROOST_BASE_URL.rstrip("/") + path


def _oauth_start(request: HttpRequest, net: registry.Network) -> HttpResponse:
    form = MastodonStartForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        instance = form.cleaned_data["instance_url"].strip()
        if not instance:
            form.add_error("instance_url", _("Enter your instance's address."))
        else:
            assert net.oauth_start is not None
            try:
                url, state = net.oauth_start(
                    instance_url=instance, redirect_uri=_callback_uri(request, net.key)
                )
            except Exception as exc:  # the connector reports problems in words
                form.add_error("instance_url", str(exc))
            else:
                if not url:  # the network could not start the flow: it says why
                    form.add_error("instance_url", str(state.get("reason", "")))
                    return render(
                        request,
                        "channels/connect.html",
                        {"form": form, "network": net, "oauth": True},
                        status=422,
                    )
                state.setdefault("state", secrets.token_urlsafe(16))
                request.session[OAUTH_SESSION_KEY] = {"network": net.key, **state}
                return redirect(url)
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "channels/connect.html",
        {"form": form, "network": net, "oauth": True},
        status=status,
    )


@workspace_view(Perm.CONNECT_CHANNELS)
def oauth_callback(request: HttpRequest, network: str) -> HttpResponse:
    actor = _actor(request)
    net = _network_or_404(network)
    state = request.session.get(OAUTH_SESSION_KEY) or {}
    if (
        net.oauth_finish is None
        or state.get("network") != net.key
        or request.GET.get("state") != state.get("state")
    ):
        messages.error(request, _("That sign-in link is not valid any more. Please start again."))
        return redirect("channels:list", slug=actor.workspace.slug)
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("%(network)s did not grant access.") % {"network": net.label})
        return redirect("channels:list", slug=actor.workspace.slug)
    del request.session[OAUTH_SESSION_KEY]
    connection = net.oauth_finish(
        state_config=state, code=code, redirect_uri=_callback_uri(request, net.key)
    )
    try:
        channel = services.connect_with_oauth(actor=actor, network=net.key, connection=connection)
    except RoostError as exc:
        messages.error(
            request,
            exc.message
            if not isinstance(exc, ValidationFailed)
            else "; ".join(m for ms in exc.errors.values() for m in ms),
        )
    else:
        messages.success(request, _("%(channel)s is connected.") % {"channel": channel.name})
    return redirect("channels:list", slug=actor.workspace.slug)


@workspace_view(Perm.CONNECT_CHANNELS)
@require_POST
def disconnect(request: HttpRequest, channel_id: int) -> HttpResponse:
    actor = _actor(request)
    channel = access_channel(actor, channel_id, Perm.CONNECT_CHANNELS)
    try:
        services.channel_disconnect(actor=actor, channel=channel)
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(channel)s was disconnected.") % {"channel": channel.name})
    return redirect("channels:list", slug=actor.workspace.slug)
